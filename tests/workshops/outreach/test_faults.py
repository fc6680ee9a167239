"""The outbox under faults, with real components: a worker killed mid-batch, Redis stopped and
flushed, two dispatchers on the same rows, a mail server that refuses or stalls.

What may happen (issue 5): no message is lost, and a message is sent twice only if its worker
died between the server accepting it and the status commit; the copy has the same Message-ID.
"""

import base64
import json
import re
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from tests.processes import ROOT, RedisServer, child_env
from tests.workshops.outreach.conftest import (
    Outbox,
    forget_queue,
    invitees,
    publishing_to,
    queued_messages,
)
from workshops.models import (
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
)
from workshops.outreach import outbox, scheduling
from workshops.tasks import dispatch_due_messages

WORKER = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
FINAL = [MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.CANCELLED]


def drain(*, now=None) -> outbox.BatchResult:
    """What the dispatcher and the workers do, in this process (``now``: a later claim)."""
    total = outbox.BatchResult()
    while ids := outbox.claim_due(now=now):
        for start in range(0, len(ids), settings.OUTBOX_SEND_BATCH):
            result = outbox.send_batch(ids[start : start + settings.OUTBOX_SEND_BATCH])
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(result, name))
    return total


def scheduled(cast, count: int, *, prefix: str = "invitee") -> list[Invitation]:
    """``count`` invitations of the cast's workshop, sent by staff (rows pending, due now)."""
    invitations = invitees(cast.workshop, count, prefix=prefix)
    result = scheduling.invitations_send(
        workshop=cast.workshop, invitations=invitations, by=cast.staff
    )
    assert result.scheduled == count, result.skipped[:3]
    return invitations


def unfinished() -> int:
    return ScheduledMessage.objects.exclude(status__in=FINAL).count()


