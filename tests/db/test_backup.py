import datetime as dt
import os
import sqlite3

import pytest

from core import clock
from core.backups import restore_from
from core.errors import BackupError, DatabaseDamagedError
from core.workspace import open_workspace
from db import backup


def test_backup_and_restore_round_trip(paths, commune_store):
    store = commune_store
    store.insert("staff", {"full_name": "Người trước sao lưu", "active": 1})
    made = backup.backup_database(store.conn, paths.backups_dir / "manual")
    assert backup.integrity_problems(made) == []
    store.insert("staff", {"full_name": "Người sau sao lưu", "active": 1})
    store.close()

    aside = restore_from(paths, made)
    assert aside.exists()
    reopened = open_workspace(paths)
    names = {r["full_name"] for r in reopened.query("SELECT full_name FROM staff")}
    assert "Người trước sao lưu" in names and "Người sau sao lưu" not in names
    reopened.close()
    # The replaced file was kept: the later row is still in it.
    conn = sqlite3.connect(aside)
    assert conn.execute("SELECT count(*) FROM staff WHERE full_name = 'Người sau sao lưu'").fetchone()[0] == 1
    conn.close()


def _damage(path):
    size = path.stat().st_size
    with open(path, "r+b") as f:
        # Overwrite pages in the middle of the file (not the header): a torn write on power loss.
        f.seek(min(size // 2, 8192))
        f.write(os.urandom(4096))


def test_damaged_file_is_detected_and_restore_works(paths, commune_store):
    store = commune_store
    for i in range(300):
        store.insert("staff", {"full_name": f"Cán bộ {i}", "position": "x" * 200, "active": 1})
    good = backup.backup_database(store.conn, paths.backups_dir / "daily", "daily")
    store.close()
    _damage(paths.db_file)
    assert backup.integrity_problems(paths.db_file)
    with pytest.raises(DatabaseDamagedError):
        open_workspace(paths)
    newest = backup.newest_good_backup(paths.backups_dir)
    assert newest.path == good
    restore_from(paths, newest.path)
    reopened = open_workspace(paths)
    assert reopened.scalar("SELECT count(*) FROM staff WHERE full_name LIKE 'Cán bộ %'") == 300
    reopened.close()
    damaged_kept = list((paths.backups_dir / "before-restore").glob("*.sqlite3"))
    assert damaged_kept, "the damaged file must be kept, never deleted"


def test_restore_refuses_a_damaged_backup(paths, commune_store, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    commune_store.close()
    before = paths.db_file.read_bytes()
    with pytest.raises(BackupError):
        backup.restore_database(paths.db_file, bad, paths.backups_dir)
    assert paths.db_file.read_bytes() == before


def test_daily_backup_once_a_day_and_rotation(paths, commune_store):
    store = commune_store
    start = dt.datetime(2026, 1, 1, 1, 0, tzinfo=clock.LOCAL_TZ)
    try:
        for day in range(20):
            clock.freeze(start + dt.timedelta(days=day))
            assert backup.auto_backup_if_due(store.conn, paths.backups_dir) is not None
            assert backup.auto_backup_if_due(store.conn, paths.backups_dir) is None  # same day: nothing
    finally:
        clock.freeze(None)
    kinds = [b.kind for b in backup.list_backups(paths.backups_dir)]
    assert kinds.count("daily") == backup.KEEP_DAILY
    assert kinds.count("weekly") == backup.KEEP_WEEKLY
