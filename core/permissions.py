"""Who may see and change what: the one place that decides, used by every view and export.

Roles (see README): an *admin* is an active superuser and may do everything. Everyone else
holds roles per program (``ProgramMembership``: programme staff, facilitator, observer) and
per workshop (``Workshop.facilitators``). Rules are written as querysets, so a list, a
detail page and an export all apply the same scope, and ``can_view``/``can_change`` on one
object cost one query. Objects a user may not see should answer 404 (``get_visible_or_404``),
never 403, so ids of other programs leak nothing.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core.models import AuditEvent, User
from dialogues.models import Program, ProgramMembership, ProgramRole
from participants.models import ConsentRecord, Participant
from workshops.models import (
    Attendance,
    FollowUpAction,
    Invitation,
    NoteLevel,
    ScheduledMessage,
    Session,
    SessionNote,
    Workshop,
)

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- Role building blocks (subqueries, never evaluated on their own) --------------------------


def _program_ids(user: User, *roles: str) -> QuerySet:
    return ProgramMembership.objects.filter(user=user, role__in=roles).values("program_id")


def _facilitated_workshop_ids(user: User) -> QuerySet:
    return Workshop.facilitators.through.objects.filter(user=user).values("workshop_id")


def is_programme_staff(user: AnyUser) -> bool:
    """Staff of any program: they build delegations, so they search the whole registry."""
    return (
        _signed_in(user)
        and ProgramMembership.objects.filter(user=user, role=ProgramRole.MANAGER).exists()
    )


# --- What a user may see ----------------------------------------------------------------------


def programs_visible_to(user: AnyUser) -> QuerySet[Program]:
    if is_admin(user):
        return Program.objects.all()
    if not _signed_in(user):
        return Program.objects.none()
    facilitated_programs = Workshop.objects.filter(pk__in=_facilitated_workshop_ids(user)).values(
        "program_id"
    )
    return Program.objects.filter(
        Q(pk__in=_program_ids(user, *ProgramRole.values)) | Q(pk__in=facilitated_programs)
    )


def workshops_visible_to(user: AnyUser) -> QuerySet[Workshop]:
    """Staff and observers see their programs' workshops; facilitators only their own."""
    if is_admin(user):
        return Workshop.objects.all()
    if not _signed_in(user):
        return Workshop.objects.none()
    return Workshop.objects.filter(
        Q(program__in=_program_ids(user, ProgramRole.MANAGER, ProgramRole.OBSERVER))
        | Q(pk__in=_facilitated_workshop_ids(user))
    )


def sessions_visible_to(user: AnyUser) -> QuerySet[Session]:
    return Session.objects.filter(workshop__in=workshops_visible_to(user).values("pk"))


def participants_visible_to(user: AnyUser) -> QuerySet[Participant]:
    """The registry for admins and programme staff; a facilitator's invitees for facilitators.

    Observers see aggregates only, never people.
    """
    if is_admin(user) or is_programme_staff(user):
        return Participant.objects.all()
    if not _signed_in(user):
        return Participant.objects.none()
    invited = Invitation.objects.filter(workshop__in=_facilitated_workshop_ids(user)).values(
        "participant_id"
    )
    return Participant.objects.filter(pk__in=invited)


def may_list_participants(user: AnyUser) -> bool:
    """The registry page: admins and staff (everyone), facilitators (their invitees).
    Observers see aggregates only, so the page itself is closed to them."""
    if is_admin(user) or is_programme_staff(user):
        return True
    return _signed_in(user) and (
        _facilitated_workshop_ids(user).exists()
        or _program_ids(user, ProgramRole.FACILITATOR).exists()
    )


def consent_records_visible_to(user: AnyUser) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(participant__in=participants_visible_to(user).values("pk"))


def _run_workshop_ids(user: User) -> QuerySet:
    """Workshops whose room this user helps run: staff of the program or facilitator.

    One semi-join on workshops, rather than an OR across joins on the big tables, keeps
    the planner's estimate right (see bench/permissions.py).
    """
    return Workshop.objects.filter(
        Q(program__in=_program_ids(user, ProgramRole.MANAGER))
        | Q(pk__in=_facilitated_workshop_ids(user))
    ).values("pk")


