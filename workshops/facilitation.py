"""Reads for the facilitator workspace: "My workshops" (today, upcoming, past) and the
attendance sheet of one session, each in a fixed number of queries whatever the number
of workshops or people.

Who may take attendance is ``core.permissions``' rule for attendance (the program's staff,
the workshop's facilitators, admins); ``workshops_for_attendance`` only turns that rule
into a queryset of workshops, so a workshop without any attendance yet is covered too.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import permissions
from core.models import User
from participants.models import Participant
from workshops.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    InvitationStatus,
    Session,
    Workshop,
    WorkshopStatus,
)
from workshops.selectors import TimeSpan, spans_for

UPCOMING_LIMIT = 30
PAST_LIMIT = 20
# A workshop that ended less than a day ago may still be "today" in its venue's zone.
TODAY_MARGIN = timedelta(days=1)
# Pages of other parts of the workspace, linked when they exist (URL name, label, icon).
QUICK_LINKS = (
    ("workshops:notes", gettext_lazy("Session notes"), "bi-journal-text"),
    ("workshops:actions", gettext_lazy("Follow-up actions"), "bi-check2-square"),
    ("workshops:report", gettext_lazy("Report"), "bi-file-earmark-text"),
)


def workshops_for_attendance(user: User) -> QuerySet[Workshop]:
    """Workshops whose attendance this user may take: the scope of
    ``permissions.attendances_changeable_by``, as workshops rather than rows."""
    if permissions.is_admin(user):
        return Workshop.objects.all()
    return permissions.workshops_run_by(user)


def my_workshops(user: User) -> QuerySet[Workshop]:
    """The workshops this user runs: those they facilitate and those of the programs they
    are staff of. Admins too only see the ones they run here; the calendar has the rest."""
    return permissions.workshops_run_by(user)


# --- My workshops -----------------------------------------------------------------------------


@dataclass
class QuickLink:
    label: str
    url: str
    icon: str


@dataclass
class WorkshopCard:
    workshop: Workshop
    local: TimeSpan
    mine: TimeSpan | None
    i_facilitate: bool
    links: list[QuickLink] = field(default_factory=list)


@dataclass
class MyWorkshops:
    today: list[WorkshopCard]
    upcoming: list[WorkshopCard]
    past: list[WorkshopCard]
    past_total: int
    has_any: bool


def venue_today(workshop: Workshop, now: datetime) -> date:
    return now.astimezone(workshop.venue_zone).date()


def is_today(workshop: Workshop, now: datetime) -> bool:
    """Whether the workshop runs on the current day at its venue (not cancelled)."""
    if workshop.status == WorkshopStatus.CANCELLED:
        return False
    today = venue_today(workshop, now)
    return workshop.local_starts_at().date() <= today <= workshop.local_ends_at().date()


def quick_links(workshop: Workshop) -> list[QuickLink]:
    """Links to the workspace pages that exist in this deployment (no query)."""
    links = [
        QuickLink(_("Attendance"), reverse("workshops:attendance", args=[workshop.pk]), "bi-people")
    ]
    for name, label, icon in QUICK_LINKS:
        try:
            links.append(QuickLink(str(label), reverse(name, args=[workshop.pk]), icon))
        except NoReverseMatch:
            continue
    return links


def _count(queryset: QuerySet) -> Coalesce:
    """How many rows of ``queryset`` (filtered on ``OuterRef("pk")``), as a subquery: no
    join that would multiply sessions by invitations."""
    counted = queryset.order_by().values("workshop_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _annotated(queryset: QuerySet[Workshop], user: User) -> QuerySet[Workshop]:
    return queryset.select_related("program").annotate(
        session_count=_count(Session.objects.filter(workshop=OuterRef("pk"))),
        accepted_count=_count(
            Invitation.objects.filter(workshop=OuterRef("pk"), status=InvitationStatus.ACCEPTED)
        ),
        facilitated_by_me=Exists(
            Workshop.facilitators.through.objects.filter(workshop=OuterRef("pk"), user=user)
        ),
    )


def _card(workshop: Workshop, user: User) -> WorkshopCard:
    local, mine = spans_for(workshop.starts_at, workshop.ends_at, workshop.time_zone, user)
    return WorkshopCard(
        workshop=workshop,
        local=local,
        mine=mine,
        i_facilitate=bool(workshop.facilitated_by_me),
        links=quick_links(workshop),
    )


def my_workshops_page(user: User, *, now: datetime | None = None) -> MyWorkshops:
    """Today's workshops (in each venue's zone), then the upcoming ones soonest first,
    then the most recent past ones: three queries whatever the number of workshops."""
    now = now or timezone.now()
    scope = permissions.workshops_visible_to(user).filter(pk__in=my_workshops(user).values("pk"))
    current = list(
        _annotated(scope.filter(ends_at__gte=now - TODAY_MARGIN), user).order_by("starts_at", "pk")[
            : UPCOMING_LIMIT + 10
        ]
    )
    past_rows = _annotated(scope.filter(ends_at__lt=now), user).order_by("-starts_at", "-pk")
    past = list(past_rows[:PAST_LIMIT])
    today = [w for w in current if is_today(w, now)]
    today_ids = {w.pk for w in today}
    upcoming = [w for w in current if w.pk not in today_ids and w.ends_at >= now]
    return MyWorkshops(
        today=[_card(w, user) for w in today],
        upcoming=[_card(w, user) for w in upcoming[:UPCOMING_LIMIT]],
        past=[_card(w, user) for w in past if w.pk not in today_ids],
        past_total=scope.filter(ends_at__lt=now).count(),
        has_any=bool(current or past),
    )


def facilitating_today(user: User, *, now: datetime | None = None) -> list[Workshop]:
    """The workshops this user facilitates that run today at their venue (one query), for
    the home page."""
    now = now or timezone.now()
    candidates = (
        Workshop.objects.filter(facilitators=user)
        .exclude(status=WorkshopStatus.CANCELLED)
        .filter(ends_at__gte=now - TODAY_MARGIN, starts_at__lte=now + TODAY_MARGIN)
        .select_related("program")
        .order_by("starts_at", "pk")
    )
    return [w for w in candidates if is_today(w, now)]


# --- The attendance sheet ---------------------------------------------------------------------


@dataclass
class AttendanceRow:
    """One person on a session's sheet and what is recorded for them ("" if nothing)."""

    participant: Participant
    status: str
    is_walk_in: bool
    invited: bool  # an accepted invitee (walk-ins are not)

    @property
    def dom_id(self) -> str:
        return f"attendee-{self.participant.pk}"


