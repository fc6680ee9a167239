"""Follow-up actions: the writes (create, edit, status) and the reads behind the three lists
(per workshop, per program, "mine") and the owner picker.

Every write keeps the action's reminder in the outbox in step at once (scheduled, moved to
the new owner or date, cancelled, or brought back), rather than waiting for the hourly
``sync_action_reminders``; that job stays the safety net.

Who sees an action starts from ``core.permissions.follow_up_actions_visible_to`` and is
narrowed here: someone outside the workshop's team (an observer) does not see an action that
came out of a note they may not read, since its wording comes from that note.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, permissions
from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole
from participants import safety
from participants.models import Participant
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    NoteLevel,
    ScheduledMessage,
    SessionNote,
    Workshop,
    WorkshopStatus,
)
from workshops.outreach import scheduling

UNFINISHED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
FINISHED = (ActionStatus.DONE, ActionStatus.DROPPED)
# Invitees who can own an action: everyone invited or in the room, not those who said no.
OWNING_INVITATIONS = (InvitationStatus.INVITED, InvitationStatus.ACCEPTED)
# Workshops whose actions still get reminders (the same rule as the hourly sync).
REMINDED_WORKSHOPS = (
    WorkshopStatus.DRAFT,
    WorkshopStatus.PLANNED,
    WorkshopStatus.CONFIRMED,
    WorkshopStatus.HELD,
)
# Why this module cancelled a waiting reminder; a later change may bring such a row back.
OWNER_CHANGED = "The action's owner changed."
NOT_DUE = "The action is done, dropped or no longer due."
DATE_CHANGED = "The action's due date changed."
REVIVABLE = (OWNER_CHANGED, NOT_DUE, DATE_CHANGED)

Owner = User | Participant


class ActionError(Exception):
    """A change refused; the message is shown to the user."""


# --- Scopes -----------------------------------------------------------------------------------


def team_workshops(user: permissions.AnyUser) -> QuerySet[Workshop]:
    """Workshops whose actions this user agrees and follows up: admins, the program's staff
    and the workshop's facilitators (not observers)."""
    if permissions.is_admin(user):
        return Workshop.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Workshop.objects.none()
    managed = ProgramMembership.objects.filter(user=user, role=ProgramRole.MANAGER)
    return Workshop.objects.filter(
        Q(program__in=managed.values("program_id")) | Q(facilitators=user)
    ).distinct()


def actions_visible_to(user: permissions.AnyUser) -> QuerySet[FollowUpAction]:
    """``follow_up_actions_visible_to``, less the actions of a note this user may not read
    unless they are on the workshop's team or own the action."""
    visible = permissions.follow_up_actions_visible_to(user)
    if permissions.is_admin(user) or not user.is_authenticated:
        return visible
    return visible.filter(
        Q(note__isnull=True)
        | Q(note__level=NoteLevel.SHAREABLE)
        | Q(workshop__in=team_workshops(user).values("pk"))
        | Q(owner_user=user)
    )


def may_add_actions(user: permissions.AnyUser, workshop: Workshop) -> bool:
    return team_workshops(user).filter(pk=workshop.pk).exists()


def note_for_action(user: permissions.AnyUser, workshop: Workshop, note_id: str) -> SessionNote:
    """The note an action is created from: one this user may read, of this workshop; 404
    otherwise, exactly like a note that does not exist."""
    return permissions.get_visible_or_404(user, SessionNote, pk=note_id, workshop=workshop)


# --- Owners -----------------------------------------------------------------------------------


def owner_label(participant: Participant, *, may_see: bool) -> str:
    """A participant as a list shows them: by name, or by pseudonym when high-risk and
    the viewer may not see them in the registry (``participants.safety``)."""
    if not may_see and safety.needs_pseudonym(participant):
        return safety.pseudonym(participant)
    return participant.full_name


