"""A crash in the middle of a write: SIGKILL of the app's writer at random points, 200 times.

A killed process leaves the OS page cache intact, so every write() that returned survives:
this proves crash consistency (transactions, atomic renames), not durability at a power cut —
with fsync turned off it still passes. `test_power_cut.py` is the power-cut proof.

Spread over the three writes a commune cannot afford to lose: dossier entry (80 kills), bundle
export into the outbox (60) and backup (60). After every kill:
- `PRAGMA integrity_check` is ok;
- everything the writer reported saved (it prints only after the function returned) is there;
- export: every bundle it reported is listed in the outbox table, every listed file is complete
  and verifies with the bundle reader (signature and hashes), the listed change ranges follow each
  other without a gap; a crash leaves at most an unlisted file, never a listed broken one;
- backup: every backup it reported is there and passes the integrity check; the backup list
  never shows a partial file.
At the end, one more cut gathers what was left, and every row reported saved is in a bundle.

    python -m pytest tests/proof/test_crash_safety.py -q
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import identity, outbox
from core.workspace import initialise, open_workspace
from db import backup as backups
from db.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = {"dossier": 80, "export": 60, "backup": 60}  # 200 in all
KILLS = {k: int(os.environ.get("PROOF_KILLS_" + k.upper(), v)) for k, v in KILLS.items()}
# How long the writer runs after it is ready before the kill: long enough for several saves,
# short enough that most kills land inside one (the delays are seeded, so a failure replays).
MAX_DELAY = {"dossier": 0.15, "export": 0.3, "backup": 0.3}

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]


def _workspace(root: Path) -> AppPaths:
    paths = AppPaths(root).ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Nguyễn Thị Hồng Nhung"])
    identity.configure(store, paths)
    store.close()
    return paths


def _run_and_kill(mode: str, paths: AppPaths, round_no: int, rng: random.Random) -> list[tuple[str, str]]:
    """Start the writer, let it work for a random moment, SIGKILL it; returns what it reported."""
    proc = subprocess.Popen([sys.executable, str(WRITER), mode, str(paths.data_dir), str(round_no)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("ready"), f"writer did not start: {first!r} {proc.stderr.read()}"
        time.sleep(rng.uniform(0, MAX_DELAY[mode]))
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"writer stopped on its own before the kill: {err}"
    return [tuple(line.split(" ", 1)) for line in rest.splitlines() if " " in line]


def _check_outbox(store: Store, paths: AppPaths, verified: set[str]) -> int:
    """Listed bundles complete and verified, ranges contiguous; returns the unlisted leftovers."""
    public = identity.commune_keypair(paths).public
    rows = store.query("SELECT bundle_id, file_name, seq_from, seq_to, records FROM sync_outbox ORDER BY seq_from")
    expected_from = 1
    for row in rows:
        assert row["seq_from"] == expected_from, f"gap or overlap in the outbox ranges: {rows}"
        expected_from = row["seq_to"] + 1
        path = paths.outbox_dir / row["file_name"]
        assert path.is_file(), f"listed bundle lost: {row}"
        if row["bundle_id"] not in verified:
            opened = bundlemod.open_bundle(path, lambda manifest: public)  # raises on a half-written file
            assert opened.bundle_id == row["bundle_id"] and len(opened.records()) == row["records"]
            verified.add(row["bundle_id"])
    listed = {r["file_name"] for r in rows}
    leftovers = [p for p in paths.outbox_dir.iterdir()
                 if p.is_file() and p.name not in listed and p.name != outbox.CUT_MARKER]
    return len(leftovers)


def _check_backups(paths: AppPaths, reported: list[str]) -> int:
    """Reported backups present and sound; the list shows only sound files. Returns partial leftovers."""
    listed = backups.list_backups(paths.backups_dir)
    names = {b.path.name for b in listed}
    for name in reported:
        assert name in names, f"reported backup lost: {name}"
    for info in listed:
        assert backups.integrity_problems(info.path) == [], f"the backup list shows a damaged file: {info.path}"
    return len(list(paths.backups_dir.rglob("*.partial")))


@pytest.mark.parametrize("mode", list(KILLS))
def test_sigkill_mid_write_loses_nothing_reported_saved(tmp_path, mode):
    paths = _workspace(tmp_path / mode)
    rng = random.Random(f"crash-{mode}")
    rows: list[str] = []
    bundles: list[str] = []
    backup_names: list[str] = []
    verified: set[str] = set()
    leftovers = 0
    for round_no in range(1, KILLS[mode] + 1):
        for kind, value in _run_and_kill(mode, paths, round_no, rng):
            {"row": rows, "bundle": bundles, "backup": backup_names}[kind].append(value)
        assert backups.integrity_problems(paths.db_file) == [], f"database damaged after kill #{round_no}"
        store = Store(paths.db_file)
        try:
            table = "dossiers" if mode == "dossier" else "staff"
            present = {r["id"] for r in store.query(f"SELECT id FROM [{table}] WHERE deleted_at IS NULL")}
            lost = [r for r in rows if r not in present]
            assert lost == [], f"kill #{round_no}: {len(lost)} rows reported saved are gone"
            if mode == "export":
                listed = {r["bundle_id"] for r in store.query("SELECT bundle_id FROM sync_outbox")}
                assert set(bundles) <= listed, f"kill #{round_no}: a reported bundle is not in the outbox"
                leftovers = _check_outbox(store, paths, verified)
            if mode == "backup":
                leftovers = _check_backups(paths, backup_names)
        finally:
            store.close()
    # Enough work was actually interrupted to mean something.
    assert len(rows) >= KILLS[mode], f"only {len(rows)} saves in {KILLS[mode]} rounds"
    if mode == "export":
        assert len(bundles) >= KILLS[mode] // 2
        store = open_workspace(paths)
        outbox.cut_bundle(store, paths)  # what the next sync would send
        _check_outbox(store, paths, verified)
        public = identity.commune_keypair(paths).public
        in_bundles = set()
        for row in store.query("SELECT file_name FROM sync_outbox"):
            opened = bundlemod.open_bundle(paths.outbox_dir / row["file_name"], lambda m: public)
            in_bundles |= {r["id"] for r in opened.records() if r["t"] == "staff"}
        store.close()
        assert set(rows) <= in_bundles, "a row reported saved never made it into a bundle"
    if mode == "backup":
        assert len(backup_names) >= KILLS[mode] // 2
    print(f"{mode}: {KILLS[mode]} kills, {len(rows)} rows, {len(bundles)} bundles, {len(backup_names)} backups "
          f"reported saved, all present; unlisted leftovers at the end: {leftovers}")
