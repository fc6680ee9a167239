"""The calendar of workshops: month grid, upcoming list, and each user's private iCalendar feed.

Every workshop shown comes from ``permissions.visible_to(user, Workshop)``, read in one query
with its program, so a page or a feed costs the same whatever the number of workshops. Times
are shown in the venue's zone; a viewer whose own zone (``User.time_zone``) differs also sees
them in theirs. Days are the venue's local dates: a workshop from Monday 10:00 to Wednesday
17:00 in Nicosia sits on three days of the grid, wherever the viewer is.
"""

import calendar as pycalendar
import hashlib
import re
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from core import audit, permissions
from core.models import User
from dialogues.models import ProgramMembership, ProgramRole
from workshops.models import CalendarFeed, Workshop, WorkshopStatus

# Months outside these years fall back to the current one, so date arithmetic never overflows.
MIN_YEAR, MAX_YEAR = 1970, 2199
FEED_HISTORY = timedelta(days=365)
# Recording every fetch would write a row per calendar app per few minutes.
FEED_FETCH_RECORDED_EVERY = timedelta(hours=1)
FEED_REFRESH = timedelta(hours=1)
UID_DOMAIN = "olive-branch"


# --- Time zones ---------------------------------------------------------------------------------


def viewer_zone(user: User) -> tzinfo | None:
    """The zone the viewer chose on their profile, if any."""
    name = getattr(user, "time_zone", "")
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def viewer_today(user: User, *, now: datetime | None = None) -> date:
    now = now or timezone.now()
    zone = viewer_zone(user)
    return timezone.localtime(now, zone).date() if zone else timezone.localdate(now)


def _time(moment: datetime) -> str:
    """``10:00 EET``: Django's formatter uses the datetime's own zone, not the active one."""
    return dateformat.format(moment, "H:i T")


def _span(starts: datetime, ends: datetime) -> str:
    if starts.date() == ends.date():
        return (
            f"{dateformat.format(starts, 'D j M Y')}, "
            f"{dateformat.format(starts, 'H:i')}–{_time(ends)}"
        )
    return (
        f"{dateformat.format(starts, 'D j M')} {_time(starts)} – "
        f"{dateformat.format(ends, 'D j M Y')} {_time(ends)}"
    )


# --- What the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def param(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def previous(self) -> "Month | None":
        month = Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)
        return month if month.year >= MIN_YEAR else None

    @property
    def next(self) -> "Month | None":
        month = Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)
        return month if month.year <= MAX_YEAR else None

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)


