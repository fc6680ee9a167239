"""Printable rosters of a workshop: a PDF sign-in sheet and PDF name badges (WeasyPrint).

Who is on the roster is chosen by the user (everyone invited and not declined, those who
accepted, or those present at a session). Every person appears through
``participants.safety.public_identity``: high-risk people are pseudonymised unless an admin
explicitly reveals them, and every export is written to the audit log (ids and counts only).

A *Chatham House* sign-in sheet prints no names at all: numbered lines where people write
their own name and sign, so no list of who was invited lies on a table at the venue. Badges
exist to show a name, so they have no Chatham House form.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import models
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit, permissions
from core.models import User
from participants.models import Participant
from participants.safety import public_identity
from workshops.models import AttendanceStatus, InvitationStatus, Workshop

FONT_FILES = {
    # family name: (regular file, bold file) under static/vendor/fonts/
    "OB Latin": ("noto-sans-latin-400-normal.woff", "noto-sans-latin-700-normal.woff"),
    "OB Latin Ext": ("noto-sans-latin-ext-400-normal.woff", "noto-sans-latin-ext-700-normal.woff"),
    "OB Greek": ("noto-sans-greek-400-normal.woff", "noto-sans-greek-700-normal.woff"),
    "OB Arabic": (
        "noto-sans-arabic-arabic-400-normal.woff",
        "noto-sans-arabic-arabic-700-normal.woff",
    ),
    "OB Hebrew": (
        "noto-sans-hebrew-hebrew-400-normal.woff",
        "noto-sans-hebrew-hebrew-700-normal.woff",
    ),
}
BADGES_PER_PAGE = 8
BADGES_PER_ROW = 2
# Checked again here because it goes into a style attribute of the PDF's HTML.
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class RosterScope(models.TextChoices):
    INVITED = "invited", _("Everyone invited (not declined)")
    ACCEPTED = "accepted", _("Accepted")
    ATTENDED = "attended", _("Attended (present at a session)")


class PaperSize(models.TextChoices):
    A4 = "a4", _("A4")
    LETTER = "letter", _("US Letter")


class RosterPdfKind(models.TextChoices):
    SIGN_IN = "pdf-signin", _("Sign-in sheet")
    BADGES = "pdf-badges", _("Name badges")


class RosterExportError(Exception):
    """An export the rules refuse; the message is shown to the user."""


@dataclass(frozen=True)
class RosterLine:
    """One person as a printed roster shows them."""

    number: int
    participant_id: int
    full_name: str
    native_name: str
    organisation: str
    community: str
    colour: str
    pseudonymised: bool

    @property
    def name_dir(self) -> str:
        return text_direction(self.full_name)

    @property
    def native_dir(self) -> str:
        return text_direction(self.native_name)

    @property
    def organisation_dir(self) -> str:
        return text_direction(self.organisation)


@dataclass(frozen=True)
class RosterPdf:
    content: bytes
    filename: str
    count: int


def text_direction(text: str) -> str:
    """``rtl`` when the first letter with a direction is Arabic or Hebrew, else ``ltr``:
    what ``dir="auto"`` means, decided here so WeasyPrint aligns the line right too."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# --- Who may print, and who is printed ---------------------------------------------------------


def may_export_roster(user: User, workshop: Workshop) -> bool:
    """Admins, the program's staff and the workshop's own facilitators: the people who run
    the room. Observers and facilitators of other workshops may not."""
    if permissions.is_admin(user):
        return True
    if not permissions.can_view(user, workshop):
        return False
    return (
        permissions.can_change(user, workshop) or workshop.facilitators.filter(pk=user.pk).exists()
    )


