"""The program dashboard: aggregate figures of one program, and the geometry of their charts.

Every figure is one aggregate query whatever the number of workshops, invitations or
attendance records; Python only folds rows whose number is bounded by the vocabulary
(communities × sectors × tracks) or by the program's workshops and months. Nothing here
names a participant: observers see the dashboard too.

Definitions used on the page:

* *sent* invitations are those that reached the person: invited, accepted or declined.
  Draft and waitlisted ones are still on the list; withdrawn ones are shown apart.
* a workshop *counts* unless it was cancelled; a workshop is *held* when its status says so.
* *attended* means an accepted invitee was present in at least one session of that workshop.
* a *cross-community tie* is an unordered pair of people of two different communities (third
  parties have none) who were both present in a session of the same workshop; it dates
  from the first workshop where they met.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Q,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from core import permissions
from core.models import User
from dialogues.models import Program
from participants.models import Community, Participant, Sector, Track
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    Session,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)

SENT = [InvitationStatus.INVITED, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED]
ON_LIST = [InvitationStatus.DRAFT, InvitationStatus.WAITLISTED]
STILL_OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
# The ties figure is cached under a fingerprint of the program's attendance and workshops;
# the lifetime bounds how long an edit the fingerprint cannot see (a person's community)
# takes to show.
TIES_CACHE_SECONDS = 15 * 60

COUNTED_WORKSHOP = ~Q(status=WorkshopStatus.CANCELLED) & Q(cancelled_at__isnull=True)


def _counted_workshops(program: Program):
    return Workshop.objects.filter(COUNTED_WORKSHOP, program=program)


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


# --- Workshops timeline, with each workshop's invitation and attendance figures ----------------


@dataclass
class TimelineEntry:
    pk: int
    title: str | None  # None when this user may not see the workshop itself
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    format_label: str
    capacity: int
    updated_at: datetime
    # Invitations by stage.
    on_list: int = 0
    sent: int = 0
    awaiting: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    attended: int = 0  # accepted and present in at least one session
    # Attendance: people present in at least one session (invited or not), and the records.
    present: int = 0
    attendance_records: int = 0
    attendance_changed: datetime | None = None
    # Chart geometry, filled in by ``timeline_chart``.
    x: float = 0.0
    y: float = 0.0

    @property
    def fill_percent(self) -> float:
        return min(100.0, 100.0 * self.accepted / self.capacity) if self.capacity else 0.0

    @property
    def is_held(self) -> bool:
        return self.status == WorkshopStatus.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == WorkshopStatus.CANCELLED

    @property
    def attendance_percent(self) -> float | None:
        return _percent(self.attended, self.accepted) if self.is_held else None

    @property
    def walk_ins(self) -> int:
        """Present without an accepted invitation (walk-ins, late changes)."""
        return max(0, self.present - self.attended)


# One pass over the program's attendance and one over its invitations, grouped by workshop;
# the invitations meet the attendance through a hash join, never a subquery per row. Plain SQL
# that SQLite (the demo's database, 3.30 or later for FILTER) runs as well as PostgreSQL.
_WORKSHOP_FIGURES_SQL = """
WITH presence AS (
    SELECT s.workshop_id, a.participant_id,
           MAX(CASE WHEN a.status = %(present)s THEN 1 ELSE 0 END) AS present,
           COUNT(*) AS records, MAX(a.recorded_at) AS changed
    FROM {attendance} a
    JOIN {session} s ON s.id = a.session_id
    JOIN {workshop} w ON w.id = s.workshop_id
    WHERE w.program_id = %(program)s
    GROUP BY s.workshop_id, a.participant_id
),
by_invitation AS (
    SELECT i.workshop_id,
           COUNT(*) FILTER (WHERE i.status IN ({on_list})) AS on_list,
           COUNT(*) FILTER (WHERE i.status IN ({sent})) AS sent,
           COUNT(*) FILTER (WHERE i.status = %(invited)s) AS awaiting,
           COUNT(*) FILTER (WHERE i.status = %(accepted)s) AS accepted,
           COUNT(*) FILTER (WHERE i.status = %(declined)s) AS declined,
           COUNT(*) FILTER (WHERE i.status = %(withdrawn)s) AS withdrawn,
           COUNT(*) FILTER (WHERE i.status = %(accepted)s AND p.present = 1) AS attended
    FROM {invitation} i
    JOIN {workshop} w ON w.id = i.workshop_id
    LEFT JOIN presence p
      ON p.workshop_id = i.workshop_id AND p.participant_id = i.participant_id
    WHERE w.program_id = %(program)s
    GROUP BY i.workshop_id
),
by_presence AS (
    SELECT workshop_id, COUNT(*) FILTER (WHERE present = 1) AS present,
           SUM(records) AS records, MAX(changed) AS changed
    FROM presence
    GROUP BY workshop_id
)
SELECT w.id, i.on_list, i.sent, i.awaiting, i.accepted, i.declined, i.withdrawn, i.attended,
       p.present, p.records, p.changed
