"""Reads for the outreach staff pages: the invite list ready to send (with the preview of
what one person would receive) and the message queue, each in a fixed number of queries
whatever the number of rows."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from core import permissions
from core.models import User
from dialogues.models import Program
from participants import safety
from participants.models import Participant
from workshops.models import (
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    Workshop,
)
from workshops.outreach import compose, rules

# Waiting rows are listed soonest due first; finished ones newest first.
WAITING = (MessageStatus.PENDING, MessageStatus.QUEUED, MessageStatus.SENDING)
FINISHED = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED)
# What the queue's buttons may do to a row (the services decide; these only hide buttons).
RESENDABLE = (MessageStatus.FAILED, MessageStatus.CANCELLED)
CANCELLABLE = (MessageStatus.PENDING,)
# Invitations that went out (or were answered) and may be withdrawn.
WITHDRAWABLE = (
    InvitationStatus.INVITED,
    InvitationStatus.ACCEPTED,
    InvitationStatus.WAITLISTED,
    InvitationStatus.DECLINED,
)


# --- Sending invitations ----------------------------------------------------------------------


@dataclass
class InviteRow:
    """One person on the invite list and why they cannot be sent an invitation ("" if
    they can)."""

    invitation: Invitation
    reason: str

    @property
    def sendable(self) -> bool:
        return not self.reason


def invite_list(workshop: Workshop) -> list[InviteRow]:
    """The workshop's invite list (status draft), by name, with each person's blocker.

    The reason is ``rules.unreachable``'s, from rows annotated with their contact state
    (two queries for the whole list); ``invitations_send`` checks again anyway.
    """
    invitations = list(
        workshop.invitations.filter(status=InvitationStatus.DRAFT).order_by(
            "participant__full_name", "pk"
        )
    )
    people = {
        p.pk: p
        for p in safety.with_contact_state(
            Participant.objects.filter(pk__in=[i.participant_id for i in invitations])
        ).select_related("community")
    }
    rows = []
    for invitation in invitations:
        invitation.participant = people[invitation.participant_id]
        invitation.workshop = workshop
        rows.append(InviteRow(invitation, rules.unreachable(invitation)))
    return rows


def send_blockers(workshop: Workshop) -> list[str]:
    """Why no invitation of this workshop can go out now (see ``rules.send_refusals``)."""
    return rules.send_refusals(workshop)


def invitation_preview(invitation: Invitation) -> compose.Rendered:
    """The invitation exactly as this person would receive it if it were sent now.

    An unsaved outbox row rendered by the same code the workers use: nothing is stored.
    """
    message = ScheduledMessage(
        kind=MessageKind.INVITATION,
        invitation=invitation,
        recipient_participant=invitation.participant,
        workshop=invitation.workshop,
        dedupe_key="preview",
    )
    return compose.render(message)


def withdrawable_invitations(workshop: Workshop) -> list[Invitation]:
    """Invitations that were sent or answered, by name: each may be withdrawn. People put
    on the waitlist before anything went out are taken off in the delegation builder."""
    return list(
        workshop.invitations.filter(status__in=WITHDRAWABLE)
        .exclude(
            status=InvitationStatus.WAITLISTED, sent_at__isnull=True, responded_at__isnull=True
        )
        .select_related("participant__community")
        .order_by("participant__full_name", "pk")
    )


# --- The queue --------------------------------------------------------------------------------


def messages_for_queue(
    user: User, *, workshop: Workshop | None = None, program: Program | None = None
) -> QuerySet[ScheduledMessage]:
    """The outbox rows of one workshop or one program this user may see, with what a row of
    the table shows joined in (no query per row)."""
    queryset = permissions.visible_to(user, ScheduledMessage)
    if workshop is not None:
        queryset = queryset.filter(workshop=workshop)
    if program is not None:
        queryset = queryset.filter(workshop__program=program)
    return queryset.select_related("recipient_participant", "recipient_user", "workshop")


def queue_order(queryset: QuerySet[ScheduledMessage], status: str = "") -> QuerySet:
    """Waiting rows soonest due first (what goes out next), then finished ones newest first
    (what just happened); one status shows in its own natural order."""
    if status in WAITING:
        return queryset.order_by("send_at", "pk")
    if status in FINISHED:
        return queryset.order_by("-send_at", "-pk")
    waiting = Q(status__in=WAITING)
    return queryset.annotate(
        finished=Case(When(waiting, then=Value(0)), default=Value(1), output_field=IntegerField()),
        waiting_due=Case(When(waiting, then=F("send_at"))),
        # Ties in the order they were scheduled, or the other way round for finished rows.
        tie=Case(When(waiting, then=F("pk")), default=F("pk") * -1),
    ).order_by("finished", F("waiting_due").asc(nulls_last=True), "-send_at", "tie")


def status_counts(queryset: QuerySet[ScheduledMessage]) -> dict[str, int]:
    """How many rows in each status (every status present, zero or not), in one query."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in MessageStatus.values}


# --- Progress of a send -----------------------------------------------------------------------

# Rows of one send are written by one bulk insert, microseconds apart; sends less than this
# apart count as one (a second click to add a few people is the same round of invitations).
SEND_GAP = timedelta(minutes=1)


@dataclass(frozen=True)
class SendProgress:
    """Where the latest send of a workshop's invitations stands: its outbox rows by state."""

    started_at: datetime
    waiting: int  # pending, queued or being sent: not done yet
    sent: int
    failed: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.waiting + self.sent + self.failed + self.cancelled

    @property
    def done(self) -> bool:
        return self.waiting == 0

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.cancelled

    @property
    def percent(self) -> int:
        return self.finished * 100 // self.total if self.total else 100

    # The progress bar's segments, in percent of the send.
    @property
    def sent_percent(self) -> float:
        return self._share(self.sent)

    @property
    def failed_percent(self) -> float:
        return self._share(self.failed)

    @property
    def cancelled_percent(self) -> float:
        return self._share(self.cancelled)

    def _share(self, count: int) -> float:
        return count * 100 / self.total if self.total else 0


def invitation_send_progress(workshop: Workshop) -> SendProgress | None:
    """The latest send of this workshop's invitations, counted from its outbox rows (None if
    none went out).

    The model keeps no batch: a send is the run of invitation rows created together, each
    less than ``SEND_GAP`` after the one before (a row's ``created_at`` never changes, even
    when it is sent again). One query, newest first, for the pages that show the panel: a
    workshop has at most one invitation row per person invited.
    """
    rows = (
        ScheduledMessage.objects.filter(workshop=workshop, kind=MessageKind.INVITATION)
        .order_by("-created_at")
        .values_list("created_at", "status")
    )
    counts = dict.fromkeys(MessageStatus.values, 0)
    started_at = None
    for created_at, status in rows:
        if started_at is not None and started_at - created_at > SEND_GAP:
            break
        started_at = created_at
        counts[status] += 1
    if started_at is None:
        return None
    return SendProgress(
        started_at=started_at,
        waiting=sum(counts[status] for status in WAITING),
        sent=counts[MessageStatus.SENT],
        failed=counts[MessageStatus.FAILED],
        cancelled=counts[MessageStatus.CANCELLED],
    )
