"""What goes into the audit log on its own: sign-ins, failed sign-ins, sign-outs, and the
changes to participants and team memberships, always without personal data."""

import pytest
from django.urls import reverse

from core import audit
from core.models import AuditEvent
from dialogues import services as program_services
from dialogues.models import ProgramMembership, ProgramRole
from participants import services as registry_services
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = factories.DEMO_PASSWORD


def everything_in_the_log() -> str:
    return str(
        list(AuditEvent.objects.values_list("action", "object_repr", "object_id", "data"))
    ).casefold()


def test_sign_in_and_sign_out_are_recorded(client):
    user = factories.UserFactory(username="eleni.g@example.org")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == user
    assert login.object_id == str(user.pk)
    client.post(reverse("logout"))
    logout = AuditEvent.objects.get(action="auth.logout")
    assert logout.actor == user
    assert "eleni" not in everything_in_the_log()


def test_failed_sign_in_to_an_account_names_the_account_not_the_typed_text(client):
    user = factories.UserFactory(username="eleni.g@example.org")
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.object_id == str(user.pk)
    assert event.data == {"known_account": True}
    assert "eleni" not in everything_in_the_log()
    assert "wrong" not in everything_in_the_log()


def test_failed_sign_in_with_an_unknown_username_stores_nothing_typed(client):
    client.post(reverse("login"), {"username": "mehmet@example.org", "password": "guess"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.object_id == "" and event.content_type is None
    assert event.data == {"known_account": False}
    assert "mehmet" not in everything_in_the_log()
    assert "guess" not in everything_in_the_log()


def test_the_audit_helper_refuses_a_username():
    with pytest.raises(ValueError, match="username"):
        audit.record(None, "auth.login_failed", username="someone")


def test_participant_change_names_the_fields_never_the_values(cast):
    participant = factories.ParticipantFactory(
        full_name="Eleni Georgiou", phone="+35799000000", organisation="Nicosia Forum"
    )
    registry_services.participant_update(
        participant=participant,
        by=cast.staff,
        full_name="Eleni Georgiou-Christou",
        phone="+35799111111",
        organisation="Nicosia Forum",  # unchanged: not listed
    )
    event = AuditEvent.objects.get(action="participant.update")
    assert event.actor == cast.staff
    assert event.object_id == str(participant.pk)
    assert event.data == {"fields": ["full_name", "phone"]}
    log = everything_in_the_log()
    for value in ("eleni", "georgiou", "christou", "35799", "nicosia"):
        assert value not in log


def test_a_save_that_changes_nothing_leaves_no_event(cast):
    participant = factories.ParticipantFactory(organisation="Nicosia Forum")
    registry_services.participant_update(
        participant=participant, by=cast.staff, organisation="Nicosia Forum"
    )
    assert not AuditEvent.objects.filter(action="participant.update").exists()


def test_record_change_checks_the_field_names(cast):
    note = factories.SessionNoteFactory(workshop=cast.workshop, author=cast.facilitator)
    event = audit.record_change(cast.facilitator, note, ["level", "body", "body"])
    assert event.action == "sessionnote.changed"
    assert event.data == {"fields": ["body", "level"]}
    assert "spring" not in everything_in_the_log()  # the note's text
    assert audit.record_change(cast.facilitator, note, []) is None
    with pytest.raises(ValueError, match="Not fields"):
        audit.record_change(cast.facilitator, note, ["The group agreed"])


def test_membership_changes_are_recorded_with_the_field_name(cast):
    newcomer = factories.UserFactory()
    membership = program_services.membership_add(
        program=cast.program, user=newcomer, role=ProgramRole.OBSERVER, by=cast.staff
    )
    program_services.membership_change(
        membership=membership, role=ProgramRole.FACILITATOR, by=cast.staff
    )
    program_services.membership_remove(
        membership=ProgramMembership.objects.get(pk=membership.pk), by=cast.staff
    )
    added, changed, removed = (
        AuditEvent.objects.get(action=f"program.team.{verb}")
        for verb in ("add", "change", "remove")
    )
    assert added.data == {"user": newcomer.pk, "membership": membership.pk, "role": "observer"}
    assert changed.data["fields"] == ["role"]
    assert changed.data["membership"] == membership.pk
    assert removed.data["user"] == newcomer.pk


def test_personal_data_keys_are_refused_at_any_depth():
    with pytest.raises(ValueError, match="email"):
        audit.record(None, "audit.exported", filters={"email": "eleni@example.org"})
    with pytest.raises(ValueError, match="full_name"):
        audit.record(None, "participant.merge", moved=[{"full_name": "Eleni"}])
    assert not AuditEvent.objects.exists()