def workshops_run_by(user: AnyUser) -> QuerySet[Workshop]:
    """Workshops whose room this user helps run (admins: their own ones only, not all):
    the scope of attendance taking and of "My workshops"."""
    if not _signed_in(user):
        return Workshop.objects.none()
    return Workshop.objects.filter(pk__in=_run_workshop_ids(user))


def invitations_visible_to(user: AnyUser) -> QuerySet[Invitation]:
    if is_admin(user):
        return Invitation.objects.all()
    if not _signed_in(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(workshop__in=_run_workshop_ids(user))


def attendances_visible_to(user: AnyUser) -> QuerySet[Attendance]:
    if is_admin(user):
        return Attendance.objects.all()
    if not _signed_in(user):
        return Attendance.objects.none()
    return Attendance.objects.filter(session__workshop__in=_run_workshop_ids(user))


def notes_visible_to(user: AnyUser) -> QuerySet[SessionNote]:
    """Restricted: the workshop's facilitators. Team: the program team (staff and
    facilitators). Shareable: the team and the program's observers. Admins: all."""
    if is_admin(user):
        return SessionNote.objects.all()
    if not _signed_in(user):
        return SessionNote.objects.none()
    facilitated = Q(workshop__in=_facilitated_workshop_ids(user))
    team = facilitated | Q(
        workshop__program__in=_program_ids(user, ProgramRole.MANAGER, ProgramRole.FACILITATOR)
    )
    everyone = team | Q(workshop__program__in=_program_ids(user, ProgramRole.OBSERVER))
    return SessionNote.objects.filter(
        (Q(level=NoteLevel.RESTRICTED) & facilitated)
        | (Q(level=NoteLevel.TEAM) & team)
        | (Q(level=NoteLevel.SHAREABLE) & everyone)
    )


def may_read_note_level(user: AnyUser, workshop: Workshop, level: str) -> bool:
    """Whether ``user`` would see a note of ``workshop`` at ``level``: the rule of
    ``notes_visible_to`` for one workshop, asked of a level a note does not have (the levels
    offered to a writer, earlier versions of a note whose level changed since)."""
    if is_admin(user):
        return True
    if not _signed_in(user):
        return False
    roles = set(
        ProgramMembership.objects.filter(user=user, program_id=workshop.program_id).values_list(
            "role", flat=True
        )
    )
    facilitates = workshop.facilitators.filter(pk=user.pk).exists()
    if level == NoteLevel.RESTRICTED:
        return facilitates
    team = facilitates or bool(roles & {ProgramRole.MANAGER, ProgramRole.FACILITATOR})
    if level == NoteLevel.TEAM:
        return team
    return team or ProgramRole.OBSERVER in roles


def follow_up_actions_visible_to(user: AnyUser) -> QuerySet[FollowUpAction]:
    if is_admin(user):
        return FollowUpAction.objects.all()
    if not _signed_in(user):
        return FollowUpAction.objects.none()
    return FollowUpAction.objects.filter(
        Q(workshop__in=workshops_visible_to(user).values("pk")) | Q(owner_user=user)
    )


def scheduled_messages_visible_to(user: AnyUser) -> QuerySet[ScheduledMessage]:
    if is_admin(user):
        return ScheduledMessage.objects.all()
    if not _signed_in(user):
        return ScheduledMessage.objects.none()
    managed = _program_ids(user, ProgramRole.MANAGER)
    return ScheduledMessage.objects.filter(
        Q(invitation__workshop__program__in=managed)
        | Q(follow_up_action__workshop__program__in=managed)
    )


def audit_events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.all() if is_admin(user) else AuditEvent.objects.none()


# --- What a user may change -------------------------------------------------------------------


def programs_changeable_by(user: AnyUser) -> QuerySet[Program]:
    if is_admin(user):
        return Program.objects.all()
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(pk__in=_program_ids(user, ProgramRole.MANAGER))


def workshops_changeable_by(user: AnyUser) -> QuerySet[Workshop]:
    return Workshop.objects.filter(program__in=programs_changeable_by(user).values("pk"))


def sessions_changeable_by(user: AnyUser) -> QuerySet[Session]:
    return Session.objects.filter(workshop__in=workshops_changeable_by(user).values("pk"))


def participants_changeable_by(user: AnyUser) -> QuerySet[Participant]:
    if is_admin(user) or is_programme_staff(user):
        return Participant.objects.all()
    return Participant.objects.none()


def invitations_changeable_by(user: AnyUser) -> QuerySet[Invitation]:
    return Invitation.objects.filter(workshop__in=workshops_changeable_by(user).values("pk"))


def attendances_changeable_by(user: AnyUser) -> QuerySet[Attendance]:
    """Programme staff and the workshop's facilitators take attendance."""
    return attendances_visible_to(user)


def notes_changeable_by(user: AnyUser) -> QuerySet[SessionNote]:
    """A note is edited by its author (while they may still see it) or an admin."""
    if is_admin(user):
        return SessionNote.objects.all()
    return (
        notes_visible_to(user).filter(author=user)
        if _signed_in(user)
        else (SessionNote.objects.none())
    )


def follow_up_actions_changeable_by(user: AnyUser) -> QuerySet[FollowUpAction]:
    if is_admin(user):
        return FollowUpAction.objects.all()
    if not _signed_in(user):
        return FollowUpAction.objects.none()
    return FollowUpAction.objects.filter(
        Q(workshop__program__in=_program_ids(user, ProgramRole.MANAGER))
        | Q(workshop__in=_facilitated_workshop_ids(user))
        | Q(owner_user=user)
    )


def scheduled_messages_changeable_by(user: AnyUser) -> QuerySet[ScheduledMessage]:
    return scheduled_messages_visible_to(user)


_VISIBLE: dict[type[Model], Callable[[AnyUser], QuerySet]] = {
    Program: programs_visible_to,
    Workshop: workshops_visible_to,
    Session: sessions_visible_to,
    Participant: participants_visible_to,
    ConsentRecord: consent_records_visible_to,
    Invitation: invitations_visible_to,
    Attendance: attendances_visible_to,
    SessionNote: notes_visible_to,
    FollowUpAction: follow_up_actions_visible_to,
    ScheduledMessage: scheduled_messages_visible_to,
    AuditEvent: audit_events_visible_to,
}

_CHANGEABLE: dict[type[Model], Callable[[AnyUser], QuerySet]] = {
    Program: programs_changeable_by,
    Workshop: workshops_changeable_by,
    Session: sessions_changeable_by,
    Participant: participants_changeable_by,
    ConsentRecord: consent_records_visible_to,
    Invitation: invitations_changeable_by,
    Attendance: attendances_changeable_by,
    SessionNote: notes_changeable_by,
    FollowUpAction: follow_up_actions_changeable_by,
    ScheduledMessage: scheduled_messages_changeable_by,
}


# --- The generic API views call ---------------------------------------------------------------


def visible_to(user: AnyUser, model: type[M]) -> QuerySet[M]:
    """Objects of ``model`` this user may see. Models without a rule: admins only."""
    rule = _VISIBLE.get(model)
    if rule is not None:
        return rule(user)
    return model._default_manager.all() if is_admin(user) else model._default_manager.none()


def changeable_by(user: AnyUser, model: type[M]) -> QuerySet[M]:
    """Objects of ``model`` this user may change. Models without a rule: admins only."""
    rule = _CHANGEABLE.get(model)
    if rule is not None:
        return rule(user)
    return model._default_manager.all() if is_admin(user) else model._default_manager.none()


def can_view(user: AnyUser, obj: Model) -> bool:
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


def can_change(user: AnyUser, obj: Model) -> bool:
    return changeable_by(user, type(obj)).filter(pk=obj.pk).exists()


def get_visible_or_404(user: AnyUser, model: type[M], **lookups: Any) -> M:
    """The object if this user may see it; 404 otherwise, exactly as if it did not exist."""
    try:
        return visible_to(user, model).get(**lookups)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from exc


def get_changeable_or_404(user: AnyUser, model: type[M], **lookups: Any) -> M:
    try:
        return changeable_by(user, model).get(**lookups)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from exc


def navigation_for(user: AnyUser) -> dict[str, bool]:
    """Which parts of the navigation this user's roles open (two small queries)."""
    if not _signed_in(user):
        return {}
    roles = set(
        ProgramMembership.objects.filter(user=user).values_list("role", flat=True).distinct()
    )
    return {
        "is_admin": is_admin(user),
        "is_programme_staff": ProgramRole.MANAGER in roles,
        "is_facilitator": ProgramRole.FACILITATOR in roles
        or Workshop.facilitators.through.objects.filter(user=user).exists(),
        "is_observer": ProgramRole.OBSERVER in roles,
    }
