"""Turning a ScheduledMessage into the email that goes out: wording, language, .ics.

Rendered when sent (and for the staff preview), so a message always describes the workshop
as it is at that moment. Discreet programs' messages use the workshop's code name and leave
out the venue until the person has accepted.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import linebreaks_filter, urlize
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from workshops.models import (
    ActionStatus,
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
    """The programs' templates, looked up once per batch of messages."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], dict[str | None, MessageTemplate]] = {}

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
        with translation.override(shipped):
            subject, body = DEFAULTS[kind]
            return str(subject), str(body), shipped


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


def dates_line(workshop: Workshop) -> str:
    starts, ends = workshop.local_starts_at(), workshop.local_ends_at()
    day = formats.date_format(starts, "DATE_FORMAT")
    if starts.date() == ends.date():
        span = f"{day}, {_time(starts)}–{_time(ends)}"
    else:
        span = f"{day}, {_time(starts)} – {formats.date_format(ends, 'DATE_FORMAT')}, {_time(ends)}"
    return _("%(span)s (%(zone)s time)") % {"span": span, "zone": workshop.time_zone}


def organiser() -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or address


def _actions_summary(workshop: Workshop) -> str:
    actions = FollowUpAction.objects.filter(workshop=workshop).exclude(status=ActionStatus.DROPPED)
    lines = []
    for action in actions.order_by("due_on", "pk"):
        due = (
            _(" (by %(date)s)") % {"date": formats.date_format(action.due_on, "DATE_FORMAT")}
            if action.due_on
            else ""
        )
        lines.append(f"- {action.description.strip()}{due}")
    return "\n".join(lines) or _("(none recorded)")


def _invitation_values(message: ScheduledMessage, invitation: Invitation) -> dict[str, str]:
    workshop = invitation.workshop
    values = {
        "participant_name": invitation.participant.full_name,
        "workshop": workshop_label(workshop),
        "dates": dates_line(workshop),
        "starts": starts_line(workshop),
        "venue": venue_line(workshop)
        if shows_venue(invitation)
        else _("shared once you accept the invitation"),
        "rsvp_link": links.rsvp_url(invitation),
        "organiser": organiser(),
    }
    if message.kind == MessageKind.FOLLOW_UP:
        values["actions"] = _actions_summary(workshop)
        values["feedback_link"] = (
            _("Tell us how it went: %(link)s") % {"link": workshop.feedback_url}
            if workshop.feedback_url
            else ""
        )
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


def render(message: ScheduledMessage, book: TemplateBook | None = None) -> Rendered:
    """The email for ``message`` as it would go out now (also the staff preview)."""
    book = book or TemplateBook()
    address, name, preferred = recipient(message)
    invitation = message.invitation
    action = message.follow_up_action
    workshop = invitation.workshop if invitation else action.workshop
    subject_text, body_text, language = book.wording(workshop.program_id, message.kind, preferred)
    with translation.override(language or settings.LANGUAGE_CODE):
        if invitation is not None:
            values = _invitation_values(message, invitation)
        else:
            values = _action_values(action, name)
        subject = " ".join(fill(subject_text, values).split())
        text = fill(body_text, values).strip() + "\n"
        direction = "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"
        html = render_to_string(
            "workshops/email/message.html",
            {
                "subject": subject,
                "body": mark_safe(linebreaks_filter(urlize(escape(text), autoescape=False))),
                "language": language,
                "direction": direction,
            },
        )
        rendered = Rendered(to=address, subject=subject, text=text, html=html, language=language)
        if invitation is not None and message.kind in WITH_CALENDAR:
            cancel = WITH_CALENDAR[message.kind]
            rendered.calendar = ics.invitation_calendar(
                invitation,
                summary=values["workshop"],
                location=venue_line(workshop) if shows_venue(invitation) else "",
                description=values["rsvp_link"] if not cancel else "",
                cancel=cancel,
            )
            rendered.calendar_method = "CANCEL" if cancel else "REQUEST"
    return rendered


def email_for(
    message: ScheduledMessage, rendered: Rendered, connection=None
) -> EmailMultiAlternatives:
    """One email to one address: never a shared To, Cc or Bcc list."""
    email = EmailMultiAlternatives(
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
