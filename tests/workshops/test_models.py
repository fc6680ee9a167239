"""Workshops, invitations, notes and the outbox: rules the database itself enforces."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from tests import factories
from workshops.models import (
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    NoteTheme,
    ScheduledMessage,
    Session,
    SessionNoteRevision,
    Workshop,
)

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


def rejected():
    return pytest.raises(IntegrityError)


class TestWorkshop:
    @pytest.mark.parametrize("length", [timedelta(hours=-1), timedelta(0)])
    def test_must_end_after_it_starts(self, length):
        program = factories.ProgramFactory()
        with rejected(), transaction.atomic():
            Workshop.objects.create(
                program=program,
                title="Backwards",
                starts_at=START,
                ends_at=START + length,
                capacity=20,
            )

    def test_capacity_must_be_positive(self):
        program = factories.ProgramFactory()
        with rejected(), transaction.atomic():
            Workshop.objects.create(
                program=program,
                title="Empty",
                starts_at=START,
                ends_at=START + timedelta(days=1),
                capacity=0,
            )

    def test_constraints_hold_for_bulk_updates(self):
        workshop = factories.WorkshopFactory()
        with rejected(), transaction.atomic():
            Workshop.objects.filter(pk=workshop.pk).update(capacity=0)
        with rejected(), transaction.atomic():
            Workshop.objects.filter(pk=workshop.pk).update(ends_at=workshop.starts_at)

    def test_full_clean_explains_what_is_wrong(self):
        workshop = factories.WorkshopFactory.build(
            program=factories.ProgramFactory(), starts_at=START, ends_at=START, capacity=0
        )
        with pytest.raises(ValidationError) as excinfo:
            workshop.full_clean()
        assert "A workshop must end after it starts." in excinfo.value.messages
        assert "Capacity must be at least one person." in excinfo.value.messages

    def test_program_with_workshops_cannot_be_deleted(self):
        workshop = factories.WorkshopFactory()
        with pytest.raises(ProtectedError):
            workshop.program.delete()

    def test_str_and_local_times(self):
        workshop = factories.WorkshopFactory(
            title="Living-room dialogue, Nicosia", starts_at=START, time_zone="Asia/Nicosia"
        )
        assert str(workshop) == "Living-room dialogue, Nicosia"
        assert workshop.local_starts_at().hour == 9  # UTC+2 in winter
        assert workshop.local_ends_at() == workshop.ends_at


class TestSession:
    @pytest.mark.parametrize("length", [timedelta(minutes=-30), timedelta(0)])
    def test_must_end_after_it_starts(self, length):
        workshop = factories.WorkshopFactory()
        with rejected(), transaction.atomic():
            Session.objects.create(
                workshop=workshop, title="Opening", starts_at=START, ends_at=START + length
            )

    def test_full_clean_explains_the_times(self):
        session = Session(
            workshop=factories.WorkshopFactory(), title="x", starts_at=START, ends_at=START
        )
        with pytest.raises(ValidationError) as excinfo:
            session.full_clean()
        assert "A session must end after it starts." in excinfo.value.messages

    def test_str_is_the_title(self):
        assert str(factories.SessionFactory(title="Opening circle")) == "Opening circle"


class TestInvitation:
    def test_once_per_participant_and_workshop(self):
        invitation = factories.InvitationFactory()
        with rejected(), transaction.atomic():
            Invitation.objects.create(
                workshop=invitation.workshop,
                participant=invitation.participant,
                status=InvitationStatus.INVITED,
            )

    def test_once_per_workshop_holds_for_bulk_create(self):
        invitation = factories.InvitationFactory()
        with rejected(), transaction.atomic():
            Invitation.objects.bulk_create(
                [Invitation(workshop=invitation.workshop, participant=invitation.participant)]
            )

    def test_same_participant_may_be_invited_to_another_workshop(self):
        invitation = factories.InvitationFactory()
        factories.InvitationFactory(participant=invitation.participant)
        assert invitation.participant.invitations.count() == 2

    def test_full_clean_explains_the_duplicate(self):
        invitation = factories.InvitationFactory()
        duplicate = Invitation(workshop=invitation.workshop, participant=invitation.participant)
        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()
        assert "This participant is already invited to the workshop." in excinfo.value.messages

    def test_invited_participant_cannot_be_deleted(self):
        invitation = factories.InvitationFactory()
        with pytest.raises(ProtectedError):
            invitation.participant.delete()

    def test_str(self):
        invitation = factories.InvitationFactory(
            participant=factories.ParticipantFactory(full_name="Eleni Georgiou"),
            workshop=factories.WorkshopFactory(title="Famagusta roundtable"),
            status=InvitationStatus.ACCEPTED,
        )
        assert str(invitation) == "Eleni Georgiou → Famagusta roundtable (Accepted)"


class TestAttendance:
    def test_once_per_participant_and_session(self):
        attendance = factories.AttendanceFactory()
        with rejected(), transaction.atomic():
            Attendance.objects.create(
                session=attendance.session,
                participant=attendance.participant,
                status=AttendanceStatus.ABSENT,
            )

    def test_full_clean_explains_the_duplicate(self):
        attendance = factories.AttendanceFactory()
        duplicate = Attendance(
            session=attendance.session, participant=attendance.participant, status="absent"
        )
        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()
        assert "Attendance is already recorded for this person." in excinfo.value.messages

    def test_str(self):
        attendance = factories.AttendanceFactory(
            participant=factories.ParticipantFactory(full_name="Aye Aye"),
            session=factories.SessionFactory(title="Opening"),
            status=AttendanceStatus.PRESENT,
        )
        assert str(attendance) == "Aye Aye · Opening · Present"


class TestNotes:
    def test_theme_name_is_unique(self):
        NoteTheme.objects.create(name="property")
        with rejected(), transaction.atomic():
            NoteTheme.objects.create(name="property")

    def test_author_is_required_by_the_database(self):
        note = factories.SessionNoteFactory()
        with rejected(), transaction.atomic():
            type(note).objects.filter(pk=note.pk).update(author=None)

    def test_str(self):
        note = factories.SessionNoteFactory(title="Day one: missing persons")
        assert str(note) == "Day one: missing persons"
        assert str(NoteTheme(name="education")) == "education"
        revision = SessionNoteRevision(note=note, edited_at=datetime(2027, 3, 1, 9, 30, tzinfo=UTC))
        assert str(revision) == "Day one: missing persons @ 2027-03-01 09:30"

    def test_revisions_go_with_their_note(self):
        note = factories.SessionNoteFactory()
        revision = SessionNoteRevision.objects.create(
            note=note,
            title="t",
            body="b",
            level=note.level,
            chatham_house=True,
            edited_by=note.author,
        )
        note.delete()
        assert not SessionNoteRevision.objects.filter(pk=revision.pk).exists()


class TestFollowUpAction:
    def test_needs_an_owner(self):
        workshop = factories.WorkshopFactory()
        with rejected(), transaction.atomic():
            FollowUpAction.objects.create(workshop=workshop, description="Nobody's job")

    def test_cannot_have_two_owners(self):
        workshop = factories.WorkshopFactory()
        with rejected(), transaction.atomic():
            FollowUpAction.objects.create(
                workshop=workshop,
                description="Everybody's job",
                owner_user=factories.UserFactory(),
                owner_participant=factories.ParticipantFactory(),
            )

    def test_one_owner_constraint_holds_for_bulk_updates(self):
        action = factories.FollowUpActionFactory()
        with rejected(), transaction.atomic():
            FollowUpAction.objects.filter(pk=action.pk).update(owner_user=None)

    def test_participant_may_own_an_action(self):
        participant = factories.ParticipantFactory()
        action = factories.FollowUpActionFactory(owner_user=None, owner_participant=participant)
        assert action.owner == participant

    def test_full_clean_explains_the_owner_rule(self):
        action = FollowUpAction(workshop=factories.WorkshopFactory(), description="x")
        with pytest.raises(ValidationError) as excinfo:
            action.full_clean()
        assert "An action is owned by one team member or one participant." in excinfo.value.messages

    def test_str_is_the_start_of_the_description(self):
        action = factories.FollowUpActionFactory(description="Share the summary " * 10)
        assert str(action) == action.description[:80]
        assert str(action).startswith("Share the summary")


class TestScheduledMessage:
    def test_dedupe_key_is_unique(self):
        message = factories.ScheduledMessageFactory(dedupe_key="reminder:1:7d")
        with rejected(), transaction.atomic():
            factories.ScheduledMessageFactory(
                invitation=message.invitation, dedupe_key="reminder:1:7d"
            )

    def test_dedupe_key_holds_for_bulk_create(self):
        message = factories.ScheduledMessageFactory()
        with rejected(), transaction.atomic():
            ScheduledMessage.objects.bulk_create(
                [
                    ScheduledMessage(
                        kind=MessageKind.REMINDER,
                        dedupe_key=message.dedupe_key,
                        send_at=timezone.now(),
                        recipient_participant=message.recipient_participant,
                    )
                ]
            )

    def test_needs_exactly_one_recipient(self):
        user = factories.UserFactory()
        participant = factories.ParticipantFactory()
        with rejected(), transaction.atomic():
            ScheduledMessage.objects.create(
                kind=MessageKind.UPDATE, dedupe_key="nobody", send_at=timezone.now()
            )
        with rejected(), transaction.atomic():
            ScheduledMessage.objects.create(
                kind=MessageKind.UPDATE,
                dedupe_key="both",
                send_at=timezone.now(),
                recipient_user=user,
                recipient_participant=participant,
            )

    def test_sent_message_records_when(self):
        message = factories.ScheduledMessageFactory()
        with rejected(), transaction.atomic():
            ScheduledMessage.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
        ScheduledMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENT, sent_at=timezone.now()
        )
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT

    def test_str(self):
        message = factories.ScheduledMessageFactory(
            kind=MessageKind.REMINDER, send_at=datetime(2027, 2, 22, 8, 0, tzinfo=UTC)
        )
        assert str(message) == "Reminder · 2027-02-22 08:00 · pending"
