"""The .ics attached to invitations, updates and cancellations (RFC 5545 / iTIP RFC 5546).

One UID per workshop, so a calendar treats an update (higher SEQUENCE, METHOD:REQUEST) or a
cancellation (METHOD:CANCEL) as the same event it already holds.

Every invitee of a workshop gets the same event but for three lines: when it was stamped,
who they are (ATTENDEE) and their own link (DESCRIPTION). ``CalendarBook`` serialises the
rest once per batch and writes only those three lines per invitee, with icalendar itself,
so the bytes are the ones serialising the whole calendar gives (a test compares them).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parseaddr
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils import timezone
from icalendar.parser import Contentline

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


@dataclass(frozen=True)
class _Invitee:
    """What differs between two invitees' calendars of the same event."""

    stamp: datetime
    email: str
    name: str
    partstat: str
    description: str


def _add_invitee(event: icalendar.Event, invitee: _Invitee) -> None:
    """The per-invitee properties; the event's only DTSTAMP, ATTENDEE and DESCRIPTION."""
    event.add("dtstamp", invitee.stamp)
    if invitee.description:
        event.add("description", invitee.description)
    event.add(
        "attendee",
        icalendar.vCalAddress(f"mailto:{invitee.email}"),
        parameters={
            "CN": invitee.name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": invitee.partstat,
            "RSVP": "TRUE",
        },
    )


def _whole_calendar(
    invitation: Invitation,
    invitee: _Invitee,
    *,
    summary: str,
    location: str,
    cancel: bool,
    zone: tzinfo,
) -> icalendar.Calendar:
    """The calendar as icalendar builds it, every property in place (without VTIMEZONE)."""
    workshop = invitation.workshop
    organiser_name, organiser_email = parseaddr(settings.DEFAULT_FROM_EMAIL)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Olive Branch//Outreach//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    event = icalendar.Event()
    event.add("uid", event_uid(workshop.pk))
    event.add("sequence", workshop.calendar_sequence)
    event.add("dtstart", workshop.starts_at.astimezone(zone))
    event.add("dtend", workshop.ends_at.astimezone(zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add(
        "organizer",
        icalendar.vCalAddress(f"mailto:{organiser_email}"),
        parameters={"CN": organiser_name or organiser_email},
    )
    _add_invitee(event, invitee)
    if not cancel:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar


def _zones(calendar: icalendar.Calendar) -> bytes:
    """The VTIMEZONE of each zone the calendar names, as RFC 5545 asks."""
    return b"".join(_vtimezone(tzid) for tzid in sorted(calendar.get_missing_tzids()))


def _to_ical(calendar: icalendar.Calendar) -> bytes:
    """The whole calendar serialised by icalendar, with its VTIMEZONEs."""
    zones = _zones(calendar)
    ics = calendar.to_ical()
    return ics[: -len(END)] + zones + END if zones else ics


def _invitee_lines(invitee: _Invitee) -> list[Contentline]:
    """The content lines of the per-invitee properties, in the order a calendar sorts them."""
    event = icalendar.Event()
    _add_invitee(event, invitee)
    return [line for line in event.content_lines() if line][1:-1]  # without BEGIN/END


@dataclass(frozen=True)
class _Skeleton:
    """A serialised calendar with holes where the per-invitee lines go."""

    parts: tuple[bytes, ...]  # the bytes around the holes: one more than there are holes

    def fill(self, invitee: _Invitee) -> bytes:
        lines = _invitee_lines(invitee)
        if len(lines) != len(self.parts) - 1:  # cannot happen: the same properties are set
            raise ValueError("The invitee's calendar lines do not match the event's.")
        out = [self.parts[0]]
        for line, after in zip(lines, self.parts[1:], strict=True):
            out += [line.to_ical(), b"\r\n", after]
        return b"".join(out)


def _skeleton(invitation: Invitation, invitee: _Invitee, **event) -> _Skeleton:
    """Lay out the whole calendar once with stand-in invitee values and cut it where their
    lines are: where each line goes does not depend on its value (properties sort by name)."""
    token = secrets.token_hex(8)
    stand_in = _Invitee(
        stamp=datetime(1970, 1, 1, tzinfo=UTC),
        email=f"{token}@invalid",
        name=token,
        partstat="NEEDS-ACTION",
        description=token if invitee.description else "",
    )
    calendar = _whole_calendar(invitation, stand_in, **event)
    lines = [line for line in calendar.content_lines() if line]
    zones = _zones(calendar)
    # What _to_ical gives: each line folded and ended, the zones before END:VCALENDAR.
    folded = [line.to_ical() + b"\r\n" for line in lines]
    folded[-1] = zones + folded[-1]
    parts, start = [], 0
    for hole in _invitee_lines(stand_in):
        found = lines.index(hole, start)
        parts.append(b"".join(folded[start:found]))
        start = found + 1
    parts.append(b"".join(folded[start:]))
    return _Skeleton(tuple(parts))


class CalendarBook:
    """Skeletons of the calendars a batch of messages attaches, one per event as shown."""

    def __init__(self) -> None:
        self._skeletons: dict[tuple, _Skeleton] = {}

    def calendar(
        self,
        invitation: Invitation,
        *,
        summary: str,
        location: str,
        description: str,
        cancel: bool,
        reveal_zone: bool = True,
    ) -> bytes:
        """See ``invitation_calendar``."""
        workshop = invitation.workshop
        participant = invitation.participant
        zone = workshop.venue_zone if reveal_zone else UTC
        invitee = _Invitee(
            stamp=timezone.now(),
            email=participant.email,
            name=participant.full_name,
            partstat=PARTSTAT.get(invitation.status, "NEEDS-ACTION"),
            description=description,
        )
        event = {"summary": summary, "location": location, "cancel": cancel, "zone": zone}
        key = (
            workshop.pk,
            workshop.calendar_sequence,
            workshop.starts_at,
            workshop.ends_at,
            zone,
            summary,
            location,
            cancel,
            bool(description),
            settings.DEFAULT_FROM_EMAIL,
        )
        skeleton = self._skeletons.get(key)
        if skeleton is None:
            skeleton = self._skeletons[key] = _skeleton(invitation, invitee, **event)
        return skeleton.fill(invitee)


def invitation_calendar(
    invitation: Invitation,
    *,
    summary: str,
    location: str,
    description: str,
    cancel: bool,
    reveal_zone: bool = True,
    book: CalendarBook | None = None,
) -> bytes:
    """The calendar object for one invitee: the event as they should see it now. Without
    ``reveal_zone`` (discreet, not yet accepted) the times are UTC: a VTIMEZONE names the place.
    ``book`` shares the serialised event between the invitees of a batch."""
    return (book or CalendarBook()).calendar(
        invitation,
        summary=summary,
        location=location,
        description=description,
        cancel=cancel,
        reveal_zone=reveal_zone,
    )