@dataclass
class AttendanceCounts:
    present: int = 0
    absent: int = 0
    unmarked: int = 0

    @property
    def total(self) -> int:
        return self.present + self.absent + self.unmarked


@dataclass
class SessionChoice:
    session: Session
    local: TimeSpan
    is_now: bool


def sessions_for_attendance(workshop: Workshop, user: User) -> list[SessionChoice]:
    now = timezone.now()
    return [
        SessionChoice(
            session=s,
            local=spans_for(s.starts_at, s.ends_at, workshop.time_zone, user)[0],
            is_now=s.starts_at <= now < s.ends_at,
        )
        for s in workshop.sessions.order_by("starts_at", "position", "pk")
    ]


def default_session(choices: list[SessionChoice], now: datetime | None = None) -> Session | None:
    """The session running now, else the next one, else the last one held."""
    now = now or timezone.now()
    sessions = [c.session for c in choices]
    for session in sessions:
        if session.starts_at <= now < session.ends_at:
            return session
    for session in sessions:
        if session.starts_at > now:
            return session
    return sessions[-1] if sessions else None


def roster_condition(workshop: Workshop) -> Q:
    """Who belongs on the workshop's sheets: its accepted invitees and anyone recorded in
    one of its sessions (walk-ins, or invitees whose invitation changed since). One
    semi-join on the union of both lists: an OR of two ``IN`` subqueries makes PostgreSQL
    scan every participant (130 ms at 100,000 people), the union a few index lookups."""
    accepted = (
        Invitation.objects.filter(workshop=workshop, status=InvitationStatus.ACCEPTED)
        .order_by()
        .values("participant_id")
    )
    recorded = (
        Attendance.objects.filter(session__workshop=workshop).order_by().values("participant_id")
    )
    return Q(pk__in=accepted.union(recorded))


def attendance_sheet(session: Session) -> tuple[list[AttendanceRow], AttendanceCounts]:
    """The session's sheet by name, with counts: three queries whatever its size."""
    workshop = session.workshop
    people = list(
        Participant.objects.filter(roster_condition(workshop))
        .select_related("community", "sector")
        .order_by("full_name", "pk")
    )
    accepted = set(
        Invitation.objects.filter(workshop=workshop, status=InvitationStatus.ACCEPTED).values_list(
            "participant_id", flat=True
        )
    )
    recorded = {
        a.participant_id: a
        for a in Attendance.objects.filter(session=session).only(
            "participant_id", "status", "is_walk_in"
        )
    }
    rows = []
    counts = AttendanceCounts()
    for person in people:
        record = recorded.get(person.pk)
        status = record.status if record else ""
        rows.append(
            AttendanceRow(
                participant=person,
                status=status,
                is_walk_in=person.pk not in accepted,
                invited=person.pk in accepted,
            )
        )
        if status == AttendanceStatus.PRESENT:
            counts.present += 1
        elif status == AttendanceStatus.ABSENT:
            counts.absent += 1
        else:
            counts.unmarked += 1
    return rows, counts


def attendance_row(session: Session, participant: Participant) -> AttendanceRow:
    """One row of the sheet, for the htmx answer to a tap."""
    record = Attendance.objects.filter(session=session, participant=participant).first()
    invited = Invitation.objects.filter(
        workshop_id=session.workshop_id,
        participant=participant,
        status=InvitationStatus.ACCEPTED,
    ).exists()
    return AttendanceRow(
        participant=participant,
        status=record.status if record else "",
        is_walk_in=not invited,
        invited=invited,
    )


def attendance_counts(session: Session) -> AttendanceCounts:
    """Present, absent and not marked on the session's sheet, in two queries."""
    by_status = dict(
        Attendance.objects.filter(session=session)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    on_sheet = Participant.objects.filter(roster_condition(session.workshop)).order_by().count()
    present = by_status.get(AttendanceStatus.PRESENT, 0)
    absent = by_status.get(AttendanceStatus.ABSENT, 0)
    return AttendanceCounts(present=present, absent=absent, unmarked=on_sheet - present - absent)


def on_roster(workshop: Workshop, participant_pk: int) -> Participant | None:
    """The participant if they are on the workshop's sheets (None otherwise)."""
    return (
        Participant.objects.filter(roster_condition(workshop), pk=participant_pk)
        .select_related("community", "sector")
        .first()
    )
