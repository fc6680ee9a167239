"""Requests under faults (issue 8, part 6): what a person sees when the database connection
drops in the middle of their request, or when the broker (Redis) is down.

* The database connection dropped mid-request: the person gets the error page (not a stack
  trace, not a success), the database holds nothing of the request (the service's
  transaction rolled back), and the next request on the same web process works (Django opens
  a new connection). Once through gunicorn in production settings, the connection killed by
  ``pg_terminate_backend`` while the request waits on a row lock after its first write;
  once in-process, killed by a hook at an exact point of a service.
* The broker down: gunicorn runs with its ``CELERY_BROKER_URL`` pointing at a Redis that is
  not running. Staff pages, sending invitations and an RSVP answer work and answer quickly;
  the outbox rows wait in the database. Once Redis is up and a worker runs, the web
  process's next wake-up of the dispatcher sends everything, each message once.

A worker killed mid-task (no message lost, a duplicate only in the window between the mail
server's answer and the status commit, with the same Message-ID) and Redis stopped and
flushed during a batch are covered by ``tests/workshops/outreach/test_faults.py``
(``test_workers_killed_mid_batch_lose_nothing_and_duplicate_only_inside_the_window``,
``test_redis_stopped_then_flushed_mid_batch_every_message_goes_out_once``).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from tests import factories
from tests.processes import ROOT, VENV_BIN, RedisServer, child_env, free_port, manage, wait_for
from tests.workshops.outreach.conftest import Outbox, invitees
from tests.workshops.outreach.smtp import SMTPServer
from workshops.models import (
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    SessionNote,
    SessionNoteRevision,
)
from workshops.outreach import scheduling
from workshops.outreach.links import rsvp_token

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ERROR_PAGE = "Nothing you entered was half-saved"
QUICK = 5  # seconds: a page that waits for a broker that is down waits longer than this


# --- A production-like web process --------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """Static files collected once, as a deployment does: with DEBUG=false the manifest
    storage refuses to render a page whose static file was not collected."""
    root = tmp_path_factory.mktemp("static")
    result = manage(
        "collectstatic",
        "--noinput",
        "-v0",
        env=child_env(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="false",
            SECRET_KEY="collectstatic-only",
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(root),
            OLIVE_BRANCH_VAR_DIR=str(root / "var"),
        ),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@contextmanager
def gunicorn(tmp: Path, static: Path, **environment: str) -> Iterator[tuple[str, Path]]:
    """One gunicorn worker (so every request meets the same, persistent, database
    connection) in production settings on the test database; yields its URL and log."""
    port = free_port()
    log = tmp / "gunicorn.log"
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        SITE_URL=f"http://127.0.0.1:{port}",
        # Plain HTTP on the loopback: nothing to redirect to, cookies not limited to HTTPS.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(static),
        OLIVE_BRANCH_VAR_DIR=str(tmp / "var"),
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        **environment,
    )
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "--workers=1",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return server.poll() is not None

    try:
        assert wait_for(answers, timeout=60) and server.poll() is None, log.read_text()[-3000:]
        yield base, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def signed_in(base: str, user) -> requests.Session:
    """A browser signed in as ``user``: the session the login page would create (the same
    ``login`` and its signals), written to the test database for the web process to read."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.save()
    browser = requests.Session()
    browser.headers["Accept-Language"] = "en"
    browser.cookies.set(settings.SESSION_COOKIE_NAME, request.session.session_key)
    return browser


def form_post(browser: requests.Session, url: str, data: dict) -> requests.Response:
    """POST a form the way the page does (CSRF token from a GET of the same page first)."""
    page = browser.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    data = {"csrfmiddlewaretoken": browser.cookies.get("csrftoken"), **data}
    return browser.post(url, data=data, allow_redirects=False, timeout=30)


def terminate_backend(pid: int) -> None:
    """What a database failover or an admin's pg_terminate_backend does to a connection."""
    with psycopg.connect(_database_url(), autocommit=True) as admin:
        (done,) = admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert done, f"backend {pid} did not end"


# --- The database connection dropped mid-request --------------------------------------------


