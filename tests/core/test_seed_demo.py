"""``seed_demo`` builds the demo the README promises, and a second run changes nothing."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.models import User
from dialogues.models import Program, ProgramMembership, ProgramRole
from participants.models import Community, Participant, Sector, Track
from workshops.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    FollowUpAction,
    Invitation,
    InvitationStatus,
    NoteLevel,
    SessionNote,
    Workshop,
)

PASSWORD = "olive-branch-demo"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("seeded")


def _snapshot() -> tuple[dict[str, int], dict[str, list]]:
    """Row counts of every model, and the auto_now values of every model that has them."""
    counts, stamps = {}, {}
    for model in apps.get_models():
        counts[model._meta.label] = model.objects.count()
        auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", 0)]
        if auto_now:
            stamps[model._meta.label] = list(
                model.objects.order_by("pk").values_list("pk", *auto_now)
            )
    return counts, stamps


def test_programs_and_communities(db):
    programs = Program.objects.all()
    assert programs.count() == 3
    assert programs.filter(discreet_mode=True).count() == 1
    for program in programs:
        assert program.conflict_context and program.objectives
        assert program.communities.count() >= 2
        assert program.tracks.exists() and program.processes.exists()
        assert program.target_sectors.exists()
    assert Community.objects.count() >= 6
    assert not Community.objects.filter(region="").exists()
    assert not Community.objects.filter(colour="").exists()


def test_participants_cover_every_sector_track_community_and_script(db):
    participants = Participant.objects.all()
    assert participants.count() == 150
    assert not Sector.objects.filter(participants=None).exists()
    assert not Track.objects.filter(participants=None).exists()
    assert not Community.objects.filter(participants=None).exists()
    names = [n for pair in participants.values_list("full_name", "native_name") for n in pair]
    for script in (r"[A-Za-z]", r"[\u0600-\u06FF]", r"[\u0590-\u05FF]", r"[\u0370-\u03FF]"):
        assert any(re.search(script, name) for name in names), script
    assert participants.filter(risk_level="high").count() >= 3
    assert participants.filter(do_not_contact=True).exclude(do_not_contact_reason="").exists()
    assert participants.filter(consent_records__isnull=False).distinct().count() == 150
    assert participants.filter(preferred_language__isnull=False).count() == 150


def test_workshops_sessions_and_delegations(db):
    now = timezone.now()
    workshops = Workshop.objects.all()
    assert workshops.count() == 12
    assert workshops.filter(ends_at__lt=now).exists()
    assert workshops.filter(starts_at__gt=now).exists()
    for workshop in workshops:
        sessions = list(workshop.sessions.all())
        assert 2 <= len(sessions) <= 5, workshop
        for session in sessions:
            assert workshop.starts_at <= session.starts_at < session.ends_at <= workshop.ends_at
        assert workshop.facilitators.exists()
    statuses = set(Invitation.objects.values_list("status", flat=True))
    assert statuses == set(InvitationStatus.values)
    assert not Attendance.objects.filter(session__workshop__ends_at__gte=now).exists()
    assert set(Attendance.objects.values_list("status", flat=True)) == set(AttendanceStatus.values)
    walk_in = Attendance.objects.filter(is_walk_in=True).first()
    assert walk_in is not None
    assert not Invitation.objects.filter(
        workshop=walk_in.session.workshop, participant=walk_in.participant
    ).exists()


def test_notes_and_follow_up_actions(db):
    assert set(SessionNote.objects.values_list("level", flat=True)) == set(NoteLevel.values)
    assert SessionNote.objects.filter(chatham_house=True).exists()
    assert SessionNote.objects.filter(themes__isnull=False).exists()
    actions = FollowUpAction.objects.all()
    assert set(actions.values_list("status", flat=True)) == set(ActionStatus.values)
    assert actions.filter(owner_user__isnull=False).exists()
    assert actions.filter(owner_participant__isnull=False).exists()
    today = timezone.localdate()
    open_ = actions.filter(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    assert open_.filter(due_on__lt=today).exists()  # overdue
    assert open_.filter(due_on__gte=today).exists()  # due soon


def test_demo_users_and_roles(db):
    names = ["admin", "staff", "facilitator", "observer"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    assert set(users) == {"admin", "staff", "facilitator", "observer"}
    for user in users.values():
        assert user.check_password(PASSWORD), user.username
        assert user.email.endswith("@example.org")
    assert users["admin"].is_superuser and users["admin"].is_staff

    def roles(username: str) -> list[str]:
        memberships = ProgramMembership.objects.filter(user=users[username])
        return list(memberships.values_list("role", flat=True))

    assert roles("staff") == [ProgramRole.MANAGER] * 3
    assert roles("facilitator") == [ProgramRole.FACILITATOR] * 2
    assert roles("observer") == [ProgramRole.OBSERVER]
    facilitated = users["facilitator"].facilitated_workshops.all()
    now = timezone.now()
    assert facilitated.filter(ends_at__lt=now).exists()
    assert facilitated.filter(starts_at__gt=now).exists()


def test_second_run_changes_nothing(db):
    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _snapshot() == before
    assert "nothing changed" in out.getvalue()
