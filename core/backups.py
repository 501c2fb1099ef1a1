"""Backup actions as the app offers them: back up now, list, restore (keeping the current file)."""

from __future__ import annotations

from pathlib import Path

from core.paths import AppPaths
from core.workspace import open_workspace
from db import backup as backups
from db.store import Store


def backup_now(store: Store, paths: AppPaths, dest_dir: Path | None = None) -> Path:
    return backups.backup_database(store.conn, dest_dir or paths.backups_dir / "manual", "manual")


def restore_from(paths: AppPaths, backup_file: Path) -> Path:
    """Restore with every connection closed; returns where the replaced file was kept."""
    from core.clock import utc_iso

    started = utc_iso()
    aside = backups.restore_database(paths.db_file, Path(backup_file), paths.backups_dir)
    store = open_workspace(paths)  # migrate an older backup now, so the app opens it cleanly
    try:
        _new_sync_device(store, paths, started)
    finally:
        store.close()
    return aside


def _new_sync_device(store: Store, paths: AppPaths, started: str):
    """The restored database becomes a new sync device with a new key (issue 13): the hub must
    register that key before the PC can sync again (core.sync.device)."""
    from core.sync.device import new_after_restore

    return new_after_restore(store, paths, started)
