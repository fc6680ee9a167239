"""Benchmark: the permission scopes and the home page on a registry of realistic size.

Every list, detail page and export goes through ``core.permissions``; this prints how long
the scoped querysets take, and how many queries they cost, for each role on a database that
looks like a large NGO's after a few years (tens of thousands of participants, a thousand
workshops, many notes). Figures, not pass/fail: run it before and after a change.

    .venv/bin/python bench/permissions.py            # default scale
    .venv/bin/python bench/permissions.py --scale 0.1  # quick look

It builds its own PostgreSQL database (``olive_branch_bench`` at ``BENCH_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/olive_branch_bench``), dropped and re-created
on every run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/olive_branch_bench"
)


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(scale: float) -> dict[str, object]:
    """Bulk-create a registry at ``scale`` and return the role users to measure."""
    from django.utils import timezone

    from core.models import User
    from dialogues.models import Program, ProgramMembership, ProgramRole
    from participants.models import Community, Participant, Sector, Track
    from workshops.models import (
        FollowUpAction,
        Invitation,
        InvitationStatus,
        NoteLevel,
        SessionNote,
        Workshop,
    )

    rng = random.Random(20261125)
    n_programs = max(3, int(60 * scale))
    n_workshops = max(12, int(1200 * scale))
    n_participants = max(100, int(40000 * scale))
    n_invitations_per_workshop = 30
    now = timezone.now()

    users = User.objects.bulk_create(
        [User(username=f"user{i}", email=f"user{i}@example.org") for i in range(200)]
    )
    admin = User.objects.create_superuser("bench-admin", "admin@example.org", "x")
    staff, facilitator, observer, nobody = users[:4]

    communities = Community.objects.bulk_create(
        [Community(name=f"Community {i}", slug=f"community-{i}") for i in range(24)]
    )
    sectors = list(Sector.objects.all())
    tracks = list(Track.objects.all())
    programs = Program.objects.bulk_create(
        [
            Program(name=f"Program {i}", slug=f"program-{i}", starts_on=now.date())
            for i in range(n_programs)
        ]
    )
    memberships = [
        ProgramMembership(program=programs[i], user=staff, role=ProgramRole.MANAGER)
        for i in range(3)
    ]
    memberships += [
        ProgramMembership(program=programs[i], user=observer, role=ProgramRole.OBSERVER)
        for i in range(2)
    ]
    memberships += [
        ProgramMembership(program=p, user=u, role=rng.choice(ProgramRole.values))
        for p in programs
        for u in rng.sample(users[4:], 8)
    ]
    ProgramMembership.objects.bulk_create(memberships, ignore_conflicts=True)

    starts = [now + timedelta(days=rng.randint(-700, 300)) for _ in range(n_workshops)]
    workshops = Workshop.objects.bulk_create(
        [
            Workshop(
                program=programs[i % n_programs],
                title=f"Workshop {i}",
                starts_at=start,
                ends_at=start + timedelta(days=rng.randint(1, 5)),
                capacity=rng.randint(12, 60),
            )
            for i, start in enumerate(starts)
        ]
    )
    Through = Workshop.facilitators.through
    links = [Through(workshop=w, user=rng.choice(users[4:])) for w in workshops]
    links += [Through(workshop=w, user=facilitator) for w in workshops[:10]]
    Through.objects.bulk_create(links, ignore_conflicts=True)

    participants = Participant.objects.bulk_create(
        [
            Participant(
                full_name=f"Participant {i}",
                email=f"p{i}@example.org",
                sector=rng.choice(sectors),
                community=rng.choice(communities),
                track=rng.choice(tracks),
            )
            for i in range(n_participants)
        ],
        batch_size=5000,
    )
    invitations = []
    statuses = InvitationStatus.values
    for w in workshops:
        for p in rng.sample(participants, n_invitations_per_workshop):
            invitations.append(Invitation(workshop=w, participant=p, status=rng.choice(statuses)))
    Invitation.objects.bulk_create(invitations, batch_size=5000)

    levels = NoteLevel.values
    SessionNote.objects.bulk_create(
        [
            SessionNote(
                workshop=w,
                author=rng.choice(users),
                title="Note",
                body="The group agreed to meet again.",
                level=rng.choice(levels),
            )
            for w in workshops
            for _ in range(5)
        ],
        batch_size=5000,
    )
    FollowUpAction.objects.bulk_create(
        [
            FollowUpAction(
                workshop=w,
                description="Circulate the summary",
                owner_user=rng.choice(users),
                due_on=(now + timedelta(days=rng.randint(-30, 60))).date(),
            )
            for w in workshops
            for _ in range(3)
        ],
        batch_size=5000,
    )
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "figures": {
            "programs": n_programs,
            "workshops": n_workshops,
            "participants": n_participants,
            "invitations": len(invitations),
            "notes": n_workshops * 5,
        },
        "roles": {
            "admin": admin,
            "staff": staff,
            "facilitator": facilitator,
            "observer": observer,
            "no role": nobody,
        },
    }


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms, and the number of queries of one call."""
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm the connection and caches
    # A request through the test client empties the query log when it starts; keep it.
    request_started.disconnect(reset_queries)
    reset_queries()  # the log is a bounded deque: a full one would hide new queries
    try:
        with CaptureQueriesContext(connection) as ctx:
            fn()
    finally:
        request_started.connect(reset_queries)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    recreate_database(BENCH_URL)
    setup_django()
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from core import permissions
    from participants.models import Participant
    from workshops.models import FollowUpAction, Invitation, SessionNote, Workshop

    started = time.perf_counter()
    data = build(args.scale)
    print(f"built in {time.perf_counter() - started:.1f}s: {data['figures']}")

    try:
        home_url: str | None = reverse("home")
    except NoReverseMatch:
        home_url = None

    note = SessionNote.objects.order_by("pk").first()
    print(f"\n{'role':<12} {'measure':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for role, user in data["roles"].items():
        cases: list[tuple[str, Callable[[], object]]] = [
            (
                f"{name} first page (50)",
                lambda m=model, u=user: list(permissions.visible_to(u, m).order_by("-pk")[:50]),
            )
            for name, model in (
                ("workshops", Workshop),
                ("participants", Participant),
                ("invitations", Invitation),
                ("notes", SessionNote),
                ("follow-up actions", FollowUpAction),
            )
        ]
        cases.append(("notes count", lambda u=user: permissions.visible_to(u, SessionNote).count()))
        cases.append(("can_view(note)", lambda u=user: permissions.can_view(u, note)))
        cases.append(("navigation_for", lambda u=user: permissions.navigation_for(u)))
        if home_url:
            from bench.two_factor import sign_in

            client = Client(HTTP_HOST="localhost")  # an allowed host, not "testserver"
            sign_in(client, user)
            status = client.get(home_url).status_code
            if status != 200:
                raise SystemExit(f"GET {home_url} as {role} answered {status}, not 200")
            cases.append(("GET home page", lambda c=client: c.get(home_url)))
        for label, fn in cases:
            median, p95, queries = measure(fn, args.repeat)
            print(f"{role:<12} {label:<34} {median:>10.2f} {p95:>8.2f} {queries:>8}")


if __name__ == "__main__":
    main()
