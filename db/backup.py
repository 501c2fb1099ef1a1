"""Backups with SQLite's online backup API, integrity checks and restore.

Daily backups keep the newest 7; weekly ones (the first backup of each ISO week)
keep the newest 4. A restore first sets the current file aside, so nothing is
ever lost by restoring the wrong copy.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from core.clock import now_local, today_local
from core.errors import BackupError, DatabaseDamagedError
from core.fileio import replace_file
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


def backup_database(conn: sqlite3.Connection, dest_dir: Path, kind: str = "manual") -> Path:
    """Copy the live database into `dest_dir` (atomically) and verify the copy."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"motcua-{kind}-{_stamp(now_local())}{SUFFIX}"
    counter = 1
    while final.exists():
        final = dest_dir / f"motcua-{kind}-{_stamp(now_local())}-{counter}{SUFFIX}"
        counter += 1
    partial = final.with_suffix(".partial")
    _remove_stale_partials(dest_dir)
    try:
        target = sqlite3.connect(str(partial))
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        problems = integrity_problems(partial)
        if problems:
            raise BackupError("Bản sao lưu vừa tạo không đọc lại được.", details="\n".join(problems))
        with open(partial, "rb+") as f:
            os.fsync(f.fileno())
        replace_file(partial, final)
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


def auto_backup_if_due(conn: sqlite3.Connection, backups_dir: Path) -> Path | None:
    """The start-up backup: once per local day, then rotation."""
    backups_dir = Path(backups_dir)
    today = today_local()
    daily = [b for b in list_backups(backups_dir) if b.kind == "daily"]
    if any(b.taken_at.date() == today for b in daily):
        return None
    made = backup_database(conn, backups_dir / "daily", "daily")
    iso_week = today.isocalendar()[:2]
    weekly = [b for b in list_backups(backups_dir) if b.kind == "weekly"]
    if not any(b.taken_at.date().isocalendar()[:2] == iso_week for b in weekly):
        (backups_dir / "weekly").mkdir(parents=True, exist_ok=True)
        shutil.copy2(made, backups_dir / "weekly" / made.name.replace("-daily-", "-weekly-"))
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


def restore_database(db_file: Path, backup_file: Path, backups_dir: Path) -> Path:
    """Replace `db_file` with `backup_file`; returns where the replaced file was kept.

    The caller must have closed every connection to `db_file` first.
    """
    db_file, backup_file = Path(db_file), Path(backup_file)
    problems = integrity_problems(backup_file)
    if problems:
        raise BackupError("Bản sao lưu được chọn bị hỏng, không thể khôi phục từ bản này.",
                          details="\n".join(problems[:20]))
    aside_dir = Path(backups_dir) / "before-restore"
    aside_dir.mkdir(parents=True, exist_ok=True)
    aside = aside_dir / f"motcua-before-restore-{_stamp(now_local())}{SUFFIX}"
    try:
        if db_file.exists():
            # Keep the damaged or replaced file byte for byte (with its WAL), not a re-read copy.
            shutil.copy2(db_file, aside)
            for extra in ("-wal", "-shm"):
                side = Path(str(db_file) + extra)
                if side.exists():
                    shutil.copy2(side, Path(str(aside) + extra))
                    side.unlink()
        partial = db_file.with_suffix(".restoring")
        shutil.copy2(backup_file, partial)
        replace_file(partial, db_file)
    except OSError as exc:
        raise BackupError("Không khôi phục được: lỗi ghi tệp.", details=repr(exc)) from exc
    return aside


def backup_file_copy(db_file: Path, dest_dir: Path) -> Path:
    """Back up a database file that may be too damaged to open normally (byte copy)."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"motcua-damaged-{_stamp(now_local())}{SUFFIX}"
    shutil.copy2(db_file, dest)
    return dest
