"""Data-protection rights: erasure keeps counts and no personal data; access gives JSON."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import ConsentRecord, Language, Participant, RiskLevel, Tag
from participants.privacy import participant_erase, participant_record
from participants.selectors import search_participants
from participants.services import RegistryError
from tests import factories
from tests.html import assert_valid_page
from workshops.models import (
    Attendance,
    Invitation,
    InvitationStatus,
    MessageStatus,
    ScheduledMessage,
)

pytestmark = pytest.mark.django_db

PERSONAL = ["Rania", "Odeh", "رانيا", "rania@example.org", "+970599765432", "Birzeit"]


@pytest.fixture
def rania(cast):
    """A participant with everything the registry can hold about someone."""
    person = factories.ParticipantFactory(
        full_name="Rania Odeh",
        native_name="رانيا عودة",
        email="rania@example.org",
        phone="+970599765432",
        country="PS",
        organisation="Birzeit University",
        position="Lecturer in law",
        pronouns="she/her",
        gender="woman",
        risk_level=RiskLevel.HIGH,
    )
    person.languages.add(Language.objects.get_or_create(code="ar", defaults={"name": "Arabic"})[0])
    person.tags.add(Tag.objects.create(name="alumni 2024"))
    factories.ConsentRecordFactory(participant=person, note="Signed at the Birzeit office")
    invitation = factories.InvitationFactory(
        workshop=cast.workshop,
        participant=person,
        status=InvitationStatus.ACCEPTED,
        response_note="Rania will come with her colleague",
        needs="Permit to cross Qalandia",
        dietary="Halal, no nuts",
        accessibility="Step-free room",
        interpretation="Arabic ↔ English",
    )
    session = factories.SessionFactory(workshop=cast.workshop)
    factories.AttendanceFactory(session=session, participant=person)
    ScheduledMessage.objects.create(
        kind="reminder",
        dedupe_key="reminder:rania",
        send_at=timezone.now(),
        recipient_participant=person,
        invitation=invitation,
    )
    ScheduledMessage.objects.create(
        kind="invitation",
        status=MessageStatus.FAILED,
        dedupe_key="invitation:rania",
        send_at=timezone.now(),
        recipient_participant=person,
        invitation=invitation,
        last_error="550 5.1.1 <rania@example.org>: Recipient address rejected",
    )
    return person


def test_erasure_leaves_no_personal_data_in_the_row_or_its_records(cast, rania):
    participant_erase(participant=rania, by=cast.admin)
    row = Participant.objects.filter(pk=rania.pk).values().get()
    consent = list(ConsentRecord.objects.filter(participant=rania).values())
    invitations = list(Invitation.objects.filter(participant=rania).values())
    messages = list(ScheduledMessage.objects.filter(recipient_participant=rania).values())
    text = json.dumps([row, consent, invitations, messages], default=str)
    for value in PERSONAL + ["Lecturer", "she/her", "Qalandia", "colleague", "nuts", "Step-free"]:
        assert value not in text, value
    rania.refresh_from_db()
    assert rania.full_name == f"Erased participant #{rania.pk}"
    assert rania.erased_at is not None and rania.do_not_contact
    assert not rania.languages.exists() and not rania.tags.exists()
    message = ScheduledMessage.objects.get(dedupe_key="reminder:rania")
    assert message.status == MessageStatus.CANCELLED  # nothing more reaches the old address


def test_erasure_retires_the_rsvp_links_sent(cast, rania):
    from workshops.outreach import links

    invitation = Invitation.objects.get(participant=rania)
    token = links.rsvp_token(invitation)
    assert links.invitation_for_token(token) == invitation
    participant_erase(participant=rania, by=cast.admin)
    assert links.invitation_for_token(token) is None


def test_erasure_keeps_the_counts_by_community_and_sector(cast, rania):
    def counts():
        return list(
            Invitation.objects.filter(workshop=cast.workshop)
            .values("participant__community", "participant__sector", "status")
            .annotate(n=Count("pk"))
            .order_by("participant__community")
        ), Attendance.objects.filter(session__workshop=cast.workshop).count()

    before = counts()
    participant_erase(participant=rania, by=cast.admin)
    assert counts() == before


def test_erased_people_are_not_found_and_cannot_be_erased_twice(cast, rania):
    participant_erase(participant=rania, by=cast.admin)
    assert not search_participants(Participant.objects.all(), "Rania Odeh").exists()
    assert not search_participants(Participant.objects.all(), "rania@example.org").exists()
    with pytest.raises(RegistryError):
        participant_erase(participant=rania, by=cast.admin)
    events = AuditEvent.objects.filter(action="participant.erase", object_id=str(rania.pk))
    assert events.count() == 1 and events.get().actor == cast.admin
    assert events.get().data == {"cancelled_messages": 1}


def test_erasure_also_renames_the_entries_of_the_admin_history(cast, rania):
    LogEntry.objects.log_actions(
        user_id=cast.admin.pk, queryset=[rania], action_flag=CHANGE, change_message="[]"
    )
    assert LogEntry.objects.get().object_repr == "Rania Odeh"
    participant_erase(participant=rania, by=cast.admin)
    assert "Rania" not in LogEntry.objects.get().object_repr


def test_the_record_holds_everything_about_the_person(rania, cast):
    record = participant_record(rania)
    assert record["participant"]["name_in_native_script"] == "رانيا عودة"
    assert record["participant"]["languages"] == ["ar"]
    assert record["consent"][0]["note"] == "Signed at the Birzeit office"
    assert record["invitations"][0]["needs"] == "Permit to cross Qalandia"
    assert record["invitations"][0]["dietary"] == "Halal, no nuts"
    assert record["invitations"][0]["workshop"] == cast.workshop.title
    assert record["attendance"][0]["status"] == "present"
    assert record["messages"][0]["kind"] == "reminder"


def test_admin_exports_a_record_after_confirming_and_it_is_audited(client, cast, rania):
    client.force_login(cast.admin)
    url = reverse("participants:export_record", args=[rania.pk])
    page = client.get(url)
    assert_valid_page(page)
    assert "High risk" in page.content.decode()
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 200 and unconfirmed["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="participant.export_record").exists()
    response = client.post(url, {"confirm": "on"})
    assert response["Content-Disposition"] == f'attachment; filename="participant-{rania.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["participant"]["email"] == "rania@example.org"
    event = AuditEvent.objects.get(action="participant.export_record")
    assert event.actor == cast.admin and event.object_id == str(rania.pk)
    assert "rania" not in json.dumps(event.data).lower()


def test_admin_erases_after_typing_the_number(client, cast, rania):
    client.force_login(cast.admin)
    detail = client.get(reverse("participants:detail", args=[rania.pk])).content.decode()
    assert reverse("participants:erase", args=[rania.pk]) in detail
    url = reverse("participants:erase", args=[rania.pk])
    assert_valid_page(client.get(url))
    wrong = client.post(url, {"confirm_id": rania.pk + 1})
    assert wrong.status_code == 200 and "not this participant" in wrong.content.decode()
    rania.refresh_from_db()
    assert rania.erased_at is None
    response = client.post(url, {"confirm_id": rania.pk}, follow=True)
    assert_valid_page(response)
    html = response.content.decode()
    assert "was erased" in html and "Rania Odeh" not in html
    rania.refresh_from_db()
    assert rania.erased_at is not None
    # Erased once: the page says so instead of offering to erase again.
    again = client.get(url, follow=True)
    assert "already erased" in again.content.decode()


@pytest.mark.parametrize("role", ["staff", "other_staff", "facilitator", "observer", "outsider"])
def test_erasure_and_export_are_for_admins_only(client, cast, rania, role):
    client.force_login(getattr(cast, role))
    for name, data in (("erase", {"confirm_id": rania.pk}), ("export_record", {"confirm": "on"})):
        url = reverse(f"participants:{name}", args=[rania.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    rania.refresh_from_db()
    assert rania.erased_at is None
    assert not AuditEvent.objects.filter(action="participant.export_record").exists()
    detail = client.get(reverse("participants:detail", args=[rania.pk])).content.decode()
    assert reverse("participants:erase", args=[rania.pk]) not in detail


def test_anonymous_visitors_are_sent_to_sign_in(client, rania):
    for name in ("erase", "export_record"):
        response = client.get(reverse(f"participants:{name}", args=[rania.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
