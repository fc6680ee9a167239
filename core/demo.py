"""Demo data: three Track II programs with their people, workshops, notes and follow-ups.

Why it is built this way:

* **Deterministic.** Names come from fixed lists drawn with ``random.Random(SEED)``, so every
  run describes the same people; screenshots, manuals and bug reports can refer to them.
* **Idempotent.** Every row is found by a natural key (a slug, a username, a participant's
  email and name, ``(workshop, title)``…) and only created when missing or saved when a value
  differs. A second run on the same day writes nothing, so it is safe to run on every deploy
  of a demo site.
* **Always current.** Dates are offsets from *today* (at fixed local times, so two runs on one
  day agree); a demo seeded any day has held workshops to read and upcoming ones to plan.
* **Portable.** Plain ORM calls only: it runs on PostgreSQL and on the SQLite default.

Entry point: ``seed_demo()``; the ``seed_demo`` management command wraps it in a transaction.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db.models import Model, QuerySet
from django.utils import timezone

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
    ConsentMethod,
    ConsentRecord,
    ConsentScope,
    Gender,
    Language,
    Participant,
    RiskLevel,
    Sector,
    Tag,
    Track,
)
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    NoteLevel,
    NoteTheme,
    ScheduledMessage,
    Session,
    SessionNote,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)

SEED = 20260401
DEMO_PASSWORD = "olive-branch-demo"
PARTICIPANT_COUNT = 150

M = TypeVar("M", bound=Model)


# --- Bookkeeping: create or update only what differs, and count it ---------------------------


@dataclass
class Tally:
    """What one run wrote, per model, so the command can say "nothing changed"."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    linked: Counter[str] = field(default_factory=Counter)
    unlinked: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.linked, self.unlinked))


def _label(model: type[Model]) -> str:
    return model._meta.label


def _current(obj: Model, name: str) -> Any:
    value = getattr(obj, name)
    return getattr(value, "code", value)  # django-countries' Country compares by code


def _touch_fields(obj: Model) -> list[str]:
    """auto_now fields, saved with any change so "updated" stays truthful."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now", False) and not getattr(f, "primary_key", False)
    ]


def sync_rows(
    model: type[M],
    existing: QuerySet[M],
    keys: Sequence[str],
    rows: Iterable[dict[str, Any]],
    tally: Tally,
    *,
    clean: bool = True,
) -> dict[tuple, M]:
    """Make ``rows`` exist, matched on ``keys`` (attnames), touching only rows that differ.

    Loads the candidates in one query, creates the missing ones with one ``bulk_create``
    (after ``full_clean``, which runs the model's validators and constraints), and saves a
    changed row with ``update_fields`` so unchanged rows keep their ``updated_at``.
    """
    found: dict[tuple, M] = {tuple(_current(o, k) for k in keys): o for o in existing}
    result: dict[tuple, M] = {}
    new: list[M] = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        obj = found.get(key)
        if obj is None:
            obj = model(**row)
            if clean:
                obj.full_clean()
            new.append(obj)
        else:
            changed = [k for k, v in row.items() if _current(obj, k) != v]
            if changed:
                for name in changed:
                    setattr(obj, name, row[name])
                if clean:
                    obj.full_clean()
                names = {obj._meta.get_field(n).name for n in changed} | set(_touch_fields(obj))
                obj.save(update_fields=sorted(names))
                tally.updated[_label(model)] += 1
        result[key] = obj
    if new:
        model.objects.bulk_create(new)
        tally.created[_label(model)] += len(new)
    return result


def sync_links(
    model: type[Model], name: str, wanted: dict[int, Iterable[Any]], tally: Tally
) -> None:
    """Make the many-to-many ``model.name`` of each object in ``wanted`` exactly that set."""
    m2m = model._meta.get_field(name)
    through = m2m.remote_field.through
    src, dst = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
    desired = {(pk, target) for pk, targets in wanted.items() for target in targets}
    have = {
        (row[src], row[dst]): row["pk"]
        for row in through.objects.filter(**{f"{src}__in": list(wanted)}).values("pk", src, dst)
    }
    missing = desired - have.keys()
    extra = [pk for pair, pk in have.items() if pair not in desired]
    if missing:
        through.objects.bulk_create([through(**{src: a, dst: b}) for a, b in sorted(missing)])
        tally.linked[f"{_label(model)}.{name}"] += len(missing)
    if extra:
        through.objects.filter(pk__in=extra).delete()
        tally.unlinked[f"{_label(model)}.{name}"] += len(extra)


# --- Time: offsets from today at fixed local hours ---------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Today, frozen for one run, so every date in the demo is computed from one anchor."""

    today: date

    def at(self, days: int, hour: int, minute: int = 0, tz: str = "UTC") -> datetime:
        day = self.today + timedelta(days=days)
        local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))
        # In UTC, so later arithmetic is absolute and equals what the database returns.
        return local.astimezone(UTC)

    def day(self, days: int) -> date:
        return self.today + timedelta(days=days)

    @property
    def midnight(self) -> datetime:
        return self.at(0, 0)


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


# --- Participants -----------------------------------------------------------------------------

W, MAN = Gender.WOMAN, Gender.MAN