# --- Outbox atomicity ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_that_rolls_back_after_scheduling_sends_nothing(cast):
    invitations = invitees(cast.workshop, 3)
    queue = f"test-atomic-{uuid.uuid4().hex}"
    try:
        with publishing_to(queue):
            with pytest.raises(RuntimeError), transaction.atomic():
                scheduling.invitations_send(
                    workshop=cast.workshop, invitations=invitations, by=cast.staff
                )
                assert ScheduledMessage.objects.count() == 3  # scheduled, inside
                raise RuntimeError("the request fails after scheduling")
            assert ScheduledMessage.objects.count() == 0
            assert not Invitation.objects.exclude(status=InvitationStatus.DRAFT).exists()
            assert queued_messages(queue) == []  # no dispatcher woken

            # The same request, committed: one row each and one wake-up, after the commit.
            scheduling.invitations_send(
                workshop=cast.workshop, invitations=invitations, by=cast.staff
            )
            assert ScheduledMessage.objects.count() == 3
            (wake,) = queued_messages(queue)
            assert wake["headers"]["task"] == "workshops.tasks.dispatch_due_messages"
    finally:
        forget_queue(queue)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sending_the_same_invitations_twice_at_once_gives_one_row_each(cast):
    """Two requests (two threads, two database connections) send the same 200 invitations
    at the same moment: every recipient has exactly one row."""
    invitations = invitees(cast.workshop, 200)
    queue = f"test-concurrent-{uuid.uuid4().hex}"
    start = threading.Barrier(2)
    results, errors = [], []

    def send() -> None:
        try:
            start.wait()
            results.append(
                scheduling.invitations_send(
                    workshop=cast.workshop, invitations=invitations, by=cast.staff
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    try:
        with publishing_to(queue):
            threads = [threading.Thread(target=send) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
    finally:
        forget_queue(queue)
    assert not errors
    assert sorted(r.scheduled for r in results) == [0, 200]
    assert sorted(len(r.skipped) for r in results) == [0, 200]
    keys = Counter(ScheduledMessage.objects.values_list("dedupe_key", flat=True))
    assert keys == Counter(f"invitation:{i.pk}" for i in invitations)


# --- A worker killed with SIGKILL ----------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_killed_mid_batch_lose_nothing_and_duplicate_only_inside_the_window(
    cast, outbox_workers
):
    """1,000 invitations; the worker is SIGKILLed three times and replaced each time:

    1. right after the server recorded a message, before it answered 250 (inside the window);
    2. when a transaction begins, before anything of the message is sent (outside it);
    3. from the test, at whatever point the worker happens to be.

    Every message arrives; copies are at most one per kill that could land in the window
    (the first for sure, the third perhaps), each with the original's Message-ID."""
    smtp = outbox_workers.smtp
    outbox_workers.settings.update(OUTBOX_STUCK_AFTER_SECONDS="2")
    kills: list[str] = []
    inside: list[str] = []

    def kill(where: str) -> None:
        worker = outbox_workers.alive()
        if worker is not None:
            outbox_workers.kill(worker)
            kills.append(where)

    def on_accept(received) -> None:
        if not kills and smtp.count() >= 150:
            inside.append(received.message_id)
            kill("inside the window")

    def on_mail(sender: str) -> None:
        if len(kills) == 1 and smtp.count() >= 400:
            kill("before the message")

    smtp.on_accept, smtp.on_mail = on_accept, on_mail
    outbox_workers.start_worker()
    scheduled(cast, 1000)  # wakes the dispatcher when it commits

    deadline = time.monotonic() + 50
    with outbox_workers.beat(every=0.5):
        while time.monotonic() < deadline:
            if len(kills) == 2 and smtp.count() >= 650:
                kill("wherever it is")
            if outbox_workers.alive() is None:
                outbox_workers.start_worker()
            if ScheduledMessage.objects.filter(status=MessageStatus.SENT).count() == 1000:
                break
            time.sleep(0.05)

    rows = dict(ScheduledMessage.objects.values_list("message_id", "status"))
    counts = smtp.by_message_id()
    assert kills == ["inside the window", "before the message", "wherever it is"]
    assert Counter(rows.values()) == {MessageStatus.SENT: 1000}, outbox_workers.logs()
    assert set(counts) == set(rows)  # every message arrived, and nothing else
    copies = {message_id: n - 1 for message_id, n in counts.items() if n > 1}
    assert inside[0] in copies  # the kill inside the window did cost a copy...
    assert 1 <= sum(copies.values()) <= 2  # ...the second kill none, the third at most one
    for message_id in copies:
        alike = {(tuple(r.to), r.subject) for r in smtp.received if r.message_id == message_id}
        assert len(alike) == 1  # the same email again, recognisable by its Message-ID
    assert "re-driven" in outbox_workers.logs()  # the sweeper took the killed batches back


# --- Redis stopped, then flushed -----------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_stopped_then_flushed_mid_batch_every_message_goes_out_once(
    cast, client, smtp_server, tmp_path
):
    """A private Redis (the machine's is shared): stopped while staff send 300 invitations
    through the page, started again, and flushed while the worker is half-way through."""
    redis = RedisServer(tmp_path / "redis.log").start()
    workers = Outbox(
        smtp=smtp_server,
        tmp=tmp_path,
        broker_url=redis.url,
        settings={"OUTBOX_STUCK_AFTER_SECONDS": "2", "OUTBOX_SEND_BATCH": "20"},
    )
    invitations = invitees(cast.workshop, 300)
    client.force_login(cast.staff)
    try:
        with publishing_to(workers.queue, broker_url=redis.url):
            workers.start_worker()
            redis.stop()

            started = time.monotonic()
            response = client.post(
                reverse("workshops:invitations_send", args=[cast.workshop.pk]),
                {"invitations": [i.pk for i in invitations]},
            )
            took = time.monotonic() - started
            assert response.status_code == 302, response.content[:500]
            assert took < 5, f"the page waited {took:.1f}s for the broker"
            assert client.get(response.url).status_code == 200
            assert ScheduledMessage.objects.filter(status=MessageStatus.PENDING).count() == 300

            redis.start()
            flushed_at = None
            with workers.beat(every=0.5):
                deadline = time.monotonic() + 50
                while time.monotonic() < deadline:
                    if flushed_at is None and smtp_server.count() >= 60:
                        redis.client().flushall()  # the rest of the tasks are gone
                        flushed_at = smtp_server.count()
                    if unfinished() == 0:
                        break
                    time.sleep(0.05)
    finally:
        workers.close()
        redis.stop()

    assert flushed_at is not None and flushed_at < 300, "flushed too late to lose anything"
    assert "re-driven" in workers.logs()  # the tasks lost in the flush, by the sweeper
    rows = dict(ScheduledMessage.objects.values_list("message_id", "status"))
    assert Counter(rows.values()) == {MessageStatus.SENT: 300}, workers.logs()
    assert smtp_server.by_message_id() == Counter({message_id: 1 for message_id in rows})


# --- Two dispatchers on the same rows ------------------------------------------------------------


def _due_rows(cast, count: int) -> list[int]:
    """``count`` due invitation rows, made in bulk (all for one invitation: claiming and
    sending only look at the row)."""
    (invitation,) = invitees(cast.workshop, 1, prefix="many")
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.INVITED)
    now = timezone.now()
    rows = ScheduledMessage.objects.bulk_create(
        [
            scheduling._row(MessageKind.INVITATION, f"bulk:{n}", now, invitation=invitation)
            for n in range(count)
        ],
        batch_size=5000,
    )
    return [row.pk for row in rows]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_claiming_the_same_10000_rows_take_disjoint_sets(cast):
    everything = set(_due_rows(cast, 10_000))
    start = threading.Barrier(2)
    claims: list[list[int]] = [[], []]

    def dispatcher(mine: list[int]) -> None:
        try:
            start.wait()
            while ids := outbox.claim_due(limit=100):
                mine.extend(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    first, second = claims
    assert first and second  # both got rows: they really ran at once
    assert len(first) == len(set(first)) and len(second) == len(set(second))
    assert not set(first) & set(second)
    assert set(first) | set(second) == everything
    assert ScheduledMessage.objects.filter(status=MessageStatus.QUEUED).count() == 10_000


SENDER = """
from collections import Counter
from workshops.outreach import outbox
total = Counter()
while ids := outbox.claim_due(limit=100):
    for start in range(0, len(ids), 50):
        total.update(vars(outbox.send_batch(ids[start:start + 50])))
print("sent", total["sent"], dict(total))
"""


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_claiming_and_sending_the_same_rows_send_each_once(cast, smtp_server):
    """Two processes, each claiming and sending in a loop over the same 4,000 due rows,
    through the real SMTP server: every Message-ID arrives exactly once."""
    count = 4000
    _due_rows(cast, count)
    db = connection.settings_dict
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        EMAIL_URL=smtp_server.url,
        SECRET_KEY=settings.SECRET_KEY,
        SITE_URL=settings.SITE_URL,
        LOG_LEVEL="WARNING",
        OLIVE_BRANCH_VAR_DIR=str(Path(settings.MEDIA_ROOT) / "var"),
    )
    senders = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-v0", "-c", SENDER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    for sender, (_out, err) in zip(senders, outputs, strict=True):
        assert sender.returncode == 0, err[-3000:]
    sent = [int(re.search(r"sent (\d+)", out).group(1)) for out, _err in outputs]
    assert sum(sent) == count and min(sent) > 0, outputs
    rows = dict(ScheduledMessage.objects.values_list("message_id", "status"))
    assert Counter(rows.values()) == {MessageStatus.SENT: count}
    assert smtp_server.by_message_id() == Counter({message_id: 1 for message_id in rows})


