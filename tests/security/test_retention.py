"""Retention: inactive participants erased, notes of concluded programs deleted, audited;
the plan is what a run does, a dry run changes nothing, and only admins see the page."""

import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core import retention
from core.models import AuditEvent
from core.tasks import apply_retention
from dialogues.models import ProgramStatus
from participants.models import Participant
from participants.safety import pseudonym
from tests import factories
from workshops.models import FollowUpAction, NoteDraft, SessionNote, SessionNoteRevision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.RETENTION_PARTICIPANT_INACTIVE_YEARS = 5
    settings.RETENTION_NOTES_AFTER_PROGRAM_DAYS = 365


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _old_person(**kwargs) -> Participant:
    with _at(timezone.now() - timedelta(days=6 * 365)):
        return factories.ParticipantFactory(**kwargs)


def _note_with_history(workshop, author) -> SessionNote:
    note = factories.SessionNoteFactory(workshop=workshop, author=author)
    SessionNoteRevision.objects.create(
        note=note,
        title="Before",
        body="Earlier text",
        level=note.level,
        chatham_house=True,
        edited_by=author,
    )
    NoteDraft.objects.create(user=author, workshop=workshop, note=note, body="Typing…")
    return note


# --- Participants ------------------------------------------------------------------------------


def test_only_people_without_activity_since_the_cutoff_are_planned():
    idle = _old_person(full_name="Eleni Idle")
    fresh = factories.ParticipantFactory()
    invited = _old_person()
    factories.InvitationFactory(participant=invited)  # created now
    attended = _old_person()
    with _at(timezone.now() - timedelta(days=6 * 365)):
        factories.AttendanceFactory(participant=attended)
    factories.SessionFactory()  # noise
    consented = _old_person()
    factories.ConsentRecordFactory(participant=consented)
    owner = _old_person()
    today = timezone.localdate()
    with _at(timezone.now() - timedelta(days=6 * 365)):
        factories.FollowUpActionFactory(owner_user=None, owner_participant=owner, due_on=today)
    upcoming = _old_person()
    with _at(timezone.now() - timedelta(days=6 * 365)):
        # Invited long ago to a workshop that ends in the future: still active.
        factories.InvitationFactory(
            participant=upcoming,
            workshop=factories.WorkshopFactory(starts_at=timezone.now() + timedelta(days=7 * 365)),
        )
    erased = _old_person(erased_at=timezone.now())

    plan = retention.retention_plan()

    planned = set(plan.participant_ids)
    assert idle.pk in planned
    assert attended.pk in planned  # attended six years ago, nothing since
    assert planned.isdisjoint({fresh.pk, invited.pk, consented.pk, owner.pk, upcoming.pk})
    assert erased.pk not in planned
    assert [p.pseudonym for p in plan.participants if p.id == idle.pk] == [pseudonym(idle)]


def test_an_edit_counts_as_activity():
    person = _old_person()
    person.organisation = "New employer"
    person.save()
    assert person.pk not in retention.retention_plan().participant_ids


def test_the_years_count_in_calendar_years(settings):
    settings.RETENTION_PARTICIPANT_INACTIVE_YEARS = 1
    with _at(datetime(2027, 6, 15, 12, 0, tzinfo=timezone.get_current_timezone())):
        person = factories.ParticipantFactory()
    with _at(datetime(2028, 6, 15, 11, 0, tzinfo=timezone.get_current_timezone())):
        assert person.pk not in retention.retention_plan().participant_ids
    with _at(datetime(2028, 6, 15, 13, 0, tzinfo=timezone.get_current_timezone())):
        assert person.pk in retention.retention_plan().participant_ids


def test_dry_run_changes_nothing_and_prints_ids_not_names():
    person = _old_person(full_name="Yusuf Dry-Run", email="yusuf@example.org")
    program = _concluded_program(days_ago=400)
    note = _note_with_history(_workshop_ended(program, days_ago=400), factories.UserFactory())

    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    text = out.getvalue()
    assert f"participant #{person.pk} {pseudonym(person)}" in text
    # The program's line lists its notes by id ("#7" alone could match "#71" elsewhere).
    assert re.search(rf"1 note\(s\) #{note.pk}\b", text), text
    assert "Yusuf" not in text and "yusuf@" not in text
    assert "Dry run: nothing was changed." in text
    person.refresh_from_db()
    assert person.erased_at is None and person.full_name == "Yusuf Dry-Run"
    assert SessionNote.objects.filter(pk=note.pk).exists()
    assert not AuditEvent.objects.filter(action="retention.applied").exists()