# Given names (Latin, native script, gender) and family names (Latin, native script).
GREEK_GIVEN = [
    ("Andreas", "Ανδρέας", MAN),
    ("Maria", "Μαρία", W),
    ("Giorgos", "Γιώργος", MAN),
    ("Eleni", "Ελένη", W),
    ("Christos", "Χρίστος", MAN),
    ("Katerina", "Κατερίνα", W),
    ("Nikos", "Νίκος", MAN),
    ("Sofia", "Σοφία", W),
    ("Panayiotis", "Παναγιώτης", MAN),
    ("Despina", "Δέσποινα", W),
    ("Michalis", "Μιχάλης", MAN),
    ("Androulla", "Ανδρούλλα", W),
]
GREEK_FAMILY = [
    ("Georgiou", "Γεωργίου"),
    ("Christodoulou", "Χριστοδούλου"),
    ("Ioannou", "Ιωάννου"),
    ("Charalambous", "Χαραλάμπους"),
    ("Constantinou", "Κωνσταντίνου"),
    ("Nicolaou", "Νικολάου"),
    ("Antoniou", "Αντωνίου"),
    ("Kyriakou", "Κυριάκου"),
    ("Demetriou", "Δημητρίου"),
    ("Michael", "Μιχαήλ"),
]
TURKISH_GIVEN = [
    ("Mehmet", "", MAN),
    ("Ayşe", "", W),
    ("Hüseyin", "", MAN),
    ("Emine", "", W),
    ("Mustafa", "", MAN),
    ("Fatma", "", W),
    ("Kemal", "", MAN),
    ("Zehra", "", W),
    ("Ali", "", MAN),
    ("Derya", "", W),
    ("Serdar", "", MAN),
    ("Nilgün", "", W),
]
TURKISH_FAMILY = [
    ("Özgür", ""),
    ("Arslan", ""),
    ("Hüseyinoğlu", ""),
    ("Çelik", ""),
    ("Aydın", ""),
    ("Şahin", ""),
    ("Kaya", ""),
    ("Doğan", ""),
    ("Oktay", ""),
    ("Uluçay", ""),
]
HEBREW_GIVEN = [
    ("Noa", "נועה", W),
    ("Yonatan", "יונתן", MAN),
    ("Tamar", "תמר", W),
    ("Avi", "אבי", MAN),
    ("Michal", "מיכל", W),
    ("Eitan", "איתן", MAN),
    ("Yael", "יעל", W),
    ("Daniel", "דניאל", MAN),
    ("Shira", "שירה", W),
    ("Uri", "אורי", MAN),
    ("Ruth", "רות", W),
    ("Amir", "אמיר", MAN),
]
HEBREW_FAMILY = [
    ("Cohen", "כהן"),
    ("Levi", "לוי"),
    ("Mizrahi", "מזרחי"),
    ("Peretz", "פרץ"),
    ("Friedman", "פרידמן"),
    ("Biton", "ביטון"),
    ("Shapiro", "שפירא"),
    ("Avraham", "אברהם"),
    ("Katz", "כץ"),
    ("Dahan", "דהן"),
]
ARABIC_GIVEN = [
    ("Ahmad", "أحمد", MAN),
    ("Lina", "لينا", W),
    ("Khaled", "خالد", MAN),
    ("Rania", "رانيا", W),
    ("Omar", "عمر", MAN),
    ("Huda", "هدى", W),
    ("Yousef", "يوسف", MAN),
    ("Nour", "نور", W),
    ("Samir", "سمير", MAN),
    ("Mariam", "مريم", W),
    ("Fadi", "فادي", MAN),
    ("Rawan", "روان", W),
    ("Tariq", "طارق", MAN),
    ("Amal", "أمل", W),
]
PALESTINIAN_FAMILY = [
    ("Khalil", "خليل"),
    ("Haddad", "حداد"),
    ("Nasser", "ناصر"),
    ("Awad", "عوض"),
    ("Saleh", "صالح"),
    ("Hamdan", "حمدان"),
    ("Khoury", "خوري"),
    ("Odeh", "عودة"),
    ("Jaber", "جابر"),
    ("Qasem", "قاسم"),
]
ARAB_ISRAELI_FAMILY = [
    ("Mansour", "منصور"),
    ("Sabbagh", "صباغ"),
    ("Diab", "دياب"),
    ("Masarwa", "مصاروة"),
    ("Hijazi", "حجازي"),
    ("Kanaaneh", "كناعنة"),
    ("Shehadeh", "شحادة"),
    ("Bishara", "بشارة"),
]
# Karen and Mon names are honorific + given names; Burman names are syllables in Burmese script.
KAREN_SYLLABLES = ["Eh", "Htoo", "Paw", "Mu", "Say", "Hser", "Ler", "Wah", "Doh", "Thaw", "Khu"]
MON_SYLLABLES = ["Aung", "Sein", "Mon", "Hla", "Chan", "Tun", "Sar", "Ong", "Rot", "Kyi"]
BURMESE_MEN = [
    ("Aung", "အောင်"),
    ("Kyaw", "ကျော်"),
    ("Min", "မင်း"),
    ("Htun", "ထွန်း"),
    ("Zaw", "ဇော်"),
    ("Win", "ဝင်း"),
    ("Phyo", "ဖြိုး"),
]
BURMESE_WOMEN = [
    ("Khin", "ခင်"),
    ("Mya", "မြ"),
    ("Nwe", "နွယ်"),
    ("Thida", "သီတာ"),
    ("Su", "စု"),
    ("Hnin", "နှင်း"),
    ("Ei", "အိ"),
]
INTERNATIONALS = [
    ("Ingrid Sørensen", W, "NO"),
    ("Martin Keller", MAN, "CH"),
    ("Aisha Bello", W, "NG"),
    ("John Whitfield", MAN, "GB"),
    ("Camille Laurent", W, "FR"),
    ("Kenji Watanabe", MAN, "JP"),
    ("Robin Ekdahl", Gender.NON_BINARY, "SE"),
    ("Lucía Ortega", W, "ES"),
    ("Peter Mwangi", MAN, "KE"),
    ("Hannah Schulz", W, "DE"),
]


@dataclass(frozen=True)
class Place:
    """Where a community's participants live: country, phone prefix, cities, languages."""

    country: str
    phone: str
    cities: tuple[str, ...]
    languages: tuple[str, ...]  # first is the preferred one


PLACES = {
    "greek-cypriot": Place(
        "CY", "+357 99", ("Nicosia", "Limassol", "Larnaca", "Paphos"), ("el", "en", "tr")
    ),
    "turkish-cypriot": Place(
        "CY", "+90 533", ("North Nicosia", "Famagusta", "Kyrenia", "Morphou"), ("tr", "en", "el")
    ),
    "israeli-jewish": Place(
        "IL", "+972 52", ("Jerusalem", "Tel Aviv", "Haifa", "Be'er Sheva"), ("he", "en", "ar")
    ),
    "palestinian": Place(
        "PS",
        "+970 59",
        ("Ramallah", "Bethlehem", "Hebron", "Nablus", "East Jerusalem"),
        ("ar", "en", "he"),
    ),
    "arab-citizens-of-israel": Place(
        "IL", "+972 54", ("Nazareth", "Haifa", "Umm al-Fahm", "Jaffa"), ("ar", "he", "en")
    ),
    "karen": Place(
        "TH", "+66 81", ("Mae Sot", "Mae La camp", "Hpa-an", "Myawaddy"), ("ksw", "my", "th")
    ),
    "burman": Place("MM", "+95 9", ("Yangon", "Mandalay", "Mawlamyine"), ("my", "en", "th")),
    "mon": Place(
        "MM", "+95 9", ("Mawlamyine", "Ye", "Thanbyuzayat", "Sangkhlaburi"), ("my", "th", "en")
    ),
}

