"""Exports in a real browser: the column chooser, the progress page polling a job until
the download link appears, and the workshop roster form; screenshots for a human."""

import pytest
from django.urls import reverse

from participants import tasks
from participants.models import ExportJob, ExportJobStatus, RiskLevel
from tests import factories
from tests.core.test_browser import sign_in
from workshops.models import InvitationStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_exports_the_registry_through_a_job(
    page, live_server, cast, screenshot, settings, monkeypatch
):
    settings.EXPORT_XLSX_BACKGROUND_ROWS = 2
    community = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    for n in range(3):
        factories.ParticipantFactory(full_name=f"Person {n}", community=community)
    factories.ParticipantFactory(full_name="Hidden Person", risk_level=RiskLevel.HIGH)
    # No worker: the job waits until the test runs it, so the page shows its progress.
    monkeypatch.setattr(tasks.run_export, "delay", lambda pk: None)
    sign_in(page, live_server, "admin-user")
    page.goto(f"{live_server.url}{reverse('participants:export')}?community={community.pk}")
    page.get_by_role("heading", name="Export the registry").wait_for()
    assert "3 people match" in page.get_by_test_id("export-scope").inner_text()
    assert page.get_by_label("Name", exact=True).is_checked()
    assert not page.get_by_label("Phone").is_checked()
    screenshot("export-registry-form")

    page.get_by_label("Phone").check()
    page.get_by_label("Excel (XLSX)").check()
    page.get_by_role("button", name="Export").click()
    page.get_by_text("Waiting for a worker to start").wait_for()
    assert page.locator("#export-job-status[hx-get]").count() == 1
    screenshot("export-job-progress")

    job = ExportJob.objects.get()
    tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE
    page.get_by_test_id("export-download").wait_for()
    assert "Ready: 3 rows." in page.locator("#export-job-status").inner_text()
    screenshot("export-job-done")
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_staff_roster_form_with_a_preset(page, live_server, cast, screenshot):
    person = factories.ParticipantFactory(full_name="Andreas Ioannou")
    factories.InvitationFactory(
        workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
    )
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('workshops:roster_export', args=[cast.workshop.pk])}")
    page.get_by_role("heading", name="Export the roster").wait_for()
    page.get_by_label("Dietary needs").uncheck()
    page.get_by_label("Save these columns as a preset").fill("Venue list")
    page.get_by_role("button", name="Save preset").click()
    page.get_by_text("Preset “Venue list” saved.").wait_for()
    assert not page.get_by_label("Dietary needs").is_checked()
    assert page.get_by_label("Accessibility needs").is_checked()
    screenshot("export-roster-form")
