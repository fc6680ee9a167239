"""Big exports as Celery jobs: progress page, download by the requester only, deletion
after 24 hours (beat task, time-machine), a real worker against Redis."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.models import AuditEvent
from participants import safety, tasks
from participants.exports.columns import BY_KEY
from participants.exports.services import export_jobs_expire
from participants.models import ExportJob, ExportJobStatus, RiskLevel
from tests import factories
from tests.participants.exports.helpers import by_first_column, csv_rows, xlsx_rows

# Tasks run in the test's process, when the transaction that queued them commits.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

URL = reverse("participants:export")


@pytest.fixture
def people(cast, settings):
    settings.EXPORT_XLSX_BACKGROUND_ROWS = 2
    settings.EXPORT_CSV_BACKGROUND_ROWS = 2
    return [
        factories.ParticipantFactory(full_name="Amina Okafor"),
        factories.ParticipantFactory(full_name="Tomás Rivera", organisation="+1 formula"),
        factories.ParticipantFactory(full_name="Hla Moe", risk_level=RiskLevel.HIGH),
    ]


def start(client, django_capture_on_commit_callbacks, fmt="xlsx"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"columns": ["name", "organisation"], "format": fmt, "action": "export"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("participants:export_job", args=[job.pk])
    job.refresh_from_db()
    return job


def test_big_xlsx_runs_as_a_job_and_only_its_requester_downloads(
    client, cast, people, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    job = start(client, django_capture_on_commit_callbacks)
    assert job.status == ExportJobStatus.DONE
    assert (job.row_count, job.progress) == (3, 100)
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".xlsx")
    assert default_storage.exists(job.file.name)

    page = client.get(reverse("participants:export_job", args=[job.pk]))
    assert page["Cache-Control"].startswith("no-store")
    assert "Ready: 3 rows." in page.content.decode()
    assert "hx-get" not in page.content.decode()

    download = client.get(reverse("participants:export_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"].startswith("no-store")
    rows = xlsx_rows(download)
    assert by_first_column(rows) == {
        "Amina Okafor": ["Amina Okafor", people[0].organisation],
        "Tomás Rivera": ["Tomás Rivera", "'+1 formula"],
        safety.pseudonym(people[2]): [safety.pseudonym(people[2]), ""],
    }
    export = AuditEvent.objects.get(action="registry.export")
    assert (export.actor, export.data["job"], export.data["rows"]) == (cast.admin, job.pk, 3)
    assert AuditEvent.objects.get(action="export.download").data["job"] == job.pk

    # Nobody else, not even another admin.
    other_admin = factories.AdminFactory()
    client.force_login(other_admin)
    for name in ("export_job", "export_job_status", "export_job_download"):
        assert client.get(reverse(f"participants:{name}", args=[job.pk])).status_code == 404


def test_big_csv_job(client, cast, people, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    job = start(client, django_capture_on_commit_callbacks, fmt="csv")
    assert job.status == ExportJobStatus.DONE
    rows = csv_rows(client.get(reverse("participants:export_job_download", args=[job.pk])))
    assert len(rows) == 4
    assert by_first_column(rows)["Tomás Rivera"] == ["Tomás Rivera", "'+1 formula"]


def test_progress_partial_polls_while_running(client, cast, people):
    client.force_login(cast.admin)
    job = ExportJob.objects.create(
        requester=cast.admin,
        kind="registry",
        status=ExportJobStatus.RUNNING,
        progress=40,
        row_count=400,
        params={"expected_rows": 1000, "format": "csv", "columns": ["name"]},
    )
    response = client.get(reverse("participants:export_job_status", args=[job.pk]))
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="40"' in html
    assert "400 of 1,000 rows" in html


def test_files_are_deleted_after_24_hours(client, cast, people, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    job = start(client, django_capture_on_commit_callbacks)
    name = job.file.name
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert tasks.expire_exports() == 0
    assert default_storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert tasks.expire_exports() == 1
        assert tasks.expire_exports() == 0  # idempotent
    job.refresh_from_db()
    assert job.status == ExportJobStatus.EXPIRED
    assert not job.file
    assert not default_storage.exists(name)
    assert client.get(reverse("participants:export_job_download", args=[job.pk])).status_code == 404
    assert (
        "has expired"
        in client.get(reverse("participants:export_job", args=[job.pk])).content.decode()
    )


def test_stale_unfinished_jobs_expire_too_and_forget_their_search(cast):
    job = ExportJob.objects.create(
        requester=cast.admin, kind="registry", params={"filters": "q=Eleni", "format": "csv"}
    )
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert export_jobs_expire() == 1
    job.refresh_from_db()
    assert job.status == ExportJobStatus.EXPIRED
    assert job.params == {"format": "csv"}


def test_a_job_checks_permission_again_in_the_worker(cast, people):
    job = ExportJob.objects.create(
        requester=cast.staff,  # not an admin: may not export the registry
        kind="registry",
        params={"kind": "registry", "columns": ["name"], "format": "csv", "expected_rows": 3},
    )
    tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert "no longer" in job.error
    assert not job.file
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_a_job_runs_once(cast, people):
    job = ExportJob.objects.create(
        requester=cast.admin,
        kind="registry",
        params={"kind": "registry", "columns": ["name"], "format": "csv", "expected_rows": 3},
    )
    tasks.run_export(job.pk)
    job.refresh_from_db()
    first = job.file.name
    tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.file.name == first
    assert AuditEvent.objects.filter(action="registry.export").count() == 1


def test_export_pages_list_the_requesters_jobs_only(client, cast, people):
    mine = ExportJob.objects.create(requester=cast.admin, kind="registry", params={})
    ExportJob.objects.create(requester=factories.AdminFactory(), kind="registry", params={})
    ExportJob.objects.create(
        requester=cast.admin, kind="registry", params={}, status=ExportJobStatus.EXPIRED
    )
    client.force_login(cast.admin)
    response = client.get(URL)
    assert list(response.context["recent_jobs"]) == [mine]
    assert reverse("participants:export_job", args=[mine.pk]) in response.content.decode()


def test_a_job_speaks_its_requesters_language_whatever_the_workers(cast, people):
    """Headings and failure messages are stored in the file and the job: in the language
    of who asked for them, as an export downloaded at once would be."""
    cast.admin.language = "fr"
    cast.admin.save(update_fields=["language"])
    cast.staff.language = "ar"
    cast.staff.save(update_fields=["language"])
    params = {"kind": "registry", "columns": ["name", "organisation"], "format": "xlsx"}
    done = ExportJob.objects.create(requester=cast.admin, kind="registry", params=params)
    refused = ExportJob.objects.create(requester=cast.staff, kind="registry", params=params)
    with translation.override("en"):  # the worker's own
        tasks.run_export(done.pk)
        tasks.run_export(refused.pk)
    done.refresh_from_db()
    refused.refresh_from_db()
    with translation.override("fr"):
        headings = [str(BY_KEY["name"].label), str(BY_KEY["organisation"].label)]
    assert headings != ["Name", "Organisation"]
    with done.file.open("rb") as file:
        assert xlsx_rows(file.read())[0] == headings
    with translation.override("ar"):
        assert refused.error == gettext("You may no longer run this export.")
    assert refused.error != "You may no longer run this export."