# How many participants each community sends; the rest are international third parties.
COMMUNITY_SIZES = {
    "greek-cypriot": 22,
    "turkish-cypriot": 22,
    "israeli-jewish": 20,
    "palestinian": 18,
    "arab-citizens-of-israel": 14,
    "karen": 22,
    "burman": 12,
    "mon": 10,
}

# Organisation (with the city) and position, by sector; religion depends on the community.
ORGANISATIONS = {
    "academic": [("University of {city}, Department of Sociology", "Lecturer"),
                 ("{city} Institute for Peace Studies", "Research fellow"),
                 ("{city} Teachers' College", "Professor of history")],
    "business": [("{city} Chamber of Commerce", "Board member"),
                 ("{city} Olive Growers' Cooperative", "Managing director"),
                 ("Harbourline Logistics, {city}", "Founder")],
    "media": [("{city} Daily", "Editor"), ("Radio {city}", "Presenter"),
              ("Crossing Lines Podcast", "Producer")],
    "civil-society": [("{city} Neighbourhood Association", "Chair"),
                      ("Centre for Dialogue, {city}", "Programme officer"),
                      ("Human Rights Watchdog {city}", "Field researcher")],
    "former-officials": [("Former {city} municipal council", "Former councillor"),
                         ("Retired diplomatic service", "Former ambassador"),
                         ("Former negotiating team", "Former adviser")],
    "government": [("{city} Municipality", "Deputy mayor"),
                   ("Ministry of Education", "Senior civil servant"),
                   ("District office, {city}", "Liaison officer")],
    "security": [("Retired police service", "Former superintendent"),
                 ("Community safety forum, {city}", "Coordinator"),
                 ("Demining and security NGO", "Operations lead")],
    "youth": [("{city} Youth Council", "President"), ("Student union, {city}", "Spokesperson"),
              ("Scouts of {city}", "Troop leader")],
    "women": [("{city} Women's Network", "Coordinator"),
              ("Mothers for Peace, {city}", "Founder"),
              ("Women in Mediation Forum", "Member")],
    "legal": [("{city} Bar Association", "Lawyer"), ("Legal Aid Clinic, {city}", "Director"),
              ("Land Rights Legal Centre", "Paralegal")],
    "culture": [("{city} Theatre Company", "Artistic director"),
                ("Shared Heritage Museum, {city}", "Curator"),
                ("{city} Music School", "Teacher")],
}  # fmt: skip
# Religious organisation, and positions for men and for everyone else.
RELIGIOUS = {
    "greek-cypriot": ("Church of Cyprus, parish of {city}", "Parish priest", "Parish councillor"),
    "turkish-cypriot": ("Religious Affairs Office, {city}", "Imam", "Religious education teacher"),
    "israeli-jewish": ("{city} Masorti congregation", "Rabbi", "Rabbi"),
    "palestinian": ("Latin Patriarchate parish, {city}", "Parish priest", "Youth coordinator"),
    "arab-citizens-of-israel": ("Islamic Council, {city}", "Imam", "Quran teacher"),
    "karen": ("Karen Baptist Convention, {city}", "Pastor", "Women's fellowship leader"),
    "burman": ("{city} monastic school", "Teacher monk", "Dhamma school teacher"),
    "mon": ("Mon monastery, {city}", "Abbot's assistant", "Monastery school teacher"),
    None: ("World Council of Churches", "Programme executive", "Programme executive"),
}  # fmt: skip
# Which Multi-Track tracks a sector's people usually work on.
SECTOR_TRACKS = {
    "academic": [5, 2],
    "business": [3, 8],
    "religious": [7],
    "media": [9],
    "civil-society": [2, 6, 8],
    "former-officials": [1, 2],
    "government": [1],
    "security": [1],
    "youth": [4, 6],
    "women": [6, 4, 2],
    "legal": [2, 5],
    "culture": [4, 9],
}
DO_NOT_CONTACT = {
    17: "Asked not to be contacted after threats online.",
    58: "Withdrew consent to contact; relocated.",
    99: "Family asked us to stop while a relative is detained.",
    141: "Moved abroad; asked to be removed from mailings.",
}


@dataclass
class Person:
    """A participant as the generator describes them, before they are rows."""

    full_name: str
    native_name: str
    gender: str
    community: str | None
    country: str
    city: str
    email: str = ""
    languages: tuple[str, ...] = ()
    index: int = 0


def _ascii(text: str) -> str:
    text = text.replace("ı", "i").replace("ø", "o").replace("'", "")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _name_for(community: str, rng: random.Random) -> tuple[str, str, str]:
    """One (Latin name, native-script name, gender) in the community's naming tradition."""
    pools = {
        "greek-cypriot": (GREEK_GIVEN, GREEK_FAMILY),
        "turkish-cypriot": (TURKISH_GIVEN, TURKISH_FAMILY),
        "israeli-jewish": (HEBREW_GIVEN, HEBREW_FAMILY),
        "palestinian": (ARABIC_GIVEN, PALESTINIAN_FAMILY),
        "arab-citizens-of-israel": (ARABIC_GIVEN, ARAB_ISRAELI_FAMILY),
    }
    if community in pools:
        given, family = pools[community]
        (g, g_native, gender), (f, f_native) = rng.choice(given), rng.choice(family)
        native = f"{g_native} {f_native}" if g_native else ""
        return f"{g} {f}", native, gender
    if community == "burman":
        gender = rng.choice([W, MAN])
        pool = BURMESE_WOMEN if gender == W else BURMESE_MEN
        parts = rng.sample(pool, rng.choice([2, 3]))
        return " ".join(p[0] for p in parts), "".join(p[1] for p in parts), gender
    syllables = KAREN_SYLLABLES if community == "karen" else MON_SYLLABLES
    titles = ("Naw", "Saw") if community == "karen" else ("Mi", "Nai")
    gender = rng.choice([W, MAN])
    title = titles[0] if gender == W else titles[1]
    return f"{title} {' '.join(rng.sample(syllables, 2))}", "", gender


