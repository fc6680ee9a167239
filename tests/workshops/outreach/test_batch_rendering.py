"""What a batch renders once and shares (the calendar's event, the HTML page, the MIME layout)
gives the bytes rendering each message on its own gives, and nobody else's name or link."""

import email
import itertools
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from icalendar.parser import foldline

from tests import factories
from workshops.models import InvitationStatus, MessageKind, ScheduledMessage
from workshops.outreach import compose, ics, links, outbox

# What a database can hold: any character but a lone surrogate, which UTF-8 cannot encode.
UTF8 = st.characters(codec="utf-8")
BOUNDARY = re.compile(rb"===============[0-9a-f]{32}==")
DATE = re.compile(rb"\r\nDate: [^\r]*\r\n")

NAMES = [
    "Ayşe Öztürk-Χαραλάμπους",
    'Ali "the one", Jr.; of: Nicosia',
    "محمد عبد الله بن سلمان",
    "Back\\slash and a name long enough to be folded over two lines of the calendar",
    "A  B\tC",
]


def _same_but_for_boundaries_and_date(raw: bytes) -> bytes:
    seen: dict[bytes, bytes] = {}
    raw = BOUNDARY.sub(lambda m: seen.setdefault(m.group(0), b"BOUNDARY-%d" % len(seen)), raw)
    return DATE.sub(b"\r\nDate: (date)\r\n", raw)


def _messages(workshop, kind=MessageKind.INVITATION, status=InvitationStatus.INVITED):
    rows = []
    for n, name in enumerate(NAMES):
        person = factories.ParticipantFactory(full_name=name, email=f"person{n}@example.org")
        invitation = factories.InvitationFactory(
            workshop=workshop, participant=person, status=status
        )
        rows.append(factories.ScheduledMessageFactory(invitation=invitation, kind=kind))
    return list(
        ScheduledMessage.objects.filter(pk__in=[r.pk for r in rows])
        .select_related(
            "recipient_participant", "invitation__participant", "invitation__workshop__program"
        )
        .order_by("pk")
    )


@pytest.fixture
def workshop(cast):
    workshop = cast.workshop
    workshop.title = "Water, land; and the Green Line: a title long enough to fold over lines"
    workshop.venue_name = "Home for Cooperation"
    workshop.venue_city = "Nicosia"
    workshop.time_zone = "Asia/Nicosia"
    workshop.save()
    return workshop


@pytest.mark.django_db
@pytest.mark.parametrize("cancel", [False, True])
@pytest.mark.parametrize("reveal_zone", [True, False])
def test_the_shared_event_gives_the_calendar_icalendar_writes(workshop, cancel, reveal_zone):
    book = ics.CalendarBook()
    for n, name in enumerate(NAMES):
        person = factories.ParticipantFactory(full_name=name, email=f"p{n}@example.org")
        status = InvitationStatus.ACCEPTED if n % 2 else InvitationStatus.INVITED
        invitation = factories.InvitationFactory(
            workshop=workshop, participant=person, status=status
        )
        description = "" if cancel else f"https://example.org/rsvp/{n}:" + "x" * 90
        invitee = ics._Invitee(
            stamp=datetime(2026, 5, 4, 3, 2, n, tzinfo=UTC),
            email=person.email,
            name=name,
            partstat="ACCEPTED" if n % 2 else "NEEDS-ACTION",
            description=description,
        )
        event = {
            "summary": workshop.title,
            "location": "Home for Cooperation, Nicosia" if reveal_zone else "",
            "cancel": cancel,
            "zone": workshop.venue_zone if reveal_zone else UTC,
        }
        whole = ics._to_ical(ics._whole_calendar(invitation, invitee, **event))
        assert ics._skeleton(invitation, invitee, **event).fill(invitee) == whole
        # And through a book, whose skeleton the first invitee made.
        shared = book.calendar(
            invitation,
            summary=event["summary"],
            location=event["location"],
            description=description,
            cancel=cancel,
            reveal_zone=reveal_zone,
        )
        stamp = re.search(rb"DTSTAMP:(\w+)", shared).group(1)
        assert shared.replace(stamp, b"20260504T03020%dZ" % n) == whole
    assert len(book._skeletons) == 1


