"""The outbox's Celery tasks. They carry ids only; the database says what is left to do,
so a task run twice, late, or after its worker died does no harm."""

import logging

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)


@shared_task(name="workshops.tasks.dispatch_due_messages", acks_late=True)
def dispatch_due_messages() -> int:
    """Beat, every minute (and woken when something is due now): re-drive stuck rows, claim
    due ones and hand them to ``send_messages`` in batches. Returns how many were claimed."""
    from workshops.outreach import outbox

    outbox.sweep_stuck()
    claimed = 0
    for _round in range(settings.OUTBOX_CLAIM_ROUNDS):
        ids = outbox.claim_due()
        if not ids:
            break
        claimed += len(ids)
        size = settings.OUTBOX_SEND_BATCH
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            try:
                send_messages.apply_async(args=[batch], retry=False)
            except Exception as exc:  # noqa: BLE001 - the broker is down: leave them pending
                outbox.release(ids[start:])
                log.warning("outbox: broker unavailable (%s); rows released", type(exc).__name__)
                return claimed - len(ids[start:])
    return claimed


@shared_task(name="workshops.tasks.send_messages", acks_late=True)
def send_messages(ids: list[int]) -> dict[str, int]:
    """Send the queued messages among ``ids``. Idempotent: see ``outbox.send_batch``."""
    from workshops.outreach import outbox

    result = outbox.send_batch(ids)
    return vars(result)


@shared_task(name="workshops.tasks.sync_action_reminders")
def sync_action_reminders() -> int:
    """Hourly: one reminder per open follow-up action before it is due. Idempotent."""
    from workshops.outreach import scheduling

    return scheduling.action_reminders_sync()