def generate_people(rng: random.Random) -> list[Person]:
    """150 distinct people: every community by size, then international third parties."""
    people: list[Person] = []
    seen: set[str] = set()
    for community, size in COMMUNITY_SIZES.items():
        place = PLACES[community]
        made = 0
        while made < size:
            full, native, gender = _name_for(community, rng)
            if full in seen:
                continue
            seen.add(full)
            made += 1
            languages = place.languages[: rng.choice([2, 2, 3])]
            people.append(
                Person(
                    full,
                    native,
                    gender,
                    community,
                    place.country,
                    rng.choice(place.cities),
                    languages=languages,
                )
            )
    for full, gender, country in INTERNATIONALS[: PARTICIPANT_COUNT - len(people)]:
        people.append(Person(full, "", gender, None, country, "Geneva", languages=("en", "fr")))
    for i, person in enumerate(people):
        person.index = i
        # Some villagers have no email: they are reached through their committee.
        no_email = person.community in {"karen", "mon"} and i % 4 == 0
        if not no_email:
            local = ".".join(_ascii(person.full_name).lower().split())
            person.email = f"{local}@example.org"
    return people


def _risk(person: Person, rng: random.Random) -> str:
    exposed = person.community in {"palestinian", "karen", "burman", "mon"}
    roll = rng.random()
    if exposed and roll < 0.15:
        return RiskLevel.HIGH
    if roll < (0.35 if exposed else 0.08):
        return RiskLevel.ELEVATED
    return RiskLevel.NORMAL


def participant_rows(
    people: list[Person],
    rng: random.Random,
    communities: dict[str, Community],
    sectors: list[Sector],
    tracks: list[Track],
    admin: User,
) -> list[dict[str, Any]]:
    """Rows for ``Participant``: sectors in turn, each sector's usual tracks in turn."""
    track_by_number = {t.number: t for t in tracks}
    seen_in_sector: Counter[str] = Counter()
    rows = []
    for person in people:
        sector = sectors[person.index % len(sectors)]
        k = seen_in_sector[sector.slug]
        seen_in_sector[sector.slug] += 1
        preferred = [
            track_by_number[n] for n in SECTOR_TRACKS.get(sector.slug, []) if n in track_by_number
        ]
        track = (preferred or tracks)[k % len(preferred or tracks)]
        if sector.slug == "religious":
            org, man, other = RELIGIOUS[person.community]
            position = man if person.gender == Gender.MAN else other
        else:
            choices = ORGANISATIONS.get(sector.slug, [("{city} civic network", "Member")])
            org, position = choices[k % len(choices)]
        place = PLACES.get(person.community or "")
        risk = _risk(person, rng)
        rows.append(
            {
                "full_name": person.full_name,
                "native_name": person.native_name,
                "email": person.email,
                "phone": f"{place.phone} {rng.randint(100000, 999999)}" if place else "",
                "country": person.country,
                "gender": person.gender,
                "pronouns": "they/them" if person.gender == Gender.NON_BINARY else "",
                "sector_id": sector.pk,
                "community_id": communities[person.community].pk if person.community else None,
                "track_id": track.pk,
                "organisation": org.format(city=person.city),
                "position": position,
                "risk_level": risk,
                "do_not_contact": person.index in DO_NOT_CONTACT,
                "do_not_contact_reason": DO_NOT_CONTACT.get(person.index, ""),
                "created_by_id": admin.pk,
            }
        )
    # Every track in the database is someone's track, even ones no sector maps to.
    used = {r["track_id"] for r in rows}
    for j, track in enumerate(t for t in tracks if t.pk not in used):
        rows[(j * 7 + 3) % len(rows)]["track_id"] = track.pk
    return rows


def seed_participants(
    tally: Tally,
    clock: Clock,
    rng: random.Random,
    communities: dict[str, Community],
    tags: dict[str, Tag],
    users: dict[str, User],
) -> list[Participant]:
    """The registry: 150 people, their languages, tags and consent, in generator order."""
    people = generate_people(rng)
    sectors = list(Sector.objects.order_by("position", "name"))
    tracks = list(Track.objects.order_by("number"))
    rows = participant_rows(people, rng, communities, sectors, tracks, users["admin"])
    known = set(Language.objects.values_list("code", flat=True))
    for person, row in zip(people, rows, strict=True):
        row["preferred_language_id"] = next((c for c in person.languages if c in known), None)
    existing = Participant.objects.filter(
        email__in=[p.email for p in people if p.email]
    ) | Participant.objects.filter(email="", full_name__in=[p.full_name for p in people])
    found = sync_rows(Participant, existing, ["email", "full_name"], rows, tally)
    participants = [found[(p.email, p.full_name)] for p in people]

    sync_links(
        Participant,
        "languages",
        {
            pt.pk: [c for c in p.languages if c in known]
            for p, pt in zip(people, participants, strict=True)
        },
        tally,
    )
    tag_list = list(tags.values())
    sync_links(
        Participant,
        "tags",
        {
            pt.pk: [tag_list[i % len(tag_list)].pk] if i % 6 == 0 else []
            for i, pt in enumerate(participants)
        },
        tally,
    )
    seed_consent(tally, clock, participants, users["staff"])
    return participants


def seed_consent(
    tally: Tally, clock: Clock, participants: list[Participant], recorder: User
) -> None:
    """Consent to contact and to data processing for all; photos for some; a few withdrawals."""
    methods = list(ConsentMethod.values)
    rows = []
    for i, p in enumerate(participants):
        method = methods[i % len(methods)]
        if not p.email and method in (ConsentMethod.EMAIL, ConsentMethod.ONLINE):
            method = ConsentMethod.VERBAL
        given = clock.day(-200 - (i * 3) % 150)
        for scope in (ConsentScope.CONTACT, ConsentScope.DATA_PROCESSING):
            rows.append((p, scope, True, method, given, ""))
        if i % 3 == 0:
            rows.append((p, ConsentScope.PHOTOS, True, method, given, "Group photos only"))
        if p.do_not_contact:
            rows.append(
                (
                    p,
                    ConsentScope.CONTACT,
                    False,
                    ConsentMethod.EMAIL,
                    clock.day(-20),
                    "Withdrawn; see do-not-contact reason",
                )
            )
    sync_rows(
        ConsentRecord,
        ConsentRecord.objects.filter(participant__in=participants),
        ["participant_id", "scope", "granted"],
        [
            {
                "participant_id": p.pk,
                "scope": scope,
                "granted": granted,
                "method": method,
                "given_on": given,
                "note": note,
                "recorded_by_id": recorder.pk,
            }
            for p, scope, granted, method, given, note in rows
        ],
        tally,
        clean=False,
    )


# --- Workshops and their agendas ---------------------------------------------------------------

