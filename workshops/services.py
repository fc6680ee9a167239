"""Writes to workshops and their agendas: validated, atomic, audited (ids and field names)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import User
from dialogues.models import Program
from participants import safety
from participants.models import Participant
from workshops.models import (
    Invitation,
    InvitationStatus,
    Session,
    Workshop,
    WorkshopStatus,
)
from workshops.outreach import scheduling

RELATED = ("working_languages", "facilitators")
# Where a workshop may go from each status; cancelling is possible until it is held.
TRANSITIONS = {
    WorkshopStatus.DRAFT: {WorkshopStatus.PLANNED, WorkshopStatus.CANCELLED},
    WorkshopStatus.PLANNED: {
        WorkshopStatus.DRAFT,
        WorkshopStatus.CONFIRMED,
        WorkshopStatus.CANCELLED,
    },
    WorkshopStatus.CONFIRMED: {
        WorkshopStatus.PLANNED,
        WorkshopStatus.HELD,
        WorkshopStatus.CANCELLED,
    },
    WorkshopStatus.HELD: set(),
    WorkshopStatus.CANCELLED: set(),
}


class WorkshopError(Exception):
    """A workshop change the domain refuses; the message is shown to the user."""


def _refuse_if_closed(workshop: Workshop) -> None:
    if workshop.status == WorkshopStatus.CANCELLED:
        raise WorkshopError(_("This workshop was cancelled and can no longer be changed."))
    if workshop.program.is_archived:
        raise WorkshopError(_("The program is archived: restore it before changing workshops."))


def _set_related(workshop: Workshop, related: dict[str, Iterable]) -> list[str]:
    changed = []
    for name, values in related.items():
        wanted = {obj.pk for obj in values}
        manager = getattr(workshop, name)
        if wanted != set(manager.values_list("pk", flat=True)):
            manager.set(wanted)
            changed.append(name)
    return changed


@transaction.atomic
def workshop_create(*, program: Program, by: User, **fields: Any) -> Workshop:
    if program.is_archived:
        raise WorkshopError(_("The program is archived: restore it before planning workshops."))
    related = {name: fields.pop(name, ()) for name in RELATED}
    workshop = Workshop(program=program, **fields)
    workshop.full_clean()
    workshop.save()
    _set_related(workshop, related)
    audit.record(by, "workshop.create", workshop, program=program.pk)
    return workshop


@transaction.atomic
def workshop_update(*, workshop: Workshop, by: User, **fields: Any) -> Workshop:
    """Change a workshop; its agenda must still fit inside the new dates."""
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    _refuse_if_closed(workshop)
    related = {name: fields.pop(name) for name in RELATED if name in fields}
    changed = [name for name, value in fields.items() if getattr(workshop, name) != value]
    for name in changed:
        setattr(workshop, name, fields[name])
    workshop.full_clean()
    outside = workshop.sessions.exclude(
        starts_at__gte=workshop.starts_at, ends_at__lte=workshop.ends_at
    ).count()
    if outside:
        raise ValidationError(
            {
                "starts_local": _(
                    "%(count)s agenda sessions would fall outside the new dates: "
                    "move or remove them first."
                )
                % {"count": outside}
            }
        )
    workshop.save()
    changed += _set_related(workshop, related)
    if changed:
        audit.record(by, "workshop.update", workshop, fields=sorted(changed))
        scheduling.workshop_changed(workshop=workshop, changed=changed)
    return workshop


@transaction.atomic
def workshop_set_status(*, workshop: Workshop, status: str, by: User) -> Workshop:
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    if status == workshop.status:
        return workshop
    if status == WorkshopStatus.CANCELLED:
        return workshop_cancel(workshop=workshop, by=by)
    if status not in TRANSITIONS[WorkshopStatus(workshop.status)]:
        raise WorkshopError(
            _("A %(current)s workshop cannot become %(wanted)s.")
            % {
                "current": workshop.get_status_display().lower(),
                "wanted": WorkshopStatus(status).label.lower(),
            }
        )
    if status == WorkshopStatus.HELD and workshop.starts_at > timezone.now():
        raise WorkshopError(_("A workshop can be marked as held once it has started."))
    previous, workshop.status = workshop.status, status
    workshop.save(update_fields=["status", "updated_at"])
    audit.record(by, "workshop.status", workshop, status=status, previous=previous)
    return workshop


@transaction.atomic
def workshop_cancel(*, workshop: Workshop, by: User) -> Workshop:
    """Cancel a workshop and every message still due about it."""
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    if WorkshopStatus.CANCELLED not in TRANSITIONS[WorkshopStatus(workshop.status)]:
        raise WorkshopError(_("A workshop that was held or cancelled cannot be cancelled."))
    workshop.status = WorkshopStatus.CANCELLED
    workshop.cancelled_at = timezone.now()
    workshop.save(update_fields=["status", "cancelled_at", "updated_at"])
    cancelled = scheduling.workshop_cancelled(workshop=workshop)
    audit.record(by, "workshop.cancel", workshop, cancelled_messages=cancelled)
    return workshop


@transaction.atomic
def workshop_duplicate(
    *, workshop: Workshop, by: User, title: str, starts_at: datetime
) -> Workshop:
    """A draft copy at a new date: the same facts, facilitators and agenda, no invitations."""
    source = Workshop.objects.select_related("program").get(pk=workshop.pk)
    if source.program.is_archived:
        raise WorkshopError(_("The program is archived: restore it before planning workshops."))
    shift = starts_at - source.starts_at
    copy = Workshop.objects.get(pk=source.pk)
    copy.pk = None
    copy.title = title
    copy.status = WorkshopStatus.DRAFT
    copy.cancelled_at = None
    copy.starts_at = source.starts_at + shift
    copy.ends_at = source.ends_at + shift
    copy.full_clean()
    copy.save()
    copy.working_languages.set(source.working_languages.all())
    copy.facilitators.set(source.facilitators.all())
    Session.objects.bulk_create(
        Session(
            workshop=copy,
            title=s.title,
            description=s.description,
            starts_at=s.starts_at + shift,
            ends_at=s.ends_at + shift,
            room=s.room,
            is_parallel=s.is_parallel,
            position=s.position,
        )
        for s in source.sessions.all()
    )
    audit.record(by, "workshop.duplicate", copy, source=source.pk)
    return copy


# --- The agenda -------------------------------------------------------------------------------


def _check_session(workshop: Workshop, session: Session) -> None:
    """Inside the workshop's span, and not overlapping another session unless one of the
    two runs in parallel. Raises a ValidationError naming the clashing session."""
    session.full_clean(exclude=["workshop"])
    errors = {}
    if session.starts_at < workshop.starts_at or session.ends_at > workshop.ends_at:
        zone = workshop.venue_zone
        errors["starts_local"] = _(
            "Sessions take place within the workshop: %(start)s – %(end)s (venue time)."
        ) % {
            "start": workshop.starts_at.astimezone(zone).strftime("%d %b %Y %H:%M"),
            "end": workshop.ends_at.astimezone(zone).strftime("%d %b %Y %H:%M"),
        }
    elif not session.is_parallel:
        clash = (
            workshop.sessions.filter(
                is_parallel=False, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
            )
            .exclude(pk=session.pk)
            .first()
        )
        if clash is not None:
            errors["starts_local"] = _(
                "This overlaps “%(title)s”. Change the times or mark one of them as parallel."
            ) % {"title": clash.title}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_add(*, workshop: Workshop, by: User, **fields: Any) -> Session:
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    _refuse_if_closed(workshop)
    last = workshop.sessions.order_by("-position").values_list("position", flat=True).first()
    session = Session(workshop=workshop, position=(last or 0) + 1, **fields)
    _check_session(workshop, session)
    session.save()
    audit.record(by, "workshop.session.add", workshop, session=session.pk)
    return session


@transaction.atomic
def session_update(*, session: Session, by: User, **fields: Any) -> Session:
    workshop = (
        Workshop.objects.select_for_update().select_related("program").get(pk=session.workshop_id)
    )
    _refuse_if_closed(workshop)
    session = Session.objects.get(pk=session.pk)
    changed = [name for name, value in fields.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, fields[name])
    _check_session(workshop, session)
    session.save()
    if changed:
        audit.record(
            by, "workshop.session.update", workshop, session=session.pk, fields=sorted(changed)
        )
    return session


@transaction.atomic
def session_remove(*, session: Session, by: User) -> None:
    workshop = (
        Workshop.objects.select_for_update().select_related("program").get(pk=session.workshop_id)
    )
    _refuse_if_closed(workshop)
    if session.attendances.exists():
        raise WorkshopError(_("Attendance was taken in this session: it cannot be removed."))
    audit.record(by, "workshop.session.remove", workshop, session=session.pk)
    session.delete()


@transaction.atomic
def session_move(*, session: Session, by: User, earlier: bool) -> Session:
    """Swap a session with its neighbour in the agenda: each keeps its length, the gap
    between them stays, and the pair still fills the same slot of the day."""
    workshop = (
        Workshop.objects.select_for_update().select_related("program").get(pk=session.workshop_id)
    )
    _refuse_if_closed(workshop)
    agenda = list(workshop.sessions.filter(is_parallel=False).order_by("starts_at", "position"))
    ids = [s.pk for s in agenda]
    if session.pk not in ids:
        raise WorkshopError(_("Parallel sessions keep their times: edit them instead."))
    index = ids.index(session.pk)
    neighbour = index - 1 if earlier else index + 1
    if not 0 <= neighbour < len(agenda):
        return agenda[index]
    first, second = sorted((agenda[index], agenda[neighbour]), key=lambda s: s.starts_at)
    gap = second.starts_at - first.ends_at
    start = first.starts_at
    first_length, second_length = first.ends_at - first.starts_at, second.ends_at - second.starts_at
    second.starts_at, second.ends_at = start, start + second_length
    first.starts_at = second.ends_at + gap
    first.ends_at = first.starts_at + first_length
    Session.objects.bulk_update([first, second], ["starts_at", "ends_at"])
    for moved in (first, second):
        _check_session(workshop, moved)
    audit.record(by, "workshop.session.move", workshop, session=session.pk)
    return agenda[index]


# --- The delegation ---------------------------------------------------------------------------


@dataclass
class DelegationChange:
    added: int = 0
    waitlisted: int = 0
    already: int = 0
    refused: list[tuple[Participant, list[str]]] = field(default_factory=list)


@transaction.atomic
def invitations_add(
    *, workshop: Workshop, participants: Iterable[Participant], by: User
) -> DelegationChange:
    """Put people on a workshop's invite list. Those who may not be contacted are refused
    with the reason; beyond capacity they go to the waitlist; nobody is listed twice."""
    from workshops.delegation import LIVE_STATUSES

    # The workshop row is the lock: two staff adding at once cannot both take the last place.
    workshop = Workshop.objects.select_for_update().select_related("program").get(pk=workshop.pk)
    _refuse_if_closed(workshop)
    change = DelegationChange()
    people = list(participants)
    listed = set(
        workshop.invitations.filter(participant__in=people).values_list("participant_id", flat=True)
    )
    allowed = set(
        safety.contactable(Participant.objects.filter(pk__in=[p.pk for p in people])).values_list(
            "pk", flat=True
        )
    )
    live = workshop.invitations.filter(status__in=LIVE_STATUSES).count()
    new = []
    for person in people:
        if person.pk in listed:
            change.already += 1
            continue
        if person.pk not in allowed:
            change.refused.append((person, safety.contact_blockers(person)))
            continue
        full = live >= workshop.capacity
        new.append(
            Invitation(
                workshop=workshop,
                participant=person,
                invited_by=by,
                status=InvitationStatus.WAITLISTED if full else InvitationStatus.DRAFT,
            )
        )
        listed.add(person.pk)
        if full:
            change.waitlisted += 1
        else:
            live += 1
            change.added += 1
    Invitation.objects.bulk_create(new)
    if new:
        audit.record(
            by,
            "workshop.delegation.add",
            workshop,
            added=change.added,
            waitlisted=change.waitlisted,
        )
    return change


@transaction.atomic
def invitation_remove(*, invitation: Invitation, by: User) -> Invitation | None:
    """Take someone off the list before they were invited; the first on the waitlist
    moves up into the freed place. Returns the promoted invitation, if any."""
    workshop = (
        Workshop.objects.select_for_update()
        .select_related("program")
        .get(pk=invitation.workshop_id)
    )
    _refuse_if_closed(workshop)
    invitation = Invitation.objects.get(pk=invitation.pk)
    if invitation.status not in (InvitationStatus.DRAFT, InvitationStatus.WAITLISTED):
        raise WorkshopError(
            _("This person was already invited: withdraw the invitation instead of removing it.")
        )
    freed = invitation.status == InvitationStatus.DRAFT
    audit.record(
        by,
        "workshop.delegation.remove",
        workshop,
        invitation=invitation.pk,
        status=invitation.status,
    )
    invitation.delete()
    if not freed:
        return None
    promoted = (
        workshop.invitations.filter(status=InvitationStatus.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if promoted is not None:
        promoted.status = InvitationStatus.DRAFT
        promoted.save(update_fields=["status", "updated_at"])
        audit.record(by, "workshop.delegation.promote", workshop, invitation=promoted.pk)
    return promoted
