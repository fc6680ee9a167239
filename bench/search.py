"""Benchmark: registry search, the filtered list page and the duplicate scan at 100,000 people.

Seeds (or reuses) a PostgreSQL database of participants with names in Latin, Greek, Arabic
and Hebrew script and 2,000 planted near-duplicates (same phone, a typo in the name, a
name written with or without a space), then measures:

* 200 searches of mixed scripts and typos through ``search_participants`` (first 50 rows);
* 50 filtered list pages through Django's test client as programme staff;
* the full duplicate scan, and how many planted pairs it finds.

    .venv/bin/python bench/search.py               # 100,000 people
    .venv/bin/python bench/search.py --rows 10000  # quick look
    .venv/bin/python bench/search.py --fresh       # rebuild the data

Its last line is the summary the registry issue asks for. The database is
``olive_branch_search_bench`` at ``BENCH_DATABASE_URL`` (default localhost); a run with
the same ``--rows`` reuses its data.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/olive_branch_search_bench"
)
PLANTED = 2_000
SEED = 1993  # the year of the Oslo back channel

LATIN_GIVEN = [
    "Andreas", "Eleni", "Maria", "Giorgos", "Mehmet", "Ayşe", "Fatma", "Hasan", "Noa", "Yael",
    "David", "Tamar", "Ahmad", "Fatima", "Khaled", "Layla", "Omar", "Rania", "Saw", "Naw",
    "Hla", "Aung", "Ingrid", "Tomás", "Grace", "Zoë", "José", "Chiara", "Jean", "Amina",
    "Abdel", "Abdul", "Nikos", "Sophia", "Emre", "Selin", "Avi", "Miriam", "Yusuf", "Hana",
]  # fmt: skip
LATIN_FAMILY = [
    "Georgiou", "Charalambous", "Papadopoulos", "Christodoulou", "Yilmaz", "Demir", "Aydın",
    "Öztürk", "Levi", "Cohen", "Mizrahi", "Peretz", "Haddad", "Khoury", "Nasser", "Saleh",
    "Hamdan", "Odeh", "Htoo", "Paw", "Moe", "Halvorsen", "Rivera", "Mensah", "Müller",
    "García", "Rossi", "Dupont", "Okafor", "Aziz", "Karim", "Nikolaou", "Kaya", "Şahin",
    "Friedman", "Ben-David", "Barghouti", "Rantisi", "Kyriakou", "Ioannou",
]  # fmt: skip
GREEK = ["Ανδρέας", "Ελένη", "Μαρία", "Γιώργος", "Νίκος", "Σοφία", "Χαραλάμπους", "Γεωργίου"]
ARABIC = ["أحمد", "فاطمة", "خالد", "ليلى", "عمر", "رانيا", "عبد العزيز", "حداد", "خوري", "ناصر"]
HEBREW = ["נועה", "יעל", "דוד", "תמר", "אבי", "מרים", "לוי", "כהן", "מזרחי", "פרץ"]
ORGANISATIONS = [
    "University of Cyprus", "Eastern Mediterranean University", "Jerusalem Post",
    "Al-Quds University",
    "Hebrew University of Jerusalem", "Birzeit University", "Karen Women's Organisation",
    "Chamber of Commerce", "Politis newspaper", "Yenidüzen", "Haaretz", "Al-Ayyam",
    "Search for Common Ground", "PRIO Cyprus Centre", "Home for Cooperation", "Peace Now",
    "Combatants for Peace", "Parents Circle", "Mon Women's Organisation", "Swisspeace",
]  # fmt: skip
SEARCHES = [
    "Andreas Charalambus", "Abdel Aziz", "Jeruslem Post", "Chara", "Ανδρέας", "ανδρεας",
    "עבד", "נועה", "عبد العزيز", "Zoe Muller", "ayse aydin", "Georgiu", "Haddat", "Birzeit",
    "Hebrew Univ", "Karen Women", "Okafor", "Ioanou", "Peace Nw", "Mizrachi",
]  # fmt: skip


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def typo(word: str, rng: random.Random) -> str:
    """One realistic slip: a dropped, doubled or swapped letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def seed(rows: int) -> list[tuple[int, int]]:
    """Bulk-create ``rows`` people of whom PLANTED are near-duplicates of others."""
    from core.models import User
    from dialogues.models import ProgramMembership, ProgramRole
    from participants.models import Community, Participant, RiskLevel, Sector, Track
    from tests.factories import ProgramFactory

    rng = random.Random(SEED)
    sectors = list(Sector.objects.all())
    tracks = list(Track.objects.all())
    communities = Community.objects.bulk_create(
        [Community(name=f"Community {i}", slug=f"community-{i}") for i in range(8)]
    )
    staff = User.objects.create_user("bench-staff", password="bench")
    ProgramMembership.objects.create(program=ProgramFactory(), user=staff, role=ProgramRole.MANAGER)
    originals = rows - PLANTED
    people = []
    for i in range(originals):
        given, family = rng.choice(LATIN_GIVEN), rng.choice(LATIN_FAMILY)
        native = rng.choice((GREEK, ARABIC, HEBREW, [""], [""]))
        people.append(
            Participant(
                full_name=f"{given} {family}",
                native_name=" ".join(rng.sample(native, k=min(2, len(native)))).strip(),
                email=f"p{i}@example.org" if rng.random() < 0.8 else "",
                phone=f"+3579{i:07d}" if rng.random() < 0.6 else "",
                organisation=rng.choice(ORGANISATIONS),
                sector=rng.choice(sectors),
                track=rng.choice(tracks),
                community=rng.choice(communities),
                country=rng.choice(("CY", "IL", "PS", "MM", "TH", "GR", "TR")),
                risk_level=rng.choice(
                    [RiskLevel.NORMAL] * 8 + [RiskLevel.ELEVATED, RiskLevel.HIGH]
                ),
            )
        )
    created = Participant.objects.bulk_create(people, batch_size=5000)
    planted: list[tuple[int, int]] = []
    twins = []
    for original in rng.sample(created, PLANTED):
        twin = Participant(
            full_name=original.full_name,
            native_name=original.native_name,
            organisation=original.organisation,
            sector=original.sector,
            community=original.community,
            country=original.country,
        )
        way = rng.choice(("phone", "typo", "space"))
        if way == "phone" and original.phone:
            twin.phone = original.phone
            twin.full_name = original.full_name.upper()
        elif way == "space" or not original.full_name:
            given, _, family = original.full_name.partition(" ")
            twin.full_name = f"{given}{family}"
        else:
            given, _, family = original.full_name.partition(" ")
            twin.full_name = f"{given} {typo(family, rng) if len(family) > 3 else family}"
        twins.append((original, twin))
    Participant.objects.bulk_create([t for _, t in twins], batch_size=5000)
    planted = [(min(o.pk, t.pk), max(o.pk, t.pk)) for o, t in twins]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE participants_participant")
        cursor.execute("CREATE TABLE bench_planted (first_id bigint, second_id bigint)")
        cursor.executemany("INSERT INTO bench_planted VALUES (%s, %s)", planted)
    return planted


