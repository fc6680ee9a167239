"""State-changing endpoints refuse a POST without a CSRF token and refuse GET.

Over the catalogue (tests/security/urlmap.py), every pattern whose POST may change something
(``writes=True``):

* ``test_post_without_token``: with ``Client(enforce_csrf_checks=True)``, signed in as an
  admin and as programme staff (and anonymously where anonymous people post: sign-in,
  RSVP), a POST without the token answers 403 and writes nothing;
* ``test_get_changes_nothing``: a GET answers 405, or shows a page (a form, a redirect)
  and writes nothing.

"Writes nothing" is checked on the row counts and the latest ``auto_now`` time of every
model of the project's apps, and on the audit log less the events that record a reading
(``note.viewed``: opening a restricted note's editor is a reading).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import DateTimeField, Max
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from tests.security.urlmap import ROUTES, Route, World, url_for, world_for_module

pytestmark = pytest.mark.django_db

APPS = ("core", "dialogues", "participants", "workshops")
READING_EVENTS = ("note.viewed",)
LET_IN = (200, 204, 302, 400)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_for_module(django_db_blocker)


def snapshot() -> dict[str, object]:
    """Row counts and the latest auto_now time of every model of the project's apps."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model is AuditEvent:
            continue
        stamps = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, DateTimeField) and f.auto_now
        ]
        aggregates = {"rows": Max("pk")} if not stamps else {s: Max(s) for s in stamps}
        state[model._meta.label] = (
            model._default_manager.count(),
            model._default_manager.aggregate(**aggregates),
        )
    state["audit events"] = AuditEvent.objects.exclude(action__in=READING_EVENTS).count()
    return state


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def signed_in(world: World, role: str, *, csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def body(world: World, route: Route) -> dict:
    return route.data(world) if route.data else {}


# --- POST without a CSRF token ----------------------------------------------------------------

POSTERS = ("admin", "staff", "anonymous")
CSRF_CASES = [
    (key, role)
    for key, route in ROUTES.items()
    if route.writes
    for role in POSTERS
    if route.post[role] in LET_IN
]


@pytest.mark.parametrize(("key", "role"), CSRF_CASES, ids=[f"{k}-{r}" for k, r in CSRF_CASES])
def test_post_without_token(world, key, role):
    route = ROUTES[key]
    client = signed_in(world, role, csrf=True)
    url = url_for(world, key, route.kwargs)
    before = snapshot()
    response = client.post(url, body(world, route))
    assert response.status_code == 403, f"POST {url} ({key}) as {role} without a CSRF token"
    assert b"CSRF" in response.content or "403_csrf.html" in [t.name for t in response.templates], (
        f"{key}: refused, but not by the CSRF check"
    )
    assert not changed(before, snapshot()), f"POST {url} ({key}) without a token wrote"


def test_every_writing_pattern_is_checked_for_csrf():
    """Each pattern that writes is posted to by at least one role without a token."""
    checked = {key for key, _role in CSRF_CASES}
    writing = {key for key, route in ROUTES.items() if route.writes and any(
        v in LET_IN for v in route.post.values()
    )}  # fmt: skip
    assert writing - checked == set()


# --- GET on an endpoint that writes -----------------------------------------------------------

GETTERS = ("admin", "staff")
GET_CASES = [(key, role) for key, route in ROUTES.items() if route.writes for role in GETTERS]


@pytest.mark.parametrize(("key", "role"), GET_CASES, ids=[f"{k}-{r}" for k, r in GET_CASES])
def test_get_changes_nothing(world, key, role):
    route = ROUTES[key]
    client = signed_in(world, role, csrf=True)
    url = url_for(world, key, route.kwargs)
    before = snapshot()
    response = client.get(url)
    assert response.status_code in (200, 302, 403, 404, 405), f"GET {url}"
    assert not changed(before, snapshot()), (
        f"GET {url} ({key}) as {role} changed {changed(before, snapshot())}"
    )


# Buttons (no page of their own): a GET answers 405 for everyone signed in. The matrix requests
# them; the list is spelled out so that a change in it is reviewed.
POST_ONLY = [
    "dialogues:archive",
    "dialogues:membership_change",
    "dialogues:membership_remove",
    "logout",
    "participants:consent_add",
    "participants:duplicate_dismiss",
    "participants:duplicates_scan",
    "participants:import_cancel",
    "participants:import_confirm",
    "set_language",
    "two_factor_backup_codes",
    "two_factor_disable",
    "workshops:action_status",
    "workshops:attendance_mark",
    "workshops:attendance_mark_all",
    "workshops:attendance_walk_in_new",
    "workshops:calendar_feed_manage",
    "workshops:delegation_add",
    "workshops:delegation_remove",
    "workshops:invitation_withdraw",
    "workshops:message_cancel",
    "workshops:message_resend",
    "workshops:message_template_delete",
    "workshops:note_draft",
    "workshops:note_names",
    "workshops:session_add",
    "workshops:session_move",
    "workshops:session_remove",
    "workshops:status",
]


def test_post_only_endpoints_answer_405_to_get():
    post_only = sorted(
        key
        for key, route in ROUTES.items()
        if route.writes and all(v in (405, "login") for v in route.get.values())
    )
    assert post_only == POST_ONLY


# --- Sign-out ---------------------------------------------------------------------------------


def test_logout_is_post_only(world):
    client = signed_in(world, "staff", csrf=True)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200, "a GET signed the user out"
    # And a cross-site form cannot sign anyone out either.
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200
