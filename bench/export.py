"""Benchmark: the registry export of 100,000 people, against PostgreSQL's own COPY.

Seeds (or reuses) its own PostgreSQL database with ``bench/search.py``'s people (names in
Latin, Greek, Arabic and Hebrew script, one in ten high-risk), then, in the same run:

* (a) the registry CSV export through the real view (Django's test client as an admin,
  consuming the streamed response), with the default columns: high-risk people
  pseudonymised and every text cell neutralised, in SQL;
* (b) ``COPY (SELECT <the same columns, unprotected>) TO STDOUT`` over psycopg into a file;
* the memory the export adds to the process at its peak (RSS sampled every 20 ms);
* (c) the same export as XLSX, prepared by the export job (write-only openpyxl, through
  the storage API) as a worker would.

    .venv/bin/python bench/export.py --rows 100000
    .venv/bin/python bench/export.py --rows 10000   # quick look
    .venv/bin/python bench/export.py --fresh        # rebuild the data

The last line is the summary the export issue asks for. The database is
``olive_branch_export_bench`` at ``BENCH_DATABASE_URL`` (default localhost).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/olive_branch_export_bench"
)
COLUMNS = [
    "name",
    "email",
    "organisation",
    "community",
    "sector",
    "country",
    "risk_level",
    "do_not_contact",
]  # fmt: skip — the registry export's defaults
BASELINE = """
    SELECT p.full_name, p.email, p.organisation, c.name, s.name, p.country, p.risk_level,
           p.do_not_contact
    FROM participants_participant p
    LEFT JOIN participants_community c ON c.id = p.community_id
    JOIN participants_sector s ON s.id = p.sector_id
    WHERE p.erased_at IS NULL
    ORDER BY p.full_name, p.id
"""


def setup_django(media: str) -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["MEDIA_ROOT"] = media
    # The CSV must stream in the request (not go to a job) for this measure.
    os.environ["EXPORT_CSV_BACKGROUND_ROWS"] = str(10**9)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """The highest RSS seen while the block runs, sampled by a thread."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak = 0
        self.baseline = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.baseline = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / (1024 * 1024)


def csv_through_the_view(client, target: Path, filters: str = "") -> tuple[float, int]:
    from django.urls import reverse

    started = time.perf_counter()
    response = client.post(
        reverse("participants:export"),
        {"columns": COLUMNS, "format": "csv", "action": "export", "filters": filters},
    )
    assert response.status_code == 200 and response.streaming, response.status_code
    lines = 0
    with target.open("wb") as out:
        for block in response.streaming_content:
            out.write(block)
            lines += block.count(b"\n")
    response.close()
    return time.perf_counter() - started, lines - 1


def copy_baseline(target: Path) -> tuple[float, int]:
    import psycopg

    started = time.perf_counter()
    rows = 0
    with psycopg.connect(BENCH_URL) as conn, conn.cursor() as cursor, target.open("wb") as out:
        with cursor.copy(f"COPY ({BASELINE}) TO STDOUT WITH (FORMAT csv)") as copy:
            for data in copy:
                out.write(data)
                rows += 1
    return time.perf_counter() - started, rows


def xlsx_job(admin) -> tuple[float, int]:
    from participants.exports.services import export_job_run
    from participants.exports.spec import ExportSpec
    from participants.models import ExportJob, ExportJobStatus

    spec = ExportSpec(kind="registry", columns=COLUMNS, format="xlsx")
    job = ExportJob.objects.create(
        requester=admin, kind="registry", params={**spec.to_params(), "expected_rows": 0}
    )
    started = time.perf_counter()
    export_job_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE, job.error
    job.file.delete(save=False)
    return elapsed, job.row_count


def main() -> None:
    import search as search_bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="olive-branch-export-bench-")
    if args.fresh or not search_bench.database_exists(BENCH_URL):
        search_bench.recreate_database(BENCH_URL)
    setup_django(media)
    from django.db import connections

    from participants.models import Participant

    if Participant.objects.count() != args.rows:
        connections.close_all()
        search_bench.recreate_database(BENCH_URL)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        search_bench.seed(args.rows)
        print(f"seeded {args.rows} participants in {time.perf_counter() - started:.1f}s")
    else:
        print(f"reusing {args.rows} participants")

    from django.test import Client

    from core.models import User

    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password="bench"
    )
    from bench.two_factor import sign_in

    client = Client()
    sign_in(client, admin)
    out = Path(media)

    # Warm-up: the table in the page cache for both, and a small export through the view
    # (code imported, connection open), so the figures measure what 100,000 rows add.
    copy_baseline(out / "warm.csv")
    with PeakRSS() as warm:
        csv_through_the_view(client, out / "warm-export.csv", filters="q=Zoë Müller")
    print(
        f"  process rss {warm.baseline / 2**20:.0f} MB; a first small export through the view"
        f" adds {warm.growth_mb:.1f} MB (code, connection, caches)"
    )
    copy_runs, csv_runs, peaks = [], [], []
    for _ in range(2):
        copy_s, copy_rows = copy_baseline(out / "copy.csv")
        copy_runs.append(copy_s)
        with PeakRSS() as peak:
            csv_s, csv_rows = csv_through_the_view(client, out / "export.csv")
        csv_runs.append(csv_s)
        peaks.append(peak.growth_mb)
        print(
            f"  copy {copy_s:.2f}s ({copy_rows} rows)  view csv {csv_s:.2f}s ({csv_rows} rows)"
            f"  rss +{peak.growth_mb:.1f} MB"
        )
    assert csv_rows == copy_rows == args.rows, (csv_rows, copy_rows)
    # Sampled rarely: a busy sampler thread would take the GIL from a CPU-bound writer.
    with PeakRSS(every=0.2) as xlsx_peak:
        xlsx_s, xlsx_rows = xlsx_job(admin)
    print(
        f"  xlsx job {xlsx_s:.2f}s ({xlsx_rows} rows)  rss +{xlsx_peak.growth_mb:.1f} MB"
        f"  load average {os.getloadavg()[0]:.1f}"
    )
    copy_s, csv_s = min(copy_runs), min(csv_runs)
    print(
        f"export rows={args.rows} csv_s={csv_s:.2f} copy_s={copy_s:.2f} "
        f"ratio_vs_copy={copy_s / csv_s:.2f} peak_rss_mb={max(peaks):.1f} xlsx_s={xlsx_s:.2f}"
    )


if __name__ == "__main__":
    main()
