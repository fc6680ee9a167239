"""bin/backup and bin/restore-check against the test database: the dump restores into a
scratch database with the same row count in every table, the media archive reads, and the
scratch database is dropped."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from participants.models import Participant
from tests import factories

ROOT = Path(settings.BASE_DIR)
# Committed rows, visible to pg_dump in its own process; the seeded vocabulary is restored
# after the flush, as in the suite's other transaction tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}"
        f":{db.get('PORT') or 5432}/{db['NAME']}"
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=url,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        DEBUG="true",
    )
    return env


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=240
    )


def _scratch_databases() -> list[str]:
    """restore-check's scratch databases for this test database (other runs may be creating
    and dropping their own databases on the same server meanwhile)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [settings.DATABASES["default"]["NAME"][:40] + "_restore_check_%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_backup_restores_with_every_row(tmp_path):
    program = factories.ProgramFactory()
    workshop = factories.WorkshopFactory(program=program)
    for _ in range(5):
        factories.InvitationFactory(workshop=workshop)
    factories.SessionNoteFactory(workshop=workshop)
    media = Path(settings.MEDIA_ROOT) / "exports" / "roster.csv"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_text("id\n1\n")

    made = _run("bin/backup", "--output-dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    dump, counts, archive = (Path(line) for line in made.stdout.split())
    assert dump.suffix == ".dump" and dump.stat().st_size > 0
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # everyone's personal data
    tables = json.loads(counts.read_text())["tables"]
    assert tables["public.participants_participant"] == Participant.objects.count() == 5
    assert tables["public.workshops_sessionnote"] == 1
    assert tables["public.core_auditevent"] >= 0 and len(tables) > 30

    checked = _run("bin/restore-check", str(dump))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    line = checked.stdout.strip()
    assert line.startswith(f"restore-check: OK, {len(tables)} tables and ")
    assert f"{sum(tables.values()):,} rows match the dump's snapshot" in line
    # The suite's media folder holds what earlier tests stored too: every file of it.
    stored = sum(1 for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())
    assert f"media archive reads ({stored} files)" in line
    assert archive.name.endswith("-media.tar.gz")
    assert _scratch_databases() == []  # the scratch database is gone

    # Against the live database, a row written since the backup is a difference.
    factories.ParticipantFactory()
    live = _run("bin/restore-check", str(dump), "--against-live")
    assert live.returncode == 1
    assert "public.participants_participant (expected 6, restored 5)" in live.stdout
    assert _scratch_databases() == []


@pytest.mark.django_db
def test_the_search_function_resolves_without_a_search_path():
    """pg_restore runs with an empty search path: every call in the function's body must
    name its schema, or the participants table cannot be restored."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('ob_participant_search_doc'::regproc)")
        body = cursor.fetchone()[0]
    assert "public.ob_search_text(" in body
