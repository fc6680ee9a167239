"""Fixtures shared by the whole suite: one user per role around one program and workshop."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache

from core.models import User
from dialogues.models import Program, ProgramRole
from tests import factories
from workshops.models import Workshop


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Nothing cached by one test (e.g. the registry's countries) leaks into the next."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Cast:
    """The people of the role matrix, around ``program`` and its ``workshop``."""

    program: Program
    workshop: Workshop
    other_program: Program
    other_workshop: Workshop  # same program, other facilitator
    admin: User
    staff: User  # programme staff of ``program``
    other_staff: User  # programme staff of ``other_program`` only
    facilitator: User  # facilitates ``workshop``
    other_facilitator: User  # facilitates ``other_workshop``
    observer: User  # observer of ``program``
    outsider: User  # signed in, no role anywhere


@pytest.fixture
def cast(db) -> Cast:
    program = factories.ProgramFactory(name="Cyprus bi-communal dialogue")
    other_program = factories.ProgramFactory(name="Karen villages peacebuilding")
    admin = factories.AdminFactory(username="admin-user")
    staff = factories.UserFactory(username="staff-user")
    other_staff = factories.UserFactory(username="other-staff")
    facilitator = factories.UserFactory(username="facilitator-user")
    other_facilitator = factories.UserFactory(username="other-facilitator")
    observer = factories.UserFactory(username="observer-user")
    outsider = factories.UserFactory(username="outsider")
    factories.MembershipFactory(program=program, user=staff, role=ProgramRole.MANAGER)
    factories.MembershipFactory(program=other_program, user=other_staff, role=ProgramRole.MANAGER)
    factories.MembershipFactory(program=program, user=facilitator, role=ProgramRole.FACILITATOR)
    factories.MembershipFactory(
        program=program, user=other_facilitator, role=ProgramRole.FACILITATOR
    )
    factories.MembershipFactory(program=program, user=observer, role=ProgramRole.OBSERVER)
    workshop = factories.WorkshopFactory(program=program, facilitators=[facilitator])
    other_workshop = factories.WorkshopFactory(program=program, facilitators=[other_facilitator])
    return Cast(
        program=program,
        workshop=workshop,
        other_program=other_program,
        other_workshop=other_workshop,
        admin=admin,
        staff=staff,
        other_staff=other_staff,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        observer=observer,
        outsider=outsider,
    )


# --- Browser tests: Debian's Chromium driven by Playwright ------------------------------------

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; never a browser downloaded by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _browser_before_the_database(request):
    """Start Chromium before the test database exists when a browser test will run.

    Playwright's sync API runs an event loop in this thread, and Django keeps connections
    per asyncio context: a browser started halfway through the session hands later tests a
    fresh connection object without the snapshot that ``serialized_rollback`` restores, so a
    browser test after another serialized test would find seeded tables (languages) empty.
    """
    if any(item.get_closest_marker("browser") for item in request.session.items):
        request.getfixturevalue("browser")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ for a human to look at."""

    def take(name: str, of=None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take
