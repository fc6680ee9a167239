"""Reads of programs: the list a user sees and one program's page, in a fixed number of
queries whatever the number of workshops."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core import permissions
from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole
from workshops.models import Invitation, InvitationStatus, Session, Workshop, WorkshopFormat

# A program's page lists its workshops a page at a time: a long program has a hundred or
# more, and drawing every row was most of the page's time.
WORKSHOPS_PER_PAGE = 25


def programs_for_list(user: User, *, archived: bool = False, status: str = "") -> QuerySet[Program]:
    """Programs this user may see, with their next workshop and this user's role."""
    now = timezone.now()
    visible_workshops = permissions.visible_to(user, Workshop)
    upcoming = visible_workshops.filter(
        program=OuterRef("pk"), starts_at__gte=now, cancelled_at__isnull=True
    ).order_by("starts_at")
    programs = (
        permissions.visible_to(user, Program)
        .filter(archived_at__isnull=not archived)
        .annotate(
            workshop_count=Count(
                "workshops",
                filter=Q(workshops__in=visible_workshops.values("pk")),
                distinct=True,
            ),
            next_workshop_title=Subquery(upcoming.values("title")[:1]),
            next_workshop_starts=Subquery(upcoming.values("starts_at")[:1]),
            my_role=Subquery(
                ProgramMembership.objects.filter(program=OuterRef("pk"), user=user).values("role")[
                    :1
                ]
            ),
        )
        .prefetch_related("communities")
        .order_by("-starts_on", "name")
    )
    if status:
        programs = programs.filter(status=status)
    return programs


@dataclass
class ProgramPage:
    program: Program
    workshops: Page  # of Workshop, by start; each with its counts and display values
    memberships: list[ProgramMembership]
    may_change: bool
    may_see_team: bool


def program_page(user: User, program: Program, page_number: object = 1) -> ProgramPage:
    """One program's page: one page of the workshops this user may see, with their
    delegation counts.

    Counts come from one grouped query per table over the page's workshops rather than
    joins, which would multiply invitations by sessions. Display values (format label,
    times in the venue's zone) are worked out here once per row, not in the template.
    """
    visible = (
        permissions.visible_to(user, Workshop).filter(program=program).order_by("starts_at", "pk")
    )
    page = Paginator(visible, WORKSHOPS_PER_PAGE).get_page(page_number)
    workshops = list(page.object_list)
    page.object_list = workshops
    ids = [w.pk for w in workshops]
    counts: dict = {}
    sessions: dict = {}
    if ids:
        invitations = (
            Invitation.objects.filter(workshop__in=ids)
            .order_by()
            .values("workshop")
            .annotate(
                live=Count(
                    "pk",
                    filter=~Q(status__in=[InvitationStatus.DECLINED, InvitationStatus.WITHDRAWN]),
                ),
                accepted=Count("pk", filter=Q(status=InvitationStatus.ACCEPTED)),
            )
        )
        counts = {row["workshop"]: row for row in invitations}
        sessions = dict(
            Session.objects.filter(workshop__in=ids)
            .order_by()
            .values_list("workshop")
            .annotate(n=Count("pk"))
        )
    formats = {value: str(label) for value, label in WorkshopFormat.choices}
    for workshop in workshops:
        row = counts.get(workshop.pk, {})
        workshop.invited_count = row.get("live", 0)
        workshop.accepted_count = row.get("accepted", 0)
        workshop.session_count = sessions.get(workshop.pk, 0)
        workshop.format_label = formats.get(workshop.format, workshop.format)
        zone = workshop.venue_zone
        workshop.local_start = workshop.starts_at.astimezone(zone)
        workshop.local_end = workshop.ends_at.astimezone(zone)
    may_change = permissions.can_change(user, program)
    memberships = list(
        program.memberships.select_related("user").order_by("role", "user__username")
    )
    return ProgramPage(
        program=program,
        workshops=page,
        memberships=memberships,
        may_change=may_change,
        may_see_team=may_change
        or any(m.user_id == user.pk and m.role != ProgramRole.OBSERVER for m in memberships),
    )
