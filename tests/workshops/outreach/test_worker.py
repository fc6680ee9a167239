"""Invitations through a real Celery worker, Redis and a real SMTP server: what arrives."""

import random
import re
import string
from datetime import timedelta
from email.policy import compat32
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils import timezone
from django.utils.html import escape

from tests import factories
from tests.workshops.outreach.conftest import invitees
from workshops.models import InvitationStatus, MessageStatus, ScheduledMessage
from workshops.outreach import compose, scheduling

with_worker = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def worker_test(test):
    for mark in with_worker:
        test = mark(test)
    return test


@worker_test
def test_staff_scheduled_invitations_arrive_with_headers_bodies_and_calendar(cast, outbox_workers):
    workshop = cast.workshop
    workshop.venue_name = "Home for Cooperation"
    workshop.venue_city = "Nicosia"
    workshop.time_zone = "Asia/Nicosia"
    workshop.save()
    invitations = invitees(workshop, 3)
    outbox_workers.start_worker()

    # The service wakes the dispatcher when its transaction commits: no beat needed.
    result = scheduling.invitations_send(workshop=workshop, invitations=invitations, by=cast.staff)
    assert result.scheduled == 3

    smtp = outbox_workers.smtp
    arrived = outbox_workers.wait(
        lambda: ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == 3
    )
    assert arrived, f"not sent; rows: {_rows()}\n{outbox_workers.logs()}"
    assert smtp.count() == 3

    rows = {row.recipient_participant.email: row for row in ScheduledMessage.objects.all()}
    local_start = workshop.starts_at.astimezone(workshop.venue_zone)
    for received in smtp.received:
        (address,) = received.to  # one address per email, never a shared list
        assert received.rcpt_tos == (address,)
        assert not received.header("Cc") and not received.header("Bcc")
        row = rows[address]
        assert received.message_id == compose.message_id_for(row.dedupe_key) == row.message_id
        assert parseaddr(received.header("From"))[1] == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        assert workshop.title in received.subject
        assert received.subject == row.subject

        text = received.text_of("text/plain")
        html = received.text_of("text/html")
        assert "Invitee" in text and "/rsvp/" in text
        assert "<html" in html and "Home for Cooperation" in html

        calendar_part = received.parts["text/calendar"]
        assert calendar_part.get_param("method") == "REQUEST"
        assert calendar_part.get_filename() == "invitation.ics"
        ics = received.calendar
        assert "METHOD:REQUEST" in ics
        assert "BEGIN:VEVENT" in ics and "BEGIN:VALARM" in ics and "TRIGGER:-P1D" in ics
        assert f"DTSTART;TZID=Asia/Nicosia:{local_start:%Y%m%dT%H%M%S}" in ics
        assert "BEGIN:VTIMEZONE" in ics and "TZID:Asia/Nicosia" in ics
        organizer = re.search(r"^ORGANIZER[^:]*:mailto:(.+)$", ics, re.M)
        assert organizer and organizer.group(1).strip() == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        attendee = re.search(r"^ATTENDEE([^:]*):mailto:(.+)$", ics, re.M)
        assert attendee and attendee.group(2).strip() == address
        assert "PARTSTAT=NEEDS-ACTION" in attendee.group(1)
        assert "LOCATION:Home for Cooperation" in ics

    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.INVITED and invitation.sent_at


@worker_test
def test_a_message_due_later_waits_in_the_database_not_in_the_broker(cast, outbox_workers):
    """Only due rows are claimed: a message due tomorrow stays pending, nothing is
    published for it, and the worker sends what is due now."""
    (invitation,) = invitees(cast.workshop, 1, prefix="later")
    now_row = scheduling._row(
        "invitation", f"invitation:{invitation.pk}", timezone.now(), invitation=invitation
    )
    later = scheduling._row(
        "invitation",
        "invitation-later",
        timezone.now() + timedelta(days=1),
        invitation=invitation,
    )
    invitation.status = InvitationStatus.INVITED
    invitation.save()
    ScheduledMessage.objects.bulk_create([now_row, later])
    outbox_workers.start_worker()
    outbox_workers.dispatch()
    assert outbox_workers.wait(lambda: outbox_workers.smtp.count() == 1)
    assert outbox_workers.wait(lambda: outbox_workers.waiting_tasks() == 0)
    assert ScheduledMessage.objects.get(dedupe_key="invitation-later").status == "pending"
    assert outbox_workers.smtp.count() == 1


def _rows() -> list[tuple]:
    return list(ScheduledMessage.objects.values_list("id", "status", "attempts", "last_error"))


# --- The shortcuts compose takes write what the slow paths would ------------------------------


@pytest.mark.django_db
def test_quick_headers_write_the_bytes_compat32_writes(cast, django_capture_on_commit_callbacks):
    workshop = cast.workshop
    workshop.title = "Water, land and the Green Line: a long title that needs folding over lines"
    workshop.save()
    people = [
        factories.ParticipantFactory(full_name="Ayşe Öztürk-Χαραλάμπους", email="ayse@example.org"),
        factories.ParticipantFactory(full_name="A  B\tC", email="ab@example.org"),
    ]
    invitations = [factories.InvitationFactory(workshop=workshop, participant=p) for p in people]
    with django_capture_on_commit_callbacks(execute=False):
        scheduling.invitations_send(workshop=workshop, invitations=invitations, by=cast.staff)
    for message in ScheduledMessage.objects.all():
        mime = compose.email_for(message, compose.render(message)).message()
        quick = mime.as_bytes(linesep="\r\n")
        mime.policy = compat32
        assert mime.as_bytes(linesep="\r\n") == quick

    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + " \t;,:<>@=\"'()[]._-/+?!#$%&*"
    for _ in range(20_000):
        name = rng.choice(["Subject", "To", "Content-Type", "X-Olive-Branch-Kind"])
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90)))
        assert compose.QUICK_HEADERS.fold(name, value) == compat32.fold(name, value)


def test_html_body_is_what_urlizing_the_whole_text_gives():
    text = (
        "Dear Ayşe,\n\nPlease answer at https://example.org/rsvp/abc:def/ (before Friday).\n"
        "Or write to team@example.org, or see www.example.org.\n"
        "<script>alert('x')</script> & \"quotes\"\n  indented line https://x.example/a?b=1&c=2\n"
        "a line ending in a link https://example.org/end\nhttps://example.org/start of a line\n\n"
    )
    whole = linebreaks_filter(urlize(escape(text), autoescape=False)).replace(
        "<a href=", '<a dir="ltr" style="word-break:break-all" href='
    )
    book = compose.TemplateBook()
    assert compose.html_body(text, book) == whole
    assert compose.html_body(text, book) == whole  # from the batch's memory
