"""The demo on the embedded default (SQLite): every page answers for every demo user.

The suite runs on PostgreSQL; this walk catches SQL that only PostgreSQL understands in
pages that ``make demo`` serves from SQLite.
"""

import subprocess
import sys

from tests.processes import ROOT, child_env, manage


def test_every_demo_page_answers_on_sqlite(tmp_path):
    env = child_env(OLIVE_BRANCH_VAR_DIR=str(tmp_path / "var"))
    for step in (("migrate", "--no-input", "-v0"), ("seed_demo",)):
        done = manage(*step, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    walk = subprocess.run(
        [sys.executable, "bin/walk-demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = [line for line in walk.stdout.splitlines() if "pages," in line or "answered" in line]
    assert walk.returncode == 0, "\n".join(summary) + walk.stderr[-3000:]
    # Four demo users and the participant who opens RSVP links without an account.
    assert len([line for line in summary if line.endswith(", 0 failed")]) == 5, summary
    assert "participant: 1 RSVP pages" not in walk.stdout  # real links were opened too