# Invitees to write the per-invitee lines for, as hostile as calendars get: quoting, escaping,
# folding at 75 octets (inside a character too), every PARTSTAT, no description.
HOSTILE_NAMES = [
    *NAMES,
    "",
    "O'Brien",
    "Zoë ’Apostrophe’",
    "semi;colon,comma:colon",
    'only"quotes"',
    "caret ^ and ^^ and ^n",
    "Back\\slash\\N and \\n",
    "line\nbreak\r\nand\rreturn",
    "\t\tTabs  and  double  spaces  ",
    "Ελένη Παπαδοπούλου-Χατζηχαραλάμπους Κωνσταντινίδου Αθανασίου",
    "Ἀθηνᾶ " * 12,
    "🕊️ Olive 🌿 Branch " * 4,
    "x" * 61,  # the ASCII folds land just before, on and just after the parameters
    "x" * 62,
    "é" * 31 + "x",  # two-octet characters across the 74th octet
]
HOSTILE_EMAILS = [
    "person@example.org",
    "first.last+tag@example.org",
    "a.b.c+d+e@sub.example.co.uk",
    "very.long.local.part.of.an.address+with.a.tag@a.very.long.domain.example.org",
    "Ayşe.Öztürk@παράδειγμα.δοκιμή",
    'quoted"semi;colon,comma@example.org',
]
HOSTILE_DESCRIPTIONS = [
    "",
    "https://example.org/rsvp/abc/",
    "https://example.org/rsvp/" + "a1b2c3d4" * 40 + "/?next=/x,y;z&q=1:2",
    "Commas, semicolons; colons: back\\slashes \\ and \\N and\nnew lines\r\nhere\rthere",
    "Καλώς ήρθατε — مرحبا — ברוכים הבאים 🕊️ " * 5,
    "\t tab  and  spaces \t",
]
PARTSTATS = sorted({"NEEDS-ACTION", "TENTATIVE", "DELEGATED", *ics.PARTSTAT.values()})
NICOSIA = ZoneInfo("Asia/Nicosia")
STAMPS = [
    datetime(2026, 5, 4, 3, 2, 1, 999_999, tzinfo=UTC),
    datetime(2026, 5, 4, 3, 2, 1),  # naive: taken as UTC
    datetime(2026, 5, 4, 6, 2, 1, tzinfo=timezone(timedelta(hours=3, minutes=30))),
    # The repeated hour when Nicosia's clocks go back: two instants, one wall-clock time.
    datetime(2026, 10, 25, 3, 30, tzinfo=NICOSIA, fold=0),
    datetime(2026, 10, 25, 3, 30, tzinfo=NICOSIA, fold=1),
]


def _event_lines(invitee: ics._Invitee) -> list[bytes]:
    """The reference: the per-invitee lines as an icalendar Event writes them."""
    event = icalendar.Event()
    ics._add_invitee(event, invitee)
    return [line.to_ical() for line in event.content_lines() if line][1:-1]


def test_the_invitee_lines_are_the_ones_an_icalendar_event_writes():
    cases = itertools.product(HOSTILE_NAMES, HOSTILE_EMAILS, HOSTILE_DESCRIPTIONS, PARTSTATS)
    for n, (name, email_, description, partstat) in enumerate(cases):
        invitee = ics._Invitee(
            stamp=STAMPS[n % len(STAMPS)],
            email=email_,
            name=name,
            partstat=partstat,
            description=description,
        )
        assert ics._invitee_lines(invitee) == _event_lines(invitee), invitee


def test_each_stamp_is_written_to_the_second_in_utc_as_icalendar_writes_it():
    lines = []
    for stamp in STAMPS + [s + timedelta(microseconds=1) for s in STAMPS]:
        invitee = ics._Invitee(stamp, "a@example.org", "A", "ACCEPTED", "")
        ours = ics._invitee_lines(invitee)
        assert ours == _event_lines(invitee)
        lines.append(ours[0])
    # Nicosia's repeated hour: the same wall-clock time, an hour apart (not one cache entry).
    assert lines[3:5] == [b"DTSTAMP:20261025T003000Z", b"DTSTAMP:20261025T013000Z"]


