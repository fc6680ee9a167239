"""Writes to attendance: one tap, "mark all", and walk-ins. Atomic and audited (ids and
counts only, never a name).

Every write locks the workshop row first, so two facilitators tapping at once cannot
create the same record twice, and refuses a cancelled workshop or an archived program
(their sheets are read-only). A person is marked only if they are on the workshop's
sheets (an accepted invitee, or already recorded in one of its sessions); anyone else
comes in through ``walk_in_add``.

Walk-ins get an ``Attendance`` with ``is_walk_in=True`` and no ``Invitation``: an
invitation is the outreach funnel (RSVP link, reminders, thank-you, capacity and
waitlist), and someone who just walked in went through none of it. Once recorded in one
session they are on the sheet of every session of the workshop.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.models import User
from participants import services as registry
from participants.models import Participant
from workshops.facilitation import roster_condition
from workshops.models import (
    Attendance,
    AttendanceStatus,
    InvitationStatus,
    Session,
    Workshop,
    WorkshopStatus,
)


class AttendanceError(Exception):
    """An attendance change the domain refuses; the message is shown to the user."""


def sheet_is_closed(workshop: Workshop) -> str:
    """Why this workshop's attendance can no longer change ("" if it can)."""
    if workshop.status == WorkshopStatus.CANCELLED:
        return _("This workshop was cancelled: its attendance can no longer be changed.")
    if workshop.program.is_archived:
        return _("The program is archived: its attendance can no longer be changed.")
    return ""


def _open_workshop(session: Session) -> Workshop:
    workshop = (
        Workshop.objects.select_for_update().select_related("program").get(pk=session.workshop_id)
    )
    reason = sheet_is_closed(workshop)
    if reason:
        raise AttendanceError(reason)
    return workshop


def _is_accepted(workshop: Workshop, participant: Participant) -> bool:
    return workshop.invitations.filter(
        participant=participant, status=InvitationStatus.ACCEPTED
    ).exists()


@transaction.atomic
def attendance_mark(
    *, session: Session, participant: Participant, status: str, by: User
) -> Attendance:
    """Record one person as present or absent in one session (a second tap changes it)."""
    if status not in AttendanceStatus.values:
        raise AttendanceError(_("Choose present or absent."))
    workshop = _open_workshop(session)
    if not Participant.objects.filter(roster_condition(workshop), pk=participant.pk).exists():
        raise AttendanceError(
            _("This person is not on the workshop's list: add them as a walk-in first.")
        )
    record, created = Attendance.objects.get_or_create(
        session=session,
        participant=participant,
        defaults={
            "status": status,
            "is_walk_in": not _is_accepted(workshop, participant),
            "recorded_by": by,
        },
    )
    if not created and record.status != status:
        record.status = status
        record.recorded_by = by
        record.save(update_fields=["status", "recorded_by", "recorded_at"])
    elif not created:
        return record
    audit.record(
        by,
        "workshop.attendance.mark",
        workshop,
        session=session.pk,
        participant=participant.pk,
        status=status,
    )
    return record


@transaction.atomic
def attendance_mark_all(
    *, session: Session, by: User, status: str = AttendanceStatus.PRESENT
) -> int:
    """Mark everyone on the sheet who is not marked yet; what was recorded stays (an
    "absent" tapped earlier is not overwritten). Returns how many were marked."""
    if status not in AttendanceStatus.values:
        raise AttendanceError(_("Choose present or absent."))
    workshop = _open_workshop(session)
    marked = set(
        Attendance.objects.filter(session=session).values_list("participant_id", flat=True)
    )
    accepted = set(
        workshop.invitations.filter(status=InvitationStatus.ACCEPTED).values_list(
            "participant_id", flat=True
        )
    )
    people = (
        Participant.objects.filter(roster_condition(workshop))
        .exclude(pk__in=marked)
        .values_list("pk", flat=True)
    )
    new = [
        Attendance(
            session=session,
            participant_id=pk,
            status=status,
            is_walk_in=pk not in accepted,
            recorded_by=by,
        )
        for pk in people
    ]
    Attendance.objects.bulk_create(new)
    if new:
        audit.record(
            by,
            "workshop.attendance.mark_all",
            workshop,
            session=session.pk,
            status=status,
            count=len(new),
        )
    return len(new)


@transaction.atomic
def walk_in_add(*, session: Session, participant: Participant, by: User) -> Attendance:
    """Someone from the registry came without an invitation: they are marked present in
    this session and appear on the workshop's sheets from now on. An accepted invitee
    is simply marked present."""
    workshop = _open_workshop(session)
    if participant.erased_at is not None:
        raise AttendanceError(_("This person's data was erased: they cannot be added."))
    invited = _is_accepted(workshop, participant)
    record, created = Attendance.objects.get_or_create(
        session=session,
        participant=participant,
        defaults={
            "status": AttendanceStatus.PRESENT,
            "is_walk_in": not invited,
            "recorded_by": by,
        },
    )
    if not created and record.status != AttendanceStatus.PRESENT:
        record.status = AttendanceStatus.PRESENT
        record.recorded_by = by
        record.save(update_fields=["status", "recorded_by", "recorded_at"])
    audit.record(
        by,
        "workshop.attendance.walk_in",
        workshop,
        session=session.pk,
        participant=participant.pk,
        invited=invited,
    )
    return record


@transaction.atomic
def walk_in_create(*, session: Session, by: User, **fields: Any) -> Attendance:
    """A walk-in who is not in the registry yet: a minimal entry (name, community, sector)
    made through the registry's own service, then marked present. Staff complete the
    entry later; the nightly duplicate scan catches anyone who was in the registry after
    all."""
    _open_workshop(session)  # refuse before creating anybody
    participant = registry.participant_create(by=by, **fields)
    return walk_in_add(session=session, participant=participant, by=by)
