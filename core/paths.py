"""The one place that decides where data lives.

Order: `--data-dir DIR` if given; else portable mode when a `portable.txt`
marker sits beside the executable (data then lives in `data/` beside it, for a
USB stick); else the per-user data folder from platformdirs. The demo
workspace gets its own folder so it never mixes with real data.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from core import APP_ID

PORTABLE_MARKER = "portable.txt"
DB_FILENAME = "motcua.sqlite3"
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "sshfs",
                       "9p", "afs", "ncpfs", "davfs", "fuse.davfs2", "glusterfs", "ceph"}


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path

    @property
    def db_file(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    def ensure(self) -> "AppPaths":
        """The data folder and its sub-folders, private to the user (see `make_private`)."""
        make_private_from_now()
        for folder in (self.data_dir, self.backups_dir, self.logs_dir, self.attachments_dir,
                       self.outbox_dir, self.inbox_dir, self.keys_dir, self.reports_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        restrict_existing(self)
        return self


PRIVATE_UMASK = 0o077


def make_private_from_now() -> None:
    """Every file and folder this process creates from now on is owner-only (0600/0700 on
    POSIX): the database with its WAL and shared-memory files (SQLite gives them the
    database's mode), logs (rotated ones too), backups, bundles, keys, attachments, reports.
    Citizens' dossier codes and the unit's signing key are nobody else's business on a shared PC."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def restrict_existing(paths: "AppPaths") -> None:
    """A workspace made by an earlier version (files 0644, folders 0755): owner-only, once.

    Checked cheaply on every start by the data folder's own mode; the walk runs only when
    something is still open to others."""
    if os.name != "posix":
        return
    try:
        if not paths.data_dir.stat().st_mode & 0o077 and not (
                paths.db_file.exists() and paths.db_file.stat().st_mode & 0o077):
            return
    except OSError:
        return
    # Only what the app keeps there: a data folder chosen with --data-dir may hold other things.
    for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm", "provision.json"):
        if (paths.data_dir / name).exists():
            _chmod(paths.data_dir / name, 0o600)
    for sub in (paths.backups_dir, paths.logs_dir, paths.attachments_dir, paths.outbox_dir, paths.inbox_dir,
                paths.keys_dir, paths.reports_dir):
        _chmod(sub, 0o700)
        for root, folders, files in os.walk(sub):
            for name in files:
                _chmod(Path(root) / name, 0o600)
            for name in folders:
                _chmod(Path(root) / name, 0o700)
    _chmod(paths.data_dir, 0o700)


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:
        pass


def executable_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    return (executable_dir() / PORTABLE_MARKER).exists()


def resolve_paths(data_dir: str | os.PathLike | None = None, *, demo: bool = False) -> AppPaths:
    if data_dir:
        return AppPaths(_absolute(Path(data_dir).expanduser()))
    if is_portable():
        base = executable_dir() / "data"
    else:
        import platformdirs  # only when no folder was given: --data-dir and portable mode skip it

        base = Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=False))
    return AppPaths((base / "demo") if demo else base)


def _absolute(path: Path) -> Path:
    """`path` resolved; where the system cannot say what a long path resolves to (Windows
    calls beyond MAX_PATH may answer ERROR_MORE_DATA, WinError 234), made absolute instead."""
    try:
        return path.resolve()
    except OSError:
        return Path(os.path.abspath(path))


def network_share_warning(path: Path) -> str | None:
    """A Vietnamese warning when `path` is on a network share, else None.

    SQLite's locking is unreliable over SMB/NFS: two PCs opening the same file
    over the network can corrupt it.
    """
    if _is_network_path(path):
        return (f"Thư mục dữ liệu “{path}” nằm trên ổ mạng dùng chung. Cơ sở dữ liệu phải nằm trên ổ đĩa "
                "của chính máy này, nếu không có thể bị hỏng khi mất mạng hoặc khi hai máy cùng mở. "
                "Hãy chọn một thư mục trên ổ C: hoặc D: của máy.")
    return None


def _is_network_path(path: Path) -> bool:
    text = str(path)
    if sys.platform == "win32":
        if text.startswith("\\\\"):
            return True
        try:
            import ctypes

            drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
            DRIVE_REMOTE = 4
            return ctypes.windll.kernel32.GetDriveTypeW(drive) == DRIVE_REMOTE
        except Exception:
            return False
    return _mount_fstype(path) in NETWORK_FILESYSTEMS


def _mount_fstype(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    try:
        with open(mounts_file, encoding="utf-8") as f:
            mounts = [line.split()[1:3] for line in f if len(line.split()) >= 3]
    except OSError:
        return None
    target = str(path.resolve())
    best, best_type = "", None
    for mount_point, fstype in mounts:
        mount_point = mount_point.replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, best_type = mount_point, fstype
    return best_type
