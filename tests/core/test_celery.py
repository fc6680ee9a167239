"""Celery round trips through real worker processes: on Redis, and on the embedded broker."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from config.celery import app
from core.tasks import clear_expired_sessions
from tests.processes import celery_worker, child_env, manage, wait_for


def test_celery_is_json_only_and_acks_late():
    assert app.conf.task_acks_late is True
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]
    assert "core.tasks.clear_expired_sessions" in app.tasks


def test_beat_schedules_session_cleanup():
    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] in app.tasks


def _session(expire_in: timedelta) -> str:
    store = SessionStore()
    store["probe"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expire_in
    )
    return store.session_key


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_round_trip_through_a_real_worker_and_redis(tmp_path):
    expired = _session(timedelta(hours=-1))
    alive = _session(timedelta(hours=1))
    queue = f"test-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
    )
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    clear_expired_sessions.apply_async(queue=queue)
    log = tmp_path / "worker.log"
    with celery_worker(env, queue, log):
        done = wait_for(lambda: not Session.objects.filter(session_key=expired).exists())

    assert done, f"the worker did not run the task; its log:\n{log.read_text()}"
    assert Session.objects.filter(session_key=alive).exists()
    assert "core.tasks.clear_expired_sessions" in log.read_text()


@pytest.mark.celery_worker
def test_task_round_trip_on_the_embedded_default(tmp_path):
    """What `make demo` runs: SQLite and kombu's filesystem broker under var/, no Redis."""
    env = child_env(OLIVE_BRANCH_VAR_DIR=str(tmp_path / "var"))
    assert manage("migrate", "--no-input", "-v0", env=env).returncode == 0
    setup = manage(
        "shell",
        "-v0",
        "-c",
        "from datetime import timedelta\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django.contrib.sessions.models import Session\n"
        "from django.utils import timezone\n"
        "s = SessionStore(); s['probe'] = 1; s.create()\n"
        "Session.objects.update(expire_date=timezone.now() - timedelta(hours=1))\n"
        "from core.tasks import clear_expired_sessions\n"
        "clear_expired_sessions.apply_async(queue='embedded')\n",
        env=env,
    )
    assert setup.returncode == 0, setup.stderr
    assert list((tmp_path / "var" / "celery" / "queue").iterdir()), "nothing was enqueued"

    def sessions_left() -> int:
        out = manage(
            "shell",
            "-v0",
            "-c",
            "from django.contrib.sessions.models import Session; print(Session.objects.count())",
            env=env,
        )
        return int(out.stdout.strip())

    log = tmp_path / "worker.log"
    with celery_worker(env, "embedded", log):
        done = wait_for(lambda: sessions_left() == 0, timeout=60, interval=1)
    assert done, f"the worker did not run the task; its log:\n{log.read_text()}"
