"""Backups hold the attachments (one verified file); restore brings them back; old backups still restore."""

from __future__ import annotations

import sqlite3

import pytest

from core.backups import backup_now, restore_from
from core.errors import BackupError
from core.tasks.store import add_progress, create_manual_task
from core.workspace import open_workspace
from db import backup


def _task(store) -> str:
    directive = store.insert("local_directives", {"number": "9/KH-UBND", "subject": "Thử"})
    return create_manual_task(store, directive_id=directive, content="Báo cáo số hóa")


def _attach(store, paths, tmp_path, name: str, data: bytes) -> str:
    source = tmp_path / name
    source.write_bytes(data)
    return add_progress(store, _task(store), note="Có tệp", attachments=[source],
                        attachments_dir=paths.attachments_dir)


def _attached_files(paths) -> dict[str, bytes]:
    return {p.relative_to(paths.attachments_dir).as_posix(): p.read_bytes()
            for p in paths.attachments_dir.rglob("*") if p.is_file()}


def test_backup_to_another_folder_holds_the_attachments_and_restore_brings_them_back(paths, commune_store, tmp_path):
    _attach(commune_store, paths, tmp_path, "bien-ban.pdf", b"%PDF-1.4 bien ban" * 100)
    _attach(commune_store, paths, tmp_path, "anh.jpg", bytes(range(256)) * 50)
    files = _attached_files(paths)
    assert len(files) == 2
    made = backup_now(commune_store, paths, tmp_path / "usb")
    assert made.parent == tmp_path / "usb"
    assert sorted(backup.backup_attachment_names(made)) == sorted(files)
    assert backup.verify_backup(made) == []
    commune_store.close()

    # Everything lost: database changed, attachments folder emptied.
    for path in paths.attachments_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    restore_from(paths, made)
    assert _attached_files(paths) == files
    store = open_workspace(paths)
    assert store.scalar("SELECT count(*) FROM task_progress WHERE attachments IS NOT NULL") == 2
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert backup.ATTACHMENTS_TABLE not in tables  # the restored workspace is a workspace, not a backup
    assert store.scalar("PRAGMA journal_mode") == "wal"
    store.close()


def test_a_changed_attachment_is_kept_aside_on_restore(paths, commune_store, tmp_path):
    _attach(commune_store, paths, tmp_path, "ke-hoach.docx", b"phien ban 1")
    made = backup_now(commune_store, paths)
    commune_store.close()
    (current,) = [p for p in paths.attachments_dir.rglob("*") if p.is_file()]
    current.write_bytes(b"phien ban 2")
    restore_from(paths, made)
    assert current.read_bytes() == b"phien ban 1"
    kept = [p for p in (paths.backups_dir / "before-restore").rglob("ke-hoach.docx")]
    assert [p.read_bytes() for p in kept] == [b"phien ban 2"]


def test_a_damaged_attachment_in_a_backup_is_refused_before_anything_changes(paths, commune_store, tmp_path):
    _attach(commune_store, paths, tmp_path, "a.txt", b"noi dung dung")
    made = backup_now(commune_store, paths)
    commune_store.close()
    conn = sqlite3.connect(made)
    conn.execute(f"UPDATE {backup.ATTACHMENTS_TABLE} SET data = ?", (b"noi dung sai",))
    conn.commit()
    conn.close()
    assert backup.verify_backup(made)
    before = paths.db_file.read_bytes()
    with pytest.raises(BackupError):
        restore_from(paths, made)
    assert paths.db_file.read_bytes() == before


def test_a_database_only_backup_from_before_still_restores(paths, commune_store, tmp_path):
    commune_store.insert("staff", {"full_name": "Người trong bản cũ", "active": 1})
    old = backup.backup_database(commune_store.conn, tmp_path / "old")  # no attachments: the old format
    assert backup.backup_attachment_names(old) == []
    _attach(commune_store, paths, tmp_path, "moi.txt", b"tep moi")
    commune_store.close()
    restore_from(paths, old)
    store = open_workspace(paths)
    assert store.scalar("SELECT count(*) FROM staff WHERE full_name = 'Người trong bản cũ'") == 1
    store.close()
    assert len(_attached_files(paths)) == 1  # files the restored database does not know are left alone


def test_restore_sets_aside_everything_committed_and_leaves_no_old_wal(paths, commune_store, tmp_path):
    made = backup_now(commune_store, paths)
    commune_store.insert("staff", {"full_name": "Chỉ có trong WAL", "active": 1})
    wal = paths.db_file.with_name(paths.db_file.name + "-wal")
    assert wal.stat().st_size > 0
    # A second connection keeps the WAL alive when the store closes, as the GUI's reader would.
    reader = sqlite3.connect(paths.db_file)
    reader.execute("SELECT 1").fetchone()
    commune_store.close()
    reader.close()
    aside = restore_from(paths, made)
    assert not wal.exists() or wal.stat().st_size == 0
    conn = sqlite3.connect(aside)
    assert conn.execute("SELECT count(*) FROM staff WHERE full_name = 'Chỉ có trong WAL'").fetchone()[0] == 1
    conn.close()
    store = open_workspace(paths)
    assert store.scalar("SELECT count(*) FROM staff WHERE full_name = 'Chỉ có trong WAL'") == 0
    store.close()
