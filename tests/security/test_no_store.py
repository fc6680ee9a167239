"""No browser or proxy keeps a copy of a page or file with people or confidential text in it:
notes, rosters and exports (pages and downloads), the audit log, attendance, the registry's
pages, delegation and outreach pages, reports, RSVP pages answer ``Cache-Control: no-store``.

The catalogue (tests/security/urlmap.py) flags those patterns with ``no_store=True``;
``test_sensitive_patterns_are_flagged`` fails when a pattern whose name says it is one of
them is not flagged (so a new notes or participants page must be), and ``test_page`` checks
every flagged page's header for real.
"""

from __future__ import annotations

import re

import pytest

from tests.security.urlmap import (
    ROLES,
    ROUTES,
    World,
    base_name,
    url_for,
    world_for_module,
)

pytestmark = pytest.mark.django_db

# Names that say a page shows people or confidential text.
SENSITIVE = re.compile(
    r"note|roster|export|audit|attendance|^participants:|^rsvp|delegation|invitation"
    r"|^workshops:(program_)?messages$|report|retention|two_factor"
)
# Matching names that are not sensitive, each with why.
NOT_SENSITIVE = {
    # The blank import template: column headers, nobody in it.
    "participants:import_template": "a blank template",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_for_module(django_db_blocker)


def reader(key: str) -> str:
    """A role that gets the page (admins first: they see most)."""
    route = ROUTES[key]
    return next(role for role in ("admin", *ROLES) if route.get[role] == 200)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_sensitive_patterns_are_flagged():
    unflagged = [
        key
        for key, route in ROUTES.items()
        if SENSITIVE.search(base_name(key))
        and base_name(key) not in NOT_SENSITIVE
        and 200 in route.get.values()
        and not route.no_store
    ]
    assert not unflagged, f"Pages with people or notes not flagged no_store: {unflagged}"


PAGES = [key for key, route in ROUTES.items() if route.no_store and 200 in route.get.values()]


@pytest.mark.parametrize("key", PAGES)
def test_page(world: World, client, key):
    route = ROUTES[key]
    role = reader(key)
    client.force_login(world.user(role))
    url = url_for(world, key, route.kwargs)
    response = client.get(url)
    assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
    assert no_store(response), (
        f"GET {url} ({key}) as {role}: Cache-Control is {response.get('Cache-Control')!r}"
    )


# --- Downloads made by a POST -----------------------------------------------------------------

EXPORT = {"columns": ["name"], "format": "csv", "scope": "invited"}


def downloads(w: World) -> list[tuple[str, str, dict, str]]:
    """(what, url, body, expected content type) of every file a form hands out."""
    from django.urls import reverse

    return [
        ("workshop roster CSV", reverse("workshops:roster_export", args=[w.workshop.pk]), EXPORT,
         "text/csv"),
        ("workshop roster XLSX", reverse("workshops:roster_export", args=[w.workshop.pk]),
         {**EXPORT, "format": "xlsx"}, "spreadsheetml"),
        ("program roster CSV", reverse("workshops:program_roster_export", args=[w.program.pk]),
         EXPORT, "text/csv"),
        ("registry CSV", reverse("participants:export"), EXPORT, "text/csv"),
        ("sign-in sheet PDF", reverse("workshops:roster_pdf", args=[w.workshop.pk]),
         {"kind": "pdf-signin", "scope": "accepted", "paper": "a4"}, "application/pdf"),
        ("one person's record", reverse("participants:export_record", args=[w.participant.pk]),
         {"confirm": "on"}, "application/json"),
    ]  # fmt: skip


def test_downloads(world: World, client):
    client.force_login(world.admin)
    for what, url, body, content_type in downloads(world):
        response = client.post(url, body)
        assert response.status_code == 200, f"{what}: {response.status_code}"
        assert content_type in response["Content-Type"], f"{what}: {response['Content-Type']}"
        assert no_store(response), f"{what}: Cache-Control is {response.get('Cache-Control')!r}"