FROM {workshop} w
LEFT JOIN by_invitation i ON i.workshop_id = w.id
LEFT JOIN by_presence p ON p.workshop_id = w.id
WHERE w.program_id = %(program)s
"""
_FIGURE_COLUMNS = (
    "on_list",
    "sent",
    "awaiting",
    "accepted",
    "declined",
    "withdrawn",
    "attended",
    "present",
    "attendance_records",
)


def _in_list(name: str, values: list, params: dict) -> str:
    """Placeholders for ``IN (…)``, one parameter per value (SQLite has no arrays)."""
    params.update({f"{name}_{i}": str(value) for i, value in enumerate(values)})
    return ", ".join(f"%({name}_{i})s" for i in range(len(values)))


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """SQLite hands computed timestamps back as text (UTC); PostgreSQL as datetimes."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
        return parsed
    return value


def _workshop_figures(program: Program) -> dict[int, dict]:
    params: dict = {}
    sql = _WORKSHOP_FIGURES_SQL.format(
        attendance=Attendance._meta.db_table,
        session=Session._meta.db_table,
        workshop=Workshop._meta.db_table,
        invitation=Invitation._meta.db_table,
        on_list=_in_list("on_list", ON_LIST, params),
        sent=_in_list("sent", SENT, params),
    )
    params |= {
        "program": program.pk,
        "present": AttendanceStatus.PRESENT.value,
        "invited": InvitationStatus.INVITED.value,
        "accepted": InvitationStatus.ACCEPTED.value,
        "declined": InvitationStatus.DECLINED.value,
        "withdrawn": InvitationStatus.WITHDRAWN.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: {
                **{
                    name: int(value or 0)
                    for name, value in zip(_FIGURE_COLUMNS, counts, strict=True)
                },
                "attendance_changed": _as_datetime(changed),
            }
            for pk, *counts, changed in cursor.fetchall()
        }


_TIMELINE_FIELDS = (
    "title",
    "status",
    "format",
    "starts_at",
    "ends_at",
    "capacity",
    "cancelled_at",
    "updated_at",
)


def workshop_timeline(*, program: Program, user: User) -> list[TimelineEntry]:
    """All workshops of the program by start, each with its invitation and attendance
    figures (two queries: the workshops, and one aggregate over invitations and attendance).

    Titles of workshops this user may not open (a facilitator's colleagues' workshops) are
    left out; their dates and counts are aggregates of the program and stay.
    """
    visible = permissions.workshops_visible_to(user).filter(program=program).values("pk")
    workshops = (
        Workshop.objects.filter(program=program)
        .only(*_TIMELINE_FIELDS)
        .annotate(may_see=Case(When(pk__in=visible, then=Value(True)), default=Value(False)))
        .order_by("starts_at", "id")
    )
    figures = _workshop_figures(program)
    # Labels translated once per page: get_FOO_display() hashes every choice on every call.
    statuses = {value: str(label) for value, label in WorkshopStatus.choices}
    formats = {value: str(label) for value, label in WorkshopFormat.choices}
    entries = []
    for w in workshops:
        status = WorkshopStatus.CANCELLED.value if w.cancelled_at else w.status
        entries.append(
            TimelineEntry(
                pk=w.pk,
                title=w.title if w.may_see else None,
                starts_at=w.starts_at,
                ends_at=w.ends_at,
                status=status,
                status_label=statuses.get(status, status),
                format_label=formats.get(w.format, w.format),
                capacity=w.capacity,
                updated_at=w.updated_at,
                **figures.get(w.pk, {}),
            )
        )
    return entries