def test_apply_erases_exactly_the_planned_people_and_audits_counts_not_names():
    idle = [_old_person(full_name=f"Idle Person {i}", phone="+35799123456") for i in range(3)]
    active = factories.ParticipantFactory(full_name="Active Person")
    plan = retention.retention_plan()
    assert plan.participant_ids == sorted(p.pk for p in idle)

    out = StringIO()
    call_command("apply_retention", stdout=out)

    for person in idle:
        person.refresh_from_db()
        assert person.erased_at is not None
        assert person.full_name == f"Erased participant #{person.pk}"
        assert person.phone == "" and person.email == ""
    active.refresh_from_db()
    assert active.erased_at is None and active.full_name == "Active Person"
    assert Participant.objects.count() == 4  # erased, not deleted: counts stay

    event = AuditEvent.objects.get(action="retention.applied")
    assert event.data["participants_erased"] == 3
    assert event.data["participant_ids"] == plan.participant_ids
    assert event.data["trigger"] == "command"
    assert "Idle Person" not in str(event.data) and "+357" not in str(event.data)
    assert AuditEvent.objects.filter(action="participant.erase").count() == 3
    assert "3 participant(s) erased" in out.getvalue()

    # A second run finds nothing left, and says so in the log too.
    assert retention.retention_apply().counts["participants_erased"] == 0
    assert AuditEvent.objects.filter(action="retention.applied").count() == 2


def test_someone_active_again_between_plan_and_run_is_left_alone(monkeypatch):
    person = _old_person()
    stale = retention.retention_plan()
    factories.InvitationFactory(participant=person)
    monkeypatch.setattr(retention, "retention_plan", lambda now=None: stale)

    result = retention.retention_apply()

    assert result.skipped_ids == [person.pk] and result.erased_ids == []
    person.refresh_from_db()
    assert person.erased_at is None


def test_rules_set_to_zero_are_off(settings):
    settings.RETENTION_PARTICIPANT_INACTIVE_YEARS = 0
    settings.RETENTION_NOTES_AFTER_PROGRAM_DAYS = 0
    _old_person()
    program = _concluded_program(days_ago=4000)
    factories.SessionNoteFactory(workshop=factories.WorkshopFactory(program=program))
    plan = retention.retention_plan()
    assert plan.participant_cutoff is None and plan.notes_cutoff is None and plan.is_empty
    assert retention.retention_apply().counts["notes_deleted"] == 0


# --- Notes --------------------------------------------------------------------------------------


def _concluded_program(*, days_ago: int, status=ProgramStatus.CONCLUDED, archived=False):
    ended = timezone.localdate() - timedelta(days=days_ago)
    program = factories.ProgramFactory(
        starts_on=ended - timedelta(days=300),
        ends_on=ended,
        status=status,
        archived_at=timezone.now() - timedelta(days=days_ago) if archived else None,
    )
    return program


def _workshop_ended(program, days_ago: int):
    ends = timezone.now() - timedelta(days=days_ago)
    return factories.WorkshopFactory(
        program=program, starts_at=ends - timedelta(days=2), ends_at=ends
    )