def user_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class OwnerChoices:
    """Who may own an action of one workshop, as (value, label) pairs for a select:
    ``u:<id>`` for a team member, ``p:<id>`` for a participant."""

    team: list[tuple[str, str]]
    participants: list[tuple[str, str]]

    def as_choices(self) -> list[tuple[str, object]]:
        return [
            ("", "---------"),
            (_("Team"), self.team),
            (_("Participants"), self.participants),
        ]


def owner_candidates(
    user: permissions.AnyUser, workshop: Workshop, *, keep: FollowUpAction | None = None
) -> OwnerChoices:
    """The program's staff and facilitators and the workshop's own facilitators (active
    accounts), then the workshop's invitees and those who were in the room; the action's
    current owner stays in the list. Three queries."""
    team_ids = ProgramMembership.objects.filter(
        program_id=workshop.program_id, role__in=[ProgramRole.MANAGER, ProgramRole.FACILITATOR]
    ).values("user_id")
    users = User.objects.filter(
        Q(pk__in=team_ids)
        | Q(facilitated_workshops=workshop)
        | Q(pk=keep.owner_user_id if keep else None)
    ).filter(Q(is_active=True) | Q(pk=keep.owner_user_id if keep else None))
    invited = Invitation.objects.filter(workshop=workshop, status__in=OWNING_INVITATIONS).values(
        "participant_id"
    )
    present = Attendance.objects.filter(
        session__workshop=workshop, status=AttendanceStatus.PRESENT
    ).values("participant_id")
    people = Participant.objects.filter(
        Q(pk__in=invited) | Q(pk__in=present), erased_at__isnull=True
    ) | Participant.objects.filter(pk=keep.owner_participant_id if keep else None)
    people = people.annotate(
        may_see=Exists(permissions.participants_visible_to(user).filter(pk=OuterRef("pk")))
    )
    team = sorted(
        ((f"u:{u.pk}", user_label(u)) for u in users.distinct()), key=lambda c: c[1].lower()
    )
    participants = sorted(
        ((f"p:{p.pk}", owner_label(p, may_see=p.may_see)) for p in people.distinct()),
        key=lambda c: c[1].lower(),
    )
    return OwnerChoices(team=team, participants=participants)


def owner_from_choice(value: str) -> Owner:
    """The owner a picker value names (already checked against ``owner_candidates``)."""
    kind, _sep, pk = value.partition(":")
    if kind == "u":
        return User.objects.get(pk=pk)
    return Participant.objects.get(pk=pk)


def owner_choice(action: FollowUpAction) -> str:
    if action.owner_user_id:
        return f"u:{action.owner_user_id}"
    return f"p:{action.owner_participant_id}" if action.owner_participant_id else ""


# --- Writes -----------------------------------------------------------------------------------


def _set_owner(action: FollowUpAction, owner: Owner) -> None:
    if isinstance(owner, User):
        action.owner_user, action.owner_participant = owner, None
    else:
        action.owner_user, action.owner_participant = None, owner


def _save(action: FollowUpAction) -> None:
    try:
        action.full_clean(exclude=["workshop", "note", "created_by"])
    except ValidationError as error:
        raise ActionError(" ".join(error.messages)) from error
    action.save()


@transaction.atomic
def action_create(
    *,
    workshop: Workshop,
    by: User,
    description: str,
    owner: Owner,
    due_on: date | None = None,
    note: SessionNote | None = None,
) -> FollowUpAction:
    """A new open action; its owner's reminder is scheduled when it commits."""
    if note is not None and note.workshop_id != workshop.pk:
        raise ActionError(_("That note belongs to another workshop."))
    action = FollowUpAction(
        workshop=workshop, note=note, description=description.strip(), due_on=due_on, created_by=by
    )
    _set_owner(action, owner)
    _save(action)
    audit.record(
        by, "action.create", action, workshop_id=workshop.pk, note_id=note.pk if note else None
    )
    reminder_sync(action=action)
    return action


