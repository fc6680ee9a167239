"""Background work for the registry."""

from celery import shared_task
from django.db import connection


@shared_task(name="participants.tasks.prune_search_words")
def prune_search_words() -> int:
    """Drop search words no participant carries any more (after erasures, merges, edits),
    so the search dictionary never outlives the people it came from. Idempotent."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT ob_prune_search_words()")
        return cursor.fetchone()[0]
