"""Creating (also from a note), editing and the quick status change: who may, what the owner
picker offers, and what is refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants import safety
from participants.models import RiskLevel
from tests import factories
from tests.html import assert_valid_page
from workshops import actions as services
from workshops.models import ActionStatus, AttendanceStatus, FollowUpAction, NoteLevel

pytestmark = pytest.mark.django_db

CHANGES = {
    "admin": 200,
    "staff": 200,
    "facilitator": 200,
    "observer": 403,
    "other_facilitator": 404,
    "other_staff": 404,
    "outsider": 404,
}


def form_data(owner: str, **extra) -> dict:
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    return {"description": "Share the water study", "owner": owner, "due_on": due, **extra}


@pytest.mark.parametrize(("role", "status"), CHANGES.items())
def test_create_by_role(client, cast, actions, role, status):
    user = getattr(cast, role)
    client.force_login(user)
    url = reverse("workshops:action_create", args=[cast.workshop.pk])
    response = client.get(url)
    assert response.status_code == status
    response = client.post(url, form_data(f"u:{cast.staff.pk}"))
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == reverse("workshops:actions", args=[cast.workshop.pk])
        action = FollowUpAction.objects.get(description="Share the water study")
        assert (action.owner_user, action.created_by, action.status) == (
            cast.staff,
            user,
            ActionStatus.OPEN,
        )
        assert AuditEvent.objects.filter(action="action.create", object_id=str(action.pk)).exists()
    else:
        assert response.status_code == status
        assert not FollowUpAction.objects.filter(description="Share the water study").exists()


def test_anonymous_cannot_create(client, cast):
    response = client.post(
        reverse("workshops:action_create", args=[cast.workshop.pk]), form_data("u:1")
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FollowUpAction.objects.exists()


@pytest.mark.parametrize(("role", "status"), CHANGES.items())
def test_edit_by_role(client, cast, actions, role, status):
    client.force_login(getattr(cast, role))
    url = reverse("workshops:action_edit", args=[actions.overdue.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert_valid_page(response)
    response = client.post(
        url, form_data(f"p:{actions.invitee.pk}", status=ActionStatus.IN_PROGRESS)
    )
    actions.overdue.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert actions.overdue.description == "Share the water study"
        assert actions.overdue.owner_participant == actions.invitee
        assert actions.overdue.owner_user is None
        assert actions.overdue.status == ActionStatus.IN_PROGRESS
    else:
        assert response.status_code == status
        assert actions.overdue.description == "Circulate the minutes"


@pytest.mark.parametrize(("role", "status"), CHANGES.items())
def test_quick_status_by_role(client, cast, actions, role, status):
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("workshops:action_status", args=[actions.overdue.pk]),
        {"status": ActionStatus.DONE},
        HTTP_HX_REQUEST="true",
    )
    actions.overdue.refresh_from_db()
    if status == 200:
        assert response.status_code == 200
        html = response.content.decode()
        assert html.startswith(f'<tr id="action-{actions.overdue.pk}"')
        assert response["HX-Trigger"] == "actionChanged"  # the overdue count refreshes
        assert "Overdue" not in html  # done is no longer overdue
        assert actions.overdue.status == ActionStatus.DONE
        assert actions.overdue.completed_at is not None
    else:
        assert response.status_code == status
        assert actions.overdue.status == ActionStatus.OPEN


def test_quick_status_without_javascript_comes_back_to_the_list(client, cast, actions):
    client.force_login(cast.facilitator)
    back = reverse("workshops:actions", args=[cast.workshop.pk]) + "?status=unfinished"
    response = client.post(
        reverse("workshops:action_status", args=[actions.overdue.pk]),
        {"status": ActionStatus.IN_PROGRESS, "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    actions.overdue.refresh_from_db()
    assert actions.overdue.status == ActionStatus.IN_PROGRESS


def test_reopening_clears_completed_at_and_an_unknown_status_is_refused(client, cast, actions):
    client.force_login(cast.staff)
    url = reverse("workshops:action_status", args=[actions.done.pk])
    response = client.post(url, {"status": "finished-ish"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    client.post(url, {"status": ActionStatus.OPEN}, HTTP_HX_REQUEST="true")
    actions.done.refresh_from_db()
    assert (actions.done.status, actions.done.completed_at) == (ActionStatus.OPEN, None)


def test_an_action_owner_outside_the_team_may_update_their_own(client, cast, actions):
    """``follow_up_actions_changeable_by`` lets an owner change their action."""
    owner = factories.UserFactory()
    action = factories.FollowUpActionFactory(workshop=cast.other_workshop, owner_user=owner)
    client.force_login(owner)
    response = client.post(
        reverse("workshops:action_status", args=[action.pk]), {"status": ActionStatus.DONE}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_an_owner_outside_the_team_may_not_open_the_editor_and_its_owner_picker(
    client, cast, actions
):
    owner = factories.UserFactory()
    action = factories.FollowUpActionFactory(workshop=cast.other_workshop, owner_user=owner)
    client.force_login(owner)
    url = reverse("workshops:action_edit", args=[action.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"description": "Changed", "status": "done"}).status_code == 403
    action.refresh_from_db()
    assert action.description != "Changed"


# --- From a note ------------------------------------------------------------------------------


def test_create_from_a_note_links_it(client, cast, actions):
    note = factories.SessionNoteFactory(
        workshop=cast.workshop, level=NoteLevel.RESTRICTED, author=cast.facilitator
    )
    client.force_login(cast.facilitator)
    url = reverse("workshops:action_create", args=[cast.workshop.pk]) + f"?note={note.pk}"
    response = client.get(url)
    assert response.status_code == 200 and note.title in response.content.decode()
    response = client.post(url, form_data(f"u:{cast.facilitator.pk}"))
    assert response.status_code == 302
    assert FollowUpAction.objects.get(description="Share the water study").note == note


@pytest.mark.parametrize("case", ["invisible", "other_workshop", "missing", "garbage"])
def test_create_from_a_note_refused(client, cast, actions, case):
    restricted = factories.SessionNoteFactory(workshop=cast.workshop, level=NoteLevel.RESTRICTED)
    elsewhere = factories.SessionNoteFactory(
        workshop=cast.other_workshop, level=NoteLevel.SHAREABLE
    )
    note_id = {
        "invisible": restricted.pk,  # staff may not read restricted notes
        "other_workshop": elsewhere.pk,  # staff may read it, but it is not this workshop's
        "missing": 999999,
        "garbage": "abc",
    }[case]
    client.force_login(cast.staff)
    url = reverse("workshops:action_create", args=[cast.workshop.pk]) + f"?note={note_id}"
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(f"u:{cast.staff.pk}")).status_code == 404
    response = client.post(
        reverse("workshops:action_create", args=[cast.workshop.pk]),
        {**form_data(f"u:{cast.staff.pk}"), "note": note_id},
    )
    assert response.status_code == 404
    assert not FollowUpAction.objects.filter(description="Share the water study").exists()


def test_the_service_refuses_a_note_of_another_workshop(cast):
    note = factories.SessionNoteFactory(workshop=cast.other_workshop)
    with pytest.raises(services.ActionError):
        services.action_create(
            workshop=cast.workshop, by=cast.staff, description="x", owner=cast.staff, note=note
        )


# --- The owner picker -------------------------------------------------------------------------


def test_owner_picker_offers_the_team_and_the_workshops_people(cast, actions):
    walk_in = factories.ParticipantFactory(full_name="Nadia Walkin", risk_level=RiskLevel.HIGH)
    factories.AttendanceFactory(
        session=factories.SessionFactory(workshop=cast.workshop), participant=walk_in
    )
    declined = factories.ParticipantFactory(full_name="Said No")
    factories.InvitationFactory(workshop=cast.workshop, participant=declined, status="declined")
    stranger = factories.ParticipantFactory(full_name="Not Invited")
    factories.AttendanceFactory(
        session=factories.SessionFactory(workshop=cast.workshop),
        participant=factories.ParticipantFactory(full_name="Was Absent"),
        status=AttendanceStatus.ABSENT,
    )

    staff_view = services.owner_candidates(cast.staff, cast.workshop)
    team = dict(staff_view.team)
    people = dict(staff_view.participants)
    assert set(team) == {
        f"u:{u.pk}" for u in (cast.staff, cast.facilitator, cast.other_facilitator)
    }  # not the observer, not other programs' staff
    assert people == {
        f"p:{actions.invitee.pk}": "Andreas Georgiou",
        f"p:{actions.hidden.pk}": "Layla Haddad",
        f"p:{walk_in.pk}": "Nadia Walkin",
    }
    assert f"p:{stranger.pk}" not in people and f"p:{declined.pk}" not in people
    # A facilitator sees their invitees by name, a high-risk walk-in (no invitation) by code.
    facilitator_view = dict(services.owner_candidates(cast.facilitator, cast.workshop).participants)
    assert facilitator_view[f"p:{actions.hidden.pk}"] == "Layla Haddad"
    assert facilitator_view[f"p:{walk_in.pk}"] == safety.pseudonym(walk_in)


def test_an_owner_outside_the_picker_is_refused(client, cast, actions):
    stranger = factories.ParticipantFactory()
    client.force_login(cast.staff)
    response = client.post(
        reverse("workshops:action_create", args=[cast.workshop.pk]),
        form_data(f"p:{stranger.pk}"),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not FollowUpAction.objects.filter(description="Share the water study").exists()


def test_editing_keeps_a_current_owner_who_left_the_team(client, cast, actions):
    former = factories.UserFactory(is_active=False)
    action = factories.FollowUpActionFactory(workshop=cast.workshop, owner_user=former)
    client.force_login(cast.staff)
    response = client.get(reverse("workshops:action_edit", args=[action.pk]))
    assert f'value="u:{former.pk}" selected' in response.content.decode()
