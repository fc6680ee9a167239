"""The shareable workshop report: what may leave the team, for officials and funders.

One selector builds the report (a fixed number of queries) for the HTML page and the PDF
alike, so both show exactly the same thing:

- the workshop's facts; in a discreet program its code name, and no program name or venue;
- attendance: people present in at least one session, by sector and community (no names);
- shareable notes only, never restricted or team ones, without authors (Chatham House);
- follow-up actions, except dropped ones and those of a note that is not shareable; owners
  from the team by name, participants by pseudonym when high-risk;
- nowhere a high-risk participant's name: their full and native names, and each part of
  them, are replaced by their pseudonym inside note titles and text and action wording.

Text direction is set per paragraph from its first strong character (``dir`` ltr/rtl),
since WeasyPrint does not implement ``dir="auto"``; browsers then agree with the PDF.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.staticfiles import finders
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from participants import safety
from participants.models import Participant, RiskLevel
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    NoteLevel,
    SessionNote,
    Workshop,
)
from workshops.notes.markdown import render as render_markdown

REPORT_CSS = "css/report.css"
# Blocks that get their own direction; inline elements follow their block.
BLOCKS = re.compile(r"<(p|li|h[1-6]|blockquote|td|th|dt|dd|pre)(?=[\s>])([^>]*)>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
# A name part shorter than this is not replaced on its own (initials, "Al", "Ben").
MIN_NAME_PART = 3


# --- Direction --------------------------------------------------------------------------------


def text_direction(text: str) -> str:
    """``rtl`` when the first strong character is Arabic or Hebrew, else ``ltr``."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def directed(html: str) -> SafeString:
    """``html`` (sanitised Markdown output) with ``dir`` on each block, from its own text."""

    def add_dir(match: re.Match) -> str:
        if "dir=" in match.group(2):
            return match.group(0)
        rest = html[match.end() :]
        closing = rest.lower().find(f"</{match.group(1).lower()}")
        text = TAG.sub("", rest if closing < 0 else rest[:closing])
        return f'<{match.group(1)}{match.group(2)} dir="{text_direction(text)}">'

    return mark_safe(BLOCKS.sub(add_dir, html))  # noqa: S308 - adds attributes to safe HTML


# --- Names of high-risk people ----------------------------------------------------------------


def name_redactor(people: Iterable[Participant]) -> Callable[[str], str]:
    """A function replacing these people's full and native names (in any case, with any
    spacing) and each longer part of them by their pseudonym. Longest names first, so a
    full name wins over its parts; parts only as whole words."""
    replacements: dict[str, str] = {}
    for person in people:
        code = safety.pseudonym(person)
        for name in (person.full_name, person.native_name):
            name = unicodedata.normalize("NFC", name or "").strip()
            if not name:
                continue
            replacements.setdefault(name.casefold(), code)
            for part in name.split():
                if len(part) >= MIN_NAME_PART:
                    replacements.setdefault(part.casefold(), code)
    if not replacements:
        return lambda text: text
    names = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in names)
        + r")(?!\w)",
        re.IGNORECASE,
    )

    def redact(text: str) -> str:
        text = unicodedata.normalize("NFC", text or "")
        return pattern.sub(
            lambda match: replacements[" ".join(match.group(0).split()).casefold()], text
        )

    return redact


def high_risk_people(workshop: Workshop) -> list[Participant]:
    """Everyone high-risk connected to the workshop: invited, present, or owning an action."""
    connected = (
        Q(pk__in=workshop.invitations.values("participant_id"))
        | Q(pk__in=Attendance.objects.filter(session__workshop=workshop).values("participant_id"))
        | Q(pk__in=workshop.follow_up_actions.values("owner_participant_id"))
    )
    return list(
        Participant.objects.filter(connected, risk_level=RiskLevel.HIGH).only(
            "pk", "full_name", "native_name", "risk_level"
        )
    )


# --- The report -------------------------------------------------------------------------------


@dataclass
class AttendanceTable:
    """People present in at least one session, sectors by communities."""

    communities: list[str]
    rows: list[tuple[str, list[int], int]]  # sector, count per community, row total
    column_totals: list[int]
    total: int

    def count(self, sector: str, community: str) -> int:
        for name, counts, _total in self.rows:
            if name == sector:
                return counts[self.communities.index(community)]
        return 0


@dataclass
class ReportNote:
    title: str
    title_dir: str
    session: str
    html: SafeString
    themes: list[str]


@dataclass
class ReportAction:
    description: str
    description_dir: str
    owner: str
    due_on: object
    status: str
    status_label: str


@dataclass
class Report:
    workshop: Workshop
    title: str
    title_dir: str
    discreet: bool
    program: str
    format: str
    status: str
    starts: datetime
    ends: datetime
    time_zone: str
    venue: str
    languages: list[str]
    facilitators: list[str]
    objectives: SafeString
    attendance: AttendanceTable
    invited: int
    accepted: int
    sessions: int
    notes: list[ReportNote] = field(default_factory=list)
    actions: list[ReportAction] = field(default_factory=list)


def _venue(workshop: Workshop) -> str:
    parts = [workshop.venue_name, workshop.venue_city]
    if workshop.venue_country:
        parts.append(str(countries.name(workshop.venue_country)))
    return ", ".join(part for part in parts if part)


