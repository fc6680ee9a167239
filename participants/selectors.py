"""Reads of the registry: search and the filtered, sorted list every role may see.

Search is typo-tolerant and accent-blind on PostgreSQL (pg_trgm word similarity over one
indexed text per person, see migration 0004) and a plain case-insensitive match on the
SQLite default. Callers never know which: both go through ``search_participants``.
"""

import unicodedata

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

from core import permissions
from core.models import User
from participants.models import Participant

MIN_FUZZY_LENGTH = 3


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
    """People matching ``query`` in name, native-script name, organisation or email, best
    matches first. "Abdel Aziz" finds "Abdelaziz", "Jeruslem Post" the Jerusalem Post."""
    query = " ".join(query.split())
    if not query:
        return queryset
    if connection.vendor != "postgresql":
        return _plain_search(queryset, query)
    folded = SearchText(Value(query))
    document = SearchDocument()
    if len(query) < MIN_FUZZY_LENGTH:
        return queryset.alias(search_document=document).filter(search_document__contains=folded)
    return (
        queryset.alias(search_document=document)
        .filter(
            Q(search_document__trigram_word_similar=folded) | Q(search_document__contains=folded)
        )
        .annotate(search_rank=TrigramWordSimilarity(folded, document))
        .order_by("-search_rank", "full_name", "pk")
    )


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