# --- Who the program reaches ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float | None  # percent of the chart's total
    width: float  # percent of the longest bar, for drawing
    colour: str = ""
    muted: bool = False  # "third party", "no track": shown last, in grey


@dataclass(frozen=True)
class Composition:
    total: int
    by_community: list[Bar]
    by_sector: list[Bar]
    by_track: list[Bar]


def _bars(counts: Counter, order: dict, total: int, colours: dict | None = None) -> list[Bar]:
    """Bars of one chart; ``counts`` and ``order`` are keyed by (id, label)."""
    biggest = max(counts.values(), default=0)
    keys = sorted(counts, key=lambda key: order[key])
    return [
        Bar(
            label=key[1],
            count=counts[key],
            share=_percent(counts[key], total),
            width=100.0 * counts[key] / biggest if biggest else 0.0,
            colour=(colours or {}).get(key, ""),
            muted=order[key][0] == 1,
        )
        for key in keys
    ]


# The people reached, counted along each of the three dimensions: one pass over the program's
# sent invitations, the distinct people once (the CTE is read three times, so PostgreSQL
# materialises it), and only the marginals come back: about sixty rows, where grouping by
# community × sector × track sent thousands for Python to fold. Plain SQL for SQLite too.
_COMPOSITION_SQL = """
WITH reached AS (
    SELECT p.community_id, p.sector_id, p.track_id
    FROM {participant} p
    WHERE p.id IN (
        SELECT i.participant_id
        FROM {invitation} i
        JOIN {workshop} w ON w.id = i.workshop_id
        WHERE w.program_id = %(program)s
          AND w.status <> %(cancelled)s AND w.cancelled_at IS NULL
          AND i.status IN ({sent})
    )
)
SELECT 'community', r.community_id, c.name, c.colour, 0, COUNT(*)
FROM reached r LEFT JOIN {community} c ON c.id = r.community_id
GROUP BY r.community_id, c.name, c.colour
UNION ALL
SELECT 'sector', r.sector_id, s.name, '', s.position, COUNT(*)
FROM reached r JOIN {sector} s ON s.id = r.sector_id
GROUP BY r.sector_id, s.name, s.position
UNION ALL
SELECT 'track', r.track_id, t.name, '', t.number, COUNT(*)
FROM reached r LEFT JOIN {track} t ON t.id = r.track_id
GROUP BY r.track_id, t.name, t.number
"""


def _composition_rows(program: Program) -> list[tuple]:
    """(dimension, id, name, colour, position or number, people) for each bar."""
    params: dict = {}
    sql = _COMPOSITION_SQL.format(
        participant=Participant._meta.db_table,
        invitation=Invitation._meta.db_table,
        workshop=Workshop._meta.db_table,
        community=Community._meta.db_table,
        sector=Sector._meta.db_table,
        track=Track._meta.db_table,
        sent=_in_list("sent", SENT, params),
    )
    params |= {"program": program.pk, "cancelled": WorkshopStatus.CANCELLED.value}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def participant_composition(*, program: Program) -> Composition:
    """Distinct people sent an invitation to a counted workshop, by community, sector and
    track (one query returning the three marginals). Erased people keep their community and
    sector, so they are counted."""
    communities: Counter = Counter()
    sectors: Counter = Counter()
    tracks: Counter = Counter()
    # Sort keys per chart; a first element of 1 marks the grey "none" bar, shown last.
    community_order: dict = {}
    sector_order: dict = {}
    track_order: dict = {}
    colours: dict = {}
    for dimension, pk, name, colour, position, n in _composition_rows(program):
        n = int(n)
        if dimension == "community":
            key = (pk, name if pk is not None else _("Third party"))
            communities[key] = n
            colours[key] = colour or ""
            community_order[key] = (1, 0, "") if pk is None else (0, -n, name)
        elif dimension == "sector":
            key = (pk, name)
            sectors[key] = n
            sector_order[key] = (0, position, name)
        else:
            key = (pk, f"{position}. {name}" if pk is not None else _("No track"))
            tracks[key] = n
            track_order[key] = (1, 0) if pk is None else (0, position)
    total = sum(communities.values())
    return Composition(
        total=total,
        by_community=_bars(communities, community_order, total, colours),
        by_sector=_bars(sectors, sector_order, total),
        by_track=_bars(tracks, track_order, total),
    )


