"""Power-cut safety: a writer killed with SIGKILL mid-write loses nothing it reported saved."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.backup import integrity_problems
from db.store import Store

WRITER = Path(__file__).with_name("kill_writer.py")
ROUNDS = 50


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_50_times_keeps_every_reported_write(paths, commune_store):
    commune_store.close()
    reported: list[str] = []
    for round_no in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, str(WRITER), str(paths.data_dir), str(round_no)],
                                stdout=subprocess.PIPE, text=True)
        # Let it commit a few rows, then kill it at a random-ish moment mid-write.
        lines = [proc.stdout.readline().strip() for _ in range(3 + round_no % 5)]
        time.sleep((round_no % 7) * 0.003)
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        reported += [line for line in lines + rest.split() if line]
        assert integrity_problems(paths.db_file) == [], f"damaged after kill #{round_no + 1}"
    store = Store(paths.db_file)
    present = {r["id"] for r in store.query("SELECT id FROM staff WHERE active = 0")}
    store.close()
    missing = [row_id for row_id in reported if row_id not in present]
    assert len(reported) >= ROUNDS * 3
    assert missing == []
