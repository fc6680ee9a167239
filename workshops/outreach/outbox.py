"""The outbox's engine: claim due rows, send each once, retry what can be retried.

Every step is a guarded UPDATE on the row, so however many dispatchers and workers run,
and whatever happens to them or to the broker, a message is sent at most once except in
the one window no SMTP client can close: after the server accepted it and before ``sent``
is committed. A copy sent in that window carries the same Message-ID.

    pending ──claim──▶ queued ──take──▶ sending ──▶ sent
       ▲                 │                 │  └────▶ failed   (5xx, or attempts used up)
       └──── sweeper ────┴── (stuck) ──────┘  └────▶ pending  (4xx / connection: backoff)
    any state before sending ──▶ cancelled (staff, workshop cancelled, do-not-contact…)
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from participants import safety
from participants.models import ConsentRecord, ConsentScope
from workshops.models import (
    ActionStatus,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    WorkshopStatus,
)
from workshops.outreach import compose

log = logging.getLogger(__name__)

# Which invitation states each kind of message still makes sense for at send time.
INVITATION_STATES = {
    MessageKind.INVITATION: {InvitationStatus.INVITED},
    MessageKind.REMINDER: {InvitationStatus.ACCEPTED},
    MessageKind.FOLLOW_UP: {InvitationStatus.ACCEPTED},
    MessageKind.SEAT_OFFER: {InvitationStatus.ACCEPTED},
    MessageKind.UPDATE: {
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
    },
    MessageKind.CANCELLATION: {
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
    },
}


def backoff(attempts: int) -> timedelta:
    """Exponential, capped: the n-th failed attempt waits base·2^(n-1), at most the cap."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_CAP_SECONDS)
    )


# --- Claiming ---------------------------------------------------------------------------------


def claim_due(*, limit: int | None = None, now: datetime | None = None) -> list[int]:
    """Move up to ``limit`` due rows from pending to queued and return their ids.

    ``FOR UPDATE SKIP LOCKED``: two dispatchers at once each take different rows.
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_CLAIM_BATCH
    with transaction.atomic():
        ids = list(
            ScheduledMessage.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, send_at__lte=now)
            .order_by("send_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            ScheduledMessage.objects.filter(id__in=ids).update(
                status=MessageStatus.QUEUED, claimed_at=now
            )
    return ids


def release(ids: list[int]) -> int:
    """Put queued rows back to pending (their task could not be handed to the broker)."""
    return ScheduledMessage.objects.filter(id__in=ids, status=MessageStatus.QUEUED).update(
        status=MessageStatus.PENDING, claimed_at=None
    )


def sweep_stuck(*, now: datetime | None = None) -> int:
    """Re-drive rows stuck in queued (the broker lost the task) or sending (the worker died)
    past the timeout. A row that was sending may have reached the mail server: resending
    it is the one possible duplicate, and it carries the same Message-ID."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = Q(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING], claimed_at__lt=cutoff)
    with transaction.atomic():
        given_up = ScheduledMessage.objects.filter(
            stuck, status=MessageStatus.SENDING, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
        ).update(
            status=MessageStatus.FAILED,
            last_error="Gave up: the worker stopped while sending, attempts used up.",
        )
        redriven = ScheduledMessage.objects.filter(stuck).update(
            status=MessageStatus.PENDING, claimed_at=None, send_at=now
        )
    if given_up or redriven:
        log.warning("outbox sweeper: %s re-driven, %s given up", redriven, given_up)
    return redriven


# --- Sending ----------------------------------------------------------------------------------


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    skipped: int = 0


