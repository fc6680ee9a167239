"""A big export through a real Celery worker process on Redis: the worker reads the
database and writes the file through the storage API; the web process hands it out."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from config.celery import app
from participants import safety
from participants.models import ExportJob, ExportJobStatus, RiskLevel
from tests import factories
from tests.participants.exports.helpers import by_first_column, csv_rows
from tests.processes import celery_worker, child_env, wait_for, worker_ready

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_real_worker_prepares_the_file(client, cast, tmp_path, settings):
    settings.EXPORT_CSV_BACKGROUND_ROWS = 1
    people = [
        factories.ParticipantFactory(full_name="Grace Mensah", organisation="-minus"),
        factories.ParticipantFactory(full_name="Naw Paw", risk_level=RiskLevel.HIGH),
    ]
    queue = f"test-exports-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        SECRET_KEY=settings.SECRET_KEY,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        OLIVE_BRANCH_VAR_DIR=str(tmp_path / "var"),
        CONN_MAX_AGE="0",
    )
    log = tmp_path / "worker.log"
    before = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with celery_worker(env, queue, log) as worker:
            assert worker_ready(log, worker), log.read_text()
            client.force_login(cast.admin)
            response = client.post(
                reverse("participants:export"),
                {"columns": ["name", "organisation"], "format": "csv", "action": "export"},
            )
            assert response.status_code == 302
            job = ExportJob.objects.get()

            def finished() -> bool:
                job.refresh_from_db()
                return job.status in (ExportJobStatus.DONE, ExportJobStatus.FAILED)

            assert wait_for(finished, timeout=60), log.read_text()[-4000:]
    finally:
        app.conf.task_default_queue = before
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)
    assert job.status == ExportJobStatus.DONE, job.error
    rows = csv_rows(client.get(reverse("participants:export_job_download", args=[job.pk])))
    assert by_first_column(rows) == {
        "Grace Mensah": ["Grace Mensah", "'-minus"],
        safety.pseudonym(people[1]): [safety.pseudonym(people[1]), ""],
    }