# Invitation plans: the statuses of a workshop's delegation, in order.
A, INV, D, WL, DR, WD = (
    InvitationStatus.ACCEPTED,
    InvitationStatus.INVITED,
    InvitationStatus.DECLINED,
    InvitationStatus.WAITLISTED,
    InvitationStatus.DRAFT,
    InvitationStatus.WITHDRAWN,
)
HELD_PLAN = [A] * 12 + [D, D, WD]
CONFIRMED_PLAN = [A] * 8 + [INV] * 4 + [D, WL, WL, DR, DR]
PLANNED_PLAN = [DR] * 6 + [INV] * 3 + [WL]
CANCELLED_PLAN = [A] * 5 + [INV, INV, WD]

# Each session: (day, hour, minute, minutes, title, description)
DAY_AGENDA = [
    (0, 9, 30, 90, "Opening circle and ground rules",
     "Introductions in pairs across communities; agreeing the Chatham House rule."),
    (0, 11, 30, 120, "Mapping the issue",
     "Each side maps its fears and needs on the wall; facilitators look for overlaps."),
    (0, 14, 30, 150, "Problem-solving in mixed groups",
     "Small mixed groups draft options that both communities could live with."),
    (1, 9, 30, 120, "Reporting back and next steps",
     "Groups present options; the plenary agrees follow-up actions and owners."),
]  # fmt: skip
EVENING_AGENDA = [
    (0, 18, 30, 45, "Welcome and dinner", "A shared meal cooked by the host family."),
    (0, 19, 15, 90, "Story circle",
     "Each participant tells a story of a place that matters to them; listeners only listen."),
    (0, 20, 45, 45, "Closing round", "What I heard that surprised me; date of the next circle."),
]  # fmt: skip

WORKSHOPS = [
    # program, title, code name, format, status, day offset, days, tz, venue, address, city,
    # country, capacity, languages, interpretation, facilitators, agenda, plan
    dict(program="cyprus-bicommunal-dialogue",
         title="Missing persons and memory: facilitated workshop", code="Spring meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.HELD, offset=-200, days=2,
         tz="Asia/Nicosia", venue="Ledra Palace Hotel", address="UN buffer zone, Markou Drakou",
         city="Nicosia", country="CY", capacity=24, languages=["el", "tr", "en"],
         interpretation="Greek ↔ Turkish, simultaneous", facilitators=["facilitator"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Bi-communal youth exchange: Famagusta and Limassol", code="Summer exchange",
         format=WorkshopFormat.EXCHANGE, status=WorkshopStatus.HELD, offset=-45, days=2,
         tz="Asia/Nicosia", venue="Home for Cooperation", address="28 Marcou Drakou, buffer zone",
         city="Nicosia", country="CY", capacity=30, languages=["en", "el", "tr"],
         interpretation="Whispered Greek and Turkish on request",
         facilitators=["selin.aydin"], agenda=DAY_AGENDA[:3], plan=HELD_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Property and return: problem-solving workshop", code="Autumn meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=21,
         days=2, tz="Asia/Nicosia", venue="Ledra Palace Hotel",
         address="UN buffer zone, Markou Drakou", city="Nicosia", country="CY", capacity=24,
         languages=["el", "tr", "en"], interpretation="Greek ↔ Turkish, simultaneous",
         facilitators=["facilitator", "selin.aydin"], agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="cyprus-bicommunal-dialogue",
         title="Educators' roundtable on shared history teaching", code="Teachers' roundtable",
         format=WorkshopFormat.ROUNDTABLE, status=WorkshopStatus.PLANNED, offset=75, days=1,
         tz="Asia/Nicosia", venue="Pyla Community Centre", address="Village square, Pyla",
         city="Pyla", country="CY", capacity=18, languages=["en"], interpretation="",
         facilitators=["selin.aydin"], agenda=DAY_AGENDA[:2], plan=PLANNED_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Living-room dialogue: Jerusalem autumn circle", code="Autumn circle",
         format=WorkshopFormat.LIVING_ROOM, status=WorkshopStatus.HELD, offset=-150, days=1,
         tz="Asia/Jerusalem", venue="A host family's home",
         address="Shared with participants who accepted", city="Jerusalem", country="IL",
         capacity=14, languages=["he", "ar", "en"], interpretation="Hebrew ↔ Arabic, consecutive",
         facilitators=["facilitator", "lena.haddad"], agenda=EVENING_AGENDA, plan=HELD_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Living-room dialogue: Haifa circle", code="Haifa circle",
         format=WorkshopFormat.LIVING_ROOM, status=WorkshopStatus.HELD, offset=-30, days=1,
         tz="Asia/Jerusalem", venue="Beit HaGefen Arab-Jewish Culture Center",
         address="2 HaGefen Street", city="Haifa", country="IL", capacity=16,
         languages=["he", "ar"], interpretation="Hebrew ↔ Arabic, consecutive",
         facilitators=["lena.haddad"], agenda=EVENING_AGENDA, plan=HELD_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Women's dialogue retreat", code="Spring retreat",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=14,
         days=2, tz="Asia/Jerusalem", venue="School for Peace guest house",
         address="Neve Shalom / Wahat al-Salam", city="Neve Shalom", country="IL", capacity=20,
         languages=["he", "ar", "en"], interpretation="Hebrew ↔ Arabic, simultaneous",
         facilitators=["facilitator", "lena.haddad"], agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="living-room-dialogue-israel-palestine",
         title="Journalists' roundtable on covering the other side", code="Media roundtable",
         format=WorkshopFormat.ROUNDTABLE, status=WorkshopStatus.CANCELLED, offset=40, days=1,
         tz="Asia/Nicosia", venue="Golden Bay Beach Hotel", address="Larnaca-Dhekelia Road",
         city="Larnaca", country="CY", capacity=16, languages=["en"], interpretation="",
         facilitators=["lena.haddad"], agenda=DAY_AGENDA[:2], plan=CANCELLED_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Village peace committee training", code="Committee training",
         format=WorkshopFormat.TRAINING, status=WorkshopStatus.HELD, offset=-120, days=2,
         tz="Asia/Bangkok", venue="Community learning centre", address="Intharakiri Road",
         city="Mae Sot", country="TH", capacity=30, languages=["ksw", "my", "th"],
         interpretation="S'gaw Karen ↔ Burmese, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Karen, Mon and Burman leaders: trust-building workshop", code="Northern retreat",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.HELD, offset=-10, days=2,
         tz="Asia/Bangkok", venue="Retreat centre, Mae Rim", address="Mae Rim-Samoeng Road",
         city="Chiang Mai", country="TH", capacity=24, languages=["my", "ksw", "en"],
         interpretation="Burmese ↔ S'gaw Karen, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=HELD_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Land and displacement dialogue", code="Harvest meeting",
         format=WorkshopFormat.PROBLEM_SOLVING, status=WorkshopStatus.CONFIRMED, offset=30,
         days=2, tz="Asia/Bangkok", venue="Community learning centre", address="Intharakiri Road",
         city="Mae Sot", country="TH", capacity=26, languages=["ksw", "my"],
         interpretation="S'gaw Karen ↔ Burmese, consecutive", facilitators=["naw.paw"],
         agenda=DAY_AGENDA, plan=CONFIRMED_PLAN),
    dict(program="karen-villages-peacebuilding",
         title="Cross-border youth camp", code="Youth camp",
         format=WorkshopFormat.CAMP, status=WorkshopStatus.DRAFT, offset=110, days=3,
         tz="Asia/Bangkok", venue="Forest camp near Umphang", address="", city="Umphang",
         country="TH", capacity=40, languages=["ksw", "my", "th"], interpretation="",
         facilitators=["naw.paw"], agenda=DAY_AGENDA[:3] + [(2, 10, 0, 120, "Closing ceremony",
         "Each village group shares one promise for the coming year.")], plan=PLANNED_PLAN),
]  # fmt: skip


def seed_workshops(
    tally: Tally, clock: Clock, programs: dict[str, Program], users: dict[str, User]
) -> list[Workshop]:
    """Twelve workshops, past and upcoming, with facilitators, languages and sessions."""
    rows = []
    for w in WORKSHOPS:
        cancelled = w["status"] == WorkshopStatus.CANCELLED
        evening = w["agenda"] is EVENING_AGENDA
        starts = clock.at(w["offset"], 18 if evening else 9, 0, w["tz"])
        last_day = w["offset"] + w["days"] - 1
        ends = clock.at(last_day, 22 if evening else 17, 30, w["tz"])
        rows.append(
            {
                "program_id": programs[w["program"]].pk,
                "title": w["title"],
                "code_name": w["code"],
                "format": w["format"],
                "status": w["status"],
                "starts_at": starts,
                "ends_at": ends,
                "time_zone": w["tz"],
                "venue_name": w["venue"],
                "venue_address": w["address"],
                "venue_city": w["city"],
                "venue_country": w["country"],
                "capacity": w["capacity"],
                "interpretation": w["interpretation"],
                "objectives": f"{w['title']}: listen first, then look for options both sides "
                "could defend at home.",
                "chatham_house": True,
                "cancelled_at": clock.at(-3, 10) if cancelled else None,
            }
        )
    found = sync_rows(
        Workshop,
        Workshop.objects.filter(program__in=programs.values()),
        ["program_id", "title"],
        rows,
        tally,
    )
    workshops = [found[(r["program_id"], r["title"])] for r in rows]
    known = set(Language.objects.values_list("code", flat=True))
    sync_links(
        Workshop,
        "working_languages",
        {
            ws.pk: [c for c in w["languages"] if c in known]
            for ws, w in zip(workshops, WORKSHOPS, strict=True)
        },
        tally,
    )
    sync_links(
        Workshop,
        "facilitators",
        {
            ws.pk: [users[u].pk for u in w["facilitators"]]
            for ws, w in zip(workshops, WORKSHOPS, strict=True)
        },
        tally,
    )
    session_rows = []
    for ws, w in zip(workshops, WORKSHOPS, strict=True):
        for position, (day, hour, minute, minutes, title, description) in enumerate(w["agenda"]):
            starts = clock.at(w["offset"] + day, hour, minute, w["tz"])
            session_rows.append(
                {
                    "workshop_id": ws.pk,
                    "title": title,
                    "description": description,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=minutes),
                    "room": "Main room" if position % 2 == 0 else "Garden room",
                    "is_parallel": False,
                    "position": position,
                }
            )
    sync_rows(
        Session,
        Session.objects.filter(workshop__in=workshops),
        ["workshop_id", "title"],
        session_rows,
        tally,
    )
    return workshops


