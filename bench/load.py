"""Benchmark: the whole app under load, through gunicorn, at 100,000 participants.

Reuses the planning pages' dataset (``bench/pages.py``: 100,000 participants, 2,000
workshops, 200,000 invitations, on its own database, kept between runs), adds the people who
use it, starts gunicorn (4 sync workers, production settings: ``DEBUG=false``, static files
collected and served by WhiteNoise, the broker and the cache on Redis) and runs locust headless
(``bench/locustfile.py``) with three kinds of simulated users:

* programme staff (40%): home, program dashboard and page, workshop page, delegation
  builder, the registry list and search, the calendar;
* facilitators (30%): my workshops, attendance sheets and one-tap marking, notes, actions;
* participants answering their invitation (30%): the RSVP page, then accept or decline
  (alternately, so the capacity, waitlist and free-place logic runs) and the answered page.

Signing in: the simulated users do not go through the login page. The script writes one
database session per user (what ``django.contrib.auth.login`` stores: user id, backend,
password hash) and hands locust the session cookies. This measures the pages, not the
password hasher, and keeps clear of login throttling (django-axes) and of the second
factor required of admins: every simulated user is a non-admin. The sessions are deleted
at the end.

    .venv/bin/python bench/load.py              # 50 users for 2 minutes
    .venv/bin/python bench/load.py --quick      # 10 users for 20 seconds
    .venv/bin/python bench/load.py --fresh      # rebuild the dataset first

Think times are in the locustfile (staff and facilitators 2 to 6 s between pages, RSVP
visitors 5 to 15 s between answers). Response times depend on what else the machine runs,
so the script also prints the CPU each request cost (gunicorn's processes and their
PostgreSQL backends) and what that allows on idle cores, and the load average.

The last line is the summary the security issue asks for (targets: no failure, p95 under
300 ms): ``load users=<n> requests=<n> failures=<n> p50_ms=<n> p95_ms=<n> rps=<n>``.
Per-endpoint figures (slowest p95 first) are printed above it; locust's CSV files and
gunicorn's log stay in ``var/bench-load/``. The database is ``olive_branch_pages_bench`` at
``BENCH_DATABASE_URL``; the broker ``BENCH_BROKER_URL`` (Redis database 12 at localhost) with
a queue of the run's own, deleted at the end (no worker reads it: a wake-up of the
dispatcher costs the request its publish, as in production); the cache ``BENCH_CACHE_URL``
(Redis database 11), emptied before and after the run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pages  # noqa: E402 - after the path is set

BENCH_URL = pages.BENCH_URL
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
# Several web processes share one cache, as in production (docker-compose.yml, README's
# CACHE_URL): a figure one worker computed is not computed again by the other three.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11")
OUT = ROOT / "var" / "bench-load"
VENV_BIN = Path(sys.executable).parent
# Signs the RSVP links this script makes and the server checks: both must agree. A bench
# key, used for nothing else.
SECRET_KEY = "olive-branch-load-benchmark-" + "k" * 40
WORKERS = 4
SEED = 1991  # Madrid
STAFF = 8  # each runs three programs
FACILITATORS = 12  # each runs six workshops of one program
RSVP_LINKS = 600
SEARCHES = ["Charalambus", "Georgiou", "Abdel Aziz", "Jeruslem Post", "Haddad", "Cohen"]


def prepare(*, fresh: bool) -> None:
    """The pages benchmark's dataset, seeded once and kept."""
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if fresh or not pages.database_exists(BENCH_URL):
        pages.recreate_database(BENCH_URL)
    pages.setup_django()
    from django.db import connections

    from workshops.models import Workshop

    if Workshop.objects.count() != 2_000:
        connections.close_all()
        pages.recreate_database(BENCH_URL)
        pages.setup_django()
        started = time.perf_counter()
        pages.seed(1.0)
        print(f"seeding took {time.perf_counter() - started:.1f}s", flush=True)
    else:
        print("reusing the data", flush=True)


