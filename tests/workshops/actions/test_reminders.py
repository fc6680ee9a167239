"""Saving an action keeps its reminder in the outbox in step at once: scheduled, handed to a
new owner, moved to a new date, cancelled when done, back when reopened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from workshops import actions as services
from workshops.models import ActionStatus, MessageKind, MessageStatus, ScheduledMessage
from workshops.outreach import scheduling

pytestmark = pytest.mark.django_db


def reminders(action) -> list[tuple[str, str, int | None, int | None]]:
    return list(
        ScheduledMessage.objects.filter(
            follow_up_action=action, kind=MessageKind.ACTION_REMINDER
        ).values_list("dedupe_key", "status", "recipient_user_id", "recipient_participant_id")
    )


@pytest.fixture
def due():
    return timezone.localdate() + timedelta(days=10)


@pytest.fixture
def action(cast, due):
    return services.action_create(
        workshop=cast.workshop, by=cast.staff, description="Send the study", owner=cast.staff,
        due_on=due,
    )  # fmt: skip


def test_creating_schedules_the_reminder(action, cast, due):
    key = f"action_reminder:{action.pk}:{due.isoformat()}"
    assert reminders(action) == [(key, MessageStatus.PENDING, cast.staff.pk, None)]
    message = ScheduledMessage.objects.get(dedupe_key=key)
    assert message.send_at == scheduling.action_reminder_at(action)


def test_a_new_owner_gets_the_waiting_reminder(action, cast, due):
    person = factories.ParticipantFactory()
    services.action_update(
        action=action, by=cast.staff, description="Send the study", owner=person, due_on=due
    )
    key = f"action_reminder:{action.pk}:{due.isoformat()}"
    assert reminders(action) == [(key, MessageStatus.PENDING, None, person.pk)]


def test_a_new_date_moves_the_reminder(action, cast, due):
    later = due + timedelta(days=7)
    services.action_update(
        action=action, by=cast.staff, description="Send the study", owner=cast.staff, due_on=later
    )
    assert sorted(reminders(action)) == sorted(
        [
            (f"action_reminder:{action.pk}:{due.isoformat()}", MessageStatus.CANCELLED,
             cast.staff.pk, None),
            (f"action_reminder:{action.pk}:{later.isoformat()}", MessageStatus.PENDING,
             cast.staff.pk, None),
        ]
    )  # fmt: skip


def test_done_cancels_and_reopening_brings_it_back(action, cast, due):
    key = f"action_reminder:{action.pk}:{due.isoformat()}"
    services.action_complete(action=action, by=cast.staff)
    assert reminders(action) == [(key, MessageStatus.CANCELLED, cast.staff.pk, None)]
    services.action_set_status(action=action, by=cast.staff, status=ActionStatus.IN_PROGRESS)
    assert reminders(action) == [(key, MessageStatus.PENDING, cast.staff.pk, None)]
    # The hourly sync agrees: nothing to add or cancel.
    assert scheduling.action_reminders_sync() == 0
    assert reminders(action) == [(key, MessageStatus.PENDING, cast.staff.pk, None)]


def test_a_reminder_staff_cancelled_stays_cancelled(action, cast, due):
    message = ScheduledMessage.objects.get(follow_up_action=action)
    scheduling.message_cancel(message=message, by=cast.staff)
    services.action_complete(action=action, by=cast.staff)
    services.action_set_status(action=action, by=cast.staff, status=ActionStatus.OPEN)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_an_undated_or_past_action_has_no_reminder(cast):
    undated = services.action_create(
        workshop=cast.workshop, by=cast.staff, description="x", owner=cast.staff
    )
    past = services.action_create(
        workshop=cast.workshop, by=cast.staff, description="y", owner=cast.staff,
        due_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    assert reminders(undated) == [] and reminders(past) == []
