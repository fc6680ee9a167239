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
