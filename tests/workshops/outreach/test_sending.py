"""The outbox end to end in one process: schedule, claim, render, send (locmem backend)."""

import email
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests import factories
from workshops.models import InvitationStatus, MessageKind, MessageStatus, ScheduledMessage
from workshops.outreach import compose, outbox, scheduling


def drain() -> outbox.BatchResult:
    """What beat and the workers do, in this process."""
    total = outbox.BatchResult()
    while ids := outbox.claim_due():
        result = outbox.send_batch(ids)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(result, name))
    return total


@pytest.fixture
def invited(cast, django_capture_on_commit_callbacks):
    people = [factories.ParticipantFactory(email=f"person{n}@example.org") for n in range(3)]
    invitations = [
        factories.InvitationFactory(workshop=cast.workshop, participant=p) for p in people
    ]
    with django_capture_on_commit_callbacks(execute=False):
        result = scheduling.invitations_send(
            workshop=cast.workshop, invitations=invitations, by=cast.staff
        )
    assert result.scheduled == 3 and not result.skipped
    return invitations


def test_each_invitee_gets_one_email_with_a_calendar_entry(invited, cast):
    result = drain()
    assert result.sent == 3
    assert len(mail.outbox) == 3
    for sent in mail.outbox:
        assert len(sent.to) == 1 and not sent.cc and not sent.bcc
        assert cast.workshop.title in sent.subject
        parsed = email.message_from_bytes(sent.message().as_bytes())
        parts = {part.get_content_type(): part for part in parsed.walk()}
        assert "text/html" in parts and "text/plain" in parts
        calendar = parts["text/calendar"]
        assert calendar.get_param("method") == "REQUEST"
        body = calendar.get_payload(decode=True).decode()
        assert "BEGIN:VALARM" in body and "PARTSTAT=NEEDS-ACTION" in body
        assert f"mailto:{sent.to[0]}" in body.replace("\r\n ", "")
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(ids) == 3
    assert ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == 3
    for invitation in invited:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.INVITED and invitation.sent_at


def test_a_second_dispatch_sends_nothing_more(invited):
    drain()
    drain()
    assert len(mail.outbox) == 3


def test_sending_again_schedules_nothing_new(invited, cast):
    again = scheduling.invitations_send(workshop=cast.workshop, invitations=invited, by=cast.staff)
    assert again.scheduled == 0 and len(again.skipped) == 3
    assert ScheduledMessage.objects.count() == 3


def test_do_not_contact_is_checked_at_send_time(invited):
    person = invited[0].participant
    person.do_not_contact = True
    person.save()
    result = drain()
    assert result.sent == 2 and result.cancelled == 1
    message = ScheduledMessage.objects.get(invitation=invited[0])
    assert message.status == MessageStatus.CANCELLED
    assert "do not contact" in message.last_error.lower()


def test_reschedule_moves_reminders_and_sends_an_update(invited, cast):
    drain()
    invitation = invited[0]
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    reminders = ScheduledMessage.objects.filter(invitation=invitation, kind=MessageKind.REMINDER)
    assert {m.dedupe_key.rsplit(":", 1)[1] for m in reminders} == {"7d", "1d"}
    from workshops import services

    later = cast.workshop.starts_at + timedelta(days=3)
    services.workshop_update(
        workshop=cast.workshop,
        by=cast.staff,
        starts_at=later,
        ends_at=later + timedelta(days=1),
    )
    for reminder in reminders.all():
        label = reminder.dedupe_key.rsplit(":", 1)[1]
        delta = scheduling.offset_delta(label)
        assert reminder.send_at == later - delta
    updates = ScheduledMessage.objects.filter(kind=MessageKind.UPDATE)
    assert updates.count() == 3
    mail.outbox.clear()
    drain()
    assert len(mail.outbox) == 3
    body = (
        [
            p
            for p in email.message_from_bytes(mail.outbox[0].message().as_bytes()).walk()
            if p.get_content_type() == "text/calendar"
        ][0]
        .get_payload(decode=True)
        .decode()
    )
    assert "SEQUENCE:1" in body


def test_cancelling_the_workshop_cancels_reminders_and_sends_method_cancel(invited, cast):
    drain()
    scheduling.rsvp_respond(invitation=invited[0], accept=True)
    from workshops import services

    services.workshop_cancel(workshop=cast.workshop, by=cast.staff)
    assert not ScheduledMessage.objects.filter(
        kind=MessageKind.REMINDER, status=MessageStatus.PENDING
    ).exists()
    mail.outbox.clear()
    drain()
    assert len(mail.outbox) == 3
    part = [
        p
        for p in email.message_from_bytes(mail.outbox[0].message().as_bytes()).walk()
        if p.get_content_type() == "text/calendar"
    ][0]
    assert part.get_param("method") == "CANCEL"
    assert "STATUS:CANCELLED" in part.get_payload(decode=True).decode()


def calendar_of(sent) -> str:
    """The text of the .ics part of an email in ``mail.outbox``."""
    parts = email.message_from_bytes(sent.message().as_bytes()).walk()
    part = next(p for p in parts if p.get_content_type() == "text/calendar")
    return part.get_payload(decode=True).decode()


def test_discreet_mode_hides_title_and_venue_until_accepted(
    cast, django_capture_on_commit_callbacks
):
    cast.program.discreet_mode = True
    cast.program.save()
    workshop = cast.workshop
    workshop.code_name = "Spring walk"
    workshop.venue_name = "Hotel Cleopatra"
    workshop.venue_city = "Nicosia"
    workshop.save()
    invitation = factories.InvitationFactory(
        workshop=workshop, participant=factories.ParticipantFactory(email="quiet@example.org")
    )
    scheduling.invitations_send(workshop=workshop, invitations=[invitation], by=cast.staff)
    drain()
    raw = mail.outbox[0].message().as_bytes().decode("utf-8", "replace")
    assert "Spring walk" in mail.outbox[0].subject
    assert workshop.title not in raw
    # Not even the zone's name: dates carry the UTC offset, the .ics UTC times.
    assert "Cleopatra" not in raw and "Nicosia" not in raw
    assert "(UTC+02:00)" in mail.outbox[0].body or "(UTC+03:00)" in mail.outbox[0].body
    calendar = calendar_of(mail.outbox[0])
    assert "TZID" not in calendar and "VTIMEZONE" not in calendar
    assert re.search(r"^DTSTART:\d{8}T\d{6}Z\r?$", calendar, re.M)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    reminder = ScheduledMessage.objects.filter(kind=MessageKind.REMINDER).first()
    reminder.send_at = timezone.now()
    reminder.save()
    mail.outbox.clear()
    drain()
    assert "Hotel Cleopatra" in mail.outbox[0].body
    assert "Asia/Nicosia" in mail.outbox[0].body


def test_a_batch_sends_without_waiting_for_the_disk_and_restores_the_connection(cast, monkeypatch):
    """Only the batch's own commits are asynchronous: the setting never leaks into the
    next task run on the same connection."""
    seen = []
    real_render = compose.render

    def render(message, book=None):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return real_render(message, book)

    monkeypatch.setattr(compose, "render", render)
    invitation = factories.InvitationFactory(workshop=cast.workshop)
    scheduling.invitations_send(workshop=cast.workshop, invitations=[invitation], by=cast.staff)
    drain()
    assert seen == ["off"] and len(mail.outbox) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