@contextmanager
def row_held(row: ScheduledMessage) -> Iterator[None]:
    """Another transaction inserts ``row`` and keeps it uncommitted: a request inserting the
    same dedupe key waits on it (ON CONFLICT must know whether it commits)."""
    held, release = threading.Event(), threading.Event()

    class Rollback(Exception):
        pass

    def hold() -> None:
        try:
            with transaction.atomic():
                row.save()
                held.set()
                release.wait(60)
                raise Rollback
        except Rollback:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


def waiting_insert(table: str) -> int | None:
    """The backend of a request blocked on a row lock while inserting into ``table``."""
    with psycopg.connect(_database_url(), autocommit=True) as probe:
        found = probe.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            [f'INSERT INTO "{table}"%'],
        ).fetchone()
    return found[0] if found else None


@TRANSACTIONAL
def test_connection_dropped_mid_rsvp_shows_the_error_page_writes_nothing_and_recovers(
    cast, static_root, tmp_path
):
    """A participant says yes; the service has already saved the invitation (accepted, their
    dietary need) when, scheduling their reminders, its connection is terminated. They see
    the error page; the invitation is as it was, with no reminder and no audit event; the
    same gunicorn worker answers the next attempt, which goes through."""
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED, sent_at=timezone.now()
    )
    reminders = scheduling.reminders_for([invitation], cast.workshop)
    assert reminders, "the workshop must have reminders still to come"
    path = reverse("rsvp", args=[rsvp_token(invitation)])
    answer = {"answer": "accept", "dietary": "vegetarian"}

    with gunicorn(tmp_path, static_root) as (base, log):
        browser = requests.Session()
        browser.headers["Accept-Language"] = "en"
        assert browser.get(base + path, timeout=30).status_code == 200  # connection opened
        data = {"csrfmiddlewaretoken": browser.cookies.get("csrftoken"), **answer}
        with row_held(reminders[0]), ThreadPoolExecutor(1) as pool:
            sent = pool.submit(browser.post, base + path, data=data, allow_redirects=False)
            assert wait_for(
                lambda: waiting_insert("workshops_scheduledmessage") is not None, timeout=20
            ), "the request never reached its second write"
            # Its first write (the invitation) is done, inside the transaction.
            terminate_backend(waiting_insert("workshops_scheduledmessage"))
            response = sent.result(timeout=30)

        assert response.status_code == 500
        assert ERROR_PAGE in response.text
        assert "Traceback" not in response.text and "psycopg" not in response.text
        assert "terminating connection due to administrator command" in log.read_text()

        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.INVITED
        assert invitation.dietary == "" and invitation.responded_at is None
        assert not ScheduledMessage.objects.filter(invitation=invitation).exists()
        assert not AuditEvent.objects.filter(action="invitation.rsvp").exists()

        # The same worker, whose connection is gone, opens a new one: the retry goes through.
        retry = form_post(browser, base + path, answer)
        assert retry.status_code == 302, retry.text[:500]
        assert browser.get(base + retry.headers["Location"], timeout=30).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.dietary == "vegetarian"
    assert ScheduledMessage.objects.filter(invitation=invitation).count() == len(reminders)
    assert AuditEvent.objects.filter(action="invitation.rsvp").count() == 1


@TRANSACTIONAL
def test_connection_dropped_while_a_note_is_saved_leaves_no_note(cast, monkeypatch):
    """In-process, at an exact point: the note, its themes and its revision are written and
    the audit event is next when the request's connection is terminated."""
    record = audit.record
    dropped = []

    def dropping(actor, action, obj=None, **data):
        if action == "note.create" and not dropped:
            dropped.append(connection.connection.info.backend_pid)
            terminate_backend(dropped[0])
        return record(actor, action, obj, **data)

    monkeypatch.setattr(audit, "record", dropping)
    browser = Client(raise_request_exception=False)
    browser.force_login(cast.facilitator)
    url = reverse("workshops:note_create", args=[cast.workshop.pk])
    note = {
        "title": "Day one",
        "body": "Water rights came up first.",
        "level": "restricted",
        "new_themes": "water, trust",
    }

    response = browser.post(url, note)
    assert dropped, "the service never reached its audit event"
    assert response.status_code == 500
    assert ERROR_PAGE in response.content.decode()
    assert not SessionNote.objects.exists()
    assert not SessionNoteRevision.objects.exists()
    assert not AuditEvent.objects.filter(action="note.create").exists()

    retry = browser.post(url, note)
    assert retry.status_code == 302
    assert SessionNote.objects.get().title == "Day one"
    assert AuditEvent.objects.filter(action="note.create").count() == 1


