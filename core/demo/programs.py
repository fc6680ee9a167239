"""The demo's communities, tags, note themes, users and three programs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password

from core.demo.base import DEMO_PASSWORD, Clock, Tally, sync_links, sync_rows
from core.models import User
from dialogues.models import (
    Process,
    Program,
    ProgramMembership,
    ProgramRole,
    ProgramStatus,
    TrackLevel,
)
from participants.models import (
    Community,
    Sector,
    Tag,
    Track,
)
from workshops.models import (
    NoteTheme,
)

# --- Vocabulary the demo adds: communities, tags, note themes ----------------------------------

COMMUNITIES = [
    # slug, name, region, colour, description
    (
        "greek-cypriot",
        "Greek Cypriot",
        "Cyprus",
        "#1f77b4",
        "Greek-speaking, mostly Orthodox Cypriots, living south of the Green Line since 1974.",
    ),
    (
        "turkish-cypriot",
        "Turkish Cypriot",
        "Cyprus",
        "#d62728",
        "Turkish-speaking, mostly Muslim Cypriots, living north of the Green Line since 1974.",
    ),
    (
        "israeli-jewish",
        "Israeli Jewish",
        "Israel-Palestine",
        "#2ca02c",
        "Jewish citizens of Israel, secular and religious, from cities, kibbutzim and towns.",
    ),
    (
        "palestinian",
        "Palestinian (West Bank and East Jerusalem)",
        "Israel-Palestine",
        "#9467bd",
        "Palestinians from the West Bank and East Jerusalem; travel needs permits.",
    ),
    (
        "arab-citizens-of-israel",
        "Palestinian Arab citizens of Israel",
        "Israel-Palestine",
        "#8c564b",
        "Arab citizens of Israel, Muslim, Christian and Druze, from Galilee, the Triangle "
        "and the mixed cities.",
    ),
    (
        "karen",
        "Karen",
        "Myanmar-Thailand border",
        "#ff7f0e",
        "S'gaw and Pwo Karen from Kayin State and the refugee camps along the Thai border.",
    ),
    (
        "burman",
        "Burman (Bamar)",
        "Myanmar-Thailand border",
        "#17becf",
        "Burmese-speaking Bamar majority; here mostly civil-society people in exile.",
    ),
    (
        "mon",
        "Mon",
        "Myanmar-Thailand border",
        "#bcbd22",
        "Mon communities of Mon State and the Thai border towns.",
    ),
]

TAGS = ["alumni 2025", "youth board", "media-ready", "needs travel support", "speaker pool"]

THEMES = [
    "missing persons",
    "property",
    "education",
    "shared history",
    "land and displacement",
    "trust",
    "youth",
    "women's participation",
    "security guarantees",
    "language",
    "economic cooperation",
    "water",
]


def seed_vocabulary(tally: Tally) -> tuple[dict[str, Community], dict[str, Tag], dict[str, Any]]:
    """Communities, tags and note themes: the demo's own additions to the vocabulary."""
    communities = sync_rows(
        Community,
        Community.objects.filter(slug__in=[c[0] for c in COMMUNITIES]),
        ["slug"],
        [
            {"slug": s, "name": n, "region": r, "colour": c, "description": d}
            for s, n, r, c, d in COMMUNITIES
        ],
        tally,
    )
    tags = sync_rows(
        Tag, Tag.objects.filter(name__in=TAGS), ["name"], [{"name": t} for t in TAGS], tally
    )
    themes = sync_rows(
        NoteTheme,
        NoteTheme.objects.filter(name__in=THEMES),
        ["name"],
        [{"name": t} for t in THEMES],
        tally,
    )
    return (
        {k[0]: v for k, v in communities.items()},
        {k[0]: v for k, v in tags.items()},
        {k[0]: v for k, v in themes.items()},
    )


# --- Users ----------------------------------------------------------------------------------

