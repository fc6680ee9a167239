"""The audit log is append-only in the database: no UPDATE or DELETE, whoever asks."""

import pytest
from django.db import DatabaseError, connection, transaction

from core import audit
from core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit.record(
        factories.UserFactory(), "participant.erase", factories.ParticipantFactory()
    )


def refused(operation) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        operation()


def test_orm_update_is_refused(event):
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="participant.view"))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(data={"count": 0}))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(object_id="999"))
    event.refresh_from_db()
    assert event.action == "participant.erase"


def test_saving_a_changed_event_is_refused(event):
    event.action = "nothing.happened"
    refused(event.save)
    assert AuditEvent.objects.get(pk=event.pk).action == "participant.erase"


def test_moving_an_event_to_another_actor_is_refused(event):
    someone_else = factories.AdminFactory()
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(actor=someone_else))


def test_orm_delete_is_refused(event):
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(event.delete)
    refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_is_refused_too(event):
    def update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    refused(update)
    refused(delete)


def test_deleting_a_user_only_forgets_who_acted(event):
    """The one UPDATE allowed: ON DELETE SET NULL of the actor, nothing else changes."""
    actor = event.actor
    actor.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.action == "participant.erase"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_database_can_still_be_flushed():
    """TRUNCATE (the flush between transactional tests) fires no row trigger."""
    audit.record(None, "test.event")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flush_left_an_empty_log():
    assert not AuditEvent.objects.filter(action="test.event").exists()
