"""Reads of the registry: search and the filtered, sorted list every role may see.

Search is typo-tolerant and accent-blind on PostgreSQL: each query word is compared with
the registry's dictionary of folded words by trigram similarity (migration 0005), and
people are found through the trigram index on their folded text (migration 0004). On the
SQLite default it is a plain case-insensitive match. Callers never know which: both go
through ``search_participants``.
"""

import unicodedata

from django.db import connection
from django.db.models import Count, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

from core import permissions
from core.models import AuditEvent, User
from participants.models import LikelyDuplicate, Participant

MIN_FUZZY_LENGTH = 3  # shorter words match as prefixes, not by similarity
ALIKE_WORDS = 8  # registry words a query word may stand for, most alike first
MAX_QUERY_LENGTH = 200


class SearchText(Func):
    """``ob_search_text``: lower case, no accents, Greek final sigma folded."""

    function = "ob_search_text"
    output_field = TextField()


class SearchDocument(RawSQL):
    """The folded text a participant is found by: a generated column on PostgreSQL
    (migration 0004), so matching and ranking never fold a row again."""

    def __init__(self) -> None:
        super().__init__('"participants_participant"."search_document"', (), TextField())


def fold(text: str) -> str:
    """What ``ob_search_text`` does, in Python, for the SQLite fallback and for tests."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).replace("ς", "σ")


def search_participants(queryset: QuerySet[Participant], query: str) -> QuerySet[Participant]:
    """People matching ``query`` in name, native-script name, organisation or email, by
    name. "Abdel Aziz" finds "Abdelaziz", "Jeruslem Post" the Jerusalem Post."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    if connection.vendor != "postgresql":
        return _plain_search(queryset, query)
    folded = SearchText(Value(query))
    document = SearchDocument()
    matched_words = _dictionary_matches(query)
    if not matched_words:  # only one-letter words: match them as they are
        return queryset.alias(search_document=document).filter(search_document__contains=folded)
    if not any(matched_words.values()):
        return queryset.none()
    condition = Q()
    for token, words in matched_words.items():
        if words:  # a word nobody carries ("Nw" in "Peace Nw") narrows nothing
            # Substrings (LIKE '%word%', ORed): the trigram index answers them as it does a
            # regular expression, and when the planner scans the table instead (a common
            # word, or the page count) LIKE costs a quarter of the regular expression per row.
            alike = Q()
            for word in _fewest_alternatives(token, words):
                alike |= Q(search_document__contains=word)
            condition &= alike
    # Sorted by name like the rest of the registry: with a common word ("University") the
    # database walks the name index and stops after one page instead of ranking thousands.
    return queryset.alias(search_document=document).filter(condition).order_by("full_name", "pk")


def _fewest_alternatives(token: str, words: list[str]) -> list[str]:
    """The words to look for, without those another one already finds as a substring: few
    conditions are ones the trigram index answers quickly ("chara" stands for every
    "charalambous")."""
    kept: list[str] = []
    candidates = ([token] if any(token in word for word in words) else []) + words
    for word in sorted(dict.fromkeys(candidates), key=len):
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return kept


def _dictionary_matches(query: str) -> dict[str, list[str]]:
    """For each word of the query, the registry's words that are alike (migration 0005).

    Only letters and digits reach the regular expression built from them: the dictionary
    holds words split on everything else.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH tokens AS (SELECT ob_search_words(ob_search_text(%s)) AS token)
            SELECT tokens.token, coalesce(array_agg(alike.word), '{}')
            FROM tokens LEFT JOIN LATERAL (
                (SELECT word FROM participant_search_word
                 WHERE length(tokens.token) >= %s AND tokens.token <%% word
                 ORDER BY word_similarity(tokens.token, word) DESC, word LIMIT %s)
                UNION ALL
                (SELECT word FROM participant_search_word
                 WHERE length(tokens.token) < %s AND word LIKE tokens.token || '%%'
                 ORDER BY word LIMIT %s)
            ) AS alike ON true
            GROUP BY tokens.token
            """,
            [query, MIN_FUZZY_LENGTH, ALIKE_WORDS, MIN_FUZZY_LENGTH, ALIKE_WORDS],
        )
        return {token: [w for w in words if w] for token, words in cursor.fetchall()}


def _plain_search(queryset: QuerySet[Participant], query: str) -> QuerySet[Participant]:
    """The embedded SQLite default: case-insensitive substring matching, no typos."""
    match = Q()
    for field in ("full_name", "native_name", "organisation", "email"):
        match |= Q(**{f"{field}__icontains": query})
    return queryset.filter(match)


def participants_for_list(user: User) -> QuerySet[Participant]:
    """The registry as this user may list it, with what a row shows, in a fixed number of
    queries whatever the number of rows."""
    return (
        permissions.visible_to(user, Participant)
        .filter(erased_at__isnull=True)
        .select_related("sector", "community", "track")
        .prefetch_related("languages")
    )


def open_duplicates() -> QuerySet[LikelyDuplicate]:
    """Likely duplicate pairs nobody has merged or dismissed, most likely first."""
    related = ("sector", "community")
    return (
        LikelyDuplicate.objects.filter(dismissed_at__isnull=True)
        .select_related(*[f"{side}__{name}" for side in ("first", "second") for name in related])
        .order_by("-score", "first_id", "second_id")
    )


def last_duplicate_scan() -> AuditEvent | None:
    """When the duplicate scan last ran (its audit event says how many pairs it found)."""
    return AuditEvent.objects.filter(action="participant.duplicates.scan").order_by("-pk").first()


def merge_history_counts(pks: list[int]) -> dict[int, dict[str, int]]:
    """What each entry carries into a merge, so staff see that nothing is lost."""
    counted = Participant.objects.filter(pk__in=pks).annotate(
        invitation_count=Count("invitations", distinct=True),
        attendance_count=Count("attendances", distinct=True),
        consent_count=Count("consent_records", distinct=True),
        action_count=Count("follow_up_actions", distinct=True),
    )
    return {
        p.pk: {
            "invitations": p.invitation_count,
            "attendance": p.attendance_count,
            "consent": p.consent_count,
            "actions": p.action_count,
        }
        for p in counted
    }
