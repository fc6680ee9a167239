"""Who may be contacted, and how high-risk people appear in exports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants import safety
from participants.models import ConsentScope, Participant, RiskLevel
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_person_with_no_objection_may_be_contacted():
    person = factories.ParticipantFactory()
    assert safety.contact_blockers(person) == []
    assert safety.can_be_contacted(person)
    assert list(safety.contactable(Participant.objects.all())) == [person]


def test_do_not_contact_blocks_and_says_why():
    person = factories.ParticipantFactory(
        do_not_contact=True, do_not_contact_reason="asked after the 2025 camp"
    )
    assert safety.contact_blockers(person) == ["Marked do not contact: asked after the 2025 camp."]
    assert not safety.contactable(Participant.objects.all()).exists()


def test_a_reason_ending_in_a_full_stop_gets_one_full_stop():
    person = factories.ParticipantFactory(
        do_not_contact=True, do_not_contact_reason="Asked not to be contacted. "
    )
    assert safety.contact_blockers(person) == ["Marked do not contact: Asked not to be contacted."]


def test_the_latest_contact_consent_record_holds():
    person = factories.ParticipantFactory()
    today = timezone.localdate()
    factories.ConsentRecordFactory(participant=person, given_on=today - timedelta(days=30))
    factories.ConsentRecordFactory(
        participant=person, granted=False, given_on=today - timedelta(days=3)
    )
    assert safety.contact_blockers(person) == [
        f"Withdrew consent to be contacted on {(today - timedelta(days=3)).isoformat()}."
    ]
    assert not safety.contactable(Participant.objects.all()).exists()
    # Consent given again later restores contact.
    factories.ConsentRecordFactory(participant=person, given_on=today)
    assert safety.can_be_contacted(person)
    assert safety.contactable(Participant.objects.all()).get() == person


def test_withdrawing_photo_consent_does_not_block_contact():
    person = factories.ParticipantFactory()
    factories.ConsentRecordFactory(participant=person, scope=ConsentScope.PHOTOS, granted=False)
    assert safety.can_be_contacted(person)


def test_erased_people_are_never_contacted():
    person = factories.ParticipantFactory(erased_at=timezone.now())
    assert safety.contact_blockers(person) == ["Their personal data was erased."]
    assert not safety.contactable(Participant.objects.all()).exists()


def test_high_risk_people_are_pseudonymised_unless_revealed():
    person = factories.ParticipantFactory(
        full_name="Yusuf Demir", phone="+35799123456", risk_level=RiskLevel.HIGH
    )
    hidden = safety.public_identity(person)
    assert hidden.pseudonymised
    assert hidden.full_name.startswith("P-") and len(hidden.full_name) == 10
    assert "Yusuf" not in str(hidden) and "+357" not in str(hidden)
    assert hidden.email == hidden.organisation == ""
    assert safety.public_identity(person).full_name == hidden.full_name  # stable
    revealed = safety.public_identity(person, reveal_high_risk=True)
    assert revealed.full_name == "Yusuf Demir" and not revealed.pseudonymised


def test_pseudonyms_differ_between_people_and_normal_risk_is_shown():
    first, second = factories.ParticipantFactory.create_batch(2, risk_level=RiskLevel.HIGH)
    assert safety.pseudonym(first) != safety.pseudonym(second)
    normal = factories.ParticipantFactory(full_name="Maria Georgiou")
    assert safety.public_identity(normal).full_name == "Maria Georgiou"