def people() -> dict[str, object]:
    """Staff and facilitators (created once, with notes and actions), their sessions, and
    RSVP links: everything locust needs, as JSON."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.test import RequestFactory
    from django.utils import timezone

    from core.models import User
    from dialogues.models import Program, ProgramMembership, ProgramRole
    from workshops.models import (
        FollowUpAction,
        Invitation,
        InvitationStatus,
        NoteLevel,
        Session,
        SessionNote,
        Workshop,
        WorkshopStatus,
    )
    from workshops.outreach.links import rsvp_token

    rng = random.Random(SEED)
    programs = list(Program.objects.order_by("pk"))
    now = timezone.now()
    with transaction.atomic():
        if not User.objects.filter(username="load-staff-0").exists():
            for i in range(STAFF):
                user = User.objects.create_user(f"load-staff-{i}", password="load-bench")
                for program in (programs[(3 * i + k) % len(programs)] for k in range(3)):
                    ProgramMembership.objects.create(
                        program=program, user=user, role=ProgramRole.MANAGER
                    )
            for i in range(FACILITATORS):
                user = User.objects.create_user(f"load-facilitator-{i}", password="load-bench")
                program = programs[i % len(programs)]
                ProgramMembership.objects.create(
                    program=program, user=user, role=ProgramRole.FACILITATOR
                )
                # Past and upcoming rooms around today, as a facilitator's list looks.
                nearby = list(
                    Workshop.objects.filter(
                        program=program,
                        starts_at__gte=now - timedelta(days=400),
                        starts_at__lte=now + timedelta(days=200),
                    ).order_by("starts_at")
                )
                for workshop in rng.sample(nearby, min(6, len(nearby))):
                    workshop.facilitators.add(user)
                    sessions = list(workshop.sessions.order_by("position"))
                    for k, level in enumerate(NoteLevel.values):
                        SessionNote.objects.create(
                            workshop=workshop,
                            session=sessions[k % len(sessions)] if sessions else None,
                            author=user,
                            title=f"Session {k} notes",
                            body="## What was said\n\n" + "A point made by the room. " * 40,
                            level=level,
                        )
                    for k in range(3):
                        FollowUpAction.objects.create(
                            workshop=workshop,
                            description=f"Send the summary to the delegation ({k})",
                            owner_user=user,
                            due_on=workshop.ends_at.date() + timedelta(days=7 * (k + 1)),
                            created_by=user,
                        )

    def session_for(user: User) -> str:
        # What the login page does once the password is checked (django.contrib.auth.login
        # and its signals: the session lifetime stamps), without the password or the page.
        request = RequestFactory().get("/")
        request.session = SessionStore()
        request.user = AnonymousUser()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        return request.session.session_key

    staff = []
    for user in User.objects.filter(username__startswith="load-staff-").order_by("pk"):
        mine = list(user.program_memberships.values_list("program_id", flat=True))
        workshops = list(
            Workshop.objects.filter(program__in=mine)
            .order_by("?")
            .values_list("pk", "starts_at")[:40]
        )
        staff.append(
            {
                "session": session_for(user),
                "programs": mine,
                "workshops": [pk for pk, _starts in workshops],
                "months": sorted({starts.strftime("%Y-%m") for _pk, starts in workshops}),
            }
        )
    facilitators = []
    for user in User.objects.filter(username__startswith="load-facilitator-").order_by("pk"):
        rooms = []
        for workshop in Workshop.objects.filter(facilitators=user).order_by("pk"):
            on_roster = list(
                workshop.invitations.filter(status=InvitationStatus.ACCEPTED)
                .order_by("pk")
                .values_list("participant_id", flat=True)[:30]
            )
            rooms.append(
                {
                    "pk": workshop.pk,
                    "sessions": list(
                        Session.objects.filter(workshop=workshop).values_list("pk", flat=True)
                    ),
                    "people": on_roster,
                    "notes": list(workshop.notes.values_list("pk", flat=True)),
                    # Marking is for rooms held or running; a future one only shows its sheet.
                    "markable": workshop.starts_at <= now,
                }
            )
        facilitators.append({"session": session_for(user), "workshops": rooms})

    answerable = Invitation.objects.filter(
        workshop__ends_at__gt=now + timedelta(days=1),
        workshop__status__in=[WorkshopStatus.PLANNED, WorkshopStatus.CONFIRMED],
        status__in=[
            InvitationStatus.INVITED,
            InvitationStatus.ACCEPTED,
            InvitationStatus.DECLINED,
            InvitationStatus.WAITLISTED,
        ],
    )
    ids = list(answerable.values_list("pk", flat=True))
    chosen = Invitation.objects.filter(pk__in=rng.sample(ids, min(RSVP_LINKS, len(ids))))
    tokens = [rsvp_token(invitation) for invitation in chosen]
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "staff": staff,
        "facilitators": facilitators,
        "rsvp": tokens,
        "searches": SEARCHES,
    }


def forget_sessions(fixture: dict[str, object]) -> None:
    from django.contrib.sessions.models import Session

    keys = [u["session"] for u in fixture["staff"] + fixture["facilitators"]]
    Session.objects.filter(session_key__in=keys).delete()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(port: int, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=BENCH_URL,
        CELERY_BROKER_URL=BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CACHE_URL=CACHE_URL,
        SITE_URL=f"http://127.0.0.1:{port}",
        # Plain HTTP on the loopback: no TLS to redirect to, cookies not limited to HTTPS.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(OUT / "static"),
        OLIVE_BRANCH_VAR_DIR=str(OUT / "var"),
        # Each worker keeps its database connection for the run (CPUMeter counts its backend).
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
    )
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def get(url: str, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
            f"--error-logfile={log}",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; its log:\n{log.read_text()[-3000:]}")
        try:
            if get(f"http://127.0.0.1:{port}/healthz", timeout=2) == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn did not answer; its log:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def warm_up(base: str, fixture: dict, cookie: str) -> None:
    """Every worker loads its templates and opens its database connection before the
    clock starts: a few rounds of the staff pages, four at a time."""
    me = fixture["staff"][0]
    urls = [
        "/",
        f"/programs/{me['programs'][0]}/dashboard/",
        f"/programs/{me['programs'][0]}/",
        f"/workshops/{me['workshops'][0]}/",
        f"/workshops/{me['workshops'][0]}/delegation/",
        "/participants/",
        "/workshops/calendar/",
    ]

    def fetch(path: str) -> None:
        request = urllib.request.Request(
            base + path, headers={"Cookie": f"{cookie}={me['session']}"}
        )
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except OSError:
            pass

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(fetch, urls * WORKERS))


class CPUMeter:
    """CPU seconds spent serving: gunicorn's processes and their database backends (kept
    open for the run, CONN_MAX_AGE below). Divided by the requests, a figure that does not
    depend on what else the machine is doing, unlike the response times."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server
        self.start = self.used()

    def processes(self) -> list:
        import psutil
        import psycopg

        tree = psutil.Process(self.server.pid)
        found = [tree, *tree.children(recursive=True)]
        with psycopg.connect(BENCH_URL, autocommit=True) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        found += [psutil.Process(pid) for (pid,) in pids]
        return found

    def used(self) -> dict[int, float]:
        import psutil

        times = {}
        for process in self.processes():
            try:
                cpu = process.cpu_times()
            except psutil.Error:
                continue
            times[process.pid] = cpu.user + cpu.system
        return times

    def seconds(self) -> tuple[float, float]:
        """(web, database) CPU seconds since the meter started."""
        end = self.used()
        web_pids = {self.server.pid, *(c.pid for c in _children(self.server))}
        web = database = 0.0
        for pid, total in end.items():
            spent = total - self.start.get(pid, 0.0)
            if pid in web_pids:
                web += spent
            else:
                database += spent
        return web, database


