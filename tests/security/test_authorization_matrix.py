"""Who gets in where: every URL pattern of the project × every role × GET and POST, with the
answer expected from core/permissions.py (tests/security/urlmap.py holds the catalogue).

* ``test_every_url_pattern_has_an_entry`` walks the resolver: a new URL fails until it has
  an entry (and an entry whose pattern is gone fails too).
* ``test_matrix`` requests each (pattern, role, method) and checks the status (and that a
  redirect of an anonymous request goes to the sign-in page).
* ``test_other_programs_object`` swaps every id for the other program's object (another
  program's workshop, session, note, action, message, template, membership, invitation,
  participant, import and export job): 404 for every role but admins and that program's
  staff, never 403 or 200.
* ``test_mixed_parent_and_child`` keeps the parent in the URL and swaps only the child (a
  session, membership, template or revision of another program): 404 for everyone let in.

Form fields and htmx requests that carry ids are covered in test_form_ids_*.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.security.urlmap import (
    ROLES,
    ROUTES,
    L,
    Route,
    World,
    base_name,
    url_for,
    url_pattern_names,
    world_for_module,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_for_module(django_db_blocker)


METHODS = ("get", "post")
LOGIN_PATH = resolve_url(settings.LOGIN_URL)
LET_IN = (200, 204, 302, 400)


def sign_in(client: Client, world: World, role: str) -> Client:
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def ask(client: Client, world: World, route: Route, method: str, url: str):
    if method == "post":
        return client.post(url, route.data(world) if route.data else {})
    return client.get(url)


def check(response, expected: int | str, what: str) -> None:
    location = response.get("Location", "")
    if expected == L:
        assert response.status_code == 302 and location.startswith(LOGIN_PATH), (
            f"{what}: expected a redirect to {LOGIN_PATH}, got {response.status_code} {location}"
        )
        return
    assert response.status_code == expected, (
        f"{what}: expected {expected}, got {response.status_code} {location}"
    )
    if expected == 302:
        assert not location.startswith(LOGIN_PATH), f"{what}: sent to sign in ({location})"


# --- Completeness -----------------------------------------------------------------------------


def test_every_url_pattern_has_an_entry():
    served = url_pattern_names()
    catalogued = {base_name(key) for key in ROUTES}
    missing = sorted(set(served) - catalogued)
    stale = sorted(catalogued - set(served))
    assert not missing, (
        "URL patterns without an entry in tests/security/urlmap.py ROUTES (add who may "
        f"open them): {missing}"
    )
    assert not stale, f"Entries in ROUTES for URL patterns that no longer exist: {stale}"


def test_the_catalogue_is_well_formed():
    for key, route in ROUTES.items():
        for method in METHODS:
            expected = getattr(route, method)
            assert set(expected) == set(ROLES), key
            assert all(v == L or isinstance(v, int) for v in expected.values()), key


# --- The matrix -------------------------------------------------------------------------------

CASES = [(key, role, method) for key in ROUTES for role in ROLES for method in METHODS]


@pytest.mark.parametrize(
    ("key", "role", "method"), CASES, ids=[f"{k}-{r}-{m}" for k, r, m in CASES]
)
def test_matrix(world, client, key, role, method):
    route = ROUTES[key]
    url = url_for(world, key, route.kwargs)
    response = ask(sign_in(client, world, role), world, route, method, url)
    check(response, getattr(route, method)[role], f"{method.upper()} {url} ({key}) as {role}")


# --- Ids of the other program -----------------------------------------------------------------

# Admins see everything; other_staff runs the other program. Everyone else must find nothing.
FOREIGN_ROLES = ("staff", "facilitator", "other_facilitator", "observer", "outsider")


def accepted_methods(route: Route) -> list[str]:
    """The methods the view takes at all (the others answer 405 before any lookup)."""
    return [m for m in METHODS if any(v not in (405, L) for v in getattr(route, m).values())]


def foreign_expected(route: Route, role: str, method: str) -> int:
    if route.foreign_expect and role in route.foreign_expect:
        return route.foreign_expect[role]
    return 404


FOREIGN_CASES = [
    (key, role, method)
    for key, route in ROUTES.items()
    if route.foreign
    for role in FOREIGN_ROLES
    for method in accepted_methods(route)
]


@pytest.mark.parametrize(
    ("key", "role", "method"),
    FOREIGN_CASES,
    ids=[f"{k}-{r}-{m}" for k, r, m in FOREIGN_CASES],
)
def test_other_programs_object(world, client, key, role, method):
    route = ROUTES[key]
    url = url_for(world, key, route.foreign)
    response = ask(sign_in(client, world, role), world, route, method, url)
    check(
        response,
        foreign_expected(route, role, method),
        f"{method.upper()} {url} ({key}, other program's object) as {role}",
    )


# Views that answer htmx requests with a partial (they branch on HX-Request): the same
# swapped ids, asked as htmx asks, answer 404 as well.
HTMX_PREFIXES = (
    "workshops:session_",
    "workshops:attendance",
    "workshops:notes",
    "workshops:program_notes",
    "workshops:note_names",
    "workshops:invitations_send",
    "workshops:message_template",
    "workshops:action_status",
    "participants:import_progress",
)
HTMX_CASES = [case for case in FOREIGN_CASES if case[0].startswith(HTMX_PREFIXES)]


@pytest.mark.parametrize(
    ("key", "role", "method"), HTMX_CASES, ids=[f"{k}-{r}-{m}" for k, r, m in HTMX_CASES]
)
def test_other_programs_object_over_htmx(world, client, key, role, method):
    route = ROUTES[key]
    url = url_for(world, key, route.foreign)
    client = sign_in(client, world, role)
    data = route.data(world) if route.data else {}
    response = getattr(client, method)(
        url, data if method == "post" else {}, HTTP_HX_REQUEST="true"
    )
    check(
        response,
        foreign_expected(route, role, method),
        f"htmx {method.upper()} {url} ({key}, other program's object) as {role}",
    )


MIXED_CASES = [
    (key, role, method)
    for key, route in ROUTES.items()
    if route.mixed
    for method in accepted_methods(route)
    for role in ROLES
    if getattr(route, method)[role] in LET_IN
]


@pytest.mark.parametrize(
    ("key", "role", "method"), MIXED_CASES, ids=[f"{k}-{r}-{m}" for k, r, m in MIXED_CASES]
)
def test_mixed_parent_and_child(world, client, key, role, method):
    route = ROUTES[key]
    url = url_for(world, key, route.mixed)
    response = ask(sign_in(client, world, role), world, route, method, url)
    check(response, 404, f"{method.upper()} {url} ({key}, child of another program) as {role}")


# --- Ids in form fields and htmx requests -----------------------------------------------------
#
# Fields that carry ids, found by reading the views and forms, and what an id of another
# program (or workshop) gets. Fields not listed take ids from everything the user may see by
# design: the registry is shared by all programme staff (delegation "participant", walk-in
# "participant" for staff, merge), team pickers list every active account (program team
# "user", workshop "facilitators").


def test_form_ids_note_session_of_another_workshop(world, client):
    """note_create "session": only the workshop's own sessions are choices."""
    from django.urls import reverse

    from workshops.models import SessionNote

    client.force_login(world.facilitator)
    before = SessionNote.objects.count()
    response = client.post(
        reverse("workshops:note_create", args=[world.workshop.pk]),
        {"title": "T", "body": "B", "level": "team", "session": world.foreign_session.pk},
    )
    assert response.status_code == 400
    assert "session" in response.context["form"].errors
    assert SessionNote.objects.count() == before