# --- The sweeper ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_stuck_in_queued_or_sending_are_redriven_after_the_timeout(cast, settings):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 600
    scheduled(cast, 4)
    ids = outbox.claim_due()
    token, taken = outbox._take(ids[:2])  # a worker took two, then died; two wait in Redis
    assert len(taken) == 2
    assert outbox.sweep_stuck() == 0  # not stuck yet

    later = timezone.now() + timedelta(seconds=601)
    assert outbox.sweep_stuck(now=later) == 4
    rows = ScheduledMessage.objects.all()
    assert {row.status for row in rows} == {MessageStatus.PENDING}
    assert all(row.claimed_at is None and row.send_at == later for row in rows)
    assert all(row.attempts == 0 for row in rows)  # none was tried

    # The task that was lost in Redis comes after all: its rows are no longer queued.
    assert outbox.send_batch(ids[2:]).skipped == 2
    assert drain(now=later).sent == 4


@pytest.mark.django_db
def test_a_sending_row_whose_attempts_are_used_up_is_failed_by_the_sweeper(cast, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    scheduled(cast, 2)
    outbox._take(outbox.claim_due())  # both sending; then their worker dies
    used_up, other = ScheduledMessage.objects.order_by("pk")
    ScheduledMessage.objects.filter(pk=used_up.pk).update(attempts=3)  # its third try
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS + 1)
    assert outbox.sweep_stuck(now=later) == 1
    used_up.refresh_from_db()
    other.refresh_from_db()
    assert used_up.status == MessageStatus.FAILED and "attempts used up" in used_up.last_error
    assert other.status == MessageStatus.PENDING