# --- Invitation funnel and attendance ------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    on_list: int = 0  # draft or waitlisted: not sent yet
    sent: int = 0
    awaiting: int = 0  # sent, no answer yet
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    attended: int = 0  # accepted and present in at least one session
    walk_ins: int = 0  # present without an accepted invitation
    accepted_held: int = 0
    attended_held: int = 0

    @property
    def stages(self) -> list[Bar]:
        stages = [
            (_("Sent"), self.sent),
            (_("Accepted"), self.accepted),
            (_("Attended"), self.attended),
        ]
        return [
            Bar(
                label=label,
                count=n,
                share=_percent(n, self.sent),
                width=_percent(n, self.sent) or 0,
            )
            for label, n in stages
        ]

    @property
    def acceptance_percent(self) -> float | None:
        return _percent(self.accepted, self.sent)

    @property
    def attendance_percent(self) -> float | None:
        """Attended ÷ accepted, over held workshops only (upcoming ones have no attendance)."""
        return _percent(self.attended_held, self.accepted_held)


def invitation_funnel(timeline: list[TimelineEntry]) -> Funnel:
    """The program's invitations by stage: the sums of its workshops' figures, cancelled
    workshops left out (a sum over workshops, never over invitations)."""
    counted = [entry for entry in timeline if not entry.is_cancelled]
    held = [entry for entry in counted if entry.is_held]
    stages = ("on_list", "sent", "awaiting", "accepted", "declined", "withdrawn", "attended")
    return Funnel(
        **{stage: sum(getattr(entry, stage) for entry in counted) for stage in stages},
        walk_ins=sum(entry.walk_ins for entry in counted),
        accepted_held=sum(entry.accepted for entry in held),
        attended_held=sum(entry.attended for entry in held),
    )


# --- Follow-up actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Actions:
    done: int
    open_on_time: int
    in_progress: int  # of the open ones, on time or not
    overdue: int
    dropped: int

    @property
    def total(self) -> int:
        return self.done + self.open_on_time + self.overdue + self.dropped

    @property
    def segments(self) -> list[tuple[str, str, int, float]]:
        """(key, label, count, percent of all) in drawing order; the keys name CSS patterns."""
        parts = [
            ("done", _("Done"), self.done),
            ("open", _("Open, on time"), self.open_on_time),
            ("overdue", _("Overdue"), self.overdue),
            ("dropped", _("Dropped"), self.dropped),
        ]
        return [(key, label, n, _percent(n, self.total) or 0.0) for key, label, n in parts]


def follow_up_figures(*, program: Program, today: date) -> Actions:
    """The program's follow-up actions by state (one query). Overdue: still open past due."""
    still_open = Q(status__in=STILL_OPEN)
    late = Q(due_on__lt=today)
    return Actions(
        **FollowUpAction.objects.filter(workshop__program=program).aggregate(
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            open_on_time=Count("pk", filter=still_open & ~late),
            in_progress=Count("pk", filter=Q(status=ActionStatus.IN_PROGRESS)),
            overdue=Count("pk", filter=still_open & late),
            dropped=Count("pk", filter=Q(status=ActionStatus.DROPPED)),
        )
    )