@hypothesis_settings(max_examples=400, deadline=None, database=None)
@given(
    name=st.text(UTF8, max_size=120),
    email_=st.one_of(st.emails(), st.text(UTF8, max_size=80).filter(lambda e: "\n" not in e)),
    description=st.text(UTF8, max_size=300),
    partstat=st.one_of(st.sampled_from(PARTSTATS), st.text(UTF8, max_size=20)),
    stamp=st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.one_of(st.none(), st.timezones()),
    ),
)
def test_any_invitee_gets_the_lines_an_icalendar_event_writes(
    name, email_, description, partstat, stamp
):
    invitee = ics._Invitee(stamp, email_, name, partstat, description)
    assert ics._invitee_lines(invitee) == _event_lines(invitee)


def test_an_address_with_a_new_line_is_refused_as_icalendar_refuses_it():
    invitee = ics._Invitee(STAMPS[0], "a@example.org\nX-INJECTED:1", "A", "ACCEPTED", "")
    with pytest.raises((AssertionError, ValueError)):
        _event_lines(invitee)
    with pytest.raises(ValueError):
        ics._invitee_lines(invitee)


@hypothesis_settings(max_examples=400, deadline=None, database=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=400))
def test_lines_are_folded_where_icalendar_folds_them(line):
    assert ics._fold(line.encode()) == foldline(line).encode()


