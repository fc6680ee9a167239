"""Housekeeping tasks run by Celery beat."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete expired sessions: they live in the database so any web process can serve a user.

    Idempotent: a second run finds nothing left to delete.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="core.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    """Apply the retention rules (daily): erase inactive participants, delete the notes of
    programs concluded long enough ago, audit the run. Idempotent: a second run finds nothing
    left to do. Returns counts only (Celery logs a task's return value)."""
    from core.retention import retention_apply

    return retention_apply(trigger="schedule").counts
