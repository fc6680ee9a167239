"""The registry's tables refuse bad rows themselves, whatever code path wrote them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from participants.models import (
    Community,
    ConsentRecord,
    ConsentScope,
    Language,
    Participant,
    RiskLevel,
    Sector,
    Tag,
    Track,
)
from tests import factories

pytestmark = pytest.mark.django_db


def rejected():
    """The database, not Django's validation, refuses the write."""
    return pytest.raises(IntegrityError)


class TestVocabulary:
    def test_community_name_and_slug_are_unique(self):
        Community.objects.create(name="Greek Cypriot", slug="gc")
        with rejected(), transaction.atomic():
            Community.objects.create(name="Greek Cypriot", slug="gc-2")
        with rejected(), transaction.atomic():
            Community.objects.create(name="Greek Cypriots", slug="gc")

    def test_sector_name_and_slug_are_unique(self):
        existing = factories.sector()
        with rejected(), transaction.atomic():
            Sector.objects.create(name=existing.name, slug="another")
        with rejected(), transaction.atomic():
            Sector.objects.create(name="Another", slug=existing.slug)

    @pytest.mark.parametrize("number", [0, 10])
    def test_track_number_is_one_to_nine(self, number):
        with rejected(), transaction.atomic():
            Track.objects.create(number=number, name="Track ten")

    def test_track_number_constraint_also_holds_for_bulk_updates(self):
        with rejected(), transaction.atomic():
            Track.objects.filter(number=9).update(number=12)
        assert Track.objects.filter(number=9).exists()

    def test_track_number_and_name_are_unique(self):
        track = Track.objects.get(number=1)
        Track.objects.filter(number__gt=1).delete()
        with rejected(), transaction.atomic():
            Track.objects.create(number=1, name="Second government")
        with rejected(), transaction.atomic():
            Track.objects.create(number=2, name=track.name)

    def test_track_validation_explains_the_range(self):
        with pytest.raises(ValidationError) as excinfo:
            Track(number=10, name="Ten").full_clean()
        assert "track_number_1_to_9" in str(excinfo.value)

    def test_language_code_is_the_key(self):
        with rejected(), transaction.atomic():
            Language.objects.bulk_create([Language(code="el", name="Greek again")])

    def test_tag_name_is_unique(self):
        Tag.objects.create(name="alumni 2024")
        with rejected(), transaction.atomic():
            Tag.objects.create(name="alumni 2024")


class TestParticipantEmail:
    def test_email_is_unique_ignoring_case(self):
        factories.ParticipantFactory(email="Eleni@Example.org")
        with rejected(), transaction.atomic():
            factories.ParticipantFactory(email="eleni@example.ORG")

    def test_email_is_unique_for_bulk_writes_too(self):
        factories.ParticipantFactory(email="a@example.org")
        other = factories.ParticipantFactory(email="b@example.org")
        with rejected(), transaction.atomic():
            Participant.objects.filter(pk=other.pk).update(email="A@example.org")

    def test_many_participants_may_have_no_email(self):
        factories.ParticipantFactory(email="")
        factories.ParticipantFactory(email="")
        assert Participant.objects.filter(email="").count() == 2

    def test_full_clean_reports_the_duplicate_in_words(self):
        factories.ParticipantFactory(email="eleni@example.org")
        duplicate = factories.ParticipantFactory.build(email="ELENI@example.org")
        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()
        assert "A participant with this email already exists." in excinfo.value.messages

    def test_sector_is_required_by_the_database(self):
        with rejected(), transaction.atomic():
            Participant.objects.create(full_name="No sector", sector_id=None)

    def test_vocabulary_in_use_cannot_be_deleted(self):
        participant = factories.ParticipantFactory()
        with pytest.raises(ProtectedError):
            participant.community.delete()


class TestStr:
    def test_participant_is_their_name(self):
        participant = factories.ParticipantFactory(full_name="Eleni Georgiou")
        assert str(participant) == "Eleni Georgiou"
        assert participant.is_high_risk is False
        participant.risk_level = RiskLevel.HIGH
        assert participant.is_high_risk is True

    def test_vocabulary(self):
        assert str(Community(name="Turkish Cypriot")) == "Turkish Cypriot"
        assert str(Sector.objects.get(slug="media")) == "Media"
        assert str(Track.objects.get(number=3)) == "3. Business"
        assert str(Language.objects.get(code="el")) == "Greek"
        assert str(Tag(name="youth board")) == "youth board"

    @pytest.mark.parametrize(
        ("granted", "expected"),
        [(True, "Photos: granted (2026-03-01)"), (False, "Photos: withdrawn (2026-03-01)")],
    )
    def test_consent_record_says_what_and_when(self, granted, expected):
        record = ConsentRecord(
            scope=ConsentScope.PHOTOS, granted=granted, given_on=date(2026, 3, 1)
        )
        assert str(record) == expected

    def test_consent_records_go_with_the_participant(self):
        record = factories.ConsentRecordFactory()
        record.participant.delete()
        assert not ConsentRecord.objects.filter(pk=record.pk).exists()