# --- Cross-community ties ------------------------------------------------------------------------


@dataclass(frozen=True)
class TieMonth:
    month: date
    new: int
    cumulative: int


# Pairs are only built, and grouped to find where they first met, for people present at two
# or more of the program's workshops: a pair in which someone came once met at that workshop
# and nowhere else, so each workshop's count of those is arithmetic on its head count per
# community (pairs of different communities among n people, c of each: (n² − Σc²) / 2),
# less the pairs in which both came again. At 100 workshops of 30 people, nearly all came
# once: some 90,000 pairs grouped on disk (0.3 s) become 3,000 rows counted in memory.
_TIES_SQL = """
WITH present AS (
    SELECT DISTINCT s.workshop_id, w.starts_at, a.participant_id, p.community_id
    FROM {attendance} a
    JOIN {session} s ON s.id = a.session_id
    JOIN {workshop} w ON w.id = s.workshop_id
    JOIN {participant} p ON p.id = a.participant_id
    WHERE w.program_id = %(program)s
      AND w.status <> %(cancelled)s AND w.cancelled_at IS NULL
      AND a.status = %(present)s
      AND p.community_id IS NOT NULL
),
people AS (
    SELECT workshop_id, starts_at, participant_id, community_id,
           COUNT(*) OVER (PARTITION BY participant_id) AS times
    FROM present
),
by_community AS (
    SELECT workshop_id, starts_at, COUNT(*) AS n,
           SUM(CASE WHEN times > 1 THEN 1 ELSE 0 END) AS again
    FROM people
    GROUP BY workshop_id, starts_at, community_id
),
met AS (
    SELECT starts_at AS first_met,
           (SUM(n) * SUM(n) - SUM(n * n)) / 2
           - (SUM(again) * SUM(again) - SUM(again * again)) / 2 AS ties
    FROM by_community
    GROUP BY workshop_id, starts_at
    UNION ALL
    SELECT MIN(x.starts_at), 1
    FROM people x
    JOIN people y
      ON y.workshop_id = x.workshop_id
     AND y.participant_id > x.participant_id
     AND y.community_id <> x.community_id
    WHERE x.times > 1 AND y.times > 1
    GROUP BY x.participant_id, y.participant_id
)
SELECT first_met, SUM(ties) AS new_ties
FROM met
GROUP BY first_met
HAVING SUM(ties) > 0
ORDER BY first_met
"""


