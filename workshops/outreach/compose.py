"""Turning a ScheduledMessage into the email that goes out: wording, language, .ics.

Rendered when sent (and for the staff preview), so a message always describes the workshop
as it is at that moment. Discreet programs' messages use the workshop's code name and leave
out the venue until the person has accepted.
"""

import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.generator import NLCRE
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formatdate, parseaddr
from functools import cached_property, lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.template.defaultfilters import linebreaks_filter, urlize
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from workshops.models import (
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageTemplate,
    ScheduledMessage,
    Workshop,
)
from workshops.outreach import ics, links
from workshops.outreach.defaults import DEFAULTS
from workshops.outreach.placeholders import fill

T = TypeVar("T")
SHIPPED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "ckb", "yi"}
WITH_CALENDAR = {
    MessageKind.INVITATION: False,
    MessageKind.UPDATE: False,
    MessageKind.SEAT_OFFER: False,
    MessageKind.CANCELLATION: True,  # the value says: METHOD:CANCEL
}


def message_id_for(dedupe_key: str) -> str:
    """A stable Message-ID: a re-sent copy of the same message carries the same one, and it
    says nothing about whom or what the message is about."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), dedupe_key.encode(), hashlib.sha256
    ).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "olive-branch.invalid"
    return f"<{digest}@{domain}>"


@dataclass
class Rendered:
    to: str
    subject: str
    text: str
    html: str
    language: str
    calendar: bytes | None = None
    calendar_method: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class TemplateBook:
    """The programs' templates, looked up once per batch of messages, and what a batch's
    messages share (a workshop's label, dates and venue in one language)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], dict[str | None, MessageTemplate]] = {}
        self._shared: dict[tuple, object] = {}
        self.calendars = ics.CalendarBook()

    @cached_property
    def links(self) -> links.RsvpLinks:
        return links.RsvpLinks()

    def shared(self, key: tuple, make: Callable[[], T]) -> T:
        """``make()`` once per batch for ``key``; the batch is rendered within a second or
        so, and its rows were loaded together, so they see the same workshop anyway."""
        if key not in self._shared:
            self._shared[key] = make()
        return self._shared[key]  # type: ignore[return-value]

    def wording(self, program_id: int, kind: str, language: str) -> tuple[str, str, str]:
        """(subject, body, language to format in) for a recipient who prefers ``language``."""
        key = (program_id, kind)
        if key not in self._cache:
            self._cache[key] = {
                t.language_id: t
                for t in MessageTemplate.objects.filter(program_id=program_id, kind=kind)
            }
        templates = self._cache[key]
        if language and language in templates:
            chosen = templates[language]
            return chosen.subject, chosen.body, language
        if None in templates:
            chosen = templates[None]
            return chosen.subject, chosen.body, settings.LANGUAGE_CODE
        shipped = language if language in SHIPPED_LANGUAGES else settings.LANGUAGE_CODE
        return self.shared(("built-in", kind, shipped), lambda: _built_in(kind, shipped))

    def page(self, *, subject: str, body: str, language: str, direction: str) -> str:
        """The email's HTML page: ``HTML_TEMPLATE`` rendered once per batch and language with
        stand-ins for the subject and body, which each message's own take the place of
        (escaped as the template escapes them). A test compares it with rendering each."""
        parts = self.shared(("page", language, direction), lambda: _page(language, direction))
        values = (conditional_escape(subject), conditional_escape(body))
        out = [parts[0]]
        for position in range(1, len(parts), 2):
            out += [values[parts[position]], parts[position + 1]]
        return "".join(out)


HTML_TEMPLATE = "workshops/email/message.html"


def _built_in(kind: str, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject, body = DEFAULTS[kind]
        return str(subject), str(body), language


def _page(language: str, direction: str) -> list:
    """The page around its subject and body: [text, 0 or 1 (subject or body), text, …]."""
    stand_ins = [secrets.token_hex(16) for _ in range(2)]
    page = render_to_string(
        HTML_TEMPLATE,
        {
            "subject": stand_ins[0],
            "body": mark_safe(stand_ins[1]),
            "language": language,
            "direction": direction,
        },
    )
    pieces = re.split(f"({stand_ins[0]}|{stand_ins[1]})", page)
    return [piece if n % 2 == 0 else stand_ins.index(piece) for n, piece in enumerate(pieces)]


def workshop_label(workshop: Workshop) -> str:
    if workshop.program.discreet_mode:
        return workshop.code_name or _("Our next meeting")
    return workshop.title


def venue_line(workshop: Workshop) -> str:
    parts = [workshop.venue_name, workshop.venue_address, workshop.venue_city]
    if workshop.venue_country:
        parts.append(str(countries.name(workshop.venue_country)))
    return ", ".join(part for part in parts if part) or _("To be confirmed")


def shows_venue(invitation: Invitation) -> bool:
    return (
        not invitation.workshop.program.discreet_mode
        or invitation.status == InvitationStatus.ACCEPTED
    )


def _time(moment) -> str:
    return formats.time_format(moment, "TIME_FORMAT")


def starts_line(workshop: Workshop) -> str:
    starts = workshop.local_starts_at()
    return f"{formats.date_format(starts, 'DATE_FORMAT')}, {_time(starts)}"


def utc_offset(moment) -> str:
    """``UTC+03:00``: a moment's offset, which many places share, unlike a zone's name."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def dates_line(workshop: Workshop, *, reveal_zone: bool = True) -> str:
    """Start and end in the venue's time zone. ``reveal_zone=False`` (a discreet program
    before acceptance) names the UTC offset instead: "Asia/Jerusalem" says where."""
    starts, ends = workshop.local_starts_at(), workshop.local_ends_at()
    day = formats.date_format(starts, "DATE_FORMAT")
    if starts.date() == ends.date():
        span = f"{day}, {_time(starts)}–{_time(ends)}"
    else:
        span = f"{day}, {_time(starts)} – {formats.date_format(ends, 'DATE_FORMAT')}, {_time(ends)}"
    if not reveal_zone:
        return f"{span} ({utc_offset(starts)})"
    return _("%(span)s (%(zone)s time)") % {"span": span, "zone": workshop.time_zone}


def organiser() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or address


def _actions_summary(workshop: Workshop) -> str:
    """The thank-you lists what the shareable report lists: nothing from a restricted or
    team note, and high-risk people's names replaced by their pseudonym."""
    from workshops import report  # the report module renders PDFs: loaded only when needed

    redact = report.name_redactor(report.high_risk_people(workshop))
    lines = []
    for action in report.shareable_actions(workshop):
        due = (
            _(" (by %(date)s)") % {"date": formats.date_format(action.due_on, "DATE_FORMAT")}
            if action.due_on
            else ""
        )
        lines.append(f"- {redact(action.description.strip())}{due}")
    return "\n".join(lines) or _("(none recorded)")


def _workshop_values(workshop: Workshop, kind: str) -> dict[str, str]:
    """What every invitee's message about ``workshop`` says alike (in the active language)."""
    values = {
        "workshop": workshop_label(workshop),
        "dates": dates_line(workshop),
        "dates_discreet": dates_line(workshop, reveal_zone=False),
        "starts": starts_line(workshop),
        "venue": venue_line(workshop),
        "venue_hidden": _("shared once you accept the invitation"),
        "organiser": organiser(),
    }
    if kind == MessageKind.FOLLOW_UP:
        values["actions"] = _actions_summary(workshop)
        values["feedback_link"] = (
            _("Tell us how it went: %(link)s") % {"link": workshop.feedback_url}
            if workshop.feedback_url
            else ""
        )
    return values


def _invitation_values(
    message: ScheduledMessage, invitation: Invitation, book: TemplateBook
) -> dict[str, str]:
    workshop = invitation.workshop
    key = ("workshop", workshop.pk, translation.get_language(), message.kind)
    values = dict(book.shared(key, lambda: _workshop_values(workshop, message.kind)))
    hidden, discreet_dates = values.pop("venue_hidden"), values.pop("dates_discreet")
    if not shows_venue(invitation):
        values["venue"] = hidden
        values["dates"] = discreet_dates
    values["participant_name"] = invitation.participant.full_name
    values["rsvp_link"] = book.links.url(invitation)
    return values


def _action_values(action: FollowUpAction, owner_name: str) -> dict[str, str]:
    return {
        "owner_name": owner_name,
        "action": action.description.strip(),
        "due_date": formats.date_format(action.due_on, "DATE_FORMAT") if action.due_on else "",
        "workshop": workshop_label(action.workshop),
        "organiser": organiser(),
    }


def recipient(message: ScheduledMessage) -> tuple[str, str, str]:
    """(address, name, preferred language) of whoever the message is for."""
    if message.recipient_participant_id:
        person = message.recipient_participant
        return person.email, person.full_name, person.preferred_language_id or ""
    user = message.recipient_user
    return user.email, str(user), user.language or ""


def _linked(line: str) -> str:
    """One line, escaped, its links clickable. A link reads left to right inside Arabic or
    Hebrew text too, and a long one may break anywhere rather than widen a phone's screen."""
    if not any(mark in line for mark in ".@:"):
        return escape(line)  # what urlize gives: it only looks at words with one of these
    return urlize(escape(line), autoescape=False).replace(
        "<a href=", '<a dir="ltr" style="word-break:break-all" href='
    )


def html_body(text: str, book: TemplateBook | None = None, *, token: str = "") -> str:
    """The plain text as HTML paragraphs with its links made clickable.

    Line by line, and each distinct line once per batch: most lines of a batch's messages
    are the same template text, and ``urlize`` is slow. The result is what the whole text
    at once gives (``urlize`` treats every word on its own).

    ``token``: the recipient's RSVP token. A line holding it (their link) is linked once per
    batch with a stand-in of the same length, hex, in its place: neither kind of character
    is changed by escaping or quoting, and it sits inside the link, so only it differs."""
    book = book or TemplateBook()
    if len(token) < 32:  # a signed token is longer: its signature alone is 43 characters
        token = ""
    stand_in = book.shared(("stand-in", len(token)), lambda: _stand_in(len(token)))
    lines = []
    for line in text.split("\n"):
        if token and token in line:
            shared = line.replace(token, stand_in)
            linked = book.shared(("line", shared), lambda line=shared: _linked(line))
            lines.append(linked.replace(stand_in, token))
        else:
            lines.append(book.shared(("line", line), lambda line=line: _linked(line)))
    return mark_safe(linebreaks_filter(mark_safe("\n".join(lines))))


def _stand_in(length: int) -> str:
    """``length`` hex digits, the first 32 random: no text can hold them by chance."""
    return (secrets.token_hex(16) * (length // 32 + 1))[:length]


def render(message: ScheduledMessage, book: TemplateBook | None = None) -> Rendered:
    """The email for ``message`` as it would go out now (also the staff preview)."""
    book = book or TemplateBook()
    address, name, preferred = recipient(message)
    invitation = message.invitation
    action = message.follow_up_action
    workshop = invitation.workshop if invitation else action.workshop
    subject_text, body_text, language = book.wording(workshop.program_id, message.kind, preferred)
    with translation.override(language or settings.LANGUAGE_CODE):
        token = ""
        if invitation is not None:
            values = _invitation_values(message, invitation, book)
            token = book.links.token_in(values["rsvp_link"])
        else:
            values = _action_values(action, name)
        subject = " ".join(fill(subject_text, values).split())
        text = fill(body_text, values).strip() + "\n"
        direction = "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"
        html = book.page(
            subject=subject,
            body=html_body(text, book, token=token),
            language=language,
            direction=direction,
        )
        rendered = Rendered(to=address, subject=subject, text=text, html=html, language=language)
        if invitation is not None and message.kind in WITH_CALENDAR:
            cancel = WITH_CALENDAR[message.kind]
            rendered.calendar = ics.invitation_calendar(
                invitation,
                summary=values["workshop"],
                location=values["venue"] if shows_venue(invitation) else "",
                reveal_zone=shows_venue(invitation),
                description=values["rsvp_link"] if not cancel else "",
                cancel=cancel,
                book=book.calendars,
            )
            rendered.calendar_method = "CANCEL" if cancel else "REQUEST"
    return rendered


class _QuickHeaders(Compat32):
    """Django's email policy (compat32), but a header that fits on one line as it is,
    ASCII without line breaks, is written as it is instead of through ``Header.encode``:
    the same bytes (which that would give, and a test checks), at a fraction of the cost."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= (self.max_line_length or 78)
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


QUICK_HEADERS = _QuickHeaders()
QUICK_HEADERS_CRLF = QUICK_HEADERS.clone(linesep="\r\n")


def _boundary() -> str:
    return f"==============={secrets.token_hex(16)}=="


class _Email(EmailMultiAlternatives):
    """An email that costs less to write out: its MIME boundaries are chosen up front (the
    standard library otherwise picks one by trial, compiling a new regular expression for
    every part; 128 random bits cannot occur in the text by chance, and nobody who writes
    the text can know them), and its headers go through ``_QuickHeaders``."""

    def message(self, *args, **kwargs):
        mime = super().message(*args, **kwargs)
        for part in mime.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(_boundary())
        mime.policy = QUICK_HEADERS
        return mime


def email_for(
    message: ScheduledMessage, rendered: Rendered, connection=None
) -> EmailMultiAlternatives:
    """One email to one address: never a shared To, Cc or Bcc list."""
    email = _Email(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rendered.to],
        connection=connection,
        headers={
            "Message-ID": message.message_id or message_id_for(message.dedupe_key),
            "Content-Language": rendered.language,
            "X-Olive-Branch-Kind": message.kind,
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    if rendered.calendar is not None:
        part = MIMEText(rendered.calendar.decode("utf-8"), "calendar", "utf-8")
        part.set_param("method", rendered.calendar_method)
        part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
        email.attach(part)
    return email


# --- The same email, written straight to bytes -------------------------------------------------


def _header(name: str, value: str) -> bytes:
    """One header as ``email_for(...).message().as_bytes(linesep="\\r\\n")`` writes it: the
    same checks and encoding (Django's), the same folding (``QUICK_HEADERS``)."""
    if (
        value.isascii()
        and len(name) + len(value) + 2 <= QUICK_HEADERS_CRLF.max_line_length
        and "\n" not in value
        and "\r" not in value
        and name.lower() != "subject"
    ):  # what both leave as it is: short ASCII, and not a Subject (Django encodes those)
        return f"{name}: {value}\r\n".encode()
    name, value = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    return QUICK_HEADERS_CRLF.fold_binary(name, value)


@lru_cache(maxsize=16)
def _multipart_header(subtype: str) -> tuple[bytes, str]:
    """(Content-Type header of a multipart with a stand-in boundary, that stand-in): folding
    depends on the boundary's length only (it has no spaces nor separators)."""
    stand_in = "B" * len(_boundary())
    return _header("Content-Type", f'multipart/{subtype}; boundary="{stand_in}"'), stand_in


def _multipart_headers(subtype: str, boundary: str) -> bytes:
    folded, stand_in = _multipart_header(subtype)
    return folded.replace(stand_in.encode(), boundary.encode()) + _header("MIME-Version", "1.0")


@lru_cache(maxsize=16)
def _text_headers(subtype: str, transfer_encoding: str) -> bytes:
    return (
        _header("Content-Type", f'text/{subtype}; charset="utf-8"')
        + _header("MIME-Version", "1.0")
        + _header("Content-Transfer-Encoding", transfer_encoding)
        + b"\r\n"
    )


@lru_cache(maxsize=4)
def _calendar_headers(method: str) -> bytes:
    return (
        _header("MIME-Version", "1.0")
        + _header("Content-Transfer-Encoding", "base64")
        + _header("Content-Type", f'text/calendar; charset="utf-8"; method="{method}"')
        + _header("Content-Disposition", 'attachment; filename="invitation.ics"')
        + b"\r\n"
    )


def _lines(text: str) -> bytes:
    """Line ends as the generator writes them (any of \\r\\n, \\r, \\n becomes \\r\\n)."""
    if "\r" not in text:
        return text.replace("\n", "\r\n").encode()
    return "\r\n".join(NLCRE.split(text)).encode()


def _base64_lines(data: bytes) -> bytes:
    """``email.base64mime.body_encode(data)`` with \\r\\n ends, in one go: it encodes 57
    bytes (76 characters, whole groups of 3) a line, so cutting the whole encoding every
    76 characters gives the same lines."""
    encoded = binascii.b2a_base64(data, newline=False)
    return b"".join(encoded[at : at + 76] + b"\r\n" for at in range(0, len(encoded), 76))


def _text_part(text: str, subtype: str) -> bytes:
    transfer_encoding = "7bit" if text.isascii() else "8bit"
    return _text_headers(subtype, transfer_encoding) + _lines(text)


def _writes_plainly(text: str) -> bool:
    """Django sends text with a line over RFC 5322's limit as quoted-printable instead."""
    return bool(text) and not any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in text.splitlines()
    )


# An address Django's ``sanitize_address`` gives back unchanged: a dot-atom before the @ and
# ASCII labels of 1 to 63 letters, digits and inner hyphens after it (nothing to quote,
# encode or punycode). A test compares the two on many addresses.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*")


def envelope_address(address: str) -> str:
    """The address as Django's SMTP backend puts it in the envelope (``sanitize_address``),
    without parsing the plain ones that most are."""
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def wire_bytes(message: ScheduledMessage, rendered: Rendered) -> bytes | None:
    """What ``email_for(message, rendered).message().as_bytes(linesep="\\r\\n")`` gives (but
    for the random MIME boundaries and the Date), written straight from the parts whose
    layout is always the same: a tenth of the cost of building and flattening the MIME
    tree. None for what only that path writes (quoted-printable for over-long lines,
    another charset): send ``email_for``'s message then. A test compares the two."""
    if (
        settings.DEFAULT_CHARSET.lower() != "utf-8"
        or not _writes_plainly(rendered.text)
        or not _writes_plainly(rendered.html)
    ):
        return None
    headers = [
        _header("Subject", rendered.subject),
        _header("From", settings.DEFAULT_FROM_EMAIL),
        _header("To", rendered.to),
        _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        _header("Message-ID", message.message_id or message_id_for(message.dedupe_key)),
        _header("Content-Language", rendered.language),
        _header("X-Olive-Branch-Kind", message.kind),
        b"\r\n",
    ]
    alternative = _boundary()
    body = [
        b"--%s\r\n" % alternative.encode(),
        _text_part(rendered.text, "plain"),
        b"\r\n--%s\r\n" % alternative.encode(),
        _text_part(rendered.html, "html"),
        b"\r\n--%s--\r\n" % alternative.encode(),
    ]
    if rendered.calendar is None:
        return _multipart_headers("alternative", alternative) + b"".join(headers + body)
    mixed = _boundary()
    return b"".join(
        [
            _multipart_headers("mixed", mixed),
            *headers,
            b"--%s\r\n" % mixed.encode(),
            _multipart_headers("alternative", alternative),
            b"\r\n",
            *body,
            b"\r\n--%s\r\n" % mixed.encode(),
            _calendar_headers(rendered.calendar_method),
            _base64_lines(rendered.calendar),
            b"\r\n--%s--\r\n" % mixed.encode(),
        ]
    )
