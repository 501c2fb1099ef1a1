"""The hub's database file: page size chosen at creation, durability settings unchanged.

SQLite only (page size, WAL, checkpoints are facts of the hub.sqlite3 file), so this module does not
run on both stores; the PostgreSQL store's creation and upgrade: test_hub_postgres.py."""

from __future__ import annotations

import sqlite3

from core.hub import ingest
from core.hub import store as hubstore
from core.sync import outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub


def test_new_hub_database_has_large_pages_wal_and_full_sync(tmp_path):
    paths = hubstore.HubPaths(tmp_path / "hub")
    hubstore.init_hub(paths)
    with hubstore.open_hub(paths) as store:
        assert store.scalar("PRAGMA page_size") == hubstore.HUB_PAGE_SIZE
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA synchronous") == 2  # FULL
    hubstore.init_hub(paths)  # again: idempotent, nothing recreated
    with hubstore.open_hub(paths) as store:
        assert store.scalar("SELECT count(*) FROM hub_meta WHERE key = 'created_at'") == 1


def test_hub_made_with_small_pages_keeps_them_and_applies_bundles(tmp_path):
    """A hub created before the page size was chosen (4 KiB) is opened as it is."""
    root = tmp_path / "hub"
    root.mkdir()
    old = sqlite3.connect(root / hubstore.HUB_DB)
    old.execute("PRAGMA page_size = 4096")
    old.execute("PRAGMA journal_mode = WAL")
    old.close()
    hub = make_hub(root)
    commune = make_commune(tmp_path / "a", "21484", hub)
    try:
        add_rows(commune, 3)
        cut = outbox.cut_bundle(commune.store, commune.paths)
        with hub.store() as store:
            assert store.scalar("PRAGMA page_size") == 4096
            assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
            assert store.scalar("SELECT count(*) FROM rows WHERE unit = '21484'") == cut.records
    finally:
        commune.close()


def test_an_upload_is_durable_at_commit_and_copied_into_the_main_file_later(tmp_path):
    """The hub's COMMIT leaves the WAL checkpoint for later (HUB_CHECKPOINT_BYTES): a process that
    dies right after the answer still leaves every row behind, in the WAL it fsynced."""
    import subprocess
    import sys
    from pathlib import Path

    hub = make_hub(tmp_path / "hub")
    commune = make_commune(tmp_path / "a", "21484", hub)
    try:
        add_rows(commune, 40)
        cut = outbox.cut_bundle(commune.store, commune.paths)
    finally:
        commune.close()
    with hub.store() as store:
        pages = store.scalar("PRAGMA page_size")
        assert store.scalar("PRAGMA wal_autocheckpoint") == hubstore.HUB_CHECKPOINT_BYTES // pages
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from core.hub import ingest, store\n"
        "paths = store.HubPaths(Path(sys.argv[1]))\n"
        "hub = store.open_hub(paths)\n"
        "result = ingest.ingest_bytes(paths, hub, Path(sys.argv[2]).read_bytes(), via='usb')\n"
        "print(result.status, flush=True)\n"
        "os._exit(0)  # no close, no checkpoint: as if the power went off after the answer\n")
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", script, str(hub.paths.root), str(cut.path)], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "applied", done.stderr
    wal = Path(str(hub.paths.db_file) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the rows are in the WAL, not yet in the main file
    with hub.store() as store:
        assert store.scalar("PRAGMA integrity_check") == "ok"
        assert store.scalar("SELECT count(*) FROM rows WHERE unit = '21484'") == cut.records
    # The last connection to close copied the WAL into the main file.
    assert not wal.exists() or wal.stat().st_size == 0
    direct = sqlite3.connect(f"file:{hub.paths.db_file}?mode=ro&immutable=1", uri=True)
    try:
        assert direct.execute("SELECT count(*) FROM rows WHERE unit = '21484'").fetchone()[0] == cut.records
    finally:
        direct.close()
