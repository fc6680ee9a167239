"""Scheduling rules: reminders, thank-yous, action reminders, withdrawals, the queue's actions."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from participants import safety
from participants.models import RiskLevel
from tests import factories
from tests.workshops.outreach.test_sending import drain
from workshops import services
from workshops.models import (
    ActionStatus,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    NoteLevel,
    ScheduledMessage,
)
from workshops.outreach import links, outbox, placeholders, scheduling


def _invite(cast, n: int = 1, **workshop_fields):
    for name, value in workshop_fields.items():
        setattr(cast.workshop, name, value)
    cast.workshop.save()
    invitations = [
        factories.InvitationFactory(
            workshop=cast.workshop,
            participant=factories.ParticipantFactory(email=f"p{i}@example.org"),
        )
        for i in range(n)
    ]
    scheduling.invitations_send(workshop=cast.workshop, invitations=invitations, by=cast.staff)
    drain()
    mail.outbox.clear()
    return invitations


def _keys(**filters) -> set[str]:
    return set(ScheduledMessage.objects.filter(**filters).values_list("dedupe_key", flat=True))


# --- Placeholders and offsets -----------------------------------------------------------------


def test_unknown_placeholders_and_stray_braces_are_reported():
    assert placeholders.problems("Dear {{ participant_name }}", MessageKind.INVITATION) == []
    [problem] = placeholders.problems("Hello {{ first_name }}", MessageKind.INVITATION)
    assert "{{ first_name }}" in problem and "{{ participant_name }}" in problem
    assert placeholders.problems("Hello {{ name }", MessageKind.INVITATION)
    # A follow-up may list actions; an invitation may not.
    assert placeholders.problems("{{ actions }}", MessageKind.FOLLOW_UP) == []
    assert placeholders.problems("{{ actions }}", MessageKind.INVITATION)


def test_offsets_are_parsed_longest_first_and_bad_ones_refused():
    assert scheduling.parse_offsets("1d, 7D 3h, 1d") == ["7d", "1d", "3h"]
    assert scheduling.parse_offsets("") == []
    with pytest.raises(ValidationError, match="7x"):
        scheduling.parse_offsets("7d, 7x")
    with pytest.raises(ValidationError):
        scheduling.parse_offsets("0d")
    with pytest.raises(ValidationError):
        scheduling.parse_offsets("400d")


def test_transient_and_permanent_smtp_errors():
    assert outbox.is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}))
    assert not outbox.is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (451, b"later")}))
    assert not outbox.is_permanent(smtplib.SMTPResponseException(421, b"closing"))
    assert outbox.is_permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert not outbox.is_permanent(smtplib.SMTPServerDisconnected("gone"))
    assert not outbox.is_permanent(ConnectionRefusedError())
    assert not outbox.is_permanent(smtplib.SMTPAuthenticationError(535, b"bad login"))


@override_settings(OUTBOX_RETRY_BASE_SECONDS=60, OUTBOX_RETRY_CAP_SECONDS=1800)
def test_backoff_doubles_and_is_capped():
    waits = [outbox.backoff(n).total_seconds() for n in range(1, 9)]
    assert waits[:4] == [60, 120, 240, 480]
    assert max(waits) == 1800


# --- Answers, reminders and thank-yous --------------------------------------------------------


def test_accepting_schedules_reminders_and_a_thank_you_declining_cancels_them(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True, dietary="vegetarian")
    pending = {"status": MessageStatus.PENDING, "invitation": invitation}
    assert _keys(**pending) == {
        f"reminder:{invitation.pk}:7d",
        f"reminder:{invitation.pk}:1d",
        f"follow_up:{invitation.pk}",
    }
    reminder = ScheduledMessage.objects.get(dedupe_key=f"reminder:{invitation.pk}:1d")
    assert reminder.send_at == cast.workshop.starts_at - timedelta(days=1)
    scheduling.rsvp_respond(invitation=invitation, accept=False)
    assert not _keys(**pending)
    assert _keys(status=MessageStatus.CANCELLED, invitation=invitation) >= {
        f"reminder:{invitation.pk}:7d",
        f"follow_up:{invitation.pk}",
    }


def test_reminders_already_past_are_not_scheduled(cast):
    soon = timezone.now() + timedelta(days=3)
    [invitation] = _invite(cast, starts_at=soon, ends_at=soon + timedelta(hours=6))
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    assert _keys(kind=MessageKind.REMINDER) == {f"reminder:{invitation.pk}:1d"}


def test_changing_the_offsets_cancels_dropped_and_adds_new_reminders(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    services.workshop_update(workshop=cast.workshop, by=cast.staff, reminder_offsets=["3d"])
    assert _keys(kind=MessageKind.REMINDER, status=MessageStatus.PENDING) == {
        f"reminder:{invitation.pk}:3d"
    }
    assert len(_keys(kind=MessageKind.REMINDER, status=MessageStatus.CANCELLED)) == 2


def test_switching_the_thank_you_off_cancels_it(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    services.workshop_update(workshop=cast.workshop, by=cast.staff, send_follow_up=False)
    message = ScheduledMessage.objects.get(dedupe_key=f"follow_up:{invitation.pk}")
    assert message.status == MessageStatus.CANCELLED


def test_the_thank_you_lists_the_actions_and_the_feedback_link(cast):
    [invitation] = _invite(cast, feedback_url="https://forms.example.org/cyprus")
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    factories.FollowUpActionFactory(workshop=cast.workshop, description="Share the map")
    factories.FollowUpActionFactory(
        workshop=cast.workshop, description="Dropped idea", status=ActionStatus.DROPPED
    )
    ScheduledMessage.objects.filter(kind=MessageKind.FOLLOW_UP).update(send_at=timezone.now())
    drain()
    [thanks] = mail.outbox
    assert "Share the map" in thanks.body and "Dropped idea" not in thanks.body
    assert "https://forms.example.org/cyprus" in thanks.body
    assert not [a for a in thanks.attachments if "calendar" in str(a)]


def test_the_thank_you_lists_only_what_may_leave_the_team_and_no_high_risk_name(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    for level in (NoteLevel.RESTRICTED, NoteLevel.TEAM, NoteLevel.SHAREABLE):
        note = factories.SessionNoteFactory(workshop=cast.workshop, level=level)
        factories.FollowUpActionFactory(
            workshop=cast.workshop, note=note, description=f"Agreed in a {level} note"
        )
    at_risk = factories.ParticipantFactory(full_name="Layla Haddad", risk_level=RiskLevel.HIGH)
    factories.InvitationFactory(workshop=cast.workshop, participant=at_risk)
    factories.FollowUpActionFactory(
        workshop=cast.workshop, description="Layla Haddad sends the water survey"
    )
    ScheduledMessage.objects.filter(kind=MessageKind.FOLLOW_UP).update(send_at=timezone.now())
    drain()
    [thanks] = mail.outbox
    assert "Agreed in a shareable note" in thanks.body
    assert "restricted note" not in thanks.body and "team note" not in thanks.body
    assert "Haddad" not in thanks.body and "Layla" not in thanks.body
    assert f"{safety.pseudonym(at_risk)} sends the water survey" in thanks.body


# --- Withdrawals and the waitlist -------------------------------------------------------------


def test_withdrawing_retires_the_link_cancels_messages_and_moves_the_waitlist_up(cast):
    cast.workshop.capacity = 1
    cast.workshop.save()
    first, second = _invite(cast, 2)
    scheduling.rsvp_respond(invitation=first, accept=True)
    scheduling.rsvp_respond(invitation=second, accept=True)
    second.refresh_from_db()
    assert second.status == InvitationStatus.WAITLISTED
    token = links.rsvp_token(first)
    assert links.invitation_for_token(token) is not None

    promoted = scheduling.invitation_withdraw(invitation=first, by=cast.staff)

    assert links.invitation_for_token(token) is None
    assert not _keys(invitation=first, status=MessageStatus.PENDING)
    assert promoted == second
    second.refresh_from_db()
    assert second.status == InvitationStatus.ACCEPTED
    assert _keys(invitation=second, kind=MessageKind.SEAT_OFFER) == {f"seat_offer:{second.pk}:1"}
    drain()
    assert [m.to for m in mail.outbox] == [[second.participant.email]]


def test_a_place_freed_after_invitations_went_out_invites_the_next_on_the_builder_waitlist(cast):
    cast.workshop.capacity = 1
    cast.workshop.save()
    [first] = _invite(cast)
    scheduling.rsvp_respond(invitation=first, accept=True)
    waiting = factories.InvitationFactory(
        workshop=cast.workshop,
        participant=factories.ParticipantFactory(email="next@example.org"),
        status=InvitationStatus.WAITLISTED,
    )
    scheduling.rsvp_respond(invitation=first, accept=False)
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.INVITED
    assert _keys(invitation=waiting) == {f"invitation:{waiting.pk}"}


# --- Action reminders -------------------------------------------------------------------------


def test_action_reminders_follow_the_actions(cast):
    due = timezone.localdate() + timedelta(days=10)
    action = factories.FollowUpActionFactory(
        workshop=cast.workshop, owner_user=cast.facilitator, due_on=due
    )
    assert scheduling.action_reminders_sync() == 1
    assert scheduling.action_reminders_sync() == 0  # idempotent
    key = f"action_reminder:{action.pk}:{due.isoformat()}"
    assert _keys(kind=MessageKind.ACTION_REMINDER, status=MessageStatus.PENDING) == {key}

    action.due_on = due + timedelta(days=5)
    action.save()
    scheduling.action_reminders_sync()
    assert ScheduledMessage.objects.get(dedupe_key=key).status == MessageStatus.CANCELLED
    new_key = f"action_reminder:{action.pk}:{action.due_on.isoformat()}"
    assert ScheduledMessage.objects.get(dedupe_key=new_key).status == MessageStatus.PENDING

    action.status = ActionStatus.DONE
    action.save()
    scheduling.action_reminders_sync()
    assert not _keys(kind=MessageKind.ACTION_REMINDER, status=MessageStatus.PENDING)


def test_an_action_reminder_reaches_its_owner(cast):
    cast.facilitator.email = "facilitator@example.org"
    cast.facilitator.save()
    due = timezone.localdate() + timedelta(days=1)  # reminder time already past: send now
    factories.FollowUpActionFactory(
        workshop=cast.workshop,
        owner_user=cast.facilitator,
        due_on=due,
        description="Draft the joint statement",
    )
    scheduling.action_reminders_sync()
    drain()
    [sent] = mail.outbox
    assert sent.to == ["facilitator@example.org"]
    assert "Draft the joint statement" in sent.body


# --- The queue --------------------------------------------------------------------------------


def test_resend_and_cancel_follow_the_status(cast):
    [invitation] = _invite(cast)
    sent = ScheduledMessage.objects.get(invitation=invitation)
    with pytest.raises(scheduling.OutreachError):
        scheduling.message_resend(message=sent, by=cast.staff)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    reminder = ScheduledMessage.objects.get(dedupe_key=f"reminder:{invitation.pk}:7d")
    scheduling.message_cancel(message=reminder, by=cast.staff)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.CANCELLED
    with pytest.raises(scheduling.OutreachError):
        scheduling.message_cancel(message=reminder, by=cast.staff)
    scheduling.message_resend(message=reminder, by=cast.staff)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.PENDING and reminder.send_at <= timezone.now()
    drain()
    assert len(mail.outbox) == 1


def test_more_places_move_the_waitlist_up_but_no_further(cast):
    cast.workshop.capacity = 1
    cast.workshop.save()
    first, second, third = _invite(cast, 3)
    for invitation in (first, second, third):
        scheduling.rsvp_respond(invitation=invitation, accept=True)
    assert [i.status for i in cast.workshop.invitations.order_by("pk")] == [
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
        InvitationStatus.WAITLISTED,
    ]
    services.workshop_update(workshop=cast.workshop, by=cast.staff, capacity=2)
    assert [i.status for i in cast.workshop.invitations.order_by("pk")] == [
        InvitationStatus.ACCEPTED,
        InvitationStatus.ACCEPTED,
        InvitationStatus.WAITLISTED,
    ]
    assert _keys(kind=MessageKind.SEAT_OFFER) == {f"seat_offer:{second.pk}:1"}


def test_a_decline_by_someone_invited_frees_their_place_on_the_list(cast):
    cast.workshop.capacity = 1
    cast.workshop.save()
    [first] = _invite(cast)
    waiting = factories.InvitationFactory(
        workshop=cast.workshop,
        participant=factories.ParticipantFactory(email="next@example.org"),
        status=InvitationStatus.WAITLISTED,
    )
    scheduling.rsvp_respond(invitation=first, accept=False)
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.INVITED


def test_a_reminder_dropped_by_a_move_comes_back_when_the_workshop_moves_back(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    original = cast.workshop.starts_at, cast.workshop.ends_at
    soon = timezone.now() + timedelta(days=3)
    services.workshop_update(
        workshop=cast.workshop, by=cast.staff, starts_at=soon, ends_at=soon + timedelta(hours=6)
    )
    key = f"reminder:{invitation.pk}:7d"
    assert ScheduledMessage.objects.get(dedupe_key=key).status == MessageStatus.CANCELLED
    services.workshop_update(
        workshop=cast.workshop, by=cast.staff, starts_at=original[0], ends_at=original[1]
    )
    reminder = ScheduledMessage.objects.get(dedupe_key=key)
    assert reminder.status == MessageStatus.PENDING
    assert reminder.send_at == original[0] - timedelta(days=7)


def test_a_reminder_staff_cancelled_stays_cancelled(cast):
    [invitation] = _invite(cast)
    scheduling.rsvp_respond(invitation=invitation, accept=True)
    key = f"reminder:{invitation.pk}:7d"
    scheduling.message_cancel(message=ScheduledMessage.objects.get(dedupe_key=key), by=cast.staff)
    later = cast.workshop.starts_at + timedelta(days=1)
    services.workshop_update(
        workshop=cast.workshop, by=cast.staff, starts_at=later, ends_at=later + timedelta(hours=6)
    )
    assert ScheduledMessage.objects.get(dedupe_key=key).status == MessageStatus.CANCELLED
