"""core.audit.record: the one way to write the audit log, and what it refuses to store."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from core import audit
from core.models import AuditEvent
from participants.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db


def test_records_actor_object_and_details():
    actor = factories.UserFactory(username="staff-user")
    workshop = factories.WorkshopFactory()

    event = audit.record(actor, "workshop.export", workshop, rows=12, format="csv")

    stored = AuditEvent.objects.get()
    assert stored == event
    assert stored.actor == actor
    assert stored.action == "workshop.export"
    assert stored.content_type == ContentType.objects.get_for_model(workshop)
    assert stored.object_id == str(workshop.pk)
    assert stored.data == {"rows": 12, "format": "csv"}
    assert stored.created_at is not None
    assert str(stored).endswith("workshop.export")


def test_event_without_an_object():
    event = audit.record(factories.UserFactory(), "registry.export_all", count=3)
    event.refresh_from_db()
    assert event.content_type is None
    assert event.object_id == ""
    assert event.object_repr == ""


@pytest.mark.parametrize("key", sorted(audit.FORBIDDEN_KEYS))
def test_refuses_personal_data_and_writes_nothing(key):
    participant = factories.ParticipantFactory()
    with pytest.raises(ValueError, match=key):
        audit.record(factories.UserFactory(), "participant.view", participant, **{key: "secret"})
    assert not AuditEvent.objects.exists()


def test_refuses_personal_data_mixed_with_allowed_details():
    with pytest.raises(ValueError, match="email"):
        audit.record(None, "participant.update", count=1, email="eleni@example.org")
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_anonymous_actor_is_stored_as_null(actor):
    invitation = factories.InvitationFactory()
    event = audit.record(actor, "invitation.rsvp", invitation)
    event.refresh_from_db()
    assert event.actor is None
    assert event.object_id == str(invitation.pk)
    assert str(event).split()[2] == "-"


def test_object_label_never_names_the_participant():
    participant = factories.ParticipantFactory(
        full_name="Eleni Georgiou", native_name="Ελένη Γεωργίου", email="eleni@example.org"
    )
    event = audit.record(factories.UserFactory(), "participant.erase", participant)
    event.refresh_from_db()
    assert event.object_repr == f"participant #{participant.pk}"
    for fragment in ("Eleni", "Georgiou", "Ελένη", "eleni@example.org"):
        assert fragment not in event.object_repr
        assert fragment not in str(event.data)


def test_event_outlives_its_actor_and_object():
    actor = factories.UserFactory()
    participant = factories.ParticipantFactory()
    event = audit.record(actor, "participant.erase", participant)
    Participant.objects.filter(pk=participant.pk).delete()
    actor.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.object_repr == f"participant #{participant.pk}"