def test_lines_are_folded_where_icalendar_folds_them_around_74_octets():
    for width, char in itertools.product(range(60, 160), ["x", "é", "€", "🕊", "\t"]):
        for prefix in ["", "a", "ab", "abc"]:
            line = prefix + char * (width // len(char.encode()))
            assert ics._fold(line.encode()) == foldline(line).encode(), line


@pytest.mark.django_db
def test_a_batch_shares_the_workshop_but_each_email_is_its_recipients_own(workshop):
    messages = _messages(workshop)
    book = compose.TemplateBook()
    rendered = {message.pk: compose.render(message, book) for message in messages}
    link = re.compile(r"https?://\S+/rsvp/([^/\s]+)/")
    mine = {}
    for message in messages:
        email_ = rendered[message.pk]
        person = message.recipient_participant
        (token,) = set(link.findall(email_.text))
        assert links.invitation_for_token(token) == message.invitation  # their own link
        calendar = email_.calendar.decode().replace("\r\n ", "")
        assert token in calendar and token in email_.html
        assert person.email in calendar and email_.to == person.email
        assert person.full_name in email_.text
        mine[message.pk] = (token, person.email, person.full_name)
    for message in messages:
        email_ = rendered[message.pk]
        calendar = email_.calendar.decode().replace("\r\n ", "")
        for other, values in mine.items():
            if other == message.pk:
                continue
            for part in (email_.text, email_.html, calendar, email_.subject):
                assert not any(value in part for value in values), (other, part)
        # What the batch gives is what the message rendered alone gives (the link's
        # timestamp and the calendar's stamp aside).
        alone = compose.render(message)
        stamp = re.compile(r"DTSTAMP:\w+|/rsvp/[^/\s]+/")
        for ours, theirs in [
            (email_.subject, alone.subject),
            (email_.text, alone.text),
            (email_.html, alone.html),
            (calendar, alone.calendar.decode().replace("\r\n ", "")),
        ]:
            assert stamp.sub("", ours) == stamp.sub("", theirs)
    assert len(book.calendars._skeletons) == 1  # one event, serialised once


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar", "he", "fr"])
def test_the_page_is_what_rendering_the_template_gives(language):
    book = compose.TemplateBook()
    direction = "rtl" if language in compose.RTL_LANGUAGES else "ltr"
    for subject, text in [
        (
            "Invitation: <Water> & \"Land\" 'here'",
            "Dear <b>you</b> & https://example.org/a?b=1&c=2\n",
        ),
        ("Second", "Another {{ body }} with %s and \\1 in it\n\nTwo paragraphs\n"),
    ]:
        body = compose.html_body(text, book)
        page = book.page(subject=subject, body=body, language=language, direction=direction)
        context = {"subject": subject, "body": body, "language": language, "direction": direction}
        assert page == render_to_string(compose.HTML_TEMPLATE, context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,status",
    [
        (MessageKind.INVITATION, InvitationStatus.INVITED),
        (MessageKind.REMINDER, InvitationStatus.ACCEPTED),  # no calendar: multipart/alternative
        (MessageKind.CANCELLATION, InvitationStatus.ACCEPTED),  # METHOD:CANCEL
        (MessageKind.UPDATE, InvitationStatus.WAITLISTED),
    ],
)
def test_the_bytes_written_directly_are_what_django_writes(workshop, kind, status):
    book = compose.TemplateBook()
    for message in _messages(workshop, kind, status):
        rendered = compose.render(message, book)
        django = compose.email_for(message, rendered).message().as_bytes(linesep="\r\n")
        direct = compose.wire_bytes(message, rendered)
        assert _same_but_for_boundaries_and_date(direct) == _same_but_for_boundaries_and_date(
            django
        )
        parsed = email.message_from_bytes(direct)
        assert parsed["To"] == message.recipient_participant.email
        assert len(set(BOUNDARY.findall(direct))) == (2 if rendered.calendar else 1)


@pytest.mark.django_db
def test_what_only_the_email_package_writes_goes_its_way(workshop):
    (message, *_rest) = _messages(workshop)
    rendered = compose.render(message)
    rendered.text = "A line longer than SMTP allows: " + "word " * 300 + "\n"
    assert compose.wire_bytes(message, rendered) is None  # quoted-printable: Django's path
    rendered.text = "ascii only\r\nand a bare\rreturn\n"
    django = compose.email_for(message, rendered).message().as_bytes(linesep="\r\n")
    direct = compose.wire_bytes(message, rendered)
    assert _same_but_for_boundaries_and_date(direct) == _same_but_for_boundaries_and_date(django)
    assert b"Content-Transfer-Encoding: 7bit" in direct


@pytest.mark.django_db
def test_the_smtp_server_receives_the_direct_bytes_with_the_envelope_django_gives(
    workshop, smtp_in_process
):
    messages = _messages(workshop)
    ids = outbox.claim_due()
    assert sorted(ids) == sorted(m.pk for m in messages)
    result = outbox.send_batch(ids)
    assert result.sent == len(messages)
    by_id = {m.message_id: m for m in messages}
    for received in smtp_in_process.received:
        message = by_id[received.message_id]
        assert received.rcpt_tos == (message.recipient_participant.email,)
        assert received.mail_from == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        assert message.recipient_participant.full_name in received.text_of("text/plain")
        assert "BEGIN:VEVENT" in received.calendar


def test_plain_addresses_go_in_the_envelope_as_django_would_put_them():
    rng = random.Random(7)
    pieces = ["a", "Z", "0", ".", "-", "_", "+", "'", "{", "é", " ", '"', "(", ",", "@", "x" * 63]
    checked = plain = 0
    for _ in range(20_000):
        some = pieces[:6] if rng.random() < 0.5 else pieces  # plain ones half the time
        local = "".join(rng.choice(some) for _ in range(rng.randint(0, 6)))
        domain = "".join(rng.choice(pieces[:6] + ["x" * 63, "ü"]) for _ in range(rng.randint(0, 6)))
        address = f"{local}@{domain}" if rng.random() < 0.9 else local + domain
        try:
            expected = sanitize_address(address, "utf-8")
        except Exception:  # noqa: BLE001 - the email package refuses junk in several ways
            # Refused by Django: never a plain address, so it is refused here too.
            assert not compose.PLAIN_ADDRESS.fullmatch(address), address
            continue
        checked += 1
        plain += bool(compose.PLAIN_ADDRESS.fullmatch(address))
        assert compose.envelope_address(address) == expected, address
    assert checked > 5_000 and plain > 500  # both ways were tried often
