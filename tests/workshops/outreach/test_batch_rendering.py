"""What a batch renders once and shares (the calendar's event, the HTML page, the MIME layout)
gives the bytes rendering each message on its own gives, and nobody else's name or link."""

import email
import random
import re
from datetime import UTC, datetime
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string

from tests import factories
from workshops.models import InvitationStatus, MessageKind, ScheduledMessage
from workshops.outreach import compose, ics, links, outbox

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
