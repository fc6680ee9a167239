"""Fixtures for the outbox with real components: an SMTP server, Celery workers, Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from participants.models import Community, Participant
from tests import factories
from tests.processes import celery_worker, child_env, wait_for, worker_ready
from tests.workshops.outreach.smtp import SMTPServer
from workshops.models import Invitation, Workshop


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_in_process(smtp_server, settings) -> SMTPServer:
    """This process's Django sends through the real SMTP server (not locmem)."""
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    return smtp_server


def invitees(workshop: Workshop, count: int, *, prefix: str = "invitee") -> list[Invitation]:
    """``count`` people on the workshop's invite list, created in bulk."""
    community = Community.objects.create(name=f"{prefix} community", slug=f"{prefix}-community")
    sector = factories.sector()
    people = Participant.objects.bulk_create(
        [
            Participant(
                full_name=f"Invitee {n:05d}",
                email=f"{prefix}{n}@example.org",
                sector=sector,
                community=community,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return Invitation.objects.bulk_create(
        [Invitation(workshop=workshop, participant=p) for p in people], batch_size=2000
    )


# --- Publishing from this process --------------------------------------------------------------


def _drop_broker_pools() -> None:
    """Forget the app's pooled broker connections, so the next publish connects to
    ``broker_url``. Not closed: kombu keeps pools per broker and hands the same ones back
    when the URL comes back."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(queue: str, broker_url: str | None = None) -> Iterator[None]:
    """Tasks this process publishes (``wake_dispatcher``, ``.delay()``) go to ``queue`` on
    ``broker_url`` for the duration: a queue of the test's own, never a shared one."""
    conf = app.conf
    before = conf.task_default_queue, conf.broker_url, os.environ.get("CELERY_BROKER_URL")
    conf.task_default_queue = queue
    if broker_url:
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        os.environ["CELERY_BROKER_URL"] = broker_url
        conf.broker_url = broker_url
        _drop_broker_pools()
    try:
        yield
    finally:
        conf.task_default_queue = before[0]
        if broker_url:
            conf.broker_url = before[1]
            if before[2] is None:
                os.environ.pop("CELERY_BROKER_URL", None)
            else:
                os.environ["CELERY_BROKER_URL"] = before[2]
            _drop_broker_pools()


def queued_messages(queue: str, broker_url: str | None = None) -> list[dict]:
    """The task messages waiting in ``queue`` on Redis, as kombu wrote them."""
    with app.connection_for_write(broker_url) as conn:
        client = conn.default_channel.client
        return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]


def forget_queue(queue: str, broker_url: str | None = None) -> None:
    """Leave nothing of ``queue`` on a shared Redis: its list, and the unacknowledged copies
    of tasks a killed worker held (Redis would hand them back to ``queue`` in an hour)."""
    with app.connection_for_write(broker_url) as conn:
        client = conn.default_channel.client
        client.delete(queue)
        for tag, raw in client.hgetall("unacked").items():
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


# --- Workers -----------------------------------------------------------------------------------


@dataclass
class Outbox:
    """Real Celery workers on a queue of their own, against the test database, a Redis and
    the real SMTP server; ``settings`` are extra environment for the workers (OUTBOX_…)."""

    smtp: SMTPServer
    tmp: Path
    broker_url: str
    queue: str = field(default_factory=lambda: f"test-outbox-{uuid.uuid4().hex}")
    settings: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)
    stack: ExitStack = field(default_factory=ExitStack)

    def env(self) -> dict[str, str]:
        db = connection.settings_dict
        return child_env(
            # The test settings force the locmem backend; the base settings read EMAIL_URL.
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            CELERY_BROKER_URL=self.broker_url,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            EMAIL_URL=self.smtp.url,
            EMAIL_TIMEOUT="10",
            SECRET_KEY=settings.SECRET_KEY,
            SITE_URL=settings.SITE_URL,
            DEFAULT_FROM_EMAIL=settings.DEFAULT_FROM_EMAIL,
            TIME_ZONE=settings.TIME_ZONE,
            OLIVE_BRANCH_VAR_DIR=str(self.tmp / "var"),
            CONN_MAX_AGE="0",
            **self.settings,
        )

    def start_worker(self) -> subprocess.Popen:
        log = self.tmp / f"worker-{len(self.workers) + 1}.log"
        worker = self.stack.enter_context(celery_worker(self.env(), self.queue, log))
        self.workers.append(worker)
        assert worker_ready(log, worker), f"the worker did not start:\n{log.read_text()}"
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        """SIGKILL: no warm shutdown, no ack, no cleanup; what a power cut does."""
        os.kill(worker.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-6000:]}"
            for log in sorted(self.tmp.glob("worker-*.log"))
        )

    def dispatch(self) -> None:
        from workshops.tasks import dispatch_due_messages

        dispatch_due_messages.apply_async(queue=self.queue, retry=False)

    def waiting_tasks(self) -> int:
        with app.connection_for_write(self.broker_url) as conn:
            return conn.default_channel.client.llen(self.queue)

    def alive(self) -> subprocess.Popen | None:
        """The last worker started, if it still runs."""
        if self.workers and self.workers[-1].poll() is None:
            return self.workers[-1]
        return None

    @contextmanager
    def beat(self, every: float = 0.5) -> Iterator[None]:
        """What celery beat does, from this process: a dispatch every ``every`` seconds,
        only when the queue is empty (a busy worker does not pile them up)."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(every):
                try:
                    if self.waiting_tasks() == 0:
                        self.dispatch()
                except Exception:  # noqa: BLE001 - the broker may be down on purpose
                    pass

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def wait(self, condition, timeout: float = 45) -> bool:
        return wait_for(condition, timeout=timeout, interval=0.2)

    def close(self) -> None:
        self.stack.close()
        try:
            forget_queue(self.queue, self.broker_url)
        except Exception:  # noqa: BLE001 - a private Redis may be gone already
            pass


@pytest.fixture
def outbox_workers(smtp_server, tmp_path) -> Iterator[Outbox]:
    """Workers started with ``outbox_workers.start_worker()``; stopped after the test."""
    outbox = Outbox(smtp=smtp_server, tmp=tmp_path, broker_url=settings.CELERY_BROKER_URL)
    assert outbox.broker_url.startswith("redis://")
    with publishing_to(outbox.queue):
        try:
            yield outbox
        finally:
            outbox.close()