def _children(server: subprocess.Popen) -> list:
    import psutil

    return psutil.Process(server.pid).children(recursive=True)


def forget_queue(queue: str) -> None:
    import redis

    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).delete(queue)
    except redis.RedisError:
        pass


def forget_cache() -> None:
    """The run starts with an empty cache and leaves nothing behind: the keys Django wrote
    (version 1, no prefix) in the bench's own Redis database."""
    import redis

    try:
        client = redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2)
        keys = list(client.scan_iter(match=":1:*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


def report(prefix: Path, users: int) -> str:
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    endpoints = sorted(
        (row for row in rows if row["Name"] != "Aggregated"),
        key=lambda row: float(row["95%"] or 0),
        reverse=True,
    )
    print(f"{'endpoint':48} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'max':>7}")
    for row in endpoints:
        print(
            f"{row['Type'] + ' ' + row['Name']:48.48} {row['Request Count']:>8} "
            f"{row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} "
            f"{float(row['Max Response Time']):>7.0f}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return (
        f"load users={users} requests={total['Request Count']} "
        f"failures={total['Failure Count']} p50_ms={total['50%']} p95_ms={total['95%']} "
        f"rps={float(total['Requests/s']):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds (default 120)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--quick", action="store_true", help="10 users for 20 seconds")
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.users = 20, 10

    OUT.mkdir(parents=True, exist_ok=True)
    prepare(fresh=args.fresh)
    fixture = people()
    fixture_path = OUT / "fixture.json"
    fixture_path.write_text(json.dumps(fixture))
    from django.db import connections

    connections.close_all()

    port, queue = free_port(), f"bench-load-{uuid.uuid4().hex}"
    env = server_env(port, queue)
    collectstatic(env)
    forget_cache()
    server = start_gunicorn(env, port, OUT / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    prefix = OUT / "locust"
    try:
        warm_up(base, fixture, fixture["cookie_name"])
        meter = CPUMeter(server)
        print(
            f"locust: {args.users} users for {args.duration}s against gunicorn "
            f"({WORKERS} workers) at {base}",
            flush=True,
        )
        with (OUT / "locust-summary.txt").open("w") as summary:
            subprocess.run(
                [
                    str(VENV_BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    f"--users={args.users}",
                    f"--spawn-rate={args.spawn_rate}",
                    f"--run-time={args.duration}s",
                    f"--host={base}",
                    f"--csv={prefix}",
                    "--only-summary",
                    "--loglevel=WARNING",
                    f"--logfile={OUT / 'locust.log'}",
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_FIXTURE": str(fixture_path)},
                stdout=summary,
                stderr=subprocess.STDOUT,
                check=False,  # locust exits 1 when a request failed: the summary says so
            )
        web_cpu, database_cpu = meter.seconds()
    finally:
        stop(server)
        forget_queue(queue)
        forget_cache()
        forget_sessions(fixture)
    summary = report(prefix, args.users)
    requests = int(summary.split("requests=")[1].split()[0]) or 1
    per_request = 1000 * (web_cpu + database_cpu) / requests
    print(
        f"cpu per request: {per_request:.0f} ms (gunicorn {1000 * web_cpu / requests:.0f}, "
        f"PostgreSQL {1000 * database_cpu / requests:.0f}); at that cost {os.cpu_count()} "
        f"idle cores serve about {1000 * (os.cpu_count() or 1) / per_request:.0f} requests/s"
    )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    print(summary)


if __name__ == "__main__":
    main()
