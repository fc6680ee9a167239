"""The duplicate scan: which registry entries may be one person.

Three kinds of evidence, as staff would reason:

* the same email address, or the same phone number;
* names that are the same or one slip apart once case, accents and spaces are ignored
  ("Abdel Aziz" / "Abdelaziz", "Georgiou" / "Georgoiu"), **and** something that backs it:
  the same organisation, the same name in native script, or, when neither entry names an
  organisation, the same community and country. A common name alone ("Mohammed Ahmed")
  is not evidence, and two different email addresses count against it.

Names are compared through their *delete neighbourhood* (every way of dropping one
letter): two names one dropped, doubled or swapped letter apart share a member. Working on
the distinct names rather than on pairs of people keeps the scan linear: 100,000 people in
seconds, on PostgreSQL and on the embedded SQLite default alike.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from participants.selectors import fold

MIN_FUZZY_KEY = 6  # shorter names match only exactly: "Ali" and "Al" are not one slip apart
MAX_SHARED_CONTACT = 12  # a phone shared by more people is an office switchboard, not a person
MAX_NEIGHBOURS = 40  # a one-letter variant shared by more names says nothing

REASONS = {
    "email": _("same email"),
    "phone": _("same phone"),
    "same_name": _("same name"),
    "similar_name": _("similar names"),
    "organisation": _("same organisation"),
    "native_name": _("same name in native script"),
    "community_country": _("same community and country"),
}
WEIGHTS = {
    "email": 1.0,
    "phone": 0.95,
    "same_name": 0.75,
    "similar_name": 0.65,
    "organisation": 0.1,
    "native_name": 0.15,
    "community_country": 0.05,
}


@dataclass(frozen=True)
class DuplicatePair:
    """Two people who may be one; ``first_id`` is the lower id."""

    first_id: int
    second_id: int
    reason: str  # evidence codes joined by commas, see REASONS
    score: float  # 0..1, for ordering the list

    @property
    def reasons(self) -> list[str]:
        return [str(REASONS[code]) for code in self.reason.split(",")]


@dataclass(frozen=True, slots=True)
class _Person:
    pk: int
    name_key: str
    native: str
    email: str
    phone: str
    organisation: str
    community_id: int | None
    country: str


def name_key(name: str) -> str:
    """A name without case, accents, spaces or punctuation: what "the same name" means."""
    return "".join(c for c in fold(name) if c.isalnum())


def _people(queryset: Iterable[tuple]) -> Iterator[_Person]:
    for pk, full_name, native, email, phone, organisation, community_id, country in queryset:
        yield _Person(
            pk=pk,
            name_key=name_key(full_name),
            native=name_key(native),
            email=email.strip().lower(),
            phone=phone.strip(),
            organisation=" ".join(fold(organisation).split()),
            community_id=community_id,
            country=country or "",
        )


def find_duplicate_pairs(queryset=None) -> list[DuplicatePair]:
    """Every likely duplicate pair among the registry's (not erased) people, best first."""
    if queryset is None:
        queryset = Participant.objects.all()
    rows = (
        queryset.filter(erased_at__isnull=True)
        .order_by()
        .values_list(
            "pk",
            "full_name",
            "native_name",
            "email",
            "phone",
            "organisation",
            "community_id",
            "country",
        )
        .iterator(chunk_size=5000)
    )
    people = list(_people(rows))
    evidence: dict[tuple[int, int], set[str]] = defaultdict(set)

    for field in ("email", "phone"):
        groups: dict[str, list[int]] = defaultdict(list)
        for person in people:
            value = getattr(person, field)
            if value:
                groups[value].append(person.pk)
        for pks in groups.values():
            if 1 < len(pks) <= MAX_SHARED_CONTACT:
                for pair in combinations(sorted(pks), 2):
                    evidence[pair].add(field)

    by_key: dict[str, list[_Person]] = defaultdict(list)
    for person in people:
        if person.name_key:
            by_key[person.name_key].append(person)
    for group in by_key.values():
        _compare(group, group, "same_name", evidence)
    for key_a, key_b in _neighbouring_keys(by_key):
        _compare(by_key[key_a], by_key[key_b], "similar_name", evidence)

    pairs = [
        DuplicatePair(first, second, ",".join(sorted(codes, key=list(WEIGHTS).index)), score)
        for (first, second), codes in evidence.items()
        if (score := _score(codes)) > 0
    ]
    pairs.sort(key=lambda pair: (-pair.score, pair.first_id, pair.second_id))
    return pairs


def _score(codes: set[str]) -> float:
    if not codes & {"email", "phone", "same_name", "similar_name"}:
        return 0.0
    strongest = max(WEIGHTS[code] for code in codes)
    backing = sum(WEIGHTS[code] for code in codes if WEIGHTS[code] < strongest)
    return round(min(1.0, strongest + backing), 3)


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def _neighbouring_keys(by_key: dict[str, list[_Person]]) -> set[tuple[str, str]]:
    """Pairs of distinct name keys one dropped, doubled or swapped letter apart."""
    neighbourhood: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        if len(key) < MIN_FUZZY_KEY:
            continue
        neighbourhood[key].append(key)
        for variant in _deletions(key):
            neighbourhood[variant].append(key)
    pairs: set[tuple[str, str]] = set()
    for keys in neighbourhood.values():
        if 1 < len(keys) <= MAX_NEIGHBOURS:
            for key_a, key_b in combinations(sorted(set(keys)), 2):
                pairs.add((key_a, key_b))
    return pairs


def _backing(person: _Person) -> Iterator[tuple[str, tuple]]:
    """The facts that back a name match, as lookup keys."""
    if person.organisation:
        yield "organisation", (person.organisation,)
    elif person.community_id is not None and person.country:
        yield "community_country", (person.community_id, person.country)
    if person.native:
        yield "native_name", (person.native,)


def _compare(
    group_a: list[_Person],
    group_b: list[_Person],
    name_code: str,
    evidence: dict[tuple[int, int], set[str]],
) -> None:
    """Pairs across two groups of alike names that something else backs, through an index
    of ``group_b`` (never every pair: sixty people may share a common name)."""
    index: dict[tuple[str, tuple], list[_Person]] = defaultdict(list)
    for person in group_b:
        for fact in _backing(person):
            index[fact].append(person)
    for person in group_a:
        for fact in _backing(person):
            for other in index.get(fact, ()):
                if other.pk == person.pk:
                    continue
                if person.email and other.email and person.email != other.email:
                    continue  # two addresses, two people (their phone would still match)
                pair = (min(person.pk, other.pk), max(person.pk, other.pk))
                evidence[pair].update((name_code, fact[0]))