@pytest.mark.django_db
def test_a_batch_that_stalls_past_the_timeout_sends_none_of_what_the_sweeper_took_back(
    cast, settings, smtp_in_process, monkeypatch
):
    """The worker stalls while rendering its third message; meanwhile the sweeper takes the
    batch back and another worker sends it. Back on its feet, the first worker sends
    nothing more: every message arrives exactly once."""
    settings.OUTBOX_STUCK_AFTER_SECONDS = 1
    scheduled(cast, 6)
    ids = outbox.claim_due()
    render = outbox.compose.render
    calls = []

    def stalling_render(message, book=None):
        calls.append(message.pk)
        if len(calls) == 3:
            time.sleep(1.1)
            assert outbox.sweep_stuck() == 4  # the third, in flight, and the three after it
            assert drain().sent == 4  # "another worker"
        return render(message, book)

    monkeypatch.setattr(outbox.compose, "render", stalling_render)
    result = outbox.send_batch(ids)
    assert (result.sent, result.skipped) == (2, 4)
    counts = smtp_in_process.by_message_id()
    assert sorted(counts.values()) == [1] * 6
    assert set(ScheduledMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_batch_keeps_its_rows_while_the_sweeper_runs(cast, settings, smtp_in_process):
    """A mail server that takes 0.15 s a message makes a batch of 12 last twice the stuck
    timeout; the sweeper, running all along, takes nothing back."""
    settings.OUTBOX_STUCK_AFTER_SECONDS = 1
    smtp_in_process.delay = 0.15
    scheduled(cast, 12)
    ids = outbox.claim_due()
    stop = threading.Event()
    redriven = []

    def sweeper() -> None:
        try:
            while not stop.wait(0.1):
                redriven.append(outbox.sweep_stuck())
        finally:
            connection.close()

    thread = threading.Thread(target=sweeper)
    thread.start()
    started = time.monotonic()
    try:
        result = outbox.send_batch(ids)
    finally:
        stop.set()
        thread.join()
    assert time.monotonic() - started > 1.5
    assert result.sent == 12 and sum(redriven) == 0 and len(redriven) > 10
    assert sorted(smtp_in_process.by_message_id().values()) == [1] * 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_locked_for_a_moment_by_another_transaction_are_still_taken(cast, smtp_in_process):
    """A dispatcher's claim can hold a lock on queued rows for a moment (rows it read as
    pending before they were claimed); a task taking its batch then must not skip them."""
    scheduled(cast, 3)
    ids = outbox.claim_due()
    locked, release = threading.Event(), threading.Event()

    def other() -> None:
        try:
            with transaction.atomic():
                list(ScheduledMessage.objects.select_for_update().filter(pk=ids[1]))
                locked.set()
                release.wait(5)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    locked.wait(5)
    threading.Timer(0.1, release.set).start()
    result = outbox.send_batch(ids)
    thread.join()
    assert (result.sent, result.skipped) == (3, 0)


@pytest.mark.django_db
def test_an_error_that_is_no_answer_fails_that_message_and_the_batch_goes_on(
    cast, smtp_in_process, monkeypatch
):
    invitations = scheduled(cast, 4)
    bad = invitations[1].participant.email
    send = smtplib.SMTP.sendmail  # what Django's backend calls too

    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        if to_addrs == [bad]:
            raise ValueError("cannot encode this address")
        return send(self, from_addr, to_addrs, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", sendmail)
    result = drain()
    assert (result.sent, result.failed) == (3, 1)
    failed = ScheduledMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.invitation_id == invitations[1].pk
    assert failed.last_error == "Not sent: cannot encode this address"


@pytest.mark.django_db
def test_a_batch_that_breaks_off_still_records_what_it_sent(cast, smtp_in_process, monkeypatch):
    """The outcome of a message is written when the next one starts; a batch that stops on
    an error writes it on the way out, so that message is not sent again."""
    scheduled(cast, 4)
    ids = outbox.claim_due()
    check = outbox.reasons_not_to_send
    seen = []

    def breaking(message):
        seen.append(message.pk)
        if len(seen) == 3:
            raise RuntimeError("the worker is told to stop")
        return check(message)

    monkeypatch.setattr(outbox, "reasons_not_to_send", breaking)
    with pytest.raises(RuntimeError):
        outbox.send_batch(ids)
    statuses = dict(ScheduledMessage.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "sent", "sending", "sending"]
    assert smtp_in_process.count() == 2


# --- A mail server that refuses ------------------------------------------------------------------


def _tries_match_attempts(smtp) -> None:
    for message_id, attempts in ScheduledMessage.objects.values_list("message_id", "attempts"):
        assert attempts == smtp.tries(message_id), message_id


@pytest.mark.django_db
def test_451_for_a_while_retries_with_backoff_until_delivered(cast, settings, smtp_in_process):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    scheduled(cast, 5)
    smtp_in_process.fail_next(7, 451)  # each message once, then the first two again

    first = drain()
    assert (first.sent, first.retrying) == (0, 5)
    row = ScheduledMessage.objects.order_by("pk").first()
    assert row.status == MessageStatus.PENDING and row.attempts == 1
    assert row.last_error.startswith("451 4.3.0")
    assert timedelta(seconds=59) < row.send_at - timezone.now() <= timedelta(seconds=60)
    assert drain().sent == 0  # nothing is due before the backoff

    second = drain(now=timezone.now() + timedelta(seconds=61))
    assert (second.sent, second.retrying) == (3, 2)
    row.refresh_from_db()
    assert row.attempts == 2 and row.send_at - timezone.now() > timedelta(seconds=119)

    third = drain(now=timezone.now() + timedelta(seconds=121))
    assert third.sent == 2
    assert sorted(ScheduledMessage.objects.values_list("attempts", flat=True)) == [2, 2, 2, 3, 3]
    assert sorted(smtp_in_process.by_message_id().values()) == [1] * 5
    _tries_match_attempts(smtp_in_process)


@pytest.mark.django_db
def test_421_defers_the_rest_of_the_batch_untried(cast, settings, smtp_in_process):
    scheduled(cast, 5)
    smtp_in_process.fail_next(2, 421)
    first = drain()
    assert (first.sent, first.retrying) == (0, 5)
    attempts = sorted(ScheduledMessage.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0, 0, 0, 1]  # one tried, four put back untried
    assert len(smtp_in_process.attempts) == 1

    later = timezone.now()
    for _ in range(4):
        later += timedelta(seconds=settings.OUTBOX_RETRY_CAP_SECONDS + 1)
        drain(now=later)
    assert set(ScheduledMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert sorted(smtp_in_process.by_message_id().values()) == [1] * 5
    _tries_match_attempts(smtp_in_process)


@pytest.mark.django_db
def test_a_server_that_never_recovers_gets_bounded_attempts(cast, settings, smtp_in_process):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    scheduled(cast, 3)
    smtp_in_process.fail_for(3600, 451)
    later = timezone.now()
    for _ in range(10):
        drain(now=later)
        later += timedelta(seconds=settings.OUTBOX_RETRY_CAP_SECONDS + 1)
    for row in ScheduledMessage.objects.all():
        assert row.status == MessageStatus.FAILED and row.attempts == 4
        assert row.last_error.startswith("Gave up after 4 attempts: 451")
    assert smtp_in_process.count() == 0
    _tries_match_attempts(smtp_in_process)


@pytest.mark.django_db
def test_550_for_one_address_fails_that_message_after_one_attempt(cast, smtp_in_process):
    invitations = scheduled(cast, 4)
    refused = invitations[1].participant.email
    smtp_in_process.refuse(refused, 550, f"5.1.1 <{refused}>: Recipient address rejected")
    result = drain()
    assert (result.sent, result.failed, result.retrying) == (3, 1, 0)
    failed = ScheduledMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.invitation_id == invitations[1].pk and failed.attempts == 1
    assert failed.last_error == f"550 5.1.1 <{refused}>: Recipient address rejected"
    assert smtp_in_process.refusals(refused) == 1
    assert drain(now=timezone.now() + timedelta(days=1)).failed == 0  # never tried again
    assert smtp_in_process.refusals(refused) == 1
    assert {r.to[0] for r in smtp_in_process.received} == {
        i.participant.email for i in invitations if i.participant.email != refused
    }


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_rides_out_421_and_fails_a_refused_address_visibly(cast, outbox_workers):
    smtp = outbox_workers.smtp
    outbox_workers.settings.update(OUTBOX_RETRY_BASE_SECONDS="1", OUTBOX_SEND_BATCH="10")
    invitations = invitees(cast.workshop, 40)
    refused = invitations[7].participant.email
    smtp.refuse(refused)
    outbox_workers.start_worker()
    scheduling.invitations_send(workshop=cast.workshop, invitations=invitations, by=cast.staff)
    # The outage is counted in transactions, not seconds: on a busy machine the worker's
    # start alone can outlast a timed one, and the test would prove nothing.
    smtp.fail_next(3, 421)
    with outbox_workers.beat(every=0.3):
        done = outbox_workers.wait(lambda: unfinished() == 0, timeout=40)
    assert done, outbox_workers.logs()

    statuses = Counter(ScheduledMessage.objects.values_list("status", flat=True))
    assert statuses == {MessageStatus.SENT: 39, MessageStatus.FAILED: 1}
    failed = ScheduledMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.attempts == 1 and smtp.refusals(refused) == 1
    assert failed.last_error.startswith("550 5.1.1") and refused in failed.last_error
    assert any(a.code == 421 for a in smtp.attempts)
    assert max(ScheduledMessage.objects.values_list("attempts", flat=True)) <= 8
    _tries_match_attempts_except(smtp, failed.message_id)
    assert sorted(smtp.by_message_id().values()) == [1] * 39

    # Visible to staff: the queue page shows the server's answer.
    page = Client()
    page.force_login(cast.staff)
    response = page.get(reverse("workshops:messages", args=[cast.workshop.pk]) + "?status=failed")
    assert response.status_code == 200
    assert "550 5.1.1" in response.content.decode()


def _tries_match_attempts_except(smtp, refused_message_id: str) -> None:
    for message_id, attempts in ScheduledMessage.objects.values_list("message_id", "attempts"):
        if message_id != refused_message_id:
            assert attempts == smtp.tries(message_id), message_id


# --- Nothing waits in the broker -----------------------------------------------------------------


def test_retries_wait_less_than_half_the_visibility_timeout(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.OUTBOX_RETRY_CAP_SECONDS < visibility / 2
    assert outbox.backoff(1000) == timedelta(seconds=settings.OUTBOX_RETRY_CAP_SECONDS)
    assert settings.OUTBOX_STUCK_AFTER_SECONDS < visibility / 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dispatch_publishes_no_task_with_an_eta_or_countdown(cast, smtp_in_process, settings):
    """Tasks published to a queue no worker reads, then read raw from Redis: none carries an
    ETA (a countdown becomes one); what is not due yet is not published at all."""
    settings.OUTBOX_SEND_BATCH = 50  # so that the due rows make several tasks
    queue = f"test-eta-{uuid.uuid4().hex}"
    invitations = invitees(cast.workshop, 120)
    try:
        with publishing_to(queue):
            scheduling.invitations_send(
                workshop=cast.workshop, invitations=invitations[:110], by=cast.staff
            )
            # Ten more whose first try met a 451: they wait for their backoff in the table.
            scheduling.invitations_send(
                workshop=cast.workshop, invitations=invitations[110:], by=cast.staff
            )
            smtp_in_process.fail_next(10, 451)
            tail = list(
                ScheduledMessage.objects.filter(invitation__in=invitations[110:]).values_list(
                    "pk", flat=True
                )
            )
            ScheduledMessage.objects.filter(pk__in=tail).update(status=MessageStatus.QUEUED)
            assert outbox.send_batch(tail).retrying == 10

            dispatch_due_messages()  # the task's body, here: it publishes to ``queue``
            messages = queued_messages(queue)
    finally:
        forget_queue(queue)

    assert messages, "nothing was published"
    for message in messages:
        headers = message["headers"]
        assert headers.get("eta") is None and headers.get("countdown") is None, headers
    names = Counter(message["headers"]["task"] for message in messages)
    assert names == {
        "workshops.tasks.dispatch_due_messages": 2,  # the two wake-ups
        "workshops.tasks.send_messages": 3,  # 110 due rows in batches of 50
    }
    published = set()
    for message in messages:
        if message["headers"]["task"] == "workshops.tasks.send_messages":
            published |= set(_task_args(message)[0])
    assert published.isdisjoint(tail) and len(published) == 110


def _task_args(message: dict) -> list:
    body = json.loads(base64.b64decode(message["body"]))
    return body[0]


def test_no_code_schedules_a_task_in_the_future():
    """ETAs and countdowns would wait in Redis; the outbox waits in the database."""
    pattern = re.compile(r"\b(countdown|eta)\s*=|\.retry\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("core", "dialogues", "participants", "workshops", "config")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_broker_fails_fast_when_it_is_down():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["max_retries"] == 0 and options["socket_connect_timeout"] <= 3
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert app.conf.broker_transport_options["max_retries"] == 0
