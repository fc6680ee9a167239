"""Reads of workshops: one workshop's page with its agenda and delegation counts, in a
fixed number of queries whatever the number of invitees."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.shortcuts import get_object_or_404

from core import permissions
from core.models import User
from participants.exports import access
from workshops import actions
from workshops.models import ActionStatus, InvitationStatus, Session, Workshop, WorkshopStatus
from workshops.services import TRANSITIONS


@dataclass
class TimeSpan:
    """A start and end in one time zone, for display."""

    starts: datetime
    ends: datetime
    zone: str

    @property
    def same_day(self) -> bool:
        return self.starts.date() == self.ends.date()


def spans_for(
    starts: datetime, ends: datetime, venue_zone: str, user: User
) -> tuple[TimeSpan, TimeSpan | None]:
    """Times in the venue's zone, and in the viewer's own when it is set and differs."""
    venue = zoneinfo.ZoneInfo(venue_zone)
    local = TimeSpan(starts.astimezone(venue), ends.astimezone(venue), venue_zone)
    own = getattr(user, "time_zone", "") or ""
    if not own or own == venue_zone:
        return local, None
    zone = zoneinfo.ZoneInfo(own)
    mine = TimeSpan(starts.astimezone(zone), ends.astimezone(zone), own)
    if mine.starts.utcoffset() == local.starts.utcoffset():
        return local, None
    return local, mine


@dataclass
class AgendaItem:
    session: Session
    local: TimeSpan
    mine: TimeSpan | None


@dataclass
class WorkshopPage:
    workshop: Workshop
    local: TimeSpan
    mine: TimeSpan | None
    agenda: list[AgendaItem]
    status_counts: dict[str, int]
    may_change: bool
    may_see_messages: bool  # also once the workshop is cancelled or its program archived
    next_statuses: list[tuple[str, str]]
    may_take_attendance: bool = False
    may_export_roster: bool = False
    note_count: int = 0  # the notes this user may read
    open_action_count: int = 0


def agenda_for(workshop: Workshop, user: User) -> list[AgendaItem]:
    sessions = workshop.sessions.order_by("starts_at", "position", "pk")
    return [
        AgendaItem(s, *spans_for(s.starts_at, s.ends_at, workshop.time_zone, user))
        for s in sessions
    ]


def workshop_page(user: User, workshop: Workshop) -> WorkshopPage:
    counts = dict(workshop.invitations.order_by().values_list("status").annotate(n=Count("pk")))
    staff = permissions.can_change(user, workshop)
    may_change = staff and not workshop.program.is_archived
    closed = workshop.status == WorkshopStatus.CANCELLED
    local, mine = spans_for(workshop.starts_at, workshop.ends_at, workshop.time_zone, user)
    return WorkshopPage(
        workshop=workshop,
        local=local,
        mine=mine,
        agenda=agenda_for(workshop, user),
        status_counts={status: counts.get(status, 0) for status in InvitationStatus.values},
        may_change=may_change and not closed,
        may_see_messages=staff,
        may_take_attendance=permissions.workshops_run_by(user).filter(pk=workshop.pk).exists(),
        may_export_roster=access.may_export_workshop(user, workshop),
        note_count=permissions.notes_visible_to(user).filter(workshop=workshop).count(),
        open_action_count=actions.actions_visible_to(user)
        .filter(workshop=workshop, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        .count(),
        next_statuses=[
            (status, WorkshopStatus(status).label)
            for status in WorkshopStatus.values
            if status in TRANSITIONS[WorkshopStatus(workshop.status)]
            and status != WorkshopStatus.CANCELLED
        ]
        if may_change
        else [],
    )


def workshop_for_page(user: User, pk: int) -> Workshop:
    """The workshop if this user may see it (404 otherwise), with what its page shows."""
    queryset = (
        permissions.visible_to(user, Workshop)
        .select_related("program")
        .prefetch_related("facilitators", "working_languages")
    )
    return get_object_or_404(queryset, pk=pk)
