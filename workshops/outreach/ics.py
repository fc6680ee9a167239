"""The .ics attached to invitations, updates and cancellations (RFC 5545 / iTIP RFC 5546).

One UID per workshop, so a calendar treats an update (higher SEQUENCE, METHOD:REQUEST) or a
cancellation (METHOD:CANCEL) as the same event it already holds.
"""

from datetime import UTC, timedelta
from email.utils import parseaddr
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils import timezone

from workshops.calendar import UID_DOMAIN
from workshops.models import Invitation, InvitationStatus

PARTSTAT = {
    InvitationStatus.ACCEPTED: "ACCEPTED",
    InvitationStatus.DECLINED: "DECLINED",
    InvitationStatus.WITHDRAWN: "DECLINED",
}
ALARM_BEFORE = timedelta(days=1)
END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> bytes:
    """A zone's VTIMEZONE, serialised once per process: working out its transitions is most
    of the cost of an .ics (what ``add_missing_timezones`` would add, byte for byte)."""
    try:
        return icalendar.Timezone.from_tzid(tzid).to_ical()
    except ValueError:  # a zone icalendar does not know: left out, as it would be
        return b""


def event_uid(workshop_id: int) -> str:
    return f"workshop-{workshop_id}-invitation@{UID_DOMAIN}"


def invitation_calendar(
    invitation: Invitation,
    *,
    summary: str,
    location: str,
    description: str,
    cancel: bool,
    reveal_zone: bool = True,
) -> bytes:
    """The calendar object for one invitee: the event as they should see it now. Without
    ``reveal_zone`` (discreet, not yet accepted) the times are UTC: a VTIMEZONE names the place."""
    workshop = invitation.workshop
    participant = invitation.participant
    zone = workshop.venue_zone if reveal_zone else UTC
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Olive Branch//Outreach//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    event = icalendar.Event()
    event.add("uid", event_uid(workshop.pk))
    event.add("sequence", workshop.calendar_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", workshop.starts_at.astimezone(zone))
    event.add("dtend", workshop.ends_at.astimezone(zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add(
        "organizer",
        icalendar.vCalAddress(f"mailto:{organiser_email}"),
        parameters={"CN": organiser_name or organiser_email},
    )
    event.add(
        "attendee",
        icalendar.vCalAddress(f"mailto:{participant.email}"),
        parameters={
            "CN": participant.full_name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": PARTSTAT.get(invitation.status, "NEEDS-ACTION"),
            "RSVP": "TRUE",
        },
    )
    if not cancel:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    calendar.add_component(event)
    zones = b"".join(_vtimezone(tzid) for tzid in sorted(calendar.get_missing_tzids()))
    ics = calendar.to_ical()
    return ics[: -len(END)] + zones + END if zones else ics
