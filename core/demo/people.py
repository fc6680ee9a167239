"""The demo's 150 participants: names in their own scripts, places, consent."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from core.demo.base import PARTICIPANT_COUNT, Clock, Tally, sync_links, sync_rows
from core.models import User
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