def test_form_ids_note_draft(world, client):
    """note_draft (htmx autosave) "session" and "note": another workshop's session is
    dropped, another workshop's or program's note answers 404; nothing kept for them."""
    from django.urls import reverse

    from workshops.models import NoteDraft

    client.force_login(world.facilitator)
    url = reverse("workshops:note_draft", args=[world.workshop.pk])
    response = client.post(url, {"title": "T", "session": world.foreign_session.pk})
    assert response.status_code == 200
    assert NoteDraft.objects.get(user=world.facilitator, workshop=world.workshop).session is None
    for note in (world.foreign_note_team, world.foreign_note_restricted):
        assert client.post(url, {"title": "T", "note": note.pk}).status_code == 404
        assert (
            client.post(
                reverse("workshops:note_names", args=[world.workshop.pk]),
                {"note": note.pk, "chatham_house": "on", "body": "x"},
                HTTP_HX_REQUEST="true",
            ).status_code
            == 404
        )
    assert not NoteDraft.objects.filter(note__workshop=world.foreign_workshop).exists()


def test_form_ids_action_owner_and_note(world, client):
    """action_create / action_edit "owner" (u:<user>, p:<participant>) and "note"."""
    from django.urls import reverse

    from workshops.models import FollowUpAction

    client.force_login(world.staff)
    create = reverse("workshops:action_create", args=[world.workshop.pk])
    before = FollowUpAction.objects.count()
    for owner in (f"u:{world.other_staff.pk}", f"p:{world.foreign_participant.pk}"):
        response = client.post(create, {"description": "Call", "owner": owner})
        assert response.status_code == 200
        assert "owner" in response.context["form"].errors, owner
    response = client.post(
        create,
        {"description": "Call", "owner": f"u:{world.staff.pk}", "note": world.foreign_note_team.pk},
    )
    assert response.status_code == 404
    assert FollowUpAction.objects.count() == before
    edit = reverse("workshops:action_edit", args=[world.action.pk])
    response = client.post(
        edit,
        {"description": "Call", "owner": f"p:{world.foreign_participant.pk}", "status": "open"},
    )
    assert "owner" in response.context["form"].errors
    world.action.refresh_from_db()
    assert world.action.owner_participant_id is None


