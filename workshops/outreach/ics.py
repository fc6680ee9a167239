"""The .ics attached to invitations, updates and cancellations (RFC 5545 / iTIP RFC 5546).

One UID per workshop, so a calendar treats an update (higher SEQUENCE, METHOD:REQUEST) or a
cancellation (METHOD:CANCEL) as the same event it already holds.

Every invitee of a workshop gets the same event but for three lines: when it was stamped,
who they are (ATTENDEE) and their own link (DESCRIPTION). ``CalendarBook`` serialises the
rest once per batch and writes only those three lines per invitee. They are built from
icalendar's own pieces (its text escaping, parameter quoting, DTSTAMP value and property
order) rather than through a throwaway ``icalendar.Event``, which cost most of the time of an
.ics; only the folding at 75 octets is done here, on the encoded line, as ``foldline`` does
it. The bytes are the ones serialising the whole calendar gives (tests compare them, line by
line against icalendar's Event and as whole calendars).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parseaddr
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils import timezone
from icalendar.caselessdict import canonsort_keys
from icalendar.parser import Contentline, Parameters, escape_char, param_value
from icalendar.prop import vDDDTypes
from icalendar.timezone import tzp

from workshops.calendar import UID_DOMAIN
from workshops.models import Invitation, InvitationStatus

PARTSTAT = {
    InvitationStatus.ACCEPTED: "ACCEPTED",
    InvitationStatus.DECLINED: "DECLINED",
    InvitationStatus.WITHDRAWN: "DECLINED",
}
ALARM_BEFORE = timedelta(days=1)
END = b"END:VCALENDAR\r\n"
# The attendee's parameters that are the same for everyone (with CN and PARTSTAT, their own).
ATTENDEE_PARAMETERS = {"ROLE": "REQ-PARTICIPANT", "RSVP": "TRUE"}


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
        parameters={"CN": invitee.name, "PARTSTAT": invitee.partstat, **ATTENDEE_PARAMETERS},
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


# The order an Event gives the three per-invitee properties: its canonical ones first, the
# rest by name. Like the ATTENDEE line's layout below, it does not depend on the invitee, so
# it is worked out once, from icalendar's own rules.
_INVITEE_PROPERTIES = tuple(
    canonsort_keys(["DTSTAMP", "DESCRIPTION", "ATTENDEE"], icalendar.Event.canonical_order)
)
FOLD_AFTER = 74  # octets on a line before a fold: what foldline's limit of 75 gives


def _parameter(key: str, value: str) -> str:
    """A parameter's value as ``Parameters.to_ical`` writes it: CN is quoted when it has a
    space or an apostrophe, any value with , ; or : is, a double quote becomes ^' (RFC 6868)."""
    quote_if = Parameters.quote_also.get(key)
    always_quote = key in Parameters.always_quoted or bool(
        quote_if and any(c in value for c in quote_if)
    )
    return param_value(value, always_quote=always_quote)


def _attendee_format() -> str:
    """The ATTENDEE line with slots for the invitee's CN, PARTSTAT and address, its parameters
    sorted by name as ``Parameters.to_ical`` sorts them."""
    own = {"CN": "{cn}", "PARTSTAT": "{partstat}"}
    fixed = {
        key: _parameter(key, value).replace("{", "{{").replace("}", "}}")
        for key, value in ATTENDEE_PARAMETERS.items()
    }
    written = own | fixed
    parameters = ";".join(f"{key}={written[key]}" for key in sorted(written))
    return f"ATTENDEE;{parameters}:mailto:{{email}}"


_ATTENDEE = _attendee_format()


@lru_cache(maxsize=64)
def _partstat(partstat: str) -> str:
    """A PARTSTAT value, quoted as a parameter: a handful of values, so written once each."""
    return _parameter("PARTSTAT", partstat)


@lru_cache(maxsize=64)
def _dtstamp_at(second: datetime, fold: int) -> bytes:
    """The DTSTAMP line as Event.add and content_lines write it (in UTC, to the second): it
    only changes once a second, so a send loop works it out once a second. ``fold`` is in
    the key as datetimes of one zone compare equal across a clock change's repeated hour."""
    value = vDDDTypes(tzp.localize_utc(second))
    return Contentline.from_parts("DTSTAMP", value.params, value).to_ical()


def _fold(line: bytes) -> bytes:
    """A line folded as icalendar's ``foldline`` folds it (``Contentline.to_ical``): at most 74
    octets before each fold, never inside a character. On the encoded line, where finding
    the place is arithmetic, not a walk over every character as foldline's is for non-ASCII.
    """
    if len(line) <= FOLD_AFTER:
        return line
    pieces, start = [], 0
    while len(line) - start > FOLD_AFTER:
        end = start + FOLD_AFTER
        while line[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the char's start
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def _invitee_lines(invitee: _Invitee) -> list[bytes]:
    """The folded content lines of the per-invitee properties, in the order a calendar sorts
    them: what ``_add_invitee`` on an Event and ``content_lines`` give, byte for byte."""
    lines = {"DTSTAMP": _dtstamp_at(invitee.stamp.replace(microsecond=0), invitee.stamp.fold)}
    if invitee.description:  # what vText(...).to_ical() writes
        lines["DESCRIPTION"] = _fold(("DESCRIPTION:" + escape_char(invitee.description)).encode())
    attendee = _ATTENDEE.format(
        cn=_parameter("CN", invitee.name),
        partstat=_partstat(invitee.partstat),
        email=invitee.email,  # a vCalAddress is written as it is
    )
    if "\n" in attendee:  # as Contentline refuses it: a new line would start a property
        raise ValueError("An attendee's calendar line cannot have a new line in it.")
    lines["ATTENDEE"] = _fold(attendee.encode())
    return [lines[name] for name in _INVITEE_PROPERTIES if name in lines]


@dataclass(frozen=True)
class _Skeleton:
    """A serialised calendar with holes where the per-invitee lines go."""

    # The bytes around the holes, one more than there are holes; each but the first starts
    # with the line break that ends the line in the hole before it.
    parts: tuple[bytes, ...]

    def fill(self, invitee: _Invitee) -> bytes:
        """The calendar for this invitee: their lines in the holes."""
        lines = _invitee_lines(invitee)
        if len(lines) != len(self.parts) - 1:  # cannot happen: the same properties are set
            raise ValueError("The invitee's calendar lines do not match the event's.")
        out = [self.parts[0]]
        for line, after in zip(lines, self.parts[1:], strict=True):
            out += (line, after)
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
    # What _to_ical gives: each line folded and ended, the zones before END:VCALENDAR.
    lines = [line.to_ical() for line in calendar.content_lines() if line]
    ended = [line + b"\r\n" for line in lines]
    ended[-1] = _zones(calendar) + ended[-1]
    # Cut where the stand-in's lines, as _invitee_lines writes them, are: one written other
    # than icalendar writes it is not found (ValueError) instead of giving a calendar that
    # icalendar would not write.
    parts, start = [], 0
    for hole in _invitee_lines(stand_in):
        found = lines.index(hole, start)
        parts.append(b"".join(ended[start:found]))
        start = found + 1
    parts.append(b"".join(ended[start:]))
    # Each hole's line break goes with the bytes after it, so filling only joins.
    return _Skeleton((parts[0], *(b"\r\n" + part for part in parts[1:])))


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
