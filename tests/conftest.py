"""Fixtures shared by the whole suite: one user per role around one program and workshop."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client

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


# --- Two-factor authentication and sign-in throttling in tests --------------------------------
#
# Admins must give a TOTP code after their password (core.two_factor, core.middleware), and
# django-axes sits in front of the password check. So that the rest of the suite keeps
# signing people in with one line:
#
# * ``client.force_login(user)`` (and pytest-django's ``admin_client``) signs an admin (or
#   any is_staff account, who may open Django's admin) in *verified*: a confirmed TOTP
#   device is created for them on the fly if they have none, and the session is marked as
#   verified by it, as django_otp.login() does after a code.
#   Other users are signed in as before (a user who turned two-factor on still owes a code).
# * ``client.login(username=…, password=…)`` passes a request to authenticate(), which
#   django-axes requires; failures still count towards a lockout, as in real life.
# * Browser tests sign in through ``tests.core.test_browser.sign_in``, which types the
#   password and then a real code computed from the device's key (``totp_code`` below).
#
# A test of two-factor itself asks for the ``real_two_factor`` fixture: force_login is then
# Django's own, and the session owes its code like any real sign-in.

_django_force_login = Client.force_login
_django_login = Client.login


def verified_device(user):
    """The admin's confirmed TOTP device, created if they have none (tests only)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)


def totp_code(device) -> str:
    """The code the user's phone would show now, or the next one when now's was used
    already (TOTP refuses a code twice; the server accepts one step of drift)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def _force_login_verified(self, user, backend=None):
    from core.two_factor import required_for

    _django_force_login(self, user, backend)
    if required_for(user):
        from django_otp import DEVICE_ID_SESSION_KEY

        from core.two_factor import PENDING

        session = self.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.pop(PENDING, None)
        session.save()


def _login_with_request(self, **credentials):
    if "request" not in credentials:
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        credentials["request"] = request
    return _django_login(self, **credentials)


@pytest.fixture(autouse=True)
def _two_factor_shortcut(request, monkeypatch):
    monkeypatch.setattr(Client, "login", _login_with_request)
    if "real_two_factor" not in request.fixturenames:
        monkeypatch.setattr(Client, "force_login", _force_login_verified)


@pytest.fixture
def real_two_factor():
    """Ask for this to test the real two-factor flow: no verified shortcut at force_login."""


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


# Content-Security-Policy violations Chromium reports on a page (its console, and the
# securitypolicyviolation event in every frame): a browser test fails if its page had one.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


def csp_violations(page) -> list[str]:
    """What the page's policy refused so far (a list the test may clear)."""
    return page._ob_csp_violations


def watch_csp(page) -> None:
    page._ob_csp_violations = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            page._ob_csp_violations.append(text)

    page.on("console", on_console)
    page.add_init_script(_REPORT_VIOLATIONS)


def new_page(context):
    """A page of ``context``: every browser test opens its pages here (the ``page`` fixture
    too), so that ``OB_BROWSER_CPU_THROTTLE=<rate>`` (e.g. 4) slows each one's CPU that many
    times. That shakes out the timing races a busy CI machine shows: a test that reads once
    what a script, an htmx settle or a navigation writes a moment later fails here too."""
    page = context.new_page()
    rate = float(os.environ.get("OB_BROWSER_CPU_THROTTLE") or 1)
    if rate > 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": rate})
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = new_page(context)
    watch_csp(page)
    yield page
    violations = list(csp_violations(page))
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ for a human to look at."""

    def take(name: str, of=None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def eager_celery():
    """Tasks run in the test's process, when the transaction that queued them commits (with
    ``django_capture_on_commit_callbacks(execute=True)``); their errors propagate."""
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
