"""core.permissions, role by role: who sees and who changes what."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from core import permissions
from core.audit import record
from dialogues.models import Program
from participants.models import Participant
from tests import factories
from workshops.models import NoteLevel, SessionNote, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    """Notes at every level in both workshops, invitees, actions and messages around the cast."""
    w, other = cast.workshop, cast.other_workshop
    cast.notes = {
        (workshop.pk, level): factories.SessionNoteFactory(
            workshop=workshop, level=level, author=author
        )
        for workshop, author in ((w, cast.facilitator), (other, cast.other_facilitator))
        for level in NoteLevel.values
    }
    cast.invitee = factories.InvitationFactory(workshop=w).participant
    cast.other_invitee = factories.InvitationFactory(workshop=other).participant
    cast.stranger = factories.ParticipantFactory()  # in the registry, invited nowhere
    cast.foreign_workshop = factories.WorkshopFactory(program=cast.other_program)
    cast.action = factories.FollowUpActionFactory(workshop=w, owner_user=cast.staff)
    cast.foreign_action = factories.FollowUpActionFactory(
        workshop=cast.foreign_workshop, owner_user=cast.other_staff
    )
    cast.message = factories.ScheduledMessageFactory(
        invitation=factories.InvitationFactory(workshop=w, participant=cast.stranger)
    )
    return cast


def titles(qs):
    return set(qs.values_list("title", flat=True))


def note_levels(world, user, workshop):
    visible = set(permissions.notes_visible_to(user).values_list("pk", flat=True))
    return {level for level in NoteLevel.values if world.notes[(workshop.pk, level)].pk in visible}


def test_admin_sees_and_changes_everything(world):
    admin = world.admin
    assert permissions.programs_visible_to(admin).count() == Program.objects.count()
    assert permissions.workshops_visible_to(admin).count() == Workshop.objects.count()
    assert permissions.participants_visible_to(admin).count() == Participant.objects.count()
    assert permissions.notes_visible_to(admin).count() == SessionNote.objects.count()
    assert permissions.can_change(admin, world.foreign_workshop)
    assert permissions.can_change(admin, world.notes[(world.workshop.pk, "restricted")])
    assert permissions.audit_events_visible_to(admin).count() == 0
    record(admin, "roster.export", world.workshop, rows=3)
    assert permissions.audit_events_visible_to(admin).count() == 1


def test_anonymous_and_inactive_users_see_nothing(world):
    world.admin.is_active = False
    for user in (AnonymousUser(), world.admin):
        for model in (Program, Workshop, Participant, SessionNote):
            assert not permissions.visible_to(user, model).exists()
        assert not permissions.can_view(user, world.workshop)
        assert permissions.navigation_for(user) == {}


def test_programme_staff_plan_their_program_and_search_the_registry(world):
    staff = world.staff
    assert set(permissions.programs_visible_to(staff)) == {world.program}
    assert titles(permissions.workshops_visible_to(staff)) == {
        world.workshop.title,
        world.other_workshop.title,
    }
    assert permissions.can_change(staff, world.program)
    assert permissions.can_change(staff, world.workshop)
    assert not permissions.can_view(staff, world.other_program)
    assert not permissions.can_view(staff, world.foreign_workshop)
    assert not permissions.can_change(staff, world.foreign_workshop)
    # The whole registry, to build delegations from.
    assert permissions.can_view(staff, world.stranger)
    assert permissions.can_change(staff, world.stranger)
    # Team and shareable notes of their program, never restricted ones.
    assert note_levels(world, staff, world.workshop) == {"team", "shareable"}
    assert note_levels(world, staff, world.other_workshop) == {"team", "shareable"}
    assert permissions.can_view(staff, world.message)
    assert permissions.can_change(staff, world.action)
    assert not permissions.can_view(staff, world.foreign_action)


def test_staff_of_another_program_reach_nothing_of_this_one(world):
    other = world.other_staff
    assert set(permissions.programs_visible_to(other)) == {world.other_program}
    assert not permissions.can_view(other, world.workshop)
    assert not permissions.notes_visible_to(other).filter(workshop=world.workshop).exists()
    assert not permissions.can_view(other, world.message)
    assert not permissions.can_view(other, world.action)
    assert permissions.can_view(other, world.foreign_action)


def test_facilitator_sees_their_workshop_and_its_invitees_only(world):
    f = world.facilitator
    assert titles(permissions.workshops_visible_to(f)) == {world.workshop.title}
    assert set(permissions.programs_visible_to(f)) == {world.program}
    assert not permissions.can_change(f, world.workshop)
    assert set(permissions.participants_visible_to(f)) == {world.invitee, world.stranger}
    assert not permissions.can_view(f, world.other_invitee)
    # Restricted notes of their own workshop; the program team's notes elsewhere.
    assert note_levels(world, f, world.workshop) == {"restricted", "team", "shareable"}
    assert note_levels(world, f, world.other_workshop) == {"team", "shareable"}
    assert permissions.can_change(f, world.notes[(world.workshop.pk, "restricted")])
    assert not permissions.can_change(f, world.notes[(world.other_workshop.pk, "team")])
    assert permissions.can_change(f, world.action)
    assert not permissions.can_view(f, world.message)
    attendance = factories.AttendanceFactory(
        session=factories.SessionFactory(workshop=world.workshop), participant=world.invitee
    )
    assert permissions.can_change(f, attendance)
    assert not permissions.can_change(world.other_facilitator, attendance)


def test_facilitator_of_another_workshop_cannot_reach_this_one(world):
    f = world.other_facilitator
    assert not permissions.can_view(f, world.workshop)
    assert not permissions.can_view(f, world.invitee)
    assert note_levels(world, f, world.workshop) == {"team", "shareable"}
    with pytest.raises(Http404):
        permissions.get_visible_or_404(f, Workshop, pk=world.workshop.pk)


def test_observer_reads_workshops_and_shareable_notes_only(world):
    o = world.observer
    assert set(permissions.programs_visible_to(o)) == {world.program}
    assert titles(permissions.workshops_visible_to(o)) == {
        world.workshop.title,
        world.other_workshop.title,
    }
    assert note_levels(world, o, world.workshop) == {"shareable"}
    assert not permissions.participants_visible_to(o).exists()
    assert not permissions.invitations_visible_to(o).exists()
    assert not permissions.can_change(o, world.program)
    assert not permissions.can_change(o, world.workshop)
    assert not permissions.can_change(o, world.notes[(world.workshop.pk, "shareable")])
    assert not permissions.can_view(o, world.message)


def test_user_without_a_role_sees_nothing_but_what_they_own(world):
    outsider = world.outsider
    for model in (Program, Workshop, Participant, SessionNote):
        assert not permissions.visible_to(outsider, model).exists()
    owned = factories.FollowUpActionFactory(workshop=world.foreign_workshop, owner_user=outsider)
    assert set(permissions.follow_up_actions_visible_to(outsider)) == {owned}


def test_get_visible_or_404_hides_foreign_and_malformed_ids(world):
    staff = world.staff
    assert permissions.get_visible_or_404(staff, Workshop, pk=world.workshop.pk) == world.workshop
    for pk in (world.foreign_workshop.pk, 10**9, "not-a-number"):
        with pytest.raises(Http404):
            permissions.get_visible_or_404(staff, Workshop, pk=pk)
    with pytest.raises(Http404):
        permissions.get_changeable_or_404(world.observer, Workshop, pk=world.workshop.pk)


def test_models_without_a_rule_are_for_admins_only(world):
    from participants.models import Sector

    assert permissions.visible_to(world.admin, Sector).exists()
    assert not permissions.visible_to(world.staff, Sector).exists()
    assert not permissions.changeable_by(world.staff, Sector).exists()


def test_navigation_follows_roles(world):
    assert permissions.navigation_for(world.admin)["is_admin"] is True
    assert permissions.navigation_for(world.staff) == {
        "is_admin": False,
        "is_programme_staff": True,
        "is_facilitator": False,
        "is_observer": False,
    }
    assert permissions.navigation_for(world.facilitator)["is_facilitator"] is True
    assert permissions.navigation_for(world.observer)["is_observer"] is True
    assert not any(permissions.navigation_for(world.outsider).values())


def test_visibility_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    for _ in range(20):
        factories.SessionNoteFactory(workshop=world.workshop, level=NoteLevel.TEAM)
    with django_assert_max_num_queries(1):
        list(permissions.notes_visible_to(world.staff))
    with django_assert_max_num_queries(2):
        list(permissions.participants_visible_to(world.facilitator))
