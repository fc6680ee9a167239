"""Benchmark: the planning pages at 100,000 participants, 2,000 workshops, 200,000 invitations.

Seeds (or reuses) a PostgreSQL database, then times through Django's test client:

* the program dashboard of a program with 100 workshops;
* a workshop page with 300 invitees and its delegation builder;
* the calendar's month and list views, for programme staff and for an admin (all programs).

    .venv/bin/python bench/pages.py            # full size
    .venv/bin/python bench/pages.py --scale 0.1  # a tenth, for a quick look
    .venv/bin/python bench/pages.py --fresh    # rebuild the data

The last line is the summary the planning issue asks for:
``pages p95_ms=<worst page p95> max_queries=<most queries on any page>``. The database is
``olive_branch_pages_bench`` at ``BENCH_DATABASE_URL`` (default localhost).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/olive_branch_pages_bench"
)
SEED = 2002  # the year the Living Room Dialogue's Jewish-Palestinian circle went national
RUNS = 30
PROGRAMS = 20
BIG_WORKSHOP_INVITEES = 300
START = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)


def _admin_url(url: str) -> tuple[str, str]:
    return url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"


def recreate_database(url: str) -> None:
    import psycopg

    name, admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    import psycopg

    name, admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DEBUG", "true")  # static files without collectstatic
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(scale: float) -> None:
    """Bulk-create the dataset; program 1 holds the 300-invitee workshop."""
    from django.db import connection

    from bench.search import LATIN_FAMILY, LATIN_GIVEN, ORGANISATIONS
    from core.models import User
    from dialogues.models import Program, ProgramMembership, ProgramRole
    from participants.models import Community, Gender, Participant, Sector, Track
    from workshops.models import (
        Attendance,
        AttendanceStatus,
        Invitation,
        InvitationStatus,
        Session,
        Workshop,
        WorkshopStatus,
    )

    rng = random.Random(SEED)
    people_count = int(100_000 * scale)
    workshop_count = int(2_000 * scale)
    invitation_count = int(200_000 * scale)
    sectors, tracks = list(Sector.objects.all()), list(Track.objects.all())
    communities = Community.objects.bulk_create(
        [Community(name=f"Community {i}", slug=f"community-{i}") for i in range(2 * PROGRAMS)]
    )
    people = Participant.objects.bulk_create(
        (
            Participant(
                full_name=f"{rng.choice(LATIN_GIVEN)} {rng.choice(LATIN_FAMILY)}",
                organisation=rng.choice(ORGANISATIONS),
                email=f"p{i}@example.org",
                sector=rng.choice(sectors),
                track=rng.choice(tracks),
                community=rng.choice(communities),
                gender=rng.choice([g for g, _ in Gender.choices] + [""]),
                country=rng.choice(("CY", "IL", "PS", "MM", "TH")),
            )
            for i in range(people_count)
        ),
        batch_size=5000,
    )
    programs = []
    for i in range(PROGRAMS):
        program = Program.objects.create(
            name=f"Program {i}", slug=f"program-{i}", starts_on=START.date()
        )
        program.communities.set(communities[2 * i : 2 * i + 2])
        program.target_sectors.set(sectors[:3])
        programs.append(program)
    staff = User.objects.create_user("bench-staff", password="bench")
    User.objects.create_superuser("bench-admin", password="bench")
    ProgramMembership.objects.create(program=programs[0], user=staff, role=ProgramRole.MANAGER)

    now = datetime.now(UTC)
    workshops = []
    for i in range(workshop_count):
        starts = START + timedelta(days=(i * 1460) // workshop_count, hours=rng.randrange(0, 6))
        held = starts < now
        workshops.append(
            Workshop(
                program=programs[i % PROGRAMS],
                title=f"Workshop {i}",
                starts_at=starts,
                ends_at=starts + timedelta(days=2),
                time_zone=rng.choice(("Asia/Nicosia", "Asia/Jerusalem", "Asia/Yangon", "UTC")),
                capacity=rng.choice((20, 40, 120, 400)),
                status=WorkshopStatus.HELD if held else WorkshopStatus.PLANNED,
            )
        )
    workshops = Workshop.objects.bulk_create(workshops, batch_size=2000)
    big = workshops[-PROGRAMS]  # program 0, upcoming
    sessions = Session.objects.bulk_create(
        (
            Session(
                workshop=w,
                title=f"Session {k}",
                starts_at=w.starts_at + timedelta(hours=3 * k),
                ends_at=w.starts_at + timedelta(hours=3 * k + 2),
                position=k,
            )
            for w in workshops
            for k in range(3)
        ),
        batch_size=5000,
    )
    sessions_of: dict[int, list] = {}
    for session in sessions:
        sessions_of.setdefault(session.workshop_id, []).append(session)

    # The big workshop has 300; the others share the rest, the first few one more each.
    per_workshop, extra = divmod(invitation_count - BIG_WORKSHOP_INVITEES, len(workshops) - 1)
    invitations, attendance = [], []
    statuses = [InvitationStatus.ACCEPTED] * 5 + [
        InvitationStatus.INVITED,
        InvitationStatus.DECLINED,
        InvitationStatus.DRAFT,
    ]
    others = [w for w in workshops if w.pk != big.pk]
    sizes = {w.pk: per_workshop + (1 if i < extra else 0) for i, w in enumerate(others)}
    sizes[big.pk] = BIG_WORKSHOP_INVITEES
    for w in workshops:
        size = sizes[w.pk]
        for person in rng.sample(people, size):
            status = rng.choice(statuses)
            invitations.append(Invitation(workshop=w, participant=person, status=status))
            if w.status == WorkshopStatus.HELD and status == InvitationStatus.ACCEPTED:
                for session in sessions_of[w.pk]:
                    attendance.append(
                        Attendance(
                            session=session,
                            participant=person,
                            status=AttendanceStatus.PRESENT
                            if rng.random() < 0.9
                            else AttendanceStatus.ABSENT,
                        )
                    )
    Invitation.objects.bulk_create(invitations, batch_size=10_000)
    Attendance.objects.bulk_create(attendance, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE bench_pages (big_workshop bigint, program bigint)")
        cursor.execute("INSERT INTO bench_pages VALUES (%s, %s)", [big.pk, programs[0].pk])
    print(
        f"seeded {len(people)} participants, {len(workshops)} workshops, "
        f"{len(invitations)} invitations, {len(attendance)} attendance records"
    )


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data")
    args = parser.parse_args()

    if args.fresh or not database_exists(BENCH_URL):
        recreate_database(BENCH_URL)
    setup_django()
    from workshops.models import Workshop

    if Workshop.objects.count() != int(2_000 * args.scale):
        from django.db import connections

        connections.close_all()
        recreate_database(BENCH_URL)
        setup_django()
        started = time.perf_counter()
        seed(args.scale)
        print(f"seeding took {time.perf_counter() - started:.1f}s")
    else:
        print("reusing the data")

    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT big_workshop, program FROM bench_pages")
        big, program = cursor.fetchone()
    month = Workshop.objects.get(pk=big).starts_at.strftime("%Y-%m")
    staff, admin = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    from bench.two_factor import sign_in

    sign_in(staff, User.objects.get(username="bench-staff"))
    sign_in(admin, User.objects.get(username="bench-admin"))
    pages = [
        ("dashboard", staff, f"/programs/{program}/dashboard/"),
        ("program", staff, f"/programs/{program}/"),
        ("workshop (300 invitees)", staff, f"/workshops/{big}/"),
        ("delegation builder", staff, f"/workshops/{big}/delegation/"),
        ("delegation search", staff, f"/workshops/{big}/delegation/?q=Charalambus"),
        ("calendar month (staff)", staff, f"/workshops/calendar/?month={month}"),
        ("calendar month (admin)", admin, f"/workshops/calendar/?month={month}"),
        ("calendar list (admin)", admin, "/workshops/calendar/list/"),
    ]
    worst_p95, max_queries = 0.0, 0
    request_started.disconnect(reset_queries)
    try:
        for name, client, url in pages:
            response = client.get(url)  # warm caches
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
            times, queries = [], set()
            for _ in range(RUNS):
                reset_queries()
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                queries.add(len(ctx.captured_queries))
            p95 = percentile(times, 0.95)
            worst_p95, max_queries = max(worst_p95, p95), max(max_queries, *queries)
            print(
                f"{name:26} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
                f"queries {sorted(queries)}"
            )
    finally:
        request_started.connect(reset_queries)
    print(f"pages p95_ms={worst_p95:.1f} max_queries={max_queries}")


if __name__ == "__main__":
    main()