def _ties_query(program: Program) -> list[TieMonth]:
    """One query: the distinct pairs, each dated by the start of the first workshop where
    they met, counted by that start (so at most one row per workshop; see ``_TIES_SQL``).
    The months and the running total are folded here, in the current time zone, over those
    few rows; SQL without date functions runs on SQLite as well as PostgreSQL."""
    sql = _TIES_SQL.format(
        attendance=Attendance._meta.db_table,
        session=Session._meta.db_table,
        workshop=Workshop._meta.db_table,
        participant=Participant._meta.db_table,
    )
    params = {
        "program": program.pk,
        "cancelled": WorkshopStatus.CANCELLED.value,
        "present": AttendanceStatus.PRESENT.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_month: Counter = Counter()
    for first_met, new in rows:
        by_month[_month_start(timezone.localtime(_as_datetime(first_met)).date())] += int(new)
    months, total = [], 0
    for month in sorted(by_month):
        total += by_month[month]
        months.append(TieMonth(month, by_month[month], total))
    return months


def _ties_fingerprint(program: Program, timeline: list[TimelineEntry]) -> str:
    """Changes whenever attendance of the program is recorded, changed or removed, or one of
    its workshops moves or is cancelled; read from the timeline, so it costs no query."""
    parts = [
        program.pk,
        sum(entry.attendance_records for entry in timeline),
        max((e.attendance_changed for e in timeline if e.attendance_changed), default=None),
        max((entry.updated_at for entry in timeline), default=None),
        timezone.get_current_timezone_name(),
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def cross_community_ties(*, program: Program, timeline: list[TimelineEntry]) -> list[TieMonth]:
    """New and cumulative cross-community ties by month (Montville: the personal
    relationships a program builds across the divide). Cached per program under a
    fingerprint of its attendance; a miss costs one query with a self-join per workshop."""
    key = f"dialogues:dashboard:ties:{_ties_fingerprint(program, timeline)}"
    months = cache.get(key)
    if months is None:
        months = _ties_query(program)
        cache.set(key, months, TIES_CACHE_SECONDS)
    return months


# --- Chart geometry (SVG viewBox units) ---------------------------------------------------------

TIMELINE_WIDTH = 720
TIES_WIDTH = 600  # drawn beside its table, so narrower: its labels keep their size
PLOT_LEFT = 48
PLOT_MARGIN_RIGHT = 24
LANE_HEIGHT = 18
TIMELINE_TOP = 14
MAX_LANES = 5
MARKER_GAP = 14


@dataclass(frozen=True)
class Tick:
    x: float
    when: date


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_ticks(first: date, last: date, scale, max_ticks: int = 8) -> list[Tick]:
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if span / s <= max_ticks), 120)
    tick = _month_start(first)
    if tick < first:
        tick = _add_months(tick, 1)
    # Align steps of several months on January so ticks read as quarters or years.
    while (tick.month - 1) % min(step, 12):
        tick = _add_months(tick, 1)
    ticks = []
    while tick <= last:
        ticks.append(Tick(x=scale(tick), when=tick))
        tick = _add_months(tick, step)
    return ticks


@dataclass
class TimelineChart:
    width: int
    plot_right: int
    height: int
    axis_y: int
    ticks: list[Tick]
    today_x: float | None
    first: date | None
    last: date | None
    status_counts: list[tuple[str, int]] = field(default_factory=list)


def timeline_chart(entries: list[TimelineEntry], today: date) -> TimelineChart:
    """Place each workshop on a time axis; workshops too close to each other go to the next
    lane down, so markers never hide one another (up to ``MAX_LANES``)."""
    statuses = Counter(entry.status_label for entry in entries)
    if not entries:
        return TimelineChart(0, 0, 0, 0, ticks=[], today_x=None, first=None, last=None)
    # From the first day of the first workshop's month, so the axis starts with a label.
    first = _month_start(min(entry.starts_at for entry in entries).date())
    last = max(entry.ends_at for entry in entries).date() + timedelta(days=10)
    days = max(1, (last - first).days)
    right = TIMELINE_WIDTH - PLOT_MARGIN_RIGHT

    def scale(day: date) -> float:
        return round(PLOT_LEFT + (right - PLOT_LEFT) * (day - first).days / days, 1)

    lane_ends: list[float] = []
    for entry in entries:
        entry.x = scale(entry.starts_at.date())
        lane = next((i for i, end in enumerate(lane_ends) if entry.x - end >= MARKER_GAP), None)
        if lane is None:
            lane = len(lane_ends) if len(lane_ends) < MAX_LANES else len(lane_ends) - 1
            if lane == len(lane_ends):
                lane_ends.append(entry.x)
        lane_ends[lane] = entry.x
        entry.y = TIMELINE_TOP + LANE_HEIGHT * lane + LANE_HEIGHT / 2
    axis_y = TIMELINE_TOP + LANE_HEIGHT * len(lane_ends) + 6
    return TimelineChart(
        width=TIMELINE_WIDTH,
        plot_right=right,
        height=axis_y + 28,
        axis_y=axis_y,
        ticks=_month_ticks(first, last, scale),
        today_x=scale(today) if first <= today <= last else None,
        first=entries[0].starts_at.date(),
        last=max(entry.starts_at for entry in entries).date(),
        status_counts=sorted(statuses.items(), key=lambda item: -item[1]),
    )


