"""Importing a spreadsheet in a real browser: the progress bar follows the worker, the
preview asks for the bad row to be skipped, the result links to the people."""

import pytest
from django.urls import reverse

from config.celery import app
from participants import tasks
from participants.models import ImportStatus, Participant, ParticipantImport
from tests import factories
from tests.core.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONTENT = (
    "Name;E-mail;Phone;Sector;Community;Notes\r\n"
    "Eleni Charalambous;eleni@example.org;+357 99 123456;Academic;greek-cypriot;met in Geneva\r\n"
    "Mehmet Ali;mehmet@example.org;12;Academic;greek-cypriot;\r\n"
    "Hélène Dupont;helene@example.org;+33 6 12 34 56 78;Academic;;\r\n"
).encode("cp1252", errors="strict")


def test_staff_import_a_file_watching_the_progress(
    page, live_server, cast, screenshot, tmp_path, monkeypatch
):
    factories.sector("academic")
    factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    # No worker here: the check waits until the test runs it, so the page shows progress.
    monkeypatch.setattr(tasks.analyse_participant_import, "delay", lambda pk: None)
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('participants:list')}")
    page.get_by_role("link", name="Import").click()
    page.get_by_role("heading", name="Import participants").wait_for()
    screenshot("participant-import-upload")

    upload = tmp_path / "people.csv"
    upload.write_bytes(CONTENT)
    page.get_by_label("Spreadsheet").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_text("Checking every row of the file").wait_for()
    assert page.locator("#import-progress[hx-get]").count() == 1
    screenshot("participant-import-progress")

    participant_import = ParticipantImport.objects.get()
    tasks.analyse_participant_import(participant_import.pk)
    # The polled partial notices the check is over and the page reloads with the preview.
    page.get_by_role("button", name="Confirm and import").wait_for()
    assert "Notes" in page.get_by_test_id("import-notice").inner_text()
    assert "with the country code" in page.get_by_test_id("import-preview").inner_text()
    screenshot("participant-import-preview")

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        page.get_by_role("button", name="Confirm and import").click()
        page.get_by_text("Row 3 has errors").wait_for()
        assert Participant.objects.count() == 0
        page.get_by_label("Skip row 3").check()
        page.get_by_role("button", name="Confirm and import").click()
        page.get_by_test_id("import-result").wait_for()
    finally:
        app.conf.task_always_eager = previous
    assert "2 added, 0 updated, 1 skipped" in page.get_by_test_id("import-result").inner_text()
    participant_import.refresh_from_db()
    assert participant_import.status == ImportStatus.DONE
    assert set(Participant.objects.values_list("full_name", flat=True)) == {
        "Eleni Charalambous",
        "Hélène Dupont",
    }
    screenshot("participant-import-done")
    page.get_by_role("link", name="Hélène Dupont").click()
    page.get_by_role("heading", name="Hélène Dupont").wait_for()