def attendance_table(workshop: Workshop) -> AttendanceTable:
    """Counts of distinct people present, by sector and community (two queries)."""
    present = Attendance.objects.filter(session__workshop=workshop, status=AttendanceStatus.PRESENT)
    groups = list(
        present.values(
            "participant__sector__name",
            "participant__sector__position",
            "participant__community__name",
        )
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    )
    total = present.values("participant").distinct().count()
    no_community = _("No community")
    communities = sorted({g["participant__community__name"] or no_community for g in groups})
    sectors = sorted(
        {(g["participant__sector__position"], g["participant__sector__name"]) for g in groups}
    )
    cells: dict[tuple[str, str], int] = {}
    for g in groups:
        key = (g["participant__sector__name"], g["participant__community__name"] or no_community)
        cells[key] = cells.get(key, 0) + g["n"]
    rows = []
    for _position, sector in sectors:
        counts = [cells.get((sector, community), 0) for community in communities]
        rows.append((sector, counts, sum(counts)))
    column_totals = [sum(row[1][i] for row in rows) for i in range(len(communities))]
    return AttendanceTable(communities, rows, column_totals, total)


def shareable_actions(workshop: Workshop) -> QuerySet[FollowUpAction]:
    """The actions that may leave the team: not dropped, and not agreed in a restricted or
    team note (the report and the participants' thank-you email both list these)."""
    return (
        FollowUpAction.objects.filter(workshop=workshop)
        .exclude(status=ActionStatus.DROPPED)
        .filter(Q(note__isnull=True) | Q(note__level=NoteLevel.SHAREABLE))
        .order_by("due_on", "pk")
    )


def workshop_report(workshop: Workshop) -> Report:
    """Everything the shareable report shows, in a fixed number of queries. The caller has
    checked the viewer may see the workshop; nothing here depends on who is looking."""
    program = workshop.program
    discreet = program.discreet_mode
    redact = name_redactor(high_risk_people(workshop))
    title = (workshop.code_name or _("Workshop")) if discreet else workshop.title
    invitations = workshop.invitations.aggregate(
        invited=Count("pk", filter=~Q(status__in=["draft", "withdrawn"])),
        accepted=Count("pk", filter=Q(status="accepted")),
    )
    notes = (
        SessionNote.objects.filter(workshop=workshop, level=NoteLevel.SHAREABLE)
        .select_related("session")
        .prefetch_related("themes")
        .order_by("session__starts_at", "created_at", "pk")
    )
    actions = shareable_actions(workshop).select_related("owner_user", "owner_participant")
    return Report(
        workshop=workshop,
        title=title,
        title_dir=text_direction(title),
        discreet=discreet,
        program="" if discreet else program.name,
        format=workshop.get_format_display(),
        status=workshop.get_status_display(),
        starts=workshop.local_starts_at(),
        ends=workshop.local_ends_at(),
        time_zone=workshop.time_zone,
        venue="" if discreet else _venue(workshop),
        languages=[str(language) for language in workshop.working_languages.all()],
        facilitators=[
            user.get_full_name() or user.get_username()
            for user in workshop.facilitators.order_by("first_name", "last_name")
        ],
        objectives=directed(render_markdown(redact(workshop.objectives))),
        attendance=attendance_table(workshop),
        invited=invitations["invited"],
        accepted=invitations["accepted"],
        sessions=workshop.sessions.count(),
        notes=[
            ReportNote(
                title=redact(note.title),
                title_dir=text_direction(redact(note.title)),
                session=note.session.title if note.session_id else "",
                html=directed(render_markdown(redact(note.body))),
                themes=[theme.name for theme in note.themes.all()],
            )
            for note in notes
        ],
        actions=[_report_action(action, redact) for action in actions],
    )


def _report_action(action: FollowUpAction, redact: Callable[[str], str]) -> ReportAction:
    if action.owner_user_id:
        owner = action.owner_user.get_full_name() or action.owner_user.get_username()
    elif action.owner_participant_id:
        owner = safety.public_identity(action.owner_participant).full_name
    else:
        owner = ""
    description = redact(action.description)
    return ReportAction(
        description=description,
        description_dir=text_direction(description),
        owner=owner,
        due_on=action.due_on,
        status=action.status,
        status_label=action.get_status_display(),
    )


# --- The PDF ----------------------------------------------------------------------------------


def _static_only(static_dir: str):
    """A WeasyPrint fetcher that reads our own static files (stylesheet, fonts) and nothing
    else: a link in a note must never make the server fetch a URL."""
    from weasyprint.urls import URLFetcher, path2url

    prefix = path2url(static_dir.rstrip("/") + "/")

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):
            if not url.startswith(prefix) or ".." in url:
                raise ValueError(f"The report PDF may not fetch {url!r}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols={"file"})


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF, fonts embedded (Latin, Greek, Arabic and Hebrew)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    css_path = finders.find(REPORT_CSS)
    static_dir = css_path[: -len(REPORT_CSS)]
    fetcher = _static_only(static_dir)
    fonts = FontConfiguration()  # @font-face rules load only through one of these
    html = render_to_string("workshops/report/report_pdf.html", {"report": report})
    return HTML(string=html, base_url=static_dir, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=css_path, url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts,
    )