# --- The broker down ----------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.mark.celery_worker
@TRANSACTIONAL
def test_with_the_broker_down_pages_work_and_messages_go_out_once_it_is_back(
    cast, static_root, smtp, tmp_path
):
    redis = RedisServer(tmp_path / "redis.log")  # a port of its own, nothing listening yet
    outbox = Outbox(smtp=smtp, tmp=tmp_path, broker_url=redis.url)
    drafts = invitees(cast.workshop, 20)
    # A full workshop (one place) with someone waiting: a decline offers them the place.
    full = factories.WorkshopFactory(program=cast.program, capacity=1)
    earlier = timezone.now() - timedelta(days=1)
    leaving = factories.InvitationFactory(
        workshop=full, status=InvitationStatus.ACCEPTED, sent_at=earlier, responded_at=earlier
    )
    waiting = factories.InvitationFactory(
        workshop=full,
        status=InvitationStatus.WAITLISTED,
        sent_at=earlier,
        responded_at=earlier + timedelta(hours=1),
    )
    workshop = cast.workshop.pk
    try:
        with gunicorn(
            tmp_path,
            static_root,
            CELERY_BROKER_URL=redis.url,
            CELERY_TASK_DEFAULT_QUEUE=outbox.queue,
        ) as (base, _log):
            staff = signed_in(base, cast.staff)
            for name, args in [
                ("home", []),
                ("workshops:detail", [workshop]),
                ("workshops:invitations_send", [workshop]),
                ("workshops:messages", [workshop]),
                ("dialogues:detail", [cast.program.pk]),
            ]:
                started = time.monotonic()
                page = staff.get(base + reverse(name, args=args), timeout=30)
                assert page.status_code == 200, (name, page.status_code)
                assert "/accounts/login/" not in page.url
                assert time.monotonic() - started < QUICK, name

            started = time.monotonic()
            sent = form_post(
                staff,
                base + reverse("workshops:invitations_send", args=[workshop]),
                {"invitations": [i.pk for i in drafts[:19]]},
            )
            assert sent.status_code == 302, sent.text[:500]
            assert time.monotonic() - started < 2 * QUICK, "the send waited for the broker"
            assert staff.get(base + sent.headers["Location"], timeout=30).status_code == 200

            participant = requests.Session()
            started = time.monotonic()
            declined = form_post(
                participant,
                base + reverse("rsvp", args=[rsvp_token(leaving)]),
                {"answer": "decline"},
            )
            assert declined.status_code == 302, declined.text[:500]
            assert time.monotonic() - started < 2 * QUICK, "the answer waited for the broker"

            due = ScheduledMessage.objects.filter(send_at__lte=timezone.now())
            assert due.filter(status=MessageStatus.PENDING).count() == 20  # 19 + 1 offer
            waiting.refresh_from_db()
            assert waiting.status == InvitationStatus.ACCEPTED
            assert due.filter(kind=MessageKind.SEAT_OFFER, invitation=waiting).exists()
            assert smtp.count() == 0

            # Redis is back and a worker runs. Nobody stands in for beat: the web process's
            # next wake-up (sending the last invitation) dispatches what waited too.
            redis.start()
            outbox.start_worker()
            last = form_post(
                staff,
                base + reverse("workshops:invitations_send", args=[workshop]),
                {"invitations": [drafts[19].pk]},
            )
            assert last.status_code == 302, last.text[:500]
            delivered = outbox.wait(lambda: smtp.count() >= 21, timeout=60)
            assert delivered, outbox.logs()
            time.sleep(1)  # nothing more arrives: no copies
    finally:
        outbox.close()
        redis.stop()

    rows = dict(
        ScheduledMessage.objects.filter(send_at__lte=timezone.now()).values_list(
            "message_id", "status"
        )
    )
    assert len(rows) == 21 and set(rows.values()) == {MessageStatus.SENT}, outbox.logs()
    assert sorted(smtp.by_message_id().items()) == sorted((m, 1) for m in rows)
