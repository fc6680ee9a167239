"""The Content-Security-Policy in Chromium: the main pages and their htmx interactions work
and the browser reports no violation (no inline script, style or eval was needed).

Every browser test's ``page`` records violations (tests/conftest.py); this one walks the
pages a programme team uses most, as admin and staff, plus a participant's RSVP page, and
saves screenshots under var/screenshots/csp-*.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from participants import tasks
from participants.models import ExportJob
from tests import factories
from tests.conftest import csp_violations
from tests.core.test_browser import sign_in
from workshops.models import InvitationStatus
from workshops.outreach import links

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def scene(cast):
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="gc", colour="#1f77b4")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="tc", colour="#d62728")
    cast.program.communities.add(greek, turkish)
    people = [
        factories.ParticipantFactory(full_name="Eleni Charalambous", community=greek),
        factories.ParticipantFactory(full_name="Ayşe Demir", community=turkish),
        factories.ParticipantFactory(full_name="Andreas Ioannou", community=greek),
    ]
    invitations = [
        factories.InvitationFactory(
            workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
        for person in people[:2]
    ]
    invitations.append(factories.InvitationFactory(workshop=cast.workshop, participant=people[2]))
    session = factories.SessionFactory(workshop=cast.workshop, title="Opening circle")
    factories.SessionNoteFactory(workshop=cast.workshop, author=cast.facilitator)
    factories.FollowUpActionFactory(workshop=cast.workshop)
    return {"people": people, "invitations": invitations, "session": session}


def visit(page, live_server, path: str, screenshot, name: str) -> None:
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    screenshot(f"csp-{name}")
    assert csp_violations(page) == [], name


def test_staff_pages_and_htmx_work_under_the_policy(page, live_server, cast, scene, screenshot):
    sign_in(page, live_server, "staff-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    workshop = cast.workshop
    visit(page, live_server, "/", screenshot, "home")
    visit(
        page,
        live_server,
        reverse("dialogues:detail", args=[cast.program.pk]),
        screenshot,
        "program",
    )
    visit(
        page,
        live_server,
        reverse("dialogues:dashboard", args=[cast.program.pk]),
        screenshot,
        "dashboard",
    )
    visit(
        page, live_server, reverse("workshops:detail", args=[workshop.pk]), screenshot, "workshop"
    )
    visit(page, live_server, reverse("workshops:calendar"), screenshot, "calendar")

    # The delegation builder: the balance panel's bars and an htmx search of the registry.
    visit(
        page,
        live_server,
        reverse("workshops:delegation", args=[workshop.pk]),
        screenshot,
        "delegation",
    )
    assert page.locator(".balance-bar > span[class*='ob-w-']").count() > 0
    bar = page.locator(".balance-bar > span[class*='ob-w-']").first
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0

    # The send page: the email preview loads in its sandboxed iframe with its own styles.
    visit(
        page,
        live_server,
        reverse("workshops:invitations_send", args=[workshop.pk]),
        screenshot,
        "send",
    )
    frame = page.frame_locator("iframe.outreach-preview-frame")
    frame.get_by_text("Dear", exact=False).first.wait_for()
    padding = frame.locator("body").evaluate("el => getComputedStyle(el).paddingTop")
    assert padding == "24px"  # the email's inline style applied inside the frame
    andreas = scene["people"][2]  # the one not yet invited: the one the preview shows
    frame.get_by_text(f"Dear {andreas.full_name}", exact=False).first.wait_for()
    screenshot("csp-send-preview")
    assert csp_violations(page) == []

    # The template editor with its live preview (htmx on input).
    visit(
        page,
        live_server,
        reverse("workshops:message_template_create", args=[cast.program.pk]),
        screenshot,
        "template-editor",
    )
    page.get_by_label("Subject").fill("See you soon at {{ workshop }}")
    page.get_by_label("Body").fill("Dear {{ participant_name }}, welcome.")
    page.get_by_test_id("preview-body").get_by_text("Layla Haddad", exact=False).wait_for()
    screenshot("csp-template-preview")
    assert csp_violations(page) == []

    # Exports with a progress bar polled by htmx.
    visit(
        page,
        live_server,
        reverse("workshops:roster_export", args=[workshop.pk]),
        screenshot,
        "roster-export",
    )
    visit(
        page, live_server, reverse("workshops:actions", args=[workshop.pk]), screenshot, "actions"
    )
    visit(page, live_server, reverse("participants:list"), screenshot, "participants")
    page.get_by_role("searchbox").first.fill("Eleni")
    page.wait_for_load_state("networkidle")
    page.get_by_text("Eleni Charalambous").first.wait_for()
    assert csp_violations(page) == []


def test_facilitator_notes_autosave_and_attendance_under_the_policy(
    page, live_server, cast, scene, screenshot
):
    sign_in(page, live_server, "facilitator-user")
    page.get_by_role("heading", name="Upcoming workshops").wait_for()
    visit(
        page,
        live_server,
        reverse("workshops:note_create", args=[cast.workshop.pk]),
        screenshot,
        "note-editor",
    )
    page.get_by_label("Title").fill("Trust across the line")
    page.locator("#id_body").fill("We heard Eleni Charalambous on missing persons.")
    page.get_by_text("Saved as draft at").wait_for(timeout=15_000)
    screenshot("csp-note-autosave")
    assert csp_violations(page) == []

    session = scene["session"]
    visit(
        page,
        live_server,
        reverse("workshops:attendance_session", args=[cast.workshop.pk, session.pk]),
        screenshot,
        "attendance",
    )
    eleni = scene["people"][0]
    page.get_by_role("button", name=f"Present: {eleni.full_name}").click()
    page.locator(".attendance-row.is-present").first.wait_for()
    screenshot("csp-attendance-marked")
    assert csp_violations(page) == []
    visit(
        page,
        live_server,
        reverse("workshops:notes", args=[cast.workshop.pk]),
        screenshot,
        "notes-list",
    )
    visit(page, live_server, reverse("workshops:actions_mine"), screenshot, "my-actions")


def test_admin_pages_export_progress_and_two_factor_under_the_policy(
    page, live_server, cast, scene, screenshot, settings, monkeypatch
):
    settings.EXPORT_XLSX_BACKGROUND_ROWS = 1
    monkeypatch.setattr(tasks.run_export, "delay", lambda pk: None)
    sign_in(page, live_server, "admin-user")
    page.get_by_role("button", name="Admin").wait_for()  # the admin menu
    visit(page, live_server, reverse("audit_log"), screenshot, "audit-log")
    visit(page, live_server, reverse("two_factor"), screenshot, "two-factor-manage")
    visit(page, live_server, "/admin/", screenshot, "django-admin")
    visit(
        page, live_server, reverse("admin:core_user_changelist"), screenshot, "django-admin-users"
    )
    visit(
        page,
        live_server,
        reverse("admin:core_user_change", args=[cast.staff.pk]),
        screenshot,
        "django-admin-user",
    )

    visit(page, live_server, reverse("participants:export"), screenshot, "export-form")
    page.get_by_label("Excel (XLSX)").check()
    page.get_by_role("button", name="Export").click()
    page.get_by_text("Waiting for a worker to start").wait_for()
    screenshot("csp-export-progress")
    tasks.run_export(ExportJob.objects.get().pk)
    page.get_by_test_id("export-download").wait_for()
    screenshot("csp-export-done")
    assert csp_violations(page) == []


def test_a_new_admin_sets_up_two_factor_with_the_qr_code(page, live_server, screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_code

    admin = factories.AdminFactory(username="new-admin")
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("new-admin")
    page.get_by_label("Password").fill(factories.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    # The image may still be loading when the heading shows: wait for it, not look once.
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth > 0")
    screenshot("csp-two-factor-setup")
    assert csp_violations(page) == []
    device = TOTPDevice.objects.get(user=admin)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    screenshot("csp-two-factor-backup-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    page.get_by_role("button", name="Admin").wait_for()  # the admin menu
    assert csp_violations(page) == []


def test_the_rsvp_page_under_the_policy(page, live_server, cast, scene, screenshot):
    from django.utils import timezone

    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED, sent_at=timezone.now()
    )
    visit(
        page, live_server, reverse("rsvp", args=[links.rsvp_token(invitation)]), screenshot, "rsvp"
    )
    page.get_by_role("heading", name="Your invitation").wait_for()


def test_a_violation_would_be_caught(page, live_server):
    """The detector itself: an inline style the policy refuses is reported."""
    page.goto(live_server.url + "/accounts/login/")
    # The report reaches the test as a console message, a moment later: wait for it.
    with page.expect_console_message(lambda message: "style-src" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('style');"
            " s.textContent = 'body{color:red}'; document.head.appendChild(s); }"
        )
    assert any("style-src" in violation for violation in csp_violations(page))
    csp_violations(page).clear()  # expected here: the fixture must not fail this test