# username, first, last, language, time zone, superuser
USERS = [
    ("admin", "Demo", "Administrator", "en", "Europe/London", True),
    ("staff", "Ingrid", "Halvorsen", "en", "Europe/Oslo", False),
    ("facilitator", "Tomás", "Rivera", "en", "Asia/Nicosia", False),
    ("observer", "Grace", "Mensah", "en", "Europe/London", False),
    ("selin.aydin", "Selin", "Aydın", "en", "Asia/Nicosia", False),
    ("lena.haddad", "Lena", "Haddad", "ar", "Asia/Jerusalem", False),
    ("naw.paw", "Naw Paw", "Say", "en", "Asia/Bangkok", False),
    ("james.okafor", "James", "Okafor", "en", "Asia/Bangkok", False),
]

# program slug -> [(username, role)]
MEMBERSHIPS = {
    "cyprus-bicommunal-dialogue": [
        ("staff", ProgramRole.MANAGER),
        ("facilitator", ProgramRole.FACILITATOR),
        ("selin.aydin", ProgramRole.FACILITATOR),
        ("observer", ProgramRole.OBSERVER),
    ],
    "living-room-dialogue-israel-palestine": [
        ("staff", ProgramRole.MANAGER),
        ("facilitator", ProgramRole.FACILITATOR),
        ("lena.haddad", ProgramRole.FACILITATOR),
    ],
    "karen-villages-peacebuilding": [
        ("staff", ProgramRole.MANAGER),
        ("james.okafor", ProgramRole.MANAGER),
        ("naw.paw", ProgramRole.FACILITATOR),
    ],
}


def seed_users(tally: Tally) -> dict[str, User]:
    """The demo logins; the password is set only when a user is created, never reset."""
    rows = [
        {
            "username": u,
            "first_name": first,
            "last_name": last,
            "email": f"{u}@example.org",
            "language": lang,
            "time_zone": tz,
            "is_superuser": admin,
            "is_staff": admin,
            "is_active": True,
        }
        for u, first, last, lang, tz, admin in USERS
    ]
    existing = User.objects.filter(username__in=[r["username"] for r in rows])
    missing = {r["username"] for r in rows} - set(existing.values_list("username", flat=True))
    users = sync_rows(User, existing, ["username"], rows, tally, clean=False)
    if missing:
        # One hash for all new demo users: hashing is deliberately slow, the password shared.
        hashed = make_password(DEMO_PASSWORD)
        User.objects.filter(username__in=missing).update(password=hashed)
    return {k[0]: v for k, v in users.items()}


# --- Programs ---------------------------------------------------------------------------------