def roster_participants(workshop: Workshop, scope: str) -> QuerySet[Participant]:
    """The people on this roster, erased people left out (their names are gone anyway)."""
    people = Participant.objects.filter(erased_at__isnull=True)
    if scope == RosterScope.INVITED:
        people = people.filter(
            pk__in=workshop.invitations.filter(
                status__in=[InvitationStatus.INVITED, InvitationStatus.ACCEPTED]
            ).values("participant_id")
        )
    elif scope == RosterScope.ACCEPTED:
        people = people.filter(
            pk__in=workshop.invitations.filter(status=InvitationStatus.ACCEPTED).values(
                "participant_id"
            )
        )
    elif scope == RosterScope.ATTENDED:
        from workshops.models import Attendance

        people = people.filter(
            pk__in=Attendance.objects.filter(
                session__workshop=workshop, status=AttendanceStatus.PRESENT
            ).values("participant_id")
        )
    else:
        raise RosterExportError(f"Unknown roster: {scope}")
    return people.select_related("community")


def roster_lines(
    workshop: Workshop, scope: str, *, reveal_high_risk: bool = False
) -> list[RosterLine]:
    """Numbered lines in the order of the printed name (a pseudonym sorts as itself, so the
    position of a pseudonymised person says nothing of their real name)."""
    people = []
    for participant in roster_participants(workshop, scope):
        identity = public_identity(participant, reveal_high_risk=reveal_high_risk)
        community = participant.community
        people.append(
            (
                identity,
                participant.pk,
                "" if identity.pseudonymised or community is None else community.name,
                ""
                if identity.pseudonymised
                or community is None
                or not HEX_COLOUR.fullmatch(community.colour)
                else community.colour,
            )
        )
    people.sort(key=lambda row: (row[0].full_name.casefold(), row[1]))
    return [
        RosterLine(
            number=number,
            participant_id=pk,
            full_name=identity.full_name,
            native_name=identity.native_name,
            organisation=identity.organisation,
            community=community,
            colour=colour,
            pseudonymised=identity.pseudonymised,
        )
        for number, (identity, pk, community, colour) in enumerate(people, start=1)
    ]


# --- Rendering ---------------------------------------------------------------------------------


def _font_faces() -> list[dict[str, str]]:
    faces = []
    for family, files in FONT_FILES.items():
        for weight, name in zip(("400", "700"), files, strict=True):
            path = finders.find(f"vendor/fonts/{name}")
            if path:
                faces.append({"family": family, "weight": weight, "url": Path(path).as_uri()})
    return faces


def workshop_facts(workshop: Workshop) -> dict[str, str]:
    """What the header says. A discreet program's workshop goes by its code name, and its
    venue stays off paper that may be left lying around."""
    discreet = workshop.program.discreet_mode
    starts, ends = workshop.local_starts_at(), workshop.local_ends_at()
    when = f"{starts:%d %b %Y %H:%M} – " + (
        f"{ends:%H:%M}" if starts.date() == ends.date() else f"{ends:%d %b %Y %H:%M}"
    )
    venue = ""
    if not discreet:
        venue = ", ".join(
            part
            for part in (
                workshop.venue_name,
                workshop.venue_city,
                workshop.venue_country.name if workshop.venue_country else "",
            )
            if part
        )
    title = (workshop.code_name or workshop.title) if discreet else workshop.title
    return {
        "title": title,
        "title_dir": text_direction(title),
        "program": "" if discreet else workshop.program.name,
        "when": f"{when} ({workshop.time_zone})",
        "venue": venue,
    }