def test_notes_of_programs_concluded_long_enough_ago_go_with_revisions_and_drafts():
    author = factories.UserFactory()
    due = _concluded_program(days_ago=400)
    due_workshop = _workshop_ended(due, 420)
    gone = [_note_with_history(due_workshop, author) for _ in range(2)]
    new_note_draft = NoteDraft.objects.create(user=author, workshop=due_workshop, body="New")
    action = factories.FollowUpActionFactory(workshop=due_workshop, note=gone[0])

    archived = _concluded_program(days_ago=500, status=ProgramStatus.ACTIVE, archived=True)
    archived_note = _note_with_history(_workshop_ended(archived, 520), author)
    transitioned = _concluded_program(days_ago=400, status=ProgramStatus.TRANSITIONED)
    transitioned_note = factories.SessionNoteFactory(
        workshop=_workshop_ended(transitioned, 400), author=author
    )

    recent = _concluded_program(days_ago=100)
    recent_note = _note_with_history(_workshop_ended(recent, 100), author)
    ended_but_active = _concluded_program(days_ago=900, status=ProgramStatus.ACTIVE)
    active_note = factories.SessionNoteFactory(
        workshop=_workshop_ended(ended_but_active, 900), author=author
    )
    # Concluded long ago on paper, but a workshop ended last month: counted from that.
    late = _concluded_program(days_ago=600)
    late_note = factories.SessionNoteFactory(workshop=_workshop_ended(late, 30), author=author)

    plan = retention.retention_plan()
    assert [p.id for p in plan.programs] == sorted([due.pk, archived.pk, transitioned.pk])
    planned_notes = sorted([*(n.pk for n in gone), archived_note.pk, transitioned_note.pk])
    assert plan.note_ids == planned_notes
    assert plan.counts["note_revisions"] == 3 and plan.counts["note_drafts"] == 4

    result = retention.retention_apply()

    assert sorted(result.note_ids) == planned_notes
    assert not SessionNote.objects.filter(pk__in=planned_notes).exists()
    assert not SessionNoteRevision.objects.filter(note_id__in=planned_notes).exists()
    assert not NoteDraft.objects.filter(pk=new_note_draft.pk).exists()
    assert not NoteDraft.objects.filter(note_id__in=planned_notes).exists()
    action.refresh_from_db()
    assert action.note is None  # the action stays, without its note
    assert FollowUpAction.objects.filter(pk=action.pk).exists()
    kept = [recent_note, active_note, late_note]
    assert SessionNote.objects.filter(pk__in=[n.pk for n in kept]).count() == 3
    assert SessionNoteRevision.objects.filter(note=recent_note).count() == 1
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.data["notes_deleted"] == 4
    assert event.data["note_revisions_deleted"] == 3
    assert event.data["note_drafts_deleted"] == 4
    assert sorted(event.data["program_ids"]) == sorted([due.pk, archived.pk, transitioned.pk])


def test_the_notes_clock_starts_when_the_program_concluded():
    program = _concluded_program(days_ago=0)
    note = factories.SessionNoteFactory(workshop=_workshop_ended(program, 1))
    with _at(timezone.now() + timedelta(days=364)):
        assert retention.retention_plan().note_ids == []
    with _at(timezone.now() + timedelta(days=366)):
        assert retention.retention_plan().note_ids == [note.pk]


def test_a_program_reopened_after_the_plan_keeps_its_notes(monkeypatch):
    program = _concluded_program(days_ago=400)
    note = factories.SessionNoteFactory(workshop=_workshop_ended(program, 400))
    stale = retention.retention_plan()
    program.status = ProgramStatus.ACTIVE
    program.save()
    monkeypatch.setattr(retention, "retention_plan", lambda now=None: stale)

    assert retention.retention_apply().note_ids == []
    assert SessionNote.objects.filter(pk=note.pk).exists()


# --- The beat job -------------------------------------------------------------------------------


def test_the_daily_job_runs_the_same_service_and_is_audited():
    assert settings.CELERY_BEAT_SCHEDULE["apply-retention"]["task"] == "core.tasks.apply_retention"
    person = _old_person()
    counts = apply_retention.apply().get()
    assert counts["participants_erased"] == 1
    person.refresh_from_db()
    assert person.erased_at is not None
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.actor is None and event.data["trigger"] == "schedule"


# --- The admin page -----------------------------------------------------------------------------


def test_admins_see_the_plan_with_pseudonyms_and_no_names(client, cast):
    person = _old_person(full_name="Miriam Hidden", email="miriam@example.org")
    program = _concluded_program(days_ago=400)
    note = factories.SessionNoteFactory(workshop=_workshop_ended(program, 400))
    client.force_login(cast.admin)

    response = client.get(reverse("retention"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert pseudonym(person) in html and f"#{person.pk}" in html
    assert f"#{note.pk}" in html
    assert "Miriam" not in html and "miriam@" not in html
    assert 'data-testid="retention-participants">1<' in html


def test_the_page_shows_the_last_run(client, cast):
    retention.retention_apply(by=cast.admin, trigger="command")
    client.force_login(cast.admin)
    html = client.get(reverse("retention")).content.decode()
    assert 'data-testid="retention-last-run"' in html


@pytest.mark.parametrize("role", ["staff", "other_staff", "facilitator", "observer", "outsider"])
def test_anyone_but_an_admin_gets_a_404(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("retention")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("retention"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_queries_do_not_grow_with_the_people(client, cast, django_assert_max_num_queries):
    for _ in range(30):
        _old_person()
    client.force_login(cast.admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("retention")).status_code == 200