PROGRAMS = [
    {
        "slug": "cyprus-bicommunal-dialogue",
        "name": "Cyprus bi-communal dialogue",
        "track_level": TrackLevel.TRACK_1_5,
        "status": ProgramStatus.ACTIVE,
        "starts": -420,
        "ends": 300,
        "discreet_mode": False,
        "balance_tolerance": 10,
        "communities": ["greek-cypriot", "turkish-cypriot"],
        "tracks": [1, 2, 4, 5, 9],
        "processes": ["facilitated-workshops", "public-opinion"],
        "sectors": ["academic", "civil-society", "former-officials", "youth", "media"],
        "conflict_context": (
            "Cyprus has been divided since 1974; the Green Line and its UN buffer zone run "
            "through Nicosia. Crossing points opened in 2003, but the communities still have "
            "few places to meet. Missing persons, property and education remain the hardest "
            "subjects, and each round of Track One talks raises and lowers expectations."
        ),
        "objectives": (
            "- Build a standing group of Greek and Turkish Cypriot professionals who can work "
            "on the hardest issues together.\n"
            "- Feed non-attributable ideas on property and missing persons to the negotiators.\n"
            "- Bring former officials and young people into the same room."
        ),
    },
    {
        "slug": "living-room-dialogue-israel-palestine",
        "name": "Jewish-Palestinian living-room dialogue",
        "track_level": TrackLevel.TRACK_2,
        "status": ProgramStatus.ACTIVE,
        "starts": -300,
        "ends": 420,
        "discreet_mode": False,
        "balance_tolerance": 15,
        "communities": ["israeli-jewish", "palestinian", "arab-citizens-of-israel"],
        "tracks": [2, 4, 6, 7, 9],
        "processes": ["facilitated-workshops", "public-opinion"],
        "sectors": ["religious", "women", "media", "civil-society", "youth"],
        "conflict_context": (
            "Israeli Jews, Palestinians in the West Bank and East Jerusalem, and Palestinian "
            "Arab citizens of Israel live minutes apart and rarely meet as equals. Permits, "
            "checkpoints and social pressure make every meeting costly, above all for "
            "Palestinian participants, and some meet only abroad."
        ),
        "objectives": (
            "- Host small, repeated living-room circles where people tell their own stories.\n"
            "- Train pairs of Jewish and Palestinian co-facilitators.\n"
            "- Take what is shareable to journalists who cover the other side."
        ),
    },
    {
        "slug": "karen-villages-peacebuilding",
        "name": "Karen villages peacebuilding workshops",
        "track_level": TrackLevel.TRACK_2,
        "status": ProgramStatus.ACTIVE,
        "starts": -540,
        "ends": 540,
        "discreet_mode": True,
        "balance_tolerance": 20,
        "communities": ["karen", "burman", "mon"],
        "tracks": [2, 3, 4, 5, 7, 8],
        "processes": ["facilitated-workshops", "economic-development"],
        "sectors": ["civil-society", "religious", "women", "youth", "business"],
        "conflict_context": (
            "Decades of armed conflict in Kayin State have displaced Karen villages, many to "
            "camps on the Thai border. Since 2021 fighting has spread again. Village leaders, "
            "Mon and Burman neighbours meet in Thailand; names and places must stay discreet."
        ),
        "objectives": (
            "- Train village peace committees in local mediation.\n"
            "- Build trust between Karen, Mon and Burman civil-society leaders.\n"
            "- Start small cooperative livelihoods that give returnees a reason to stay."
        ),
    },
]


def seed_programs(
    tally: Tally, clock: Clock, communities: dict[str, Community], users: dict[str, User]
) -> dict[str, Program]:
    """Three programs on three conflicts, with their vocabulary and their teams."""
    rows = [
        {
            "slug": p["slug"],
            "name": p["name"],
            "conflict_context": p["conflict_context"],
            "objectives": p["objectives"],
            "track_level": p["track_level"],
            "status": p["status"],
            "starts_on": clock.day(p["starts"]),
            "ends_on": clock.day(p["ends"]),
            "discreet_mode": p["discreet_mode"],
            "balance_tolerance": p["balance_tolerance"],
        }
        for p in PROGRAMS
    ]
    found = sync_rows(
        Program,
        Program.objects.filter(slug__in=[p["slug"] for p in PROGRAMS]),
        ["slug"],
        rows,
        tally,
    )
    programs = {k[0]: v for k, v in found.items()}
    tracks = dict(Track.objects.values_list("number", "pk"))
    processes = dict(Process.objects.values_list("slug", "pk"))
    sectors = dict(Sector.objects.values_list("slug", "pk"))
    by_pk = {programs[p["slug"]].pk: p for p in PROGRAMS}
    sync_links(
        Program,
        "communities",
        {pk: [communities[c].pk for c in p["communities"]] for pk, p in by_pk.items()},
        tally,
    )
    sync_links(
        Program,
        "tracks",
        {pk: [tracks[n] for n in p["tracks"] if n in tracks] for pk, p in by_pk.items()},
        tally,
    )
    sync_links(
        Program,
        "processes",
        {pk: [processes[s] for s in p["processes"] if s in processes] for pk, p in by_pk.items()},
        tally,
    )
    sync_links(
        Program,
        "target_sectors",
        {pk: [sectors[s] for s in p["sectors"] if s in sectors] for pk, p in by_pk.items()},
        tally,
    )
    sync_rows(
        ProgramMembership,
        ProgramMembership.objects.filter(program__in=programs.values()),
        ["program_id", "user_id"],
        [
            {
                "program_id": programs[slug].pk,
                "user_id": users[username].pk,
                "role": role,
                "added_by_id": users["admin"].pk,
            }
            for slug, team in MEMBERSHIPS.items()
            for username, role in team
        ],
        tally,
        clean=False,
    )
    return programs