# --- Delegations: invitations and attendance ---------------------------------------------------

NEEDS = [
    "Vegetarian meals.",
    "Needs a crossing-point pass arranged.",
    "Step-free access, please.",
    "Needs a visa support letter.",
    "Travel permit pending; may arrive late.",
]


def _pool(
    program: Program, participants: list[Participant], slugs: dict[int, str]
) -> list[Participant]:
    """Who may be invited to a program's workshops: its communities, plus third parties."""
    spec = next(p for p in PROGRAMS if p["slug"] == program.slug)
    return [
        p
        for p in participants
        if not p.do_not_contact
        and (slugs.get(p.community_id) in spec["communities"] or p.community_id is None)
    ]


def seed_delegations(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    participants: list[Participant],
    communities: dict[str, Community],
    users: dict[str, User],
) -> tuple[dict[int, list[Invitation]], dict[int, list[Participant]]]:
    """Invitations in every status, and attendance, with a walk-in, for held workshops."""
    slugs = {c.pk: slug for slug, c in communities.items()}
    rows, attendance, accepted_by_ws = [], [], {}
    sessions = {}
    for s in Session.objects.filter(workshop__in=workshops).order_by("starts_at", "position"):
        sessions.setdefault(s.workshop_id, []).append(s)
    for ws, w in zip(workshops, WORKSHOPS, strict=True):
        rng = random.Random(f"{SEED}:{w['title']}")
        pool = _pool(ws.program, participants, slugs)
        plan = w["plan"]
        invitees = rng.sample(pool, len(plan))
        sent = min(ws.starts_at - timedelta(days=30), clock.midnight - timedelta(days=2))
        facilitator = users[w["facilitators"][0]]
        for n, (person, status) in enumerate(zip(invitees, plan, strict=True)):
            was_sent = status not in (DR, WL)
            answered = status in (A, D, WD)
            rows.append(
                {
                    "workshop_id": ws.pk,
                    "participant_id": person.pk,
                    "status": status,
                    "invited_by_id": users["staff"].pk,
                    "sent_at": sent if was_sent else None,
                    "responded_at": sent + timedelta(days=1 + n % 5) if answered else None,
                    "response_note": "Looking forward to it."
                    if status == A and n % 4 == 0
                    else "Family commitments that weekend."
                    if status == D
                    else "",
                    "needs": NEEDS[n % len(NEEDS)] if status == A and n % 3 == 0 else "",
                }
            )
        accepted = [p for p, s in zip(invitees, plan, strict=True) if s == A]
        accepted_by_ws[ws.pk] = accepted
        if ws.ends_at < clock.midnight:  # held: who was in the room
            walk_in = rng.choice([p for p in pool if p not in invitees])
            for k, session in enumerate(sessions.get(ws.pk, [])):
                for p in accepted:
                    present = rng.random() > 0.15
                    attendance.append((session, p, present, False, facilitator))
                if k > 0:
                    attendance.append((session, walk_in, True, True, facilitator))
    found = sync_rows(
        Invitation,
        Invitation.objects.filter(workshop__in=workshops),
        ["workshop_id", "participant_id"],
        rows,
        tally,
        clean=False,
    )
    sync_rows(
        Attendance,
        Attendance.objects.filter(session__workshop__in=workshops),
        ["session_id", "participant_id"],
        [
            {
                "session_id": s.pk,
                "participant_id": p.pk,
                "status": AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                "is_walk_in": walk_in,
                "recorded_by_id": by.pk,
            }
            for s, p, present, walk_in, by in attendance
        ],
        tally,
        clean=False,
    )
    by_ws: dict[int, list[Invitation]] = {}
    for (ws_id, _), inv in found.items():
        by_ws.setdefault(ws_id, []).append(inv)
    return by_ws, accepted_by_ws