def _take(ids: list[int]) -> list[ScheduledMessage]:
    """queued → sending for the rows of ``ids`` still queued; those another worker took
    (or the sweeper re-drove) are left alone."""
    now = timezone.now()
    with transaction.atomic():
        taken = list(
            ScheduledMessage.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, status=MessageStatus.QUEUED)
            .values_list("id", flat=True)
        )
        ScheduledMessage.objects.filter(id__in=taken).update(
            status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    contact = ConsentRecord.objects.filter(
        participant=OuterRef("recipient_participant"), scope=ConsentScope.CONTACT
    ).order_by("-given_on", "-recorded_at", "-id")
    return list(
        ScheduledMessage.objects.filter(id__in=taken)
        .select_related(
            "recipient_participant",
            "recipient_user",
            "invitation__participant",
            "invitation__workshop__program",
            "follow_up_action__workshop__program",
        )
        .annotate(
            contact_consent=Subquery(contact.values("granted")[:1]),
            contact_consent_on=Subquery(contact.values("given_on")[:1]),
        )
        .order_by("send_at", "id")
    )


def reasons_not_to_send(message: ScheduledMessage) -> list[str]:
    """Checked at send time: what was true when the message was scheduled may not be now."""
    reasons: list[str] = []
    if message.recipient_participant_id:
        person = message.recipient_participant
        person.contact_consent = message.contact_consent
        person.contact_consent_on = message.contact_consent_on
        reasons += safety.listed_contact_blockers(person)
        if not reasons and not person.email:
            reasons.append("No email address.")
    else:
        user = message.recipient_user
        if not user.is_active:
            reasons.append("The user's account is deactivated.")
        elif not user.email:
            reasons.append("No email address.")
    invitation = message.invitation
    action = message.follow_up_action
    workshop = invitation.workshop if invitation else action.workshop if action else None
    if workshop is not None and workshop.status == WorkshopStatus.CANCELLED:
        if message.kind != MessageKind.CANCELLATION:
            reasons.append("The workshop was cancelled.")
    if invitation is not None and message.kind in INVITATION_STATES:
        if invitation.status not in INVITATION_STATES[message.kind]:
            reasons.append(
                f"The invitation is now {InvitationStatus(invitation.status).label.lower()}."
            )
    if action is not None:
        if action.status in (ActionStatus.DONE, ActionStatus.DROPPED):
            reasons.append(f"The action is {ActionStatus(action.status).label.lower()}.")
        elif action.due_on is None or not message.dedupe_key.endswith(action.due_on.isoformat()):
            reasons.append("The action's due date changed.")
    return reasons


def _smtp_code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def is_permanent(exc: Exception) -> bool:
    """5xx answers are final (unknown mailbox, refused); 4xx, dropped connections and
    time-outs are worth another attempt. A refused login is the server's configuration,
    not the message's: retried until the attempts run out."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    code = _smtp_code(exc)
    return code is not None and 500 <= code < 600


def describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _finish(message: ScheduledMessage, **fields) -> None:
    ScheduledMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(**fields)


def _mark_sent(message: ScheduledMessage, subject: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        _finish(
            message, status=MessageStatus.SENT, sent_at=now, subject=subject[:300], last_error=""
        )
        if message.kind == MessageKind.INVITATION and message.invitation_id:
            type(message.invitation).objects.filter(
                pk=message.invitation_id, sent_at__isnull=True
            ).update(sent_at=now)


def _mark_failed_attempt(message: ScheduledMessage, exc: Exception) -> str:
    error = describe(exc)[:2000]
    if is_permanent(exc):
        _finish(message, status=MessageStatus.FAILED, last_error=error)
        return "failed"
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _finish(
            message,
            status=MessageStatus.FAILED,
            last_error=f"Gave up after {message.attempts} attempts: {error}",
        )
        return "failed"
    _finish(
        message,
        status=MessageStatus.PENDING,
        claimed_at=None,
        send_at=timezone.now() + backoff(message.attempts),
        last_error=error,
    )
    return "retrying"


def send_batch(ids: list[int]) -> BatchResult:
    """Send the queued messages of ``ids`` over one SMTP connection (reopened after an
    error). Idempotent: rows no longer queued are skipped."""
    result = BatchResult()
    messages = _take(ids)
    result.skipped = len(ids) - len(messages)
    if not messages:
        return result
    book = compose.TemplateBook()
    connection = get_connection(fail_silently=False)
    is_open = False
    try:
        for message in messages:
            reasons = reasons_not_to_send(message)
            if reasons:
                _finish(
                    message,
                    status=MessageStatus.CANCELLED,
                    last_error=" ".join(str(r) for r in reasons)[:2000],
                )
                result.cancelled += 1
                continue
            try:
                rendered = compose.render(message, book)
                email = compose.email_for(message, rendered, connection=connection)
            except Exception as exc:  # a bug or a broken template: visible, not retried
                log.exception("outbox: message %s could not be rendered", message.pk)
                _finish(message, status=MessageStatus.FAILED, last_error=f"Not rendered: {exc}")
                result.failed += 1
                continue
            try:
                if not is_open:
                    connection.open()
                    is_open = True
                connection.send_messages([email])
            except (smtplib.SMTPException, OSError) as exc:
                outcome = _mark_failed_attempt(message, exc)
                log.warning("outbox: message %s %s: %s", message.pk, outcome, describe(exc)[:200])
                setattr(result, outcome, getattr(result, outcome) + 1)
                if not (is_permanent(exc) and isinstance(exc, smtplib.SMTPRecipientsRefused)):
                    # After anything but one refused address the connection may be gone
                    # (421) or in an unknown state: start afresh for the next message.
                    try:
                        connection.close()
                    except Exception:  # noqa: BLE001 - closing a broken connection
                        pass
                    is_open = False
                continue
            _mark_sent(message, rendered.subject)
            result.sent += 1
    finally:
        if is_open:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
    return result