def render_roster_html(
    *,
    workshop: Workshop,
    kind: str,
    scope: str,
    paper: str,
    lines: list[RosterLine],
    chatham_house: bool = False,
    community_colour: bool = False,
    printed_at: datetime | None = None,
) -> str:
    """The HTML WeasyPrint lays out (also handy to look at in a browser)."""
    printed_at = printed_at or timezone.now()
    context = {
        "workshop": workshop,
        "facts": workshop_facts(workshop),
        "scope_label": RosterScope(scope).label,
        "paper": PaperSize(paper),
        "page_size": "A4" if paper == PaperSize.A4 else "letter",
        "lines": lines,
        "any_pseudonymised": any(line.pseudonymised for line in lines),
        "chatham_house": chatham_house,
        "community_colour": community_colour,
        "printed_at": printed_at.astimezone(workshop.venue_zone),
        "font_faces": _font_faces(),
        # Pages of rows of badges: a table lays them out to the millimetre for cutting.
        "badge_pages": [
            [
                lines[row : row + BADGES_PER_ROW]
                for row in range(page, min(page + BADGES_PER_PAGE, len(lines)), BADGES_PER_ROW)
            ]
            for page in range(0, len(lines), BADGES_PER_PAGE)
        ],
    }
    template = (
        "workshops/rosters/pdf/sign_in_sheet.html"
        if kind == RosterPdfKind.SIGN_IN
        else "workshops/rosters/pdf/badges.html"
    )
    return render_to_string(template, context)


def render_roster_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = finders.find("vendor/fonts/" + FONT_FILES["OB Latin"][0])
    allowed = Path(fonts).parent.as_uri() + "/" if fonts else None

    class FontsOnly(URLFetcher):
        """The vendored fonts and nothing else: no network, no other file on the server."""

        def fetch(self, url, headers=None):
            if allowed is None or not url.startswith(allowed) or ".." in url:
                raise ValueError(f"Not fetched for a roster PDF: {url}")
            return super().fetch(url, headers)

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=FontsOnly()).write_pdf(
        font_config=FontConfiguration()
    )


# --- The export, audited -----------------------------------------------------------------------


def roster_pdf_export(
    *,
    workshop: Workshop,
    by: User,
    kind: str,
    scope: str,
    paper: str = PaperSize.A4,
    reveal_high_risk: bool = False,
    chatham_house: bool = False,
    community_colour: bool = False,
) -> RosterPdf:
    """Render the sign-in sheet or badges and write the audit event; refuses what the
    rules forbid even if a form let it through."""
    if not may_export_roster(by, workshop):
        raise RosterExportError("You may not print this workshop's roster.")
    if kind not in RosterPdfKind.values:
        raise RosterExportError(f"Unknown document: {kind}")
    if paper not in PaperSize.values:
        raise RosterExportError(f"Unknown paper size: {paper}")
    if reveal_high_risk and not permissions.is_admin(by):
        raise RosterExportError("Only an admin may reveal high-risk participants.")
    if kind == RosterPdfKind.BADGES and chatham_house:
        raise RosterExportError("Badges show names: there is no Chatham House form of them.")
    if chatham_house:
        reveal_high_risk = False
    lines = roster_lines(workshop, scope, reveal_high_risk=reveal_high_risk)
    html = render_roster_html(
        workshop=workshop,
        kind=kind,
        scope=scope,
        paper=paper,
        lines=lines,
        chatham_house=chatham_house,
        community_colour=community_colour and kind == RosterPdfKind.BADGES,
    )
    content = render_roster_pdf(html)
    if chatham_house:
        columns = ["number", "signature"]
    elif kind == RosterPdfKind.SIGN_IN:
        columns = ["number", "full_name", "native_name", "organisation", "community", "signature"]
    else:
        columns = ["full_name", "native_name", "organisation"] + (
            ["community"] if community_colour else []
        )
    audit.record(
        by,
        "roster.exported",
        workshop,
        workshop=workshop.pk,
        format=kind,
        status=scope,
        paper=paper,
        count=len(lines),
        columns=columns,
        revealed=reveal_high_risk,
        pseudonymised=0 if chatham_house else sum(1 for line in lines if line.pseudonymised),
        chatham_house=chatham_house,
    )
    document = "sign-in" if kind == RosterPdfKind.SIGN_IN else "badges"
    return RosterPdf(
        content=content,
        filename=f"workshop-{workshop.pk}-{document}-{scope}.pdf",
        count=len(lines),
    )
