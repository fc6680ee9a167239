"""Reads for the pages core owns: the home page of every role."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone

from core import permissions
from core.models import User
from dialogues.models import Program, ProgramMembership
from participants.models import Community
from workshops.facilitation import facilitating_today
from workshops.models import ActionStatus, FollowUpAction, Workshop, WorkshopStatus

HOME_LIST_LIMIT = 8


@dataclass(frozen=True)
class Home:
    """What a signed-in user sees first: where they work and what is next."""

    programs: list[Program]
    upcoming_workshops: list[Workshop]
    open_actions: list[FollowUpAction]
    open_actions_total: int
    today: date
    # Observers see aggregates, never people: a participant owner stays anonymous to them.
    shows_participant_names: bool
    # A facilitator's day starts here: the workshops they run today, with attendance.
    facilitating_today: list[Workshop]


def home_programs(user: User) -> QuerySet[Program]:
    """The user's live programs, each with the user's own role and how many of its
    workshops the user may see (a facilitator's count is their own workshops)."""
    visible_workshops = permissions.workshops_visible_to(user).values("pk")
    return (
        permissions.programs_visible_to(user)
        .filter(archived_at__isnull=True)
        .annotate(
            workshop_count=Count(
                "workshops", filter=Q(workshops__in=visible_workshops), distinct=True
            )
        )
        .prefetch_related(
            Prefetch("communities", queryset=Community.objects.order_by("name")),
            Prefetch(
                "memberships",
                queryset=ProgramMembership.objects.filter(user=user),
                to_attr="my_memberships",
            ),
        )
        .order_by("-starts_on", "name")
    )


def home_upcoming_workshops(user: User) -> QuerySet[Workshop]:
    """Workshops not yet over and not cancelled, soonest first."""
    return (
        permissions.workshops_visible_to(user)
        .filter(ends_at__gte=timezone.now())
        .exclude(status=WorkshopStatus.CANCELLED)
        .select_related("program")
        .annotate(
            i_facilitate=Exists(
                Workshop.facilitators.through.objects.filter(workshop=OuterRef("pk"), user=user)
            )
        )
        .order_by("starts_at", "id")
    )


def home_open_actions(user: User) -> QuerySet[FollowUpAction]:
    """Open actions the user may see, the user's own first, then by due date."""
    return (
        permissions.follow_up_actions_visible_to(user)
        .filter(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        .select_related("workshop__program", "owner_user", "owner_participant")
        .annotate(
            mine=Case(When(owner_user=user, then=True), default=False, output_field=BooleanField())
        )
        .order_by("-mine", "due_on", "id")
    )


def home_for(user: User) -> Home:
    """Everything the home page shows, in a fixed number of queries."""
    actions = home_open_actions(user)
    return Home(
        programs=list(home_programs(user)),
        upcoming_workshops=list(home_upcoming_workshops(user)[:HOME_LIST_LIMIT]),
        open_actions=list(actions[:HOME_LIST_LIMIT]),
        open_actions_total=actions.count(),
        today=timezone.localdate(),
        shows_participant_names=permissions.is_admin(user) or permissions.is_programme_staff(user),
        facilitating_today=facilitating_today(user),
    )
