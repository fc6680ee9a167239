"""Writes that schedule, move and cancel messages. Each schedules rows in the outbox inside
the caller's transaction and wakes the dispatcher only once that transaction commits, so a
request that rolls back sends nothing, and a row's dedupe key makes scheduling twice a no-op.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from core.models import User
from participants import safety
from participants.models import Participant
from workshops.models import (
    ActionStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    Workshop,
    WorkshopStatus,
)
from workshops.models.invitations import new_rsvp_secret
from workshops.outreach import rules
from workshops.outreach.compose import message_id_for

log = logging.getLogger(__name__)

OFFSET = re.compile(r"^\s*(\d{1,3})\s*([dh])\s*$", re.IGNORECASE)
# Fields whose change makes calendars need an update (a new SEQUENCE).
CALENDAR_FIELDS = {
    "starts_at",
    "ends_at",
    "time_zone",
    "venue_name",
    "venue_address",
    "venue_city",
    "venue_country",
}
WAITING = [MessageStatus.PENDING]
# Reasons the system cancels a reminder or thank-you that a later change can undo: such a
# row comes back (same dedupe key) when it is wanted again. A row staff cancelled stays so.
DECLINED = "The participant declined."
OFFSETS_CHANGED = "The workshop's reminders changed."
NO_TIME_LEFT = "The new date leaves no time for it."
NO_THANK_YOU = "The workshop no longer sends a thank-you."
REVIVABLE = (DECLINED, OFFSETS_CHANGED, NO_TIME_LEFT, NO_THANK_YOU)


class OutreachError(Exception):
    """A change the outreach refuses; the message is shown to the user."""


# --- Offsets ----------------------------------------------------------------------------------


def parse_offsets(text: str) -> list[str]:
    """ "7d, 1d, 3h" → ["7d", "1d", "3h"], longest first; refuses anything else."""
    offsets: dict[timedelta, str] = {}
    bad = []
    for part in filter(None, (p.strip() for p in re.split(r"[,\s]+", text or ""))):
        match = OFFSET.match(part)
        if not match or int(match.group(1)) == 0:
            bad.append(part)
            continue
        label = f"{int(match.group(1))}{match.group(2).lower()}"
        offsets[offset_delta(label)] = label
    if bad:
        raise ValidationError(
            _("Not a reminder time: %(values)s. Write days or hours before, e.g. 7d, 1d, 3h.")
            % {"values": ", ".join(bad)}
        )
    if any(delta > timedelta(days=365) for delta in offsets):
        raise ValidationError(_("Reminders can be at most 365 days before the workshop."))
    return [offsets[delta] for delta in sorted(offsets, reverse=True)]


def offset_delta(label: str) -> timedelta:
    number, unit = int(label[:-1]), label[-1]
    return timedelta(days=number) if unit == "d" else timedelta(hours=number)


# --- Rows -------------------------------------------------------------------------------------


def _row(kind: str, key: str, send_at: datetime, **about) -> ScheduledMessage:
    if "invitation" in about:
        invitation = about["invitation"]
        about.setdefault("recipient_participant_id", invitation.participant_id)
        about.setdefault("workshop_id", invitation.workshop_id)
    return ScheduledMessage(
        kind=kind, dedupe_key=key, send_at=send_at, message_id=message_id_for(key), **about
    )


def schedule(rows: Iterable[ScheduledMessage]) -> int:
    """Insert the rows whose dedupe key is new; the others exist already. Returns how many
    rows were new. Wakes the dispatcher after commit if any is due now."""
    rows = list(rows)
    if not rows:
        return 0
    keys = [row.dedupe_key for row in rows]
    before = set(
        ScheduledMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    ScheduledMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    new = len(set(keys) - before)
    if any(row.send_at <= timezone.now() for row in rows):
        wake_dispatcher()
    return new


def wake_dispatcher() -> None:
    """Ask for a dispatch once the transaction commits. If the broker is down the request
    is dropped with a warning: the rows are safe in the database and beat's next run, once
    the broker is back, sends them."""

    def publish() -> None:
        from workshops.tasks import dispatch_due_messages

        try:
            dispatch_due_messages.apply_async(retry=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the request
            log.warning("outbox: could not wake the dispatcher (%s); beat will", type(exc).__name__)

    transaction.on_commit(publish)


def schedule_again(rows: Iterable[ScheduledMessage]) -> int:
    """``schedule``, bringing back rows the system cancelled earlier under the same keys
    (a yes after a no, a workshop moved back): they were never sent, so nothing doubles."""
    rows = list(rows)
    for row in rows:
        ScheduledMessage.objects.filter(
            dedupe_key=row.dedupe_key, status=MessageStatus.CANCELLED, last_error__in=REVIVABLE
        ).update(
            status=MessageStatus.PENDING,
            send_at=row.send_at,
            attempts=0,
            claimed_at=None,
            last_error="",
        )
    return schedule(rows)


def cancel_waiting(messages, reason: str) -> int:
    return messages.filter(status__in=WAITING).update(
        status=MessageStatus.CANCELLED, last_error=reason, claimed_at=None
    )


# --- Invitations ------------------------------------------------------------------------------


@dataclass
class SendResult:
    scheduled: int = 0
    skipped: list[tuple[Invitation, str]] = field(default_factory=list)


@transaction.atomic
def invitations_send(
    *, workshop: Workshop, invitations: Iterable[Invitation], by: User
) -> SendResult:
    """Send the invitations of people on the invite list, one email each, now.

    Each becomes *invited* and gets one outbox row (``invitation:<id>``); people who may not
    be contacted, have no address or were invited already are skipped with the reason.
    """
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    refusals = rules.send_refusals(workshop)
    if refusals:
        raise OutreachError(" ".join(refusals))
    result = SendResult()
    ids = [invitation.pk for invitation in invitations]
    chosen = list(
        Invitation.objects.select_for_update().filter(workshop=workshop, pk__in=ids).order_by("pk")
    )
    people = safety.with_contact_state(
        Participant.objects.filter(pk__in=[i.participant_id for i in chosen])
    ).in_bulk()
    for invitation in chosen:
        invitation.participant = people[invitation.participant_id]
    now = timezone.now()
    going = []
    for invitation in chosen:
        reason = rules.sendable(invitation)
        if reason:
            result.skipped.append((invitation, reason))
        else:
            going.append(invitation)
    Invitation.objects.filter(pk__in=[i.pk for i in going]).update(
        status=InvitationStatus.INVITED, updated_at=now
    )
    result.scheduled = schedule(
        _row(MessageKind.INVITATION, f"invitation:{i.pk}", now, invitation=i) for i in going
    )
    if going:
        audit.record(
            by,
            "workshop.invitations.send",
            workshop,
            invitations=len(going),
            skipped=len(result.skipped),
        )
    return result


def reminders_for(invitations: Iterable[Invitation], workshop: Workshop) -> list[ScheduledMessage]:
    """Reminder and thank-you rows for people who accepted; those already past are left out."""
    now = timezone.now()
    rows = []
    for invitation in invitations:
        for label in workshop.reminder_offsets or []:
            at = workshop.starts_at - offset_delta(label)
            if at > now:
                rows.append(
                    _row(
                        MessageKind.REMINDER,
                        f"reminder:{invitation.pk}:{label}",
                        at,
                        invitation=invitation,
                    )
                )
        if workshop.send_follow_up:
            rows.append(
                _row(
                    MessageKind.FOLLOW_UP,
                    f"follow_up:{invitation.pk}",
                    follow_up_at(workshop),
                    invitation=invitation,
                )
            )
    return rows


def follow_up_at(workshop: Workshop) -> datetime:
    return workshop.ends_at + timedelta(hours=settings.OUTREACH_FOLLOW_UP_AFTER_HOURS)


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: User) -> Invitation | None:
    """Withdraw someone who was invited: their link stops working, nothing more is sent to
    them, and a place they held goes to the first on the waitlist. Returns who moved up."""
    workshop = (
        Workshop.objects.select_for_update()
        .select_related("program")
        .get(pk=invitation.workshop_id)
    )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status not in (
        InvitationStatus.INVITED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
        InvitationStatus.DECLINED,
    ):
        raise OutreachError(_("Only an invitation that was sent can be withdrawn."))
    held = invitation.status in (InvitationStatus.INVITED, InvitationStatus.ACCEPTED)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.rsvp_secret = new_rsvp_secret()
    invitation.save(update_fields=["status", "rsvp_secret", "updated_at"])
    cancel_waiting(invitation.scheduled_messages.all(), "The invitation was withdrawn.")
    audit.record(by, "invitation.withdraw", invitation, workshop=workshop.pk)
    return offer_free_place(workshop, by=by) if held else None


# --- Answers (the RSVP page) ------------------------------------------------------------------


class RSVPClosed(OutreachError):
    """The invitation can no longer be answered (cancelled workshop, withdrawn…)."""


@transaction.atomic
def rsvp_respond(
    *,
    invitation: Invitation,
    accept: bool,
    note: str = "",
    dietary: str = "",
    accessibility: str = "",
    interpretation: str = "",
    other_needs: str = "",
) -> Invitation:
    """A participant's answer through their link. Past capacity an acceptance joins the
    waitlist; a decline of someone who held a place offers it to the next waitlisted person."""
    workshop = (
        Workshop.objects.select_for_update()
        .select_related("program")
        .get(pk=invitation.workshop_id)
    )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise RSVPClosed(_("This workshop was cancelled."))
    if workshop.ends_at <= timezone.now():
        raise RSVPClosed(_("This workshop is over."))
    if invitation.status in (InvitationStatus.DRAFT, InvitationStatus.WITHDRAWN):
        raise RSVPClosed(_("This invitation is no longer open."))
    previous = invitation.status
    invitation.response_note = note
    invitation.dietary = dietary
    invitation.accessibility = accessibility
    invitation.interpretation = interpretation
    invitation.needs = other_needs
    if accept:
        if previous not in (InvitationStatus.ACCEPTED, InvitationStatus.WAITLISTED):
            accepted = workshop.invitations.filter(status=InvitationStatus.ACCEPTED).count()
            invitation.status = (
                InvitationStatus.ACCEPTED
                if accepted < workshop.capacity
                else InvitationStatus.WAITLISTED
            )
    else:
        invitation.status = InvitationStatus.DECLINED
    # When they gave this answer, not when they last edited their needs: the waitlist goes
    # by it, and a waitlisted person who adds a dietary need keeps their turn.
    if invitation.status != previous or invitation.responded_at is None:
        invitation.responded_at = timezone.now()
    invitation.save()
    if invitation.status == InvitationStatus.ACCEPTED and previous != InvitationStatus.ACCEPTED:
        # Yes after a no: the reminders their decline cancelled (never sent) come back.
        schedule_again(reminders_for([invitation], workshop))
    if invitation.status == InvitationStatus.DECLINED and previous != InvitationStatus.DECLINED:
        cancel_waiting(
            invitation.scheduled_messages.exclude(kind=MessageKind.CANCELLATION),
            DECLINED,
        )
    audit.record(None, "invitation.rsvp", invitation, status=invitation.status, previous=previous)
    held = previous in (InvitationStatus.ACCEPTED, InvitationStatus.INVITED)
    if held and invitation.status == InvitationStatus.DECLINED:
        offer_free_place(workshop, by=None)
    return invitation


def offer_free_place(workshop: Workshop, *, by: User | None) -> Invitation | None:
    """Give a free place to the first on the waitlist: someone who accepted while the
    workshop was full is confirmed and told; someone never invited is invited (or, before
    any invitation went out, goes back on the invite list). Call with the workshop locked."""
    accepted = workshop.invitations.filter(status=InvitationStatus.ACCEPTED).count()
    if accepted >= workshop.capacity:
        return None
    waiting = (
        workshop.invitations.select_for_update()
        .filter(status=InvitationStatus.WAITLISTED)
        .order_by(
            # Those who said yes come first, in the order they said it.
            F("responded_at").asc(nulls_last=True),
            "created_at",
            "pk",
        )
        .first()
    )
    if waiting is None:
        return None
    if waiting.responded_at is None:
        # Someone never invited takes a place on the list, not only a seat in the room.
        live = workshop.invitations.filter(
            status__in=[InvitationStatus.DRAFT, InvitationStatus.INVITED, InvitationStatus.ACCEPTED]
        ).count()
        if live >= workshop.capacity:
            return None
    now = timezone.now()
    if waiting.responded_at is not None:
        waiting.status = InvitationStatus.ACCEPTED
        waiting.save(update_fields=["status", "updated_at"])
        offers = waiting.scheduled_messages.filter(kind=MessageKind.SEAT_OFFER).count()
        rows = reminders_for([waiting], workshop)
        # Someone who once accepted and declined gets back the rows their decline cancelled.
        schedule_again(
            [
                _row(
                    MessageKind.SEAT_OFFER,
                    f"seat_offer:{waiting.pk}:{offers + 1}",
                    now,
                    invitation=waiting,
                ),
                *rows,
            ]
        )
    elif workshop.invitations.filter(sent_at__isnull=False).exists() and not rules.unreachable(
        waiting
    ):
        waiting.status = InvitationStatus.INVITED
        waiting.save(update_fields=["status", "updated_at"])
        schedule(
            [_row(MessageKind.INVITATION, f"invitation:{waiting.pk}", now, invitation=waiting)]
        )
    else:
        waiting.status = InvitationStatus.DRAFT
        waiting.save(update_fields=["status", "updated_at"])
    audit.record(by, "workshop.delegation.promote", workshop, invitation=waiting.pk)
    return waiting


# --- Workshop changes -------------------------------------------------------------------------


def _told(workshop: Workshop):
    """Invitations whose holder has the workshop in their calendar already."""
    return workshop.invitations.filter(
        sent_at__isnull=False,
        status__in=[
            InvitationStatus.INVITED,
            InvitationStatus.ACCEPTED,
            InvitationStatus.WAITLISTED,
        ],
    )


def workshop_changed(*, workshop: Workshop, changed: Iterable[str]) -> None:
    """After a workshop's facts changed: a new calendar revision and an update to everyone
    holding the old one; reminders and the thank-you moved, added or dropped to match.
    Call inside the transaction that saved the workshop."""
    changed = set(changed)
    now = timezone.now()
    if "capacity" in changed:
        # More places: the waitlist moves up, one offer per free place.
        while offer_free_place(workshop, by=None) is not None:
            pass
    if changed & CALENDAR_FIELDS:
        Workshop.objects.filter(pk=workshop.pk).update(
            calendar_sequence=workshop.calendar_sequence + 1
        )
        workshop.calendar_sequence += 1
        schedule(
            _row(
                MessageKind.UPDATE,
                f"update:{i.pk}:{workshop.calendar_sequence}",
                now,
                invitation=i,
            )
            for i in _told(workshop)
        )
    if not changed & {"starts_at", "ends_at", "reminder_offsets", "send_follow_up"}:
        return
    pending = ScheduledMessage.objects.filter(workshop=workshop, status__in=WAITING)
    wanted = set(workshop.reminder_offsets or [])
    for message in pending.filter(kind=MessageKind.REMINDER):
        label = message.dedupe_key.rsplit(":", 1)[-1]
        at = workshop.starts_at - offset_delta(label)
        if label not in wanted:
            cancel_waiting(pending.filter(pk=message.pk), OFFSETS_CHANGED)
        elif at <= now:
            cancel_waiting(pending.filter(pk=message.pk), NO_TIME_LEFT)
        elif at != message.send_at:
            pending.filter(pk=message.pk).update(send_at=at)
    follow_ups = pending.filter(kind=MessageKind.FOLLOW_UP)
    if workshop.send_follow_up:
        follow_ups.update(send_at=follow_up_at(workshop))
    else:
        cancel_waiting(follow_ups, NO_THANK_YOU)
    accepted = workshop.invitations.filter(status=InvitationStatus.ACCEPTED)
    # Reminders now due that were never scheduled (later date, new offsets) or that an
    # earlier change cancelled; a row sent, failed or cancelled by staff stays as it is.
    schedule_again(reminders_for(accepted, workshop))


def workshop_cancelled(*, workshop: Workshop) -> int:
    """Cancel every message still waiting about the workshop and tell everyone who holds it
    in their calendar (METHOD:CANCEL). Returns how many waiting messages were cancelled."""
    cancelled = cancel_waiting(
        ScheduledMessage.objects.filter(workshop=workshop).exclude(kind=MessageKind.CANCELLATION),
        "Cancelled: the workshop was cancelled.",
    )
    Workshop.objects.filter(pk=workshop.pk).update(calendar_sequence=workshop.calendar_sequence + 1)
    workshop.calendar_sequence += 1
    schedule(
        _row(MessageKind.CANCELLATION, f"cancellation:{i.pk}", timezone.now(), invitation=i)
        for i in _told(workshop)
    )
    return cancelled


# --- Follow-up actions ------------------------------------------------------------------------


def action_reminder_at(action: FollowUpAction) -> datetime:
    """Morning, in the venue's time zone, some days before the action is due."""
    day = action.due_on - timedelta(days=settings.OUTREACH_ACTION_REMINDER_DAYS)
    return datetime.combine(day, time(9, 0), tzinfo=action.workshop.venue_zone)


