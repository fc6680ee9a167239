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


@shared_task(name="participants.tasks.scan_duplicates")
def scan_duplicates(user_id: int | None = None) -> int:
    """Refresh the likely-duplicate pairs (nightly, or when staff ask). Idempotent: a
    second run replaces the first one's open pairs with the same ones."""
    from core.models import User
    from participants.services import duplicates_rescan

    user = User.objects.filter(pk=user_id).first() if user_id else None
    return duplicates_rescan(by=user)


@shared_task(name="participants.tasks.analyse_participant_import")
def analyse_participant_import(import_id: int) -> None:
    """Check an uploaded file row by row for the preview. Idempotent: an import checked
    already, confirmed or cancelled is left as it is."""
    from participants.imports.services import import_analyse

    import_analyse(import_id=import_id)


@shared_task(name="participants.tasks.apply_participant_import")
def apply_participant_import(import_id: int) -> None:
    """Write a confirmed import, all rows or none. Idempotent: the import row's status,
    read under a lock, lets only the first run write."""
    from participants.imports.services import import_apply

    import_apply(import_id=import_id)


@shared_task(name="participants.tasks.prune_participant_imports")
def prune_participant_imports() -> int:
    """Cancel imports nobody confirmed within a week and drop their files (daily). Idempotent."""
    from participants.imports.services import imports_prune

    return imports_prune()


@shared_task(name="participants.tasks.run_export")
def run_export(job_id: int) -> None:
    """Prepare a big export's file. Idempotent: only a pending job runs, once."""
    from participants.exports.services import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="participants.tasks.expire_exports")
def expire_exports() -> int:
    """Delete export files 24 hours after they were ready (hourly). Idempotent."""
    from participants.exports.services import export_jobs_expire

    return export_jobs_expire()