# --- Notes and follow-up actions ---------------------------------------------------------------

# (workshop index, session index or None, title, level, chatham, themes, body)
NOTES = [
    (0, 1, "Fears and needs on missing persons", NoteLevel.RESTRICTED, True,
     ["missing persons", "trust"],
     "Both groups named **uncertainty** as the worst of it. One participant asked that the "
     "exhumation data be shared across the line before anything else.\n\n- Tension rose when "
     "1974 and 1963 were compared; the group agreed not to rank suffering."),
    (0, 3, "Summary for the Committee on Missing Persons", NoteLevel.SHAREABLE, True,
     ["missing persons", "shared history"],
     "The workshop proposes joint family days at the anthropological lab and a shared "
     "oral-history archive. No participant is named."),
    (1, 0, "Youth exchange: logistics", NoteLevel.TEAM, False, ["youth", "language"],
     "Buses crossed at Ledra Palace without delay. Interpretation was barely needed: most "
     "young people spoke English together."),
    (1, 2, "What the young people asked of us", NoteLevel.SHAREABLE, True,
     ["youth", "education"],
     "A bi-communal school exchange each term, and a joint online radio show."),
    (4, None, "Circle dynamics and a difficult moment", NoteLevel.RESTRICTED, True,
     ["trust", "security guarantees"],
     "A story about a checkpoint stopped the room. The host asked for a minute of silence; "
     "the circle continued. Follow up with the storyteller privately."),
    (4, 1, "Themes from the story circle", NoteLevel.TEAM, True,
     ["land and displacement", "shared history"],
     "Homes lost and homes found; three families spoke about the same neighbourhood."),
    (5, 1, "Haifa circle: what people want next", NoteLevel.SHAREABLE, True,
     ["women's participation", "language"],
     "A joint Arabic–Hebrew language café, and a women-only circle in the spring."),
    (5, None, "Facilitator debrief", NoteLevel.TEAM, True, ["trust"],
     "Co-facilitation worked; next time give the Arabic interpretation more time."),
    (8, 2, "Mediation role-plays in the villages", NoteLevel.TEAM, True,
     ["land and displacement", "economic cooperation"],
     "Committees practised mediating a paddy-field boundary dispute. Women led two of the "
     "three groups."),
    (8, None, "Security of participants travelling back", NoteLevel.RESTRICTED, False,
     ["security guarantees"],
     "Two committee members will travel back separately. Do not record their routes here."),
    (9, 1, "Trust map: Karen, Mon and Burman leaders", NoteLevel.RESTRICTED, True,
     ["trust", "language", "security guarantees"],
     "Burman participants apologised for the army's conduct; Karen participants asked what "
     "that apology would cost them at home."),
    (9, 3, "Shareable summary for funders", NoteLevel.SHAREABLE, True,
     ["economic cooperation", "water"],
     "Leaders agreed on a joint rice-bank pilot and a shared water committee for two villages."),
    (6, None, "Planning: venue and permits", NoteLevel.TEAM, False, ["security guarantees"],
     "Permits requested for eight West Bank participants; the guest house holds rooms until "
     "a week before."),
]  # fmt: skip

# (workshop index, note title or None, description, owner username or accepted-invitee index,
#  due in days, status)
ACTIONS = [
    (0, "Summary for the Committee on Missing Persons",
     "Send the shareable summary to the Committee on Missing Persons", "staff", -150,
     ActionStatus.DONE),
    (0, None, "Collect oral-history consent forms from families", 2, -20, ActionStatus.OPEN),
    (1, "What the young people asked of us",
     "Draft a proposal for a termly school exchange", 0, 5, ActionStatus.IN_PROGRESS),
    (1, None, "Find a sponsor for the joint radio show", "staff", -3, ActionStatus.IN_PROGRESS),
    (4, "Circle dynamics and a difficult moment",
     "Call the storyteller and check in privately", "facilitator", -140, ActionStatus.DONE),
    (4, None, "Host the next circle at a Palestinian home", 1, -60, ActionStatus.DROPPED),
    (5, "Haifa circle: what people want next",
     "Start the Arabic–Hebrew language café", 3, 10, ActionStatus.OPEN),
    (5, None, "Book interpretation for the spring circle", "lena.haddad", 2,
     ActionStatus.OPEN),
    (8, None, "Print the mediation handbook in S'gaw Karen", "naw.paw", -30,
     ActionStatus.DONE),
    (8, None, "Report back on boundary cases from two villages", 4, -7, ActionStatus.OPEN),
    (9, "Shareable summary for funders", "Write the rice-bank pilot budget", "james.okafor",
     4, ActionStatus.IN_PROGRESS),
    (9, None, "Introduce the Mon teachers to the Karen education committee", 0, 21,
     ActionStatus.OPEN),
]  # fmt: skip


