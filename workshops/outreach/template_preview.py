"""What a template being edited will look like, filled with realistic sample values.

Staff judge wording by reading it as a participant would: the preview uses the program's
next workshop when it has one (so dates, time zone, venue and discreet mode are the real
ones) and a made-up participant, and renders the body the way the email does.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.template.defaultfilters import linebreaks_filter, urlize
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dialogues.models import Program
from participants.models import Language
from workshops.models import MessageKind, Workshop, WorkshopStatus
from workshops.outreach import compose
from workshops.outreach.placeholders import fill

SAMPLE_PARTICIPANT = "Layla Haddad"
SAMPLE_FEEDBACK_URL = "https://forms.example.org/workshop-feedback"
# Kinds that reach people who may not have accepted yet: in discreet mode, no venue.
BEFORE_ACCEPTANCE = {MessageKind.INVITATION}


@dataclass
class Preview:
    subject: str
    text: str
    html: SafeString
    language: str
    direction: str
    workshop: Workshop
    sample_workshop: bool  # True when the program has no upcoming workshop to show
    venue_hidden: bool


def sample_workshop(program: Program) -> tuple[Workshop, bool]:
    """The program's next workshop, or an unsaved sample one (and whether it is the sample)."""
    upcoming = (
        Workshop.objects.filter(program=program, starts_at__gte=timezone.now())
        .exclude(status=WorkshopStatus.CANCELLED)
        .select_related("program")
        .order_by("starts_at", "pk")
        .first()
    )
    if upcoming is not None:
        return upcoming, False
    day = timezone.localdate() + timedelta(days=30)
    zone = "Asia/Nicosia"
    starts = timezone.make_aware(datetime.combine(day, time(9, 30)), zoneinfo.ZoneInfo(zone))
    return (
        Workshop(
            program=program,
            title=_("Shared water resources workshop"),
            code_name=_("Spring meeting"),
            starts_at=starts,
            ends_at=starts + timedelta(days=1, hours=8),
            time_zone=zone,
            venue_name="Home for Cooperation",
            venue_address="Marcou Dracou 28",
            venue_city="Nicosia",
            venue_country="CY",
            capacity=24,
        ),
        True,
    )


def sample_values(kind: str, workshop: Workshop) -> dict[str, str]:
    """A value for every placeholder ``kind`` may use, as the email would fill it."""
    discreet = workshop.program.discreet_mode
    due = timezone.localdate() + timedelta(days=14)
    return {
        "participant_name": SAMPLE_PARTICIPANT,
        "owner_name": SAMPLE_PARTICIPANT,
        "workshop": compose.workshop_label(workshop),
        "dates": compose.dates_line(workshop),
        "starts": compose.starts_line(workshop),
        "venue": _("shared once you accept the invitation")
        if discreet and kind in BEFORE_ACCEPTANCE
        else compose.venue_line(workshop),
        "rsvp_link": settings.SITE_URL + reverse("rsvp", args=["sample-personal-link"]),
        "organiser": compose.organiser(),
        "actions": "\n".join(
            [
                "- "
                + _("Share the joint statement with both municipalities")
                + _(" (by %(date)s)") % {"date": formats.date_format(due, "DATE_FORMAT")},
                "- " + _("Plan a follow-up meeting with the youth councils"),
            ]
        ),
        "feedback_link": _("Tell us how it went: %(link)s")
        % {"link": workshop.feedback_url or SAMPLE_FEEDBACK_URL},
        "action": _("Share the joint statement with both municipalities"),
        "due_date": formats.date_format(due, "DATE_FORMAT"),
    }


def preview(
    *, program: Program, kind: str, language: Language | None, subject: str, body: str
) -> Preview:
    """``subject`` and ``body`` filled with sample values, in the template's language."""
    workshop, is_sample = sample_workshop(program)
    code = language.code if language is not None else settings.LANGUAGE_CODE
    with translation.override(code):
        values = sample_values(kind, workshop)
        filled_subject = " ".join(fill(subject, values).split())
        text = fill(body, values).strip() + "\n"
    return Preview(
        subject=filled_subject,
        text=text,
        # The same conversion as the email's HTML part (compose.render).
        html=mark_safe(linebreaks_filter(urlize(escape(text), autoescape=False))),
        language=code,
        direction="rtl" if code.split("-")[0] in compose.RTL_LANGUAGES else "ltr",
        workshop=workshop,
        sample_workshop=is_sample,
        venue_hidden=program.discreet_mode and kind in BEFORE_ACCEPTANCE,
    )