@transaction.atomic
def action_update(
    *,
    action: FollowUpAction,
    by: User,
    description: str,
    owner: Owner,
    due_on: date | None,
    status: str | None = None,
) -> FollowUpAction:
    """Edit what, who, when (and the status); the reminder follows the new owner and date."""
    action = FollowUpAction.objects.select_for_update().select_related("workshop").get(pk=action.pk)
    action.description = description.strip()
    action.due_on = due_on
    _set_owner(action, owner)
    changed = ["description", "owner", "due_on"]
    if status is not None and status != action.status:
        _apply_status(action, status)
        changed.append("status")
    _save(action)
    audit.record(by, "action.update", action, workshop_id=action.workshop_id, fields=changed)
    reminder_sync(action=action)
    return action


@transaction.atomic
def action_set_status(*, action: FollowUpAction, by: User, status: str) -> FollowUpAction:
    """The quick status change of the lists; done stamps ``completed_at``, reopening clears
    it, and the reminder is cancelled or brought back accordingly."""
    action = FollowUpAction.objects.select_for_update().select_related("workshop").get(pk=action.pk)
    if status == action.status:
        return action
    previous = action.status
    _apply_status(action, status)
    action.save(update_fields=["status", "completed_at"])
    audit.record(
        by, "action.status", action, workshop_id=action.workshop_id, old=previous, new=status
    )
    reminder_sync(action=action)
    return action


def action_complete(*, action: FollowUpAction, by: User) -> FollowUpAction:
    return action_set_status(action=action, by=by, status=ActionStatus.DONE)


def _apply_status(action: FollowUpAction, status: str) -> None:
    if status not in ActionStatus.values:
        raise ActionError(_("Unknown status."))
    action.status = status
    if status == ActionStatus.DONE:
        action.completed_at = action.completed_at or timezone.now()
    else:
        action.completed_at = None


# --- The reminder -----------------------------------------------------------------------------


def _wants_reminder(action: FollowUpAction, today: date) -> bool:
    """The hourly ``action_reminders_sync``'s rule, for one action."""
    return (
        action.status in UNFINISHED
        and action.due_on is not None
        and action.due_on >= today
        and action.workshop.status in REMINDED_WORKSHOPS
        and (action.owner_user_id is not None or action.owner_participant_id is not None)
    )


def reminder_sync(*, action: FollowUpAction, today: date | None = None) -> None:
    """Make this action's reminder in the outbox match it now, inside the caller's
    transaction: cancel a waiting one that is no longer wanted or names another date;
    otherwise schedule it, hand a waiting one to a new owner, or bring back one this module
    (or the hourly sync) cancelled. A reminder staff cancelled in the queue stays cancelled,
    and one already sent is not sent again."""
    today = today or timezone.localdate()
    rows = ScheduledMessage.objects.filter(
        follow_up_action=action, kind=MessageKind.ACTION_REMINDER
    )
    if not _wants_reminder(action, today):
        scheduling.cancel_waiting(rows, NOT_DUE)
        return
    key = f"action_reminder:{action.pk}:{action.due_on.isoformat()}"
    scheduling.cancel_waiting(rows.exclude(dedupe_key=key), DATE_CHANGED)
    owner = {
        "recipient_user_id": action.owner_user_id,
        "recipient_participant_id": action.owner_participant_id,
    }
    send_at = max(scheduling.action_reminder_at(action), timezone.now())
    rows.filter(dedupe_key=key, status=MessageStatus.PENDING).update(**owner, send_at=send_at)
    revived = rows.filter(
        dedupe_key=key, status=MessageStatus.CANCELLED, last_error__in=REVIVABLE
    ).update(
        **owner,
        status=MessageStatus.PENDING,
        send_at=send_at,
        attempts=0,
        claimed_at=None,
        last_error="",
    )
    scheduling.schedule(scheduling.action_rows([action]))
    if revived and send_at <= timezone.now():
        scheduling.wake_dispatcher()


# --- Reads ------------------------------------------------------------------------------------


