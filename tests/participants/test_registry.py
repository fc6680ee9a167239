"""One person's page, creating and editing people, and recording consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import ConsentRecord, Participant
from tests import factories
from tests.factories import sector
from tests.html import assert_valid_page
from workshops.models import AttendanceStatus, InvitationStatus

pytestmark = pytest.mark.django_db


def detail(pk: int) -> str:
    return reverse("participants:detail", args=[pk])


@pytest.fixture
def invitee(cast):
    """Invited to the workshop ``cast.facilitator`` runs, held last month."""
    cast.workshop.starts_at = timezone.now() - timedelta(days=30)
    cast.workshop.ends_at = cast.workshop.starts_at + timedelta(days=2)
    cast.workshop.save()
    person = factories.ParticipantFactory(
        full_name="Eleni Charalambous",
        native_name="Ελένη Χαραλάμπους",
        email="eleni@example.org",
        phone="+35799123456",
    )
    factories.InvitationFactory(
        workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
    )
    session = factories.SessionFactory(workshop=cast.workshop)
    factories.SessionFactory(workshop=cast.workshop)
    factories.AttendanceFactory(session=session, participant=person)
    return person


def valid_data(**overrides) -> dict:
    community = factories.CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot")
    data = {
        "full_name": "Mehmet Ali Talat",
        "native_name": "",
        "email": "mehmet@example.org",
        "phone": "+90 392 228 1234",
        "country": "CY",
        "gender": "",
        "pronouns": "he/him",
        "sector": sector("academic").pk,
        "community": community.pk,
        "track": "",
        "organisation": "Eastern Mediterranean University",
        "position": "Lecturer",
        "risk_level": "normal",
        "do_not_contact_reason": "",
    }
    data.update(overrides)
    return data


# --- Profile page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator"])
def test_profile_shows_history_to_those_who_may_see_the_person(client, cast, invitee, role):
    client.force_login(getattr(cast, role))
    response = client.get(detail(invitee.pk))
    assert response.status_code == 200
    assert_valid_page(response)
    page = response.content.decode()
    assert "Ελένη Χαραλάμπους" in page
    assert cast.workshop.title in page
    assert "Accepted" in page
    assert "1 of 2 sessions" in page


@pytest.mark.parametrize("role", ["observer", "outsider", "other_facilitator", "other_staff"])
def test_profile_answers_404_to_those_who_may_not_see_the_person(client, cast, invitee, role):
    user = getattr(cast, role)
    client.force_login(user)
    status = client.get(detail(invitee.pk)).status_code
    if role == "other_staff":
        # Programme staff search the whole registry to build delegations.
        assert status == 200
    else:
        assert status == 404


def test_facilitators_see_what_runs_the_room_not_contact_details(client, cast, invitee):
    client.force_login(cast.facilitator)
    page = client.get(detail(invitee.pk)).content.decode()
    assert "eleni@example.org" not in page and "+35799123456" not in page
    assert (
        "Record consent" not in page and reverse("participants:edit", args=[invitee.pk]) not in page
    )
    client.force_login(cast.staff)
    page = client.get(detail(invitee.pk)).content.decode()
    assert "eleni@example.org" in page and "+35799123456" in page


def test_staff_see_only_invitations_of_workshops_they_may_see(client, cast, invitee):
    elsewhere = factories.WorkshopFactory(program=cast.other_program, title="Elsewhere retreat")
    factories.InvitationFactory(workshop=elsewhere, participant=invitee)
    client.force_login(cast.staff)
    page = client.get(detail(invitee.pk)).content.decode()
    assert cast.workshop.title in page and "Elsewhere retreat" not in page
    client.force_login(cast.admin)
    assert "Elsewhere retreat" in client.get(detail(invitee.pk)).content.decode()


def test_profile_says_why_someone_cannot_be_invited(client, cast):
    person = factories.ParticipantFactory(
        do_not_contact=True, do_not_contact_reason="security concerns after publication"
    )
    client.force_login(cast.staff)
    page = client.get(detail(person.pk)).content.decode()
    assert "Cannot be invited or contacted" in page
    assert "security concerns after publication" in page


def test_high_risk_people_are_flagged(client, cast):
    person = factories.ParticipantFactory(risk_level="high")
    client.force_login(cast.staff)
    page = client.get(detail(person.pk)).content.decode()
    assert "high risk" in page and "may be endangered if identified" in page


def test_profile_query_count_does_not_grow_with_history(
    client, cast, invitee, django_assert_max_num_queries
):
    for _ in range(10):
        workshop = factories.WorkshopFactory(program=cast.program)
        factories.InvitationFactory(workshop=workshop, participant=invitee)
        factories.ConsentRecordFactory(participant=invitee)
        factories.FollowUpActionFactory(
            workshop=workshop, owner_user=None, owner_participant=invitee
        )
    client.force_login(cast.staff)
    with django_assert_max_num_queries(16):
        response = client.get(detail(invitee.pk))
    assert response.content.decode().count("Follow-up") >= 1
    assert len(response.context["profile"].invitations) == 11


# --- Create and edit ---------------------------------------------------------------------------


def test_staff_add_a_participant_with_a_normalised_phone(client, cast):
    client.force_login(cast.staff)
    assert_valid_page(client.get(reverse("participants:create")))
    response = client.post(reverse("participants:create"), valid_data())
    person = Participant.objects.get(email="mehmet@example.org")
    assert response.status_code == 302 and response["Location"] == detail(person.pk)
    assert person.phone == "+903922281234"
    assert person.created_by == cast.staff
    event = AuditEvent.objects.get(action="participant.create")
    assert event.object_id == str(person.pk) and "Mehmet" not in str(event.data)


def test_a_local_phone_number_is_read_in_the_participants_country(client, cast):
    client.force_login(cast.staff)
    client.post(reverse("participants:create"), valid_data(phone="99 123456", country="CY"))
    assert Participant.objects.get().phone == "+35799123456"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"phone": "12"}, "phone", "with the country code"),
        ({"phone": "+357 1"}, "phone", "with the country code"),
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"full_name": "x" * 201}, "full_name", "at most 200 characters"),
        ({"sector": ""}, "sector", "This field is required."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"do_not_contact": "on"}, "do_not_contact_reason", "Say why"),
    ],
)
def test_bad_input_rerenders_with_a_clear_message_and_saves_nothing(
    client, cast, overrides, field, message
):
    client.force_login(cast.staff)
    response = client.post(reverse("participants:create"), valid_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["form"]["organisation"].value() == "Eastern Mediterranean University"
    assert not Participant.objects.exists()
    assert_valid_page(response)


def test_an_email_already_in_the_registry_is_refused_whatever_its_case(client, cast):
    factories.ParticipantFactory(email="Mehmet@Example.org")
    client.force_login(cast.staff)
    response = client.post(reverse("participants:create"), valid_data())
    assert "already has this email" in " ".join(response.context["form"].errors["email"])
    assert Participant.objects.count() == 1


def test_likely_duplicates_are_shown_and_must_be_confirmed(client, cast):
    existing = factories.ParticipantFactory(
        full_name="Mehmet Ali Talat", email="", phone="+903922281234"
    )
    client.force_login(cast.staff)
    response = client.post(reverse("participants:create"), valid_data())
    assert response.status_code == 200
    assert existing in response.context["lookalikes"]
    assert "may already be in the registry" in response.content.decode()
    assert Participant.objects.count() == 1
    assert_valid_page(response)
    response = client.post(reverse("participants:create"), valid_data(not_a_duplicate="on"))
    assert response.status_code == 302
    assert Participant.objects.count() == 2


def test_lookalikes_partial_while_typing(client, cast):
    factories.ParticipantFactory(full_name="Andreas Charalambous", email="andreas@example.org")
    client.force_login(cast.staff)
    response = client.get(
        reverse("participants:lookalikes"), {"email": "ANDREAS@example.org", "full_name": ""}
    )
    assert "Andreas Charalambous" in response.content.decode()
    response = client.get(reverse("participants:lookalikes"), {"full_name": "Zz", "phone": "+3"})
    assert response.content.decode().strip() == ""


def test_editing_changes_the_record_and_audits_field_names_only(client, cast, invitee):
    client.force_login(cast.staff)
    edit = reverse("participants:edit", args=[invitee.pk])
    form = client.get(edit).context["form"]
    assert_valid_page(client.get(edit))
    data = {name: form[name].value() or "" for name in form.fields if name != "not_a_duplicate"}
    data.update(
        organisation="University of Cyprus",
        sector=sector("academic").pk,
        community=invitee.community_id,
        languages=[],
        tags=[],
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert invitee.organisation == "University of Cyprus"
    event = AuditEvent.objects.get(action="participant.update")
    assert event.data == {"fields": ["organisation"]}


@pytest.mark.parametrize("role", ["facilitator", "observer", "outsider"])
def test_only_admins_and_staff_create_or_edit(client, cast, invitee, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("participants:create")).status_code == 403
    assert client.post(reverse("participants:create"), valid_data()).status_code == 403
    assert client.get(reverse("participants:edit", args=[invitee.pk])).status_code == 403
    assert client.get(reverse("participants:lookalikes")).status_code == 403
    assert Participant.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, invitee):
    for url in (detail(invitee.pk), reverse("participants:create")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_erased_people_cannot_be_edited(client, cast):
    person = factories.ParticipantFactory(erased_at=timezone.now(), full_name="Erased participant")
    client.force_login(cast.admin)
    response = client.get(reverse("participants:edit", args=[person.pk]))
    assert response.status_code == 302 and response["Location"] == detail(person.pk)


# --- Consent -----------------------------------------------------------------------------------


def test_staff_record_a_withdrawal_which_then_blocks_contact(client, cast, invitee):
    client.force_login(cast.staff)
    response = client.post(
        reverse("participants:consent_add", args=[invitee.pk]),
        {
            "scope": "contact",
            "method": "email",
            "given_on": timezone.localdate().isoformat(),
            "note": "asked by email",
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert not record.granted and record.recorded_by == cast.staff
    assert AuditEvent.objects.filter(action="participant.consent.withdraw").exists()
    page = client.get(detail(invitee.pk)).content.decode()
    assert "Withdrew consent to be contacted" in page


def test_consent_dated_in_the_future_is_refused(client, cast, invitee):
    client.force_login(cast.staff)
    response = client.post(
        reverse("participants:consent_add", args=[invitee.pk]),
        {
            "scope": "contact",
            "granted": "on",
            "method": "written",
            "given_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be dated in the future" in response.content.decode()
    assert not ConsentRecord.objects.exists()
    assert_valid_page(response)


def test_facilitators_cannot_record_consent(client, cast, invitee):
    client.force_login(cast.facilitator)
    response = client.post(
        reverse("participants:consent_add", args=[invitee.pk]),
        {"scope": "contact", "granted": "on", "method": "written", "given_on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_attendance_status_is_counted_only_when_present(client, cast, invitee):
    session = cast.workshop.sessions.exclude(attendances__participant=invitee).get()
    factories.AttendanceFactory(
        session=session, participant=invitee, status=AttendanceStatus.ABSENT
    )
    client.force_login(cast.staff)
    assert "1 of 2 sessions" in client.get(detail(invitee.pk)).content.decode()


def test_upcoming_workshops_show_no_attendance_yet(client, cast, invitee):
    upcoming = factories.WorkshopFactory(program=cast.program, title="Spring dialogue")
    factories.SessionFactory(workshop=upcoming)
    factories.InvitationFactory(workshop=upcoming, participant=invitee)
    client.force_login(cast.staff)
    page = client.get(detail(invitee.pk)).content.decode()
    assert "upcoming" in page and "0 of 1 sessions" not in page
