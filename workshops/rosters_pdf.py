"""Printable rosters of a workshop: a PDF sign-in sheet and PDF name badges (WeasyPrint).

Who is on the roster is chosen by the user (everyone invited and not declined, those who
accepted, or those present at a session). Every person appears through
``participants.safety.public_identity``: high-risk people are pseudonymised unless an admin
explicitly reveals them, and every export is written to the audit log (ids and counts only).

A *Chatham House* sign-in sheet prints no names at all: numbered lines where people write
their own name and sign, so no list of who was invited lies on a table at the venue. Badges
exist to show a name, so they have no Chatham House form.
"""

import functools
import re
import subprocess
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
from participants.exports import access
from participants.models import Participant
from participants.safety import public_identity
from workshops.models import AttendanceStatus, InvitationStatus, Workshop

FONTS_DIR = "vendor/fonts"
# Latin first: a font for another script may carry Latin letters of its own design too.
SCRIPT_ORDER = ("latin-400", "latin-ext-400", "greek-400")
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


@functools.cache
def printable_codepoints() -> frozenset[int]:
    """Every character a font can draw: the vendored ones, and the system's that fontconfig
    falls back to (DejaVu draws Vietnamese, for one). A name in a script no font covers
    (Burmese, until a Myanmar font is vendored) would print as empty boxes."""
    from fontTools.ttLib import TTFont

    files = [regular for _family, regular, _bold in font_files()]
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\\n"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []
    files += [Path(name) for name in listed if name.endswith((".ttf", ".otf", ".ttc"))]
    covered: set[int] = set()
    for path in files:
        try:
            covered.update(TTFont(path, lazy=True, fontNumber=0).getBestCmap() or {})
        except Exception:  # an unreadable system font covers nothing
            continue
    return frozenset(covered)


def printable(text: str) -> bool:
    """Whether the fonts can draw every visible character of ``text``."""
    covered = printable_codepoints()
    return all(
        ord(char) in covered or unicodedata.category(char) in ("Zs", "Cf", "Cc") for char in text
    )


# --- Who may print, and who is printed ---------------------------------------------------------


def may_export_roster(user: User, workshop: Workshop) -> bool:
    """Admins, the program's staff and the workshop's own facilitators: the people who run
    the room. Observers and facilitators of other workshops may not. One rule for every
    roster format: ``access.may_export_workshop``."""
    return access.may_export_workshop(user, workshop)


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
            # Left off rather than printed as empty boxes (the Latin name is always there).
            native_name=identity.native_name if printable(identity.native_name) else "",
            organisation=identity.organisation,
            community=community,
            colour=colour,
            pseudonymised=identity.pseudonymised,
        )
        for number, (identity, pk, community, colour) in enumerate(people, start=1)
    ]


# --- Rendering ---------------------------------------------------------------------------------


@functools.cache
def font_files() -> tuple[tuple[str, Path, Path | None], ...]:
    """(family, regular, bold) for every font vendored under static/vendor/fonts/
    (``<name>-400-normal.woff`` and its ``-700-normal`` twin), Latin first."""
    folder = finders.find(FONTS_DIR)
    if not folder:
        return ()
    found = []
    for regular in Path(folder).glob("*-400-normal.woff"):
        stem = regular.name.removesuffix("-400-normal.woff")
        bold = regular.with_name(f"{stem}-700-normal.woff")
        rank = next(
            (
                i
                for i, key in enumerate(SCRIPT_ORDER)
                if regular.name.endswith(f"-{key}-normal.woff")
            ),
            len(SCRIPT_ORDER),
        )
        found.append((rank, stem, regular, bold if bold.exists() else None))
    return tuple((stem, regular, bold) for _rank, stem, regular, bold in sorted(found))


def _font_faces() -> list[dict[str, str]]:
    faces = []
    for family, regular, bold in font_files():
        faces.append({"family": family, "weight": "400", "url": regular.as_uri()})
        if bold is not None:
            faces.append({"family": family, "weight": "700", "url": bold.as_uri()})
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
        "font_families": ", ".join(f'"{family}"' for family, _r, _b in font_files()),
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

    fonts = finders.find(FONTS_DIR)
    allowed = Path(fonts).as_uri() + "/" if fonts else None

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
        raise RosterExportError(_("You may not print this workshop's roster."))
    if kind not in RosterPdfKind.values:
        raise RosterExportError(f"Unknown document: {kind}")
    if paper not in PaperSize.values:
        raise RosterExportError(f"Unknown paper size: {paper}")
    if reveal_high_risk and not permissions.is_admin(by):
        raise RosterExportError(_("Only an admin may reveal high-risk participants."))
    if kind == RosterPdfKind.BADGES and chatham_house:
        raise RosterExportError(_("Badges show names: there is no Chatham House form of them."))
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
    # The same action and keys as the CSV and XLSX rosters, so one filter finds them all.
    audit.record(
        by,
        "workshop.roster_export",
        workshop,
        kind="workshop",
        workshop=workshop.pk,
        format=kind,
        scope=scope,
        paper=paper,
        rows=len(lines),
        columns=columns,
        pseudonymised=not reveal_high_risk,
        pseudonymised_rows=0 if chatham_house else sum(1 for line in lines if line.pseudonymised),
        chatham_house=chatham_house,
    )
    document = "sign-in" if kind == RosterPdfKind.SIGN_IN else "badges"
    return RosterPdf(
        content=content,
        filename=f"workshop-{workshop.pk}-{document}-{scope}.pdf",
        count=len(lines),
    )
