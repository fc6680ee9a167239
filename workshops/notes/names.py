"""Does a Chatham House note name someone who was in the room?

Chatham House notes must not attribute anything to a participant, so the editor warns when
the title or text mentions a participant of the workshop (invited or attending). What counts
as a mention, chosen to catch real attributions without crying wolf on every sentence:

- the whole name, in Latin script (``full_name``) or in native script (``native_name``);
- the family name (last part of either name) on its own, when it has at least three letters;
  in scripts with capitals (Latin, Greek, Cyrillic) it must be capitalised, so "the green
  line" does not match Ms Green, while "Green said" does.

Given names alone are *not* checked: too many are ordinary words ("Hope", "May", "أمل",
"نور"), and a warning on every note would teach people to ignore it. The editor says so.

Matching is on whole words after folding: case, accents and other combining marks (Arabic
harakat, Hebrew niqqud), Arabic tatweel, alef variants (أ إ آ ٱ → ا), hamza carriers
(ؤ → و, ئ → ي), ta marbuta (ة → ه), alef maqsura (ى → ي) and Persian letter forms; a
leading "and" (Arabic و, Hebrew ו) glued to a name is looked through.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from participants.models import Participant
from workshops.models import Attendance, Invitation, Workshop

MIN_FAMILY_NAME = 3
ARABIC_FOLD = str.maketrans(
    {
        "\u0640": "",  # tatweel
        "\u0671": "\u0627",  # alef wasla
        "\u0622": "\u0627",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0624": "\u0648",  # waw with hamza
        "\u0626": "\u064a",  # yeh with hamza
        "\u0629": "\u0647",  # ta marbuta -> heh
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u06cc": "\u064a",  # Persian yeh
        "\u06a9": "\u0643",  # Persian keheh
        "\u200c": "",  # zero-width non-joiner
        "\u200d": "",
    }
)
# "and" written as one letter joined to the next word.
CONJUNCTIONS = ("\u0648", "\u05d5")


def fold(word: str) -> str:
    """One word in the form names are compared in."""
    word = word.translate(ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(ARABIC_FOLD).casefold()


def words(text: str) -> list[str]:
    """The words of ``text`` as written: runs of letters and their marks (vowel signs,
    harakat, niqqud), so Arabic with diacritics or Burmese stays one word."""
    found: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFC", text or ""):
        if unicodedata.category(char)[0] in "LM" or char in "\u200c\u200d\u0640":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def _has_case(word: str) -> bool:
    first = word[:1]
    return first.lower() != first.upper()


def _capitalised(word: str) -> bool:
    return word[:1].isupper() if _has_case(word) else True


@dataclass
class Mention:
    """A participant named in the text, and how (the words as they were written)."""

    participant: Participant
    found: list[str] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.participant.pk


@dataclass(frozen=True)
class _Pattern:
    folded: tuple[str, ...]
    participant_id: int
    needs_capital: bool


def _patterns(participant: Participant) -> Iterable[_Pattern]:
    for name in (participant.full_name, participant.native_name):
        parts = words(name)
        if not parts:
            continue
        folded = tuple(fold(p) for p in parts)
        yield _Pattern(folded, participant.pk, needs_capital=False)
        family = parts[-1]
        if len(parts) > 1 and len(folded[-1]) >= MIN_FAMILY_NAME:
            yield _Pattern((folded[-1],), participant.pk, needs_capital=_has_case(family))


def find_mentions(text: str, participants: Iterable[Participant]) -> list[Mention]:
    """The participants whose name appears in ``text``, in the order of their names."""
    people = {p.pk: p for p in participants}
    by_first: dict[str, list[_Pattern]] = {}
    for person in people.values():
        for pattern in _patterns(person):
            by_first.setdefault(pattern.folded[0], []).append(pattern)
    if not by_first:
        return []
    written = words(text)
    folded = [fold(w) for w in written]
    found: dict[int, Mention] = {}
    covered: set[int] = set()
    # Whole names first, so a family name inside a whole name already found is not listed
    # a second time.
    for whole in (True, False):
        for i, word in enumerate(folded):
            if i in covered:
                continue
            candidates = [(word, 0)]
            if len(word) > MIN_FAMILY_NAME and word.startswith(CONJUNCTIONS):
                candidates.append((word[1:], 1))
            for head, skip in candidates:
                for pattern in by_first.get(head, ()):
                    size = len(pattern.folded)
                    if (size > 1) != whole or (
                        not whole and pattern.needs_capital and not _capitalised(written[i][skip:])
                    ):
                        continue
                    if tuple([head, *folded[i + 1 : i + size]]) != pattern.folded:
                        continue
                    covered.update(range(i, i + size))
                    phrase = " ".join([written[i][skip:], *written[i + 1 : i + size]])
                    mention = found.setdefault(
                        pattern.participant_id, Mention(people[pattern.participant_id])
                    )
                    if phrase not in mention.found:
                        mention.found.append(phrase)
    return sorted(found.values(), key=lambda m: (m.participant.full_name, m.pk))


def workshop_participants(workshop: Workshop) -> QuerySet[Participant]:
    """Everyone of the workshop: invited (whatever their answer) or recorded in a session,
    walk-ins included. Erased people no longer have a name to find."""
    invited = Invitation.objects.filter(workshop=workshop).values("participant_id")
    attended = Attendance.objects.filter(session__workshop=workshop).values("participant_id")
    return Participant.objects.filter(
        Q(pk__in=invited) | Q(pk__in=attended), erased_at__isnull=True
    ).only("pk", "full_name", "native_name")


def mentions_in(workshop: Workshop, *texts: str) -> list[Mention]:
    """The workshop's participants named in any of ``texts`` (title, body…)."""
    return find_mentions("\n".join(t for t in texts if t), workshop_participants(workshop))
