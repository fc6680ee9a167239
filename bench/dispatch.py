"""Benchmark: the outbox sending invitations through two real workers, against raw smtplib.

Schedules ``--messages`` invitations through ``scheduling.invitations_send`` (one workshop,
one participant each), starts an SMTP sink in a process of its own (aiosmtpd, counting
Message-IDs) and then, in the same run:

* sends the same messages, rendered beforehand, through a plain ``smtplib`` loop over one
  connection: what the sink and the machine can take at best;
* starts two Celery workers against Redis, asks for one dispatch and times until every
  row is sent, then compares what the sink received with the rows;
* runs the ``smtplib`` loop once more. The raw rate is both loops' together (all their
  messages over all their seconds): this shared machine's speed drifts by a third within a
  minute, and a raw figure taken only before the workers ran made the ratio drift with it.

Everything runs as production does: ``DEBUG=false`` (Django then keeps no query log).

    .venv/bin/python bench/dispatch.py --messages 10000
    .venv/bin/python bench/dispatch.py --messages 1000   # quick look

Before it, ``cpu per message``: the CPU each process used during the dispatch (the sink,
each worker, this process's polling and its PostgreSQL backend, the workers' backends),
divided by the messages sent.

The last line is the summary the outreach issue asks for:
``dispatch messages=<n> per_s=<n> ratio_vs_raw_smtp=<r> lost=<n> duplicated=<n>``. The
database is ``olive_branch_dispatch_bench`` at ``BENCH_DATABASE_URL`` (default localhost),
re-created each run; the broker is ``BENCH_BROKER_URL`` (default Redis database 13 at
localhost) with a queue of the run's own.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/olive_branch_dispatch_bench"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
WORKERS = 2


def recreate_database(url: str) -> None:
    import psycopg

    name, admin = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(queue: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["CELERY_BROKER_URL"] = BROKER_URL
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ["OLIVE_BRANCH_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DEBUG"] = "false"  # the workers inherit this environment
    os.environ.setdefault("SECRET_KEY", f"dispatch-bench-{uuid.uuid4().hex}{uuid.uuid4().hex}")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(count: int):
    """One program, one workshop and ``count`` people on its invite list."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import User
    from dialogues.models import ProgramMembership, ProgramRole
    from participants.models import Community, Participant
    from tests.factories import ProgramFactory, WorkshopFactory, sector
    from workshops.models import Invitation

    staff = User.objects.create_user("bench-staff", password="bench")
    program = ProgramFactory(name="Dispatch benchmark")
    ProgramMembership.objects.create(program=program, user=staff, role=ProgramRole.MANAGER)
    workshop = WorkshopFactory(
        program=program,
        title="Water and the Green Line",
        venue_name="Home for Cooperation",
        venue_city="Nicosia",
        venue_country="CY",
        time_zone="Asia/Nicosia",
        starts_at=timezone.now() + timedelta(days=30),
    )
    community = Community.objects.create(name="Bench community", slug="bench-community")
    people = Participant.objects.bulk_create(
        [
            Participant(
                full_name=f"Participant {n:05d}",
                email=f"p{n}@example.org",
                sector=sector(),
                community=community,
            )
            for n in range(count)
        ],
        batch_size=5000,
    )
    invitations = Invitation.objects.bulk_create(
        [Invitation(workshop=workshop, participant=p) for p in people], batch_size=5000
    )
    return staff, workshop, invitations


def render_all() -> list[tuple[str, str, bytes]]:
    """(from, to, bytes) of every pending message, rendered as the workers would."""
    from django.conf import settings

    from workshops.models import MessageStatus, ScheduledMessage
    from workshops.outreach import compose

    book = compose.TemplateBook()
    messages = ScheduledMessage.objects.filter(status=MessageStatus.PENDING).select_related(
        "recipient_participant", "invitation__participant", "invitation__workshop__program"
    )
    rendered = []
    for message in messages.iterator(chunk_size=1000):
        email = compose.email_for(message, compose.render(message, book))
        raw = email.message().as_bytes(linesep="\r\n")
        rendered.append((settings.DEFAULT_FROM_EMAIL, email.to[0], raw))
    return rendered


