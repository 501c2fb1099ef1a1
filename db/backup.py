"""Backups with SQLite's online backup API, integrity checks and restore.

Daily backups keep the newest 7; weekly ones (the first backup of each ISO week)
keep the newest 4. A restore first sets the current file aside, so nothing is
ever lost by restoring the wrong copy.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from core import durable
from core.clock import now_local, today_local
from core.errors import BackupError, DatabaseDamagedError
from db.integrity import check_or_raise, integrity_problems  # noqa: F401 (part of this module's API)
from db.store import is_disk_full

KEEP_DAILY = 7
KEEP_WEEKLY = 4
SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # "daily", "weekly", "manual", "before-restore", "before-upgrade"
    taken_at: dt.datetime  # local time, from the file name
    size: int


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


ATTACHMENTS_TABLE = "backup_attachments"  # only in backup files, never in a workspace


def backup_database(conn: sqlite3.Connection, dest_dir: Path, kind: str = "manual",
                    attachments_dir: Path | None = None) -> Path:
    """Copy the live database, and every file under `attachments_dir`, into one file in `dest_dir`.

    The copy is a SQLite file: the workspace's tables plus `backup_attachments` (path, size,
    sha256, bytes). It is verified (integrity check, every attachment's hash) before it is
    fsynced and renamed to its final name, and the folder is fsynced after.
    """
    dest_dir = durable.ensure_dir(Path(dest_dir))
    final = dest_dir / f"motcua-{kind}-{_stamp(now_local())}{SUFFIX}"
    counter = 1
    while final.exists():
        final = dest_dir / f"motcua-{kind}-{_stamp(now_local())}-{counter}{SUFFIX}"
        counter += 1
    partial = final.with_suffix(".partial")
    _remove_stale_partials(dest_dir)
    try:
        durable.open_private(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC).close()  # owner-only from the start
        target = sqlite3.connect(str(partial))
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            if attachments_dir is not None:
                _store_attachments(target, Path(attachments_dir))
        finally:
            target.close()
        problems = verify_backup(partial)
        if problems:
            raise BackupError("Bản sao lưu vừa tạo không đọc lại được.", details="\n".join(problems))
        durable.replace_durably(partial, final)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise BackupError(f"Ổ đĩa đã đầy: không ghi được bản sao lưu vào “{dest_dir}”. Hãy giải phóng bớt "
                              "dung lượng rồi sao lưu lại.", details=repr(exc)) from exc
        raise BackupError(f"Không ghi được bản sao lưu vào “{dest_dir}”.", details=repr(exc)) from exc
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise BackupError(f"Ổ đĩa đã đầy: không ghi được bản sao lưu vào “{dest_dir}”. Hãy giải phóng bớt "
                              "dung lượng rồi sao lưu lại.", details=repr(exc)) from exc
        raise BackupError("Không sao lưu được cơ sở dữ liệu.", details=repr(exc)) from exc
    return final


def _attachment_files(attachments_dir: Path) -> list[Path]:
    if not attachments_dir.is_dir():
        return []
    return sorted(p for p in attachments_dir.rglob("*")
                  if p.is_file() and not (p.name.startswith(".") and p.name.endswith(durable.TMP_SUFFIX)))


def _store_attachments(target: sqlite3.Connection, attachments_dir: Path) -> None:
    target.execute(f"CREATE TABLE {ATTACHMENTS_TABLE} (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
                   "sha256 TEXT NOT NULL, data BLOB NOT NULL)")
    target.execute("BEGIN")
    for path in _attachment_files(attachments_dir):
        data = path.read_bytes()
        target.execute(f"INSERT INTO {ATTACHMENTS_TABLE} VALUES (?, ?, ?, ?)",
                       (path.relative_to(attachments_dir).as_posix(), len(data), hashlib.sha256(data).hexdigest(),
                        data))
    target.execute("COMMIT")


def _has_attachments(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (ATTACHMENTS_TABLE,)).fetchone() is not None


def verify_backup(path: Path) -> list[str]:
    """What is wrong with a backup file (empty when sound): SQLite's integrity check, then each
    attachment's size and SHA-256. A database-only backup (before attachments were included) is sound."""
    problems = integrity_problems(path)
    if problems:
        return problems
    conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        if not _has_attachments(conn):
            return []
        for rel, size, sha, data in conn.execute(f"SELECT path, size, sha256, data FROM {ATTACHMENTS_TABLE}"):
            if len(data) != size or hashlib.sha256(data).hexdigest() != sha or not _safe_relative(rel):
                problems.append(f"tệp đính kèm hỏng trong bản sao lưu: {rel}")
    except sqlite3.DatabaseError as exc:
        problems.append(str(exc))
    finally:
        conn.close()
    return problems


def backup_attachment_names(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        if not _has_attachments(conn):
            return []
        return [r[0] for r in conn.execute(f"SELECT path FROM {ATTACHMENTS_TABLE} ORDER BY path")]
    finally:
        conn.close()


def _safe_relative(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and ":" not in rel and "\\" not in rel


def _remove_stale_partials(dest_dir: Path, older_than_s: float = 3600) -> None:
    """Copies a crash (or a power cut) interrupted: each is a whole database, never listed, never used.

    Only those older than an hour: a backup running in another process right now is younger.
    """
    limit = time.time() - older_than_s
    for leftover in dest_dir.glob("*.partial"):
        try:
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
        except OSError:
            pass


def list_backups(backups_dir: Path) -> list[BackupInfo]:
    """Every backup file under `backups_dir`, newest first."""
    found = []
    for path in Path(backups_dir).rglob(f"motcua-*{SUFFIX}"):
        parts = path.stem.split("-")
        try:
            kind = "-".join(parts[1:-2])
            taken = dt.datetime.strptime(f"{parts[-2]}-{parts[-1]}", "%Y%m%d-%H%M%S")
        except (ValueError, IndexError):
            try:  # a "-N" counter suffix
                kind = "-".join(parts[1:-3])
                taken = dt.datetime.strptime(f"{parts[-3]}-{parts[-2]}", "%Y%m%d-%H%M%S")
            except (ValueError, IndexError):
                continue
        found.append(BackupInfo(path, kind, taken, path.stat().st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def newest_good_backup(backups_dir: Path) -> BackupInfo | None:
    for info in list_backups(backups_dir):
        if not integrity_problems(info.path):
            return info
    return None


def auto_backup_if_due(conn: sqlite3.Connection, backups_dir: Path, attachments_dir: Path | None = None) -> Path | None:
    """The start-up backup: once per local day, then rotation."""
    backups_dir = Path(backups_dir)
    today = today_local()
    daily = [b for b in list_backups(backups_dir) if b.kind == "daily"]
    if any(b.taken_at.date() == today for b in daily):
        return None
    made = backup_database(conn, backups_dir / "daily", "daily", attachments_dir)
    iso_week = today.isocalendar()[:2]
    weekly = [b for b in list_backups(backups_dir) if b.kind == "weekly"]
    if not any(b.taken_at.date().isocalendar()[:2] == iso_week for b in weekly):
        durable.copy_atomic(made, backups_dir / "weekly" / made.name.replace("-daily-", "-weekly-"))
    rotate(backups_dir)
    return made


def rotate(backups_dir: Path) -> list[Path]:
    """Drop daily backups beyond the newest 7 and weekly ones beyond the newest 4."""
    removed = []
    for kind, keep in (("daily", KEEP_DAILY), ("weekly", KEEP_WEEKLY)):
        for info in [b for b in list_backups(backups_dir) if b.kind == kind][keep:]:
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    return removed


def restore_database(db_file: Path, backup_file: Path, backups_dir: Path,
                     attachments_dir: Path | None = None) -> Path:
    """Replace `db_file` with `backup_file` (and bring back its attachments); returns where the
    replaced file was kept. The caller must have closed every connection to `db_file` first.

    Crash-safe order (a power cut at any point leaves the old workspace or the restored one):
    1. the backup is verified and its database part copied into a staging file, made durable;
    2. its attachments are written into `attachments_dir` (each atomically; a different file
       already under the same name is first kept beside the set-aside database) — the old
       database still finds every file it points to;
    3. the current database is checkpointed (its WAL folded in and emptied), copied aside
       durably (with its WAL when it could not be checkpointed), its WAL and shared-memory
       files removed durably, so no old WAL can ever be replayed onto the restored file;
    4. the staging file is renamed over the database and the folder fsynced.
    """
    db_file, backup_file = Path(db_file), Path(backup_file)
    problems = verify_backup(backup_file)
    if problems:
        raise BackupError("Bản sao lưu được chọn bị hỏng, không thể khôi phục từ bản này.",
                          details="\n".join(problems[:20]))
    stamp = _stamp(now_local())
    aside_dir = durable.ensure_dir(Path(backups_dir) / "before-restore")
    aside = aside_dir / f"motcua-before-restore-{stamp}{SUFFIX}"
    staging_dir = db_file.parent / ".restoring"
    try:
        shutil.rmtree(staging_dir, ignore_errors=True)
        durable.ensure_dir(staging_dir)
        staging = staging_dir / db_file.name
        durable.copy_atomic(backup_file, staging)
        _bring_back_attachments(staging, attachments_dir, aside_dir / f"attachments-before-restore-{stamp}")
        if db_file.exists():
            _set_aside(db_file, aside)
        durable.replace_durably(staging, db_file)
        shutil.rmtree(staging_dir, ignore_errors=True)
    except OSError as exc:
        raise BackupError("Không khôi phục được: lỗi ghi tệp. Dữ liệu đang dùng vẫn giữ nguyên.",
                          details=repr(exc)) from exc
    except sqlite3.Error as exc:
        raise BackupError("Không khôi phục được từ bản sao lưu này.", details=repr(exc)) from exc
    return aside


def _bring_back_attachments(staging: Path, attachments_dir: Path | None, kept_dir: Path) -> None:
    """Write the backup's attachments into place, drop them from the staging database, make it WAL."""
    conn = sqlite3.connect(str(staging), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = FULL")
        if _has_attachments(conn) and attachments_dir is not None:
            for rel, data in conn.execute(f"SELECT path, data FROM {ATTACHMENTS_TABLE}"):
                target = Path(attachments_dir) / rel
                if target.is_file():
                    if target.read_bytes() == data:
                        continue
                    durable.copy_atomic(target, kept_dir / rel)  # the current one is not lost either
                durable.write_bytes_atomic(target, data)
        if _has_attachments(conn):
            conn.execute(f"DROP TABLE {ATTACHMENTS_TABLE}")
            conn.execute("VACUUM")
        # WAL before it is put in place: switching later would go through a rollback journal whose
        # deletion SQLite does not sync, and that journal coming back after a power cut would undo
        # the switch and, with it, every transaction written to the WAL since.
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    durable.fsync_file(staging)


def _set_aside(db_file: Path, aside: Path) -> None:
    """Keep the current database (byte for byte) and remove its WAL for good."""
    sides = [Path(str(db_file) + extra) for extra in ("-wal", "-shm")]
    checkpointed = False
    try:
        conn = sqlite3.connect(str(db_file), isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous = FULL")
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            checkpointed = busy == 0
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a damaged file: it is kept as it is, with its WAL
    durable.copy_atomic(db_file, aside)
    if not checkpointed:
        for side in sides:
            if side.exists():
                durable.copy_atomic(side, Path(str(aside) + side.name[len(db_file.name):]))
    for side in sides:
        durable.remove_durably(side)


def backup_file_copy(db_file: Path, dest_dir: Path) -> Path:
    """Back up a database file that may be too damaged to open normally (byte copy)."""
    dest = Path(dest_dir) / f"motcua-damaged-{_stamp(now_local())}{SUFFIX}"
    return durable.copy_atomic(db_file, dest)