def action_rows(actions: Iterable[FollowUpAction]) -> list[ScheduledMessage]:
    now = timezone.now()
    rows = []
    for action in actions:
        owner = (
            {"recipient_user_id": action.owner_user_id}
            if action.owner_user_id
            else {"recipient_participant_id": action.owner_participant_id}
        )
        rows.append(
            _row(
                MessageKind.ACTION_REMINDER,
                f"action_reminder:{action.pk}:{action.due_on.isoformat()}",
                max(action_reminder_at(action), now),
                follow_up_action=action,
                workshop_id=action.workshop_id,
                **owner,
            )
        )
    return rows


def action_reminders_sync(*, today=None) -> int:
    """Make the outbox match the open actions: one reminder per due date for each open
    action with an owner and a date not yet past; waiting reminders of done, dropped or
    re-dated actions cancelled. Idempotent (beat runs it hourly; saving an action may too)."""
    today = today or timezone.localdate()
    live = FollowUpAction.objects.filter(
        status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        due_on__gte=today,
        workshop__status__in=[
            WorkshopStatus.DRAFT,
            WorkshopStatus.PLANNED,
            WorkshopStatus.CONFIRMED,
            WorkshopStatus.HELD,
        ],
    ).filter(Q(owner_user__isnull=False) | Q(owner_participant__isnull=False))
    new = schedule(action_rows(live.select_related("workshop")))
    stale = ScheduledMessage.objects.filter(
        kind=MessageKind.ACTION_REMINDER, status__in=WAITING
    ).exclude(follow_up_action__in=live)
    cancel_waiting(stale, "The action is done, dropped or no longer due.")
    for message in ScheduledMessage.objects.filter(
        kind=MessageKind.ACTION_REMINDER, status__in=WAITING
    ).select_related("follow_up_action"):
        due = message.follow_up_action.due_on
        if due is None or not message.dedupe_key.endswith(due.isoformat()):
            cancel_waiting(
                ScheduledMessage.objects.filter(pk=message.pk), "The action's due date changed."
            )
    return new