_MONTH_PARAM = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: str | None, *, today: date) -> Month:
    """``2026-12`` → December 2026; anything else (``2026-13``, ``abc``) → today's month."""
    match = _MONTH_PARAM.match((value or "").strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12:
            return Month(year, month)
    return Month.of(today)


@dataclass
class CalendarEntry:
    """One workshop as the calendar shows it to one viewer."""

    workshop: Workshop
    venue_starts: datetime
    venue_ends: datetime
    viewer_starts: datetime | None = None
    viewer_ends: datetime | None = None

    @cached_property
    def url(self) -> str:
        """Reversed once per workshop, however many days of the grid it covers."""
        return self.workshop.get_absolute_url()

    @cached_property
    def first_day(self) -> date:
        return self.venue_starts.date()

    @cached_property
    def last_day(self) -> date:
        # Ending at midnight does not occupy the next day.
        if self.venue_ends.time() == time.min and self.venue_ends > self.venue_starts:
            return (self.venue_ends - timedelta(microseconds=1)).date()
        return self.venue_ends.date()

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @cached_property
    def is_cancelled(self) -> bool:
        return (
            self.workshop.status == WorkshopStatus.CANCELLED
            or self.workshop.cancelled_at is not None
        )

    @cached_property
    def starts_venue(self) -> str:
        return _time(self.venue_starts)

    @cached_property
    def starts_viewer(self) -> str:
        return _time(self.viewer_starts) if self.viewer_starts else ""

    @cached_property
    def when_venue(self) -> str:
        return _span(self.venue_starts, self.venue_ends)

    @cached_property
    def when_viewer(self) -> str:
        if self.viewer_starts is None or self.viewer_ends is None:
            return ""
        return _span(self.viewer_starts, self.viewer_ends)

    def is_past(self, now: datetime) -> bool:
        return self.workshop.ends_at <= now


def calendar_entry(workshop: Workshop, *, zone: tzinfo | None) -> CalendarEntry:
    venue_starts, venue_ends = workshop.local_starts_at(), workshop.local_ends_at()
    entry = CalendarEntry(workshop, venue_starts, venue_ends)
    if zone is not None:
        viewer_starts = workshop.starts_at.astimezone(zone)
        viewer_ends = workshop.ends_at.astimezone(zone)
        # Another name for the same clock (Athens and Nicosia) would only repeat the times.
        if (viewer_starts.utcoffset(), viewer_ends.utcoffset()) != (
            venue_starts.utcoffset(),
            venue_ends.utcoffset(),
        ):
            entry.viewer_starts, entry.viewer_ends = viewer_starts, viewer_ends
    return entry


def calendar_workshops(user: User) -> QuerySet[Workshop]:
    """The workshops this user's calendar shows: exactly those they may see."""
    return (
        permissions.visible_to(user, Workshop).select_related("program").order_by("starts_at", "id")
    )


def _entries(user: User, workshops: Iterable[Workshop]) -> list[CalendarEntry]:
    zone = viewer_zone(user)
    return [calendar_entry(workshop, zone=zone) for workshop in workshops]


@dataclass
class DayEntry:
    entry: CalendarEntry
    starts_here: bool
    ends_here: bool


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    entries: list[DayEntry] = field(default_factory=list)


@dataclass
class MonthView:
    month: Month
    weeks: list[list[Day]]
    entries: list[CalendarEntry]  # the workshops on some day of this month, for small screens

    @property
    def weekdays(self) -> list[date]:
        return [day.date for day in self.weeks[0]]


def month_view(user: User, month: Month, *, today: date) -> MonthView:
    """The weeks (Monday first) around ``month``, each day with the workshops held on it."""
    weeks_of_dates = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    weeks = [
        [Day(day, day.month == month.month, day == today) for day in week]
        for week in weeks_of_dates
    ]
    grid_first, grid_last = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    # Venue zones lie within a day of UTC: a day's margin finds every workshop on the grid.
    window_starts = datetime.combine(grid_first - timedelta(days=1), time.min, tzinfo=UTC)
    window_ends = datetime.combine(grid_last + timedelta(days=2), time.min, tzinfo=UTC)
    workshops = calendar_workshops(user).filter(
        starts_at__lt=window_ends, ends_at__gt=window_starts
    )
    days = {day.date: day for week in weeks for day in week}
    in_month: list[CalendarEntry] = []
    for entry in _entries(user, workshops):
        if entry.last_day < grid_first or entry.first_day > grid_last:
            continue
        current = max(entry.first_day, grid_first)
        while current <= min(entry.last_day, grid_last):
            days[current].entries.append(
                DayEntry(entry, current == entry.first_day, current == entry.last_day)
            )
            current += timedelta(days=1)
        if entry.first_day <= month_last_day(month) and entry.last_day >= month.first:
            in_month.append(entry)
    return MonthView(month, weeks, in_month)


def month_last_day(month: Month) -> date:
    return date(month.year, month.month, pycalendar.monthrange(month.year, month.month)[1])


@dataclass
class MonthGroup:
    month: Month
    entries: list[CalendarEntry]


LIST_PAGE_SIZE = 50


@dataclass
class ListPage:
    groups: list[MonthGroup]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def list_view(
    user: User, *, include_past: bool, page: int = 1, now: datetime | None = None
) -> ListPage:
    """Workshops not yet over (or all of them), grouped by the venue month they start in,
    fifty at a time: an admin of many programs may see thousands."""
    now = now or timezone.now()
    workshops = calendar_workshops(user)
    if not include_past:
        workshops = workshops.filter(ends_at__gt=now)
    start = (max(page, 1) - 1) * LIST_PAGE_SIZE
    rows = list(workshops[start : start + LIST_PAGE_SIZE + 1])
    groups: list[MonthGroup] = []
    for entry in _entries(user, rows[:LIST_PAGE_SIZE]):
        month = Month.of(entry.first_day)
        if not groups or groups[-1].month != month:
            groups.append(MonthGroup(month, []))
        groups[-1].entries.append(entry)
    return ListPage(groups, max(page, 1), len(rows) > LIST_PAGE_SIZE)


# --- The private feed ---------------------------------------------------------------------------


class CalendarFeedError(Exception):
    """The user may not have a calendar feed."""


def may_have_feed(user: User) -> bool:
    """Admins, programme staff and facilitators: the people who plan and run workshops.

    Observers (funders, for example) do not get one: a feed leaves the system for phones.
    """
    if permissions.is_admin(user):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        ProgramMembership.objects.filter(
            user=user, role__in=[ProgramRole.MANAGER, ProgramRole.FACILITATOR]
        ).exists()
        or Workshop.facilitators.through.objects.filter(user=user).exists()
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("workshops:calendar_feed", args=[token])


@transaction.atomic
def calendar_feed_issue(*, user: User) -> str:
    """Create the user's feed, or replace its token (the old address stops working).

    Returns the new token: the only time it exists outside the user's calendar app.
    """
    if not may_have_feed(user):
        raise CalendarFeedError("Only staff and facilitators may subscribe to a calendar feed.")
    token = secrets.token_urlsafe(32)
    # update_or_create locks an existing row and survives two first clicks racing.
    feed, created = CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": _token_hash(token),
            "issued_at": timezone.now(),
            "last_fetched_at": None,
        },
    )
    audit.record(
        user,
        "calendar_feed.create" if created else "calendar_feed.regenerate",
        feed,
        user_id=user.pk,
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> bool:
    """Switch the user's feed off. False when there was none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return False
    audit.record(user, "calendar_feed.revoke", feed, user_id=user.pk)
    feed.delete()
    return True


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed behind a token: unknown, replaced or revoked tokens and deactivated or
    no longer staff users find nothing."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None or not may_have_feed(feed.user):
        return None
    return feed


def feed_workshops(user: User, *, now: datetime) -> QuerySet[Workshop]:
    return calendar_workshops(user).filter(ends_at__gte=now - FEED_HISTORY)


_STATUS = {
    WorkshopStatus.DRAFT: "TENTATIVE",
    WorkshopStatus.PLANNED: "TENTATIVE",
    WorkshopStatus.CONFIRMED: "CONFIRMED",
    WorkshopStatus.HELD: "CONFIRMED",
    WorkshopStatus.CANCELLED: "CANCELLED",
}


def _event(workshop: Workshop) -> icalendar.Event:
    program = workshop.program
    event = icalendar.Event()
    event.add("uid", f"workshop-{workshop.pk}@{UID_DOMAIN}")
    # Without a METHOD, DTSTAMP is the last revision (RFC 5545 3.8.7.2): the feed stays the
    # same bytes until something changes.
    event.add("dtstamp", workshop.updated_at.astimezone(UTC))
    event.add("created", workshop.created_at.astimezone(UTC))
    event.add("last-modified", workshop.updated_at.astimezone(UTC))
    # Seconds between creation and the last change: grows with every save, as SEQUENCE must.
    event.add("sequence", max(0, int((workshop.updated_at - workshop.created_at).total_seconds())))
    event.add("dtstart", workshop.local_starts_at())
    event.add("dtend", workshop.local_ends_at())
    cancelled = workshop.cancelled_at is not None or workshop.status == WorkshopStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else _STATUS.get(workshop.status, "TENTATIVE"))
    if program.discreet_mode:
        # Calendars are synced to phones and shared: a code name, no venue, no program.
        event.add("summary", workshop.code_name or "Workshop")
        event.add("class", "PRIVATE")
    else:
        event.add("summary", workshop.title)
        place = [
            workshop.venue_name,
            workshop.venue_city,
            workshop.venue_country.name if workshop.venue_country else "",
        ]
        location = ", ".join(part for part in place if part)
        if location:
            event.add("location", location)
        event.add("description", program.name)
    event.add("url", settings.SITE_URL + reverse("workshops:detail", args=[workshop.pk]))
    return event


def calendar_feed_ics(*, feed: CalendarFeed, now: datetime | None = None) -> bytes:
    """The iCalendar text of the workshops the feed's user may see today, from a year ago on."""
    now = now or timezone.now()
    ical = icalendar.Calendar()
    ical.add("prodid", "-//Olive Branch//Workshop calendar//EN")
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("name", "Olive Branch workshops")
    ical.add("x-wr-calname", "Olive Branch workshops")
    ical.add(
        "refresh-interval", icalendar.vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"}
    )
    ical.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))
    for workshop in feed_workshops(feed.user, now=now):
        ical.add_component(_event(workshop))
    ical.add_missing_timezones()
    return ical.to_ical()


def calendar_feed_fetched(*, feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note that a calendar app read the feed, at most hourly (shown to its owner)."""
    now = now or timezone.now()
    if feed.last_fetched_at is None or feed.last_fetched_at < now - FEED_FETCH_RECORDED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