def load_planted() -> list[tuple[int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT first_id, second_id FROM bench_planted")
        return [tuple(row) for row in cursor.fetchall()]


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data")
    args = parser.parse_args()

    if args.fresh or not database_exists(BENCH_URL):
        recreate_database(BENCH_URL)
    setup_django()
    from participants.models import Participant

    if Participant.objects.count() != args.rows:
        from django.db import connections

        connections.close_all()
        recreate_database(BENCH_URL)
        setup_django()
        started = time.perf_counter()
        planted = seed(args.rows)
        print(f"seeded {args.rows} participants in {time.perf_counter() - started:.1f}s")
    else:
        planted = load_planted()
        print(f"reusing {args.rows} participants")

    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User
    from participants.models import Community, Sector
    from participants.selectors import search_participants

    rng = random.Random(SEED)
    everyone = Participant.objects.all()
    queries = [SEARCHES[i % len(SEARCHES)] for i in range(200)]
    for query in SEARCHES:  # warm caches once
        list(search_participants(everyone, query)[:50])
    search_ms = [timed(lambda q=q: list(search_participants(everyone, q)[:50])) for q in queries]
    print(
        f"search: 200 queries, median {statistics.median(search_ms):.1f} ms, "
        f"p95 {percentile(search_ms, 0.95):.1f} ms, max {max(search_ms):.1f} ms"
    )

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="bench-staff"))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    communities = list(Community.objects.values_list("pk", flat=True))
    pages = []
    for i in range(50):
        params: dict[str, object] = {"sector": rng.choice(sectors)}
        if i % 2:
            params["community"] = rng.choice(communities)
        if i % 3 == 0:
            params["q"] = rng.choice(SEARCHES)
        if i % 5 == 0:
            params["sort"] = rng.choice(("organisation", "-name", "newest"))
        if i % 7 == 0:
            params["page"] = 3
        pages.append(params)
    client.get("/participants/", pages[0])
    list_ms, list_queries = [], set()
    request_started.disconnect(reset_queries)
    reset_queries()
    try:
        for params in pages:
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get("/participants/", params)
                list_ms.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"list page answered {response.status_code} for {params}")
            list_queries.add(len(ctx.captured_queries))
    finally:
        request_started.connect(reset_queries)
    print(
        f"list: 50 filtered pages, median {statistics.median(list_ms):.1f} ms, "
        f"p95 {percentile(list_ms, 0.95):.1f} ms, queries per page {sorted(list_queries)}"
    )

    dedupe_s, recall = math.nan, math.nan
    try:
        from participants.duplicates import find_duplicate_pairs
    except ImportError:
        print("dedupe: participants.duplicates.find_duplicate_pairs is not there yet")
    else:
        start = time.perf_counter()
        pairs = find_duplicate_pairs()
        dedupe_s = time.perf_counter() - start
        found = {(min(p.first_id, p.second_id), max(p.first_id, p.second_id)) for p in pairs}
        recall = sum(1 for pair in planted if pair in found) / len(planted)
        print(f"dedupe: {len(found)} pairs in {dedupe_s:.1f}s, {recall:.1%} of planted found")

    print(
        f"search rows={args.rows} search_p95_ms={percentile(search_ms, 0.95):.1f} "
        f"list_p95_ms={percentile(list_ms, 0.95):.1f} list_queries={max(list_queries)} "
        f"dedupe_s={dedupe_s:.1f} dedupe_recall={recall:.3f}"
    )


if __name__ == "__main__":
    main()