@dataclass
class TiesChart:
    width: int
    plot_right: int
    height: int
    plot_top: int
    plot_bottom: int
    points: str  # SVG polyline points of the cumulative step line
    dots: list[tuple[float, float, TieMonth]]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[Tick]
    total: int


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        ceiling = int(step * magnitude)
        if ceiling >= value:
            return ceiling
    return value


def ties_chart(months: list[TieMonth], today: date) -> TiesChart | None:
    """A step line of the cumulative number of ties, from the first month with a tie to
    today's month (or the last month with a tie, if later)."""
    if not months:
        return None
    top, bottom = 12, 172
    first = months[0].month
    last = max(months[-1].month, _month_start(today))
    span = max(1, (last.year - first.year) * 12 + last.month - first.month)
    y_max = _nice_ceiling(months[-1].cumulative)
    right = TIES_WIDTH - PLOT_MARGIN_RIGHT

    def x_of(day: date) -> float:
        return round(PLOT_LEFT + (right - PLOT_LEFT) * _month_index(first, day) / span, 1)

    def y_of(n: int) -> float:
        return round(bottom - (bottom - top) * n / y_max, 1)

    points = [(x_of(first), y_of(0))]
    dots = []
    previous = 0
    for month in months:
        x = x_of(month.month)
        points += [(x, y_of(previous)), (x, y_of(month.cumulative))]
        dots.append((x, y_of(month.cumulative), month))
        previous = month.cumulative
    points.append((x_of(last), y_of(previous)))
    return TiesChart(
        width=TIES_WIDTH,
        plot_right=right,
        height=bottom + 28,
        plot_top=top,
        plot_bottom=bottom,
        points=" ".join(f"{x},{y}" for x, y in points),
        dots=dots,
        y_ticks=[(y_of(n), n) for n in sorted({0, y_max // 2, y_max})],
        x_ticks=_month_ticks(first, last, x_of, max_ticks=6),
        total=previous,
    )


def _month_index(first: date, day: date) -> int:
    return (day.year - first.year) * 12 + day.month - first.month


# --- The whole page ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    program: Program
    timeline: list[TimelineEntry]
    timeline_chart: TimelineChart
    composition: Composition
    funnel: Funnel
    actions: Actions
    ties: list[TieMonth]
    ties_chart: TiesChart | None
    today: date

    @property
    def ties_total(self) -> int:
        return self.ties[-1].cumulative if self.ties else 0

    @cached_property
    def timeline_version(self) -> str:
        """Everything the timeline's markup depends on, hashed: the rendered fragment is
        cached under it (a large program's timeline is most of the page's rendering time)."""
        return _fragment_version(self.timeline, self.timeline_chart)

    @cached_property
    def ties_version(self) -> str:
        """What the ties chart and its table show, hashed: their fragment's cache key."""
        return _fragment_version(self.ties, self.ties_chart)

    @cached_property
    def composition_version(self) -> str:
        """What the three reach charts show, hashed: their fragment's cache key (about sixty
        rows of bars, drawn again only when a figure, a name or a colour changes)."""
        return _fragment_version(self.composition)


def _fragment_version(*inputs: object) -> str:
    """A key for a cached piece of markup: its inputs (program-wide aggregates, no one's
    own data) with the language and time zone it is drawn in. The figures are computed on
    every request, so a change shows at once; only drawing them again is saved."""
    key = (*inputs, translation.get_language(), timezone.get_current_timezone_name())
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def dashboard_for(*, program: Program, user: User) -> Dashboard:
    """Everything the dashboard shows, in five queries whatever the size of the program
    (four when the ties figure comes from the cache)."""
    today = timezone.localdate()
    timeline = workshop_timeline(program=program, user=user)
    ties = cross_community_ties(program=program, timeline=timeline)
    return Dashboard(
        program=program,
        timeline=timeline,
        timeline_chart=timeline_chart(timeline, today),
        composition=participant_composition(program=program),
        funnel=invitation_funnel(timeline),
        actions=follow_up_figures(program=program, today=today),
        ties=ties,
        ties_chart=ties_chart(ties, today),
        today=today,
    )
