"""F5: the embedded SQLite default serialises bookings instead of failing or double-booking."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "tests" / "support" / "sqlite_race.py"


def race(tmp_path, mode):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "clinic.sqlite3"), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_F5_immediate_transactions_book_each_slot_once_without_locking_errors(tmp_path):
    outcome = race(tmp_path, "immediate")
    assert outcome["per_slot"] == [1, 1, 1, 1]
    assert outcome["outcomes"] == ["booked"] * 4 + ["slot_taken"] * 4


def test_F5_without_immediate_mode_concurrent_writers_hit_database_is_locked(tmp_path):
    """The negative control: why settings.py asks for transaction_mode=IMMEDIATE."""
    outcome = race(tmp_path, "deferred")
    assert "locked" in outcome["outcomes"]
