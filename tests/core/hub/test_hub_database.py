"""The hub's database file: page size chosen at creation, durability settings unchanged."""

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