@dataclass
class ActionRow:
    """One action as a list shows it to one user."""

    action: FollowUpAction
    owner: str
    owner_is_team: bool
    overdue: bool
    changeable: bool
    note_title: str  # "" when there is no note or the viewer may not read it

    @property
    def pk(self) -> int:
        return self.action.pk


def is_overdue(action: FollowUpAction, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return action.status in UNFINISHED and action.due_on is not None and action.due_on < today


def actions_for_list(
    user: permissions.AnyUser,
    *,
    workshop: Workshop | None = None,
    program: Program | None = None,
    mine: bool = False,
) -> QuerySet[FollowUpAction]:
    """The actions of one workshop, one program or owned by this user that they may see,
    with what a row shows joined or annotated (one query for the whole list)."""
    queryset = actions_visible_to(user)
    if workshop is not None:
        queryset = queryset.filter(workshop=workshop)
    if program is not None:
        queryset = queryset.filter(workshop__program=program)
    if mine:
        queryset = queryset.filter(owner_user=user)
    return queryset


def list_order(queryset: QuerySet[FollowUpAction]) -> QuerySet[FollowUpAction]:
    """Unfinished first, soonest due first (undated last), then finished ones."""
    return queryset.annotate(
        finished=Case(
            When(status__in=FINISHED, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("finished", F("due_on").asc(nulls_last=True), "pk")


def overdue_filter(queryset: QuerySet[FollowUpAction], today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return queryset.filter(status__in=UNFINISHED, due_on__lt=today)


def with_row_data(
    queryset: QuerySet[FollowUpAction], user: permissions.AnyUser
) -> QuerySet[FollowUpAction]:
    """What ``as_rows`` needs, joined or annotated, so a page of rows costs one query."""
    return queryset.select_related(
        "workshop__program", "owner_user", "owner_participant", "note"
    ).annotate(
        changeable=Exists(
            permissions.follow_up_actions_changeable_by(user).filter(pk=OuterRef("pk"))
        ),
        note_readable=Exists(permissions.notes_visible_to(user).filter(pk=OuterRef("note_id"))),
        owner_visible=Exists(
            permissions.participants_visible_to(user).filter(pk=OuterRef("owner_participant_id"))
        ),
    )


def as_rows(actions: Iterable[FollowUpAction]) -> list[ActionRow]:
    """Rows of actions loaded through ``with_row_data``; no query."""
    today = timezone.localdate()
    rows = []
    for action in actions:
        if action.owner_user_id:
            owner, team = user_label(action.owner_user), True
        elif action.owner_participant_id:
            owner = owner_label(action.owner_participant, may_see=action.owner_visible)
            team = False
        else:
            owner, team = "", False
        rows.append(
            ActionRow(
                action=action,
                owner=owner,
                owner_is_team=team,
                overdue=is_overdue(action, today),
                changeable=action.changeable,
                note_title=action.note.title if action.note_id and action.note_readable else "",
            )
        )
    return rows


def row_for(user: permissions.AnyUser, action: FollowUpAction) -> ActionRow:
    return as_rows(with_row_data(FollowUpAction.objects.filter(pk=action.pk), user))[0]


def owners_present(
    queryset: QuerySet[FollowUpAction], user: permissions.AnyUser
) -> list[tuple[str, str]]:
    """The owners a list holds, for its owner filter: (value, label) pairs, two queries."""
    users = User.objects.filter(pk__in=queryset.values("owner_user_id")).order_by(
        "first_name", "last_name", "username"
    )
    people = Participant.objects.filter(pk__in=queryset.values("owner_participant_id")).annotate(
        may_see=Exists(permissions.participants_visible_to(user).filter(pk=OuterRef("pk")))
    )
    return [(f"u:{u.pk}", user_label(u)) for u in users] + sorted(
        ((f"p:{p.pk}", owner_label(p, may_see=p.may_see)) for p in people),
        key=lambda c: c[1].lower(),
    )
