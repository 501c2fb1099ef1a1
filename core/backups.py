"""Backup actions as the app offers them: back up now, list, restore (keeping the current file)."""

from __future__ import annotations

from pathlib import Path

from core.paths import AppPaths
from core.workspace import open_workspace
from db import backup as backups
from db.store import Store


def backup_now(store: Store, paths: AppPaths, dest_dir: Path | None = None) -> Path:
    """A backup of the database and every attachment, in one verified file."""
    return backups.backup_database(store.conn, dest_dir or paths.backups_dir / "manual", "manual",
                                   paths.attachments_dir)


def restore_from(paths: AppPaths, backup_file: Path) -> Path:
    """Restore with every connection closed; returns where the replaced file was kept."""
    aside = backups.restore_database(paths.db_file, Path(backup_file), paths.backups_dir, paths.attachments_dir)
    open_workspace(paths).close()  # migrate an older backup now, so the app opens it cleanly
    return aside