def raw_smtp(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    """Seconds to send ``messages`` through one smtplib connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local") as smtp:
        for sender, to, raw in messages:
            smtp.sendmail(sender, [to], raw)
    return time.perf_counter() - started


def start_workers(queue: str, email_url: str, log_dir: Path) -> list[subprocess.Popen]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=BENCH_URL,
        CELERY_BROKER_URL=BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        EMAIL_URL=email_url,
        LOG_LEVEL="WARNING",
    )
    workers = []
    for n in range(WORKERS):
        log = (log_dir / f"worker-{n + 1}.log").open("w")
        workers.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    f"--queues={queue}",
                    f"--hostname=bench{n + 1}-{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    logs = [log_dir / f"worker-{n + 1}.log" for n in range(WORKERS)]
    deadline = time.monotonic() + 60
    while not all(" ready." in log.read_text() for log in logs):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise SystemExit("workers did not start:\n" + "\n".join(p.read_text() for p in logs))
        time.sleep(0.1)
    return workers


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_backend() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Backends:
    """CPU used by the PostgreSQL backends of the bench database other than this process's:
    Celery closes a worker's connection after each task, so each batch has a backend of its
    own. ``sample()`` (each poll) notes what each has used so far; one that ended within the
    last poll loses what it used since its last sample, so the figure is a floor."""

    def __init__(self, database: str, own: int) -> None:
        self.tag = f" {database} ".encode()
        self.own = own
        self.known: dict[int, bool] = {}
        self.used: dict[int, float] = {}

    def sample(self) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                if pid not in self.known:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    self.known[pid] = cmdline.startswith(b"postgres: ") and self.tag in cmdline
                if self.known[pid] and pid != self.own:
                    self.used[pid] = cpu_seconds(pid)
            except OSError:  # it ended meanwhile
                continue

    def total(self, before: dict[int, float]) -> float:
        return sum(used - before.get(pid, 0.0) for pid, used in self.used.items())


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    count = args.messages

    import tempfile

    from tests.workshops.outreach.smtp import SinkProcess

    run_dir = Path(tempfile.mkdtemp(prefix="olive-branch-dispatch-bench-"))
    queue = f"bench-dispatch-{uuid.uuid4().hex[:12]}"
    recreate_database(BENCH_URL)
    setup_django(queue, run_dir / "var")

    from django.db import connections

    from config.celery import app
    from workshops.models import MessageStatus, ScheduledMessage
    from workshops.outreach import scheduling
    from workshops.tasks import dispatch_due_messages

    started = time.perf_counter()
    staff, workshop, invitations = seed(count)
    print(f"seeded {count} invitees in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    result = scheduling.invitations_send(workshop=workshop, invitations=invitations, by=staff)
    print(f"scheduled {result.scheduled} invitations in {time.perf_counter() - started:.1f}s")
    assert result.scheduled == count, result.skipped[:3]
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete(queue)  # the wake-up: the run starts it below

    started = time.perf_counter()
    prepared = render_all()
    seconds = time.perf_counter() - started
    print(f"rendered {len(prepared)} messages for the raw loop in {seconds:.1f}s")

    def raw_loop(when: str) -> float:
        seconds = raw_smtp(sink.port, prepared)
        assert sink.total() == count
        print(f"raw smtplib {when}: {count} messages in {seconds:.2f}s, {count / seconds:.0f}/s")
        sink.reset()
        return seconds

    with SinkProcess() as sink:
        raw_seconds = raw_loop("before the workers")

        connections.close_all()
        workers = start_workers(queue, f"smtp://127.0.0.1:{sink.port}", run_dir)
        try:
            pids = {"sink": sink.pid, **{f"worker{n + 1}": w.pid for n, w in enumerate(workers)}}
            pids["bench polling"] = os.getpid()
            pids["its PostgreSQL backend"] = own_backend()
            backends = Backends(BENCH_URL.rsplit("/", 1)[1], pids["its PostgreSQL backend"])
            backends.sample()
            backends_before = dict(backends.used)
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            started = time.perf_counter()
            dispatch_due_messages.apply_async(queue=queue)
            deadline = started + max(120, count / 20)
            sent = 0
            # Counting the sent rows costs this process and its backend CPU the workers
            # need: every half second while far from done, every 50 ms near the end (so
            # the finish is still seen within 50 ms). The backends' CPU is sampled every
            # 100 ms meanwhile (each batch's backend lives about a second).
            next_count = 0.0
            while time.perf_counter() < deadline:
                backends.sample()
                if time.perf_counter() >= next_count:
                    sent = ScheduledMessage.objects.filter(status=MessageStatus.SENT).count()
                    if sent == count:
                        break
                    near = count - sent < 300
                    next_count = time.perf_counter() + (0.05 if near else 0.5)
                time.sleep(0.05 if count - sent < 300 else 0.1)
            seconds = time.perf_counter() - started
            cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            cpu["workers' PostgreSQL backends"] = backends.total(backends_before)
        finally:
            stop_workers(workers)
        received = sink.counts()
        sink.reset()
        raw_seconds += raw_loop("after the workers")
    raw_per_s = 2 * count / raw_seconds
    print(f"raw smtplib, both loops: {raw_per_s:.0f}/s")

    statuses = Counter(ScheduledMessage.objects.values_list("status", flat=True))
    ids = list(ScheduledMessage.objects.values_list("message_id", flat=True))
    lost = sum(1 for message_id in ids if received[message_id] == 0)
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    strays = sum(n for message_id, n in received.items() if message_id not in set(ids))
    per_s = sent / seconds
    print(
        f"workers: {WORKERS} (solo pool), {sent} sent in {seconds:.2f}s, {per_s:.0f}/s; "
        f"rows {dict(statuses)}; sink received {sum(received.values())}, strays {strays}"
    )
    print(
        "cpu per message: "
        + ", ".join(
            f"{name} {1000 * seconds / max(sent, 1):.2f} ms" for name, seconds in cpu.items()
        )
    )
    print(f"logs in {run_dir}")
    print(
        f"dispatch messages={count} per_s={per_s:.0f} "
        f"ratio_vs_raw_smtp={per_s / raw_per_s:.2f} lost={lost} duplicated={duplicated}"
    )


if __name__ == "__main__":
    main()