def test_form_ids_attendance(world, client):
    """attendance_mark "participant" (htmx): only people on the workshop's list; walk-in
    "participant": only people the facilitator may see."""
    from django.urls import reverse

    from workshops.models import Attendance

    client.force_login(world.facilitator)
    args = [world.workshop.pk, world.session.pk]
    before = Attendance.objects.count()
    for data in ({"participant": world.foreign_participant.pk, "status": "present"},):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(reverse("workshops:attendance_mark", args=args), data, **headers)
            assert response.status_code == 404
    response = client.post(
        reverse("workshops:attendance_walk_in", args=args),
        {"participant": world.foreign_participant.pk},
    )
    assert response.status_code == 404
    assert Attendance.objects.count() == before


def test_form_ids_delegation_and_sending(world, client):
    """delegation_remove "invitation" and invitations_send "invitations": only this
    workshop's invitations."""
    from django.urls import reverse

    from workshops.models import Invitation, ScheduledMessage

    client.force_login(world.staff)
    response = client.post(
        reverse("workshops:delegation_remove", args=[world.workshop.pk]),
        {"invitation": world.foreign_invitation.pk},
    )
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=world.foreign_invitation.pk).exists()
    messages = ScheduledMessage.objects.count()
    response = client.post(
        reverse("workshops:invitations_send", args=[world.workshop.pk]),
        {"invitations": [world.foreign_invitation.pk]},
    )
    assert response.status_code == 200
    assert "invitations" in response.context["form"].errors
    assert ScheduledMessage.objects.count() == messages
    # "Preview as" (htmx GET) with another workshop's invitation previews no one of theirs.
    response = client.get(
        reverse("workshops:invitations_send", args=[world.workshop.pk]),
        {"preview": world.foreign_invitation.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    preview = response.context["preview_row"]
    assert preview is None or preview.invitation.workshop_id == world.workshop.pk


def test_form_ids_export_presets(world, client):
    """Roster export "preset" (load with GET, delete with POST): only the program's own."""
    from django.urls import reverse

    from participants.models import ExportPreset

    client.force_login(world.staff)
    url = reverse("workshops:roster_export", args=[world.workshop.pk])
    response = client.get(url, {"preset": world.foreign_preset.pk})
    assert response.status_code == 200
    assert response.context["loaded_preset"] is None
    response = client.post(url, {"action": "delete_preset", "preset": world.foreign_preset.pk})
    assert response.status_code == 302
    assert ExportPreset.objects.filter(pk=world.foreign_preset.pk).exists()


def test_form_ids_list_filters(world, client):
    """Filters that name ids (notes: workshop, session; message queue: workshop) never open
    another program's rows."""
    from django.urls import reverse

    client.force_login(world.staff)
    for query in ({"workshop": world.foreign_workshop.pk}, {"session": world.foreign_session.pk}):
        response = client.get(reverse("workshops:notes_all"), query)
        assert response.status_code == 200
        shown = {note.pk for note in response.context["page"].object_list}
        assert world.foreign_note_team.pk not in shown
        assert world.foreign_note_shareable.pk not in shown
    response = client.get(
        reverse("workshops:program_messages", args=[world.program.pk]),
        {"workshop": world.foreign_workshop.pk},
    )
    assert response.status_code == 200
    assert world.foreign_message.pk not in {m.pk for m in response.context["page"].object_list}


# --- Authorization bugs found by the matrix, fixed ------------------------------------------


def test_a_prepared_export_is_not_handed_to_someone_who_lost_access(world, client):
    """An export job's pages and file were its requester's for 24 hours whatever happened
    meanwhile: staff taken off the program still downloaded the roster prepared before.
    They are checked again (participants.exports.access) and answer 404 like any other."""
    from django.urls import reverse

    from dialogues.models import ProgramMembership

    client.force_login(world.staff)
    download = reverse("participants:export_job_download", args=[world.export_job.pk])
    assert client.get(download).status_code == 200
    ProgramMembership.objects.filter(user=world.staff, program=world.program).delete()
    for name in ("export_job", "export_job_status", "export_job_download"):
        url = reverse(f"participants:{name}", args=[world.export_job.pk])
        assert client.get(url).status_code == 404, name