# --- The queue: staff actions -----------------------------------------------------------------


@transaction.atomic
def message_resend(*, message: ScheduledMessage, by: User) -> ScheduledMessage:
    """Send a failed or cancelled message again, now (same row, same Message-ID)."""
    message = ScheduledMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in (MessageStatus.FAILED, MessageStatus.CANCELLED):
        raise OutreachError(_("Only a failed or cancelled message can be sent again."))
    message.status = MessageStatus.PENDING
    message.send_at = timezone.now()
    message.attempts = 0
    message.claimed_at = None
    message.last_error = ""
    message.save(
        update_fields=["status", "send_at", "attempts", "claimed_at", "last_error", "updated_at"]
    )
    audit.record(by, "message.resend", message, kind=message.kind)
    wake_dispatcher()
    return message


@transaction.atomic
def message_cancel(*, message: ScheduledMessage, by: User) -> ScheduledMessage:
    message = ScheduledMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.PENDING:
        raise OutreachError(_("Only a message still waiting to be sent can be cancelled."))
    message.status = MessageStatus.CANCELLED
    message.last_error = _("Cancelled by %(user)s.") % {"user": by}
    message.save(update_fields=["status", "last_error", "updated_at"])
    audit.record(by, "message.cancel", message, kind=message.kind)
    return message


def describe_skipped(result: SendResult) -> str:
    return ngettext(
        "%(count)s person was skipped.", "%(count)s people were skipped.", len(result.skipped)
    ) % {"count": len(result.skipped)}