def seed_notes(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    users: dict[str, User],
    themes: dict[str, NoteTheme],
    accepted: dict[int, list[Participant]],
) -> dict[str, FollowUpAction]:
    """Session notes at every level, with themes, and follow-up actions in every status."""
    sessions: dict[int, list[Session]] = {}
    for s in Session.objects.filter(workshop__in=workshops).order_by("starts_at", "position"):
        sessions.setdefault(s.workshop_id, []).append(s)
    rows = []
    for wi, si, title, level, chatham, _themes, body in NOTES:
        ws = workshops[wi]
        rows.append(
            {
                "workshop_id": ws.pk,
                "session_id": sessions[ws.pk][si].pk if si is not None else None,
                "author_id": users[WORKSHOPS[wi]["facilitators"][0]].pk,
                "title": title,
                "body": body,
                "level": level,
                "chatham_house": chatham,
            }
        )
    notes = sync_rows(
        SessionNote,
        SessionNote.objects.filter(workshop__in=workshops),
        ["workshop_id", "title"],
        rows,
        tally,
    )
    sync_links(
        SessionNote,
        "themes",
        {
            notes[(workshops[wi].pk, title)].pk: [themes[t].pk for t in names]
            for wi, _si, title, _l, _c, names, _b in NOTES
        },
        tally,
    )
    action_rows = []
    for wi, note_title, description, owner, due, status in ACTIONS:
        ws = workshops[wi]
        note = notes.get((ws.pk, note_title)) if note_title else None
        by_user = isinstance(owner, str)
        action_rows.append(
            {
                "workshop_id": ws.pk,
                "description": description,
                "note_id": note.pk if note else None,
                "owner_user_id": users[owner].pk if by_user else None,
                "owner_participant_id": None if by_user else accepted[ws.pk][owner].pk,
                "due_on": clock.day(due),
                "status": status,
                "created_by_id": users[WORKSHOPS[wi]["facilitators"][0]].pk,
                "completed_at": clock.at(due - 1, 12) if status == ActionStatus.DONE else None,
            }
        )
    actions = sync_rows(
        FollowUpAction,
        FollowUpAction.objects.filter(workshop__in=workshops),
        ["workshop_id", "description"],
        action_rows,
        tally,
    )
    return {k[1]: v for k, v in actions.items()}


# --- The outbox: a few messages in different states --------------------------------------------


def seed_messages(
    tally: Tally,
    clock: Clock,
    workshops: list[Workshop],
    invitations: dict[int, list[Invitation]],
    actions: dict[str, FollowUpAction],
    users: dict[str, User],
) -> None:
    """Sent invitations, pending reminders, one bounce, cancellations, an action reminder."""
    rows = []
    for ws in workshops:
        if ws.starts_at < clock.midnight:
            continue
        invs = [i for i in invitations.get(ws.pk, []) if i.sent_at]
        for n, inv in enumerate(invs[:4]):
            failed = n == 3 and ws.status == WorkshopStatus.CONFIRMED
            rows.append(
                {
                    "kind": MessageKind.INVITATION,
                    "status": MessageStatus.FAILED if failed else MessageStatus.SENT,
                    "dedupe_key": f"invitation:{inv.pk}",
                    "send_at": inv.sent_at,
                    "recipient_participant_id": inv.participant_id,
                    "invitation_id": inv.pk,
                    "attempts": 5 if failed else 1,
                    "last_error": "550 5.1.1 Mailbox unavailable" if failed else "",
                    "sent_at": None if failed else inv.sent_at + timedelta(minutes=1),
                }
            )
            if inv.status == A:
                cancelled = ws.status == WorkshopStatus.CANCELLED
                rows.append(
                    {
                        "kind": MessageKind.REMINDER,
                        "status": MessageStatus.CANCELLED if cancelled else MessageStatus.PENDING,
                        "dedupe_key": f"reminder:{inv.pk}:7d",
                        "send_at": max(ws.starts_at - timedelta(days=7), clock.at(1, 8)),
                        "recipient_participant_id": inv.participant_id,
                        "invitation_id": inv.pk,
                        "attempts": 0,
                        "last_error": "",
                        "sent_at": None,
                    }
                )
    for action in actions.values():
        if action.owner_user_id and action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
            overdue = action.due_on < clock.today
            rows.append(
                {
                    "kind": MessageKind.ACTION_REMINDER,
                    "status": MessageStatus.SENT if overdue else MessageStatus.PENDING,
                    "dedupe_key": f"action_reminder:{action.pk}:due",
                    "send_at": clock.at((action.due_on - clock.today).days - 1, 8),
                    "recipient_user_id": action.owner_user_id,
                    "follow_up_action_id": action.pk,
                    "attempts": 1 if overdue else 0,
                    "last_error": "",
                    "sent_at": clock.at((action.due_on - clock.today).days - 1, 8, 1)
                    if overdue
                    else None,
                }
            )
    sync_rows(
        ScheduledMessage,
        ScheduledMessage.objects.filter(dedupe_key__in=[r["dedupe_key"] for r in rows]),
        ["dedupe_key"],
        rows,
        tally,
        clean=False,
    )


# --- Entry point --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    tally: Tally
    counts: dict[str, int]


def seed_demo(today: date | None = None) -> DemoResult:
    """Build (or bring up to date) the whole demo. Call inside ``transaction.atomic()``."""
    clock = Clock(today or timezone.localdate())
    rng = random.Random(SEED)
    tally = Tally()
    communities, tags, themes = seed_vocabulary(tally)
    users = seed_users(tally)
    programs = seed_programs(tally, clock, communities, users)
    participants = seed_participants(tally, clock, rng, communities, tags, users)
    workshops = seed_workshops(tally, clock, programs, users)
    invitations, accepted = seed_delegations(
        tally, clock, workshops, participants, communities, users
    )
    actions = seed_notes(tally, clock, workshops, users, themes, accepted)
    seed_messages(tally, clock, workshops, invitations, actions, users)
    counts = {
        "programs": len(programs),
        "communities": len(communities),
        "participants": len(participants),
        "workshops": len(workshops),
        "sessions": Session.objects.filter(workshop__in=workshops).count(),
        "invitations": Invitation.objects.filter(workshop__in=workshops).count(),
        "attendance records": Attendance.objects.filter(session__workshop__in=workshops).count(),
        "session notes": SessionNote.objects.filter(workshop__in=workshops).count(),
        "follow-up actions": len(actions),
        "scheduled messages": ScheduledMessage.objects.filter(
            invitation__workshop__in=workshops
        ).count()
        + ScheduledMessage.objects.filter(follow_up_action__in=actions.values()).count(),
        "users": len(users),
    }
    return DemoResult(tally=tally, counts=counts)
