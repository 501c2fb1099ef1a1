"""Writing files so that a power cut leaves either the old version or the new one, whole.

The one way every file the app replaces is written: into a temporary file in the same
folder, fsync, rename over the final name, fsync of the folder (POSIX keeps a rename only
once its folder is synced). Until the rename the old file is untouched; after the folder
sync the new one is on the disk. `tests/proof/test_power_cut.py` proves it on a file
system that drops everything not synced.

Files are created owner-only (0600) and folders 0700 where the OS has such modes.
A leaf module: `db` may import it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO, Callable

from core.fileio import replace_file

FILE_MODE = 0o600
DIR_MODE = 0o700
TMP_SUFFIX = ".tmp"


def fsync_dir(folder: Path) -> None:
    """Make the names in `folder` (creations, renames, deletions) durable. No-op on Windows,
    where a folder cannot be opened for fsync and NTFS journals its metadata."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(folder: Path) -> Path:
    """`folder` and missing parents, 0700, each new one recorded durably in its parent."""
    folder = Path(folder)
    if folder.is_dir():
        return folder
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        fsync_dir(new.parent)
    return folder


def temp_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_EXCL) -> BinaryIO:
    """A new file opened for writing with owner-only permissions from the start."""
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), FILE_MODE)
    return os.fdopen(fd, "wb")


def write_atomic(final: Path, writer: Callable[[BinaryIO], None]) -> Path:
    """Write `final` through `writer(file)` into a temporary file, then put it in place durably."""
    final = Path(final)
    ensure_dir(final.parent)
    tmp = temp_path_for(final)
    try:
        with open_private(tmp) as f:
            writer(f)
            f.flush()
            os.fsync(f.fileno())
        replace_file(tmp, final)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(final.parent)
    return final


def write_bytes_atomic(final: Path, data: bytes) -> Path:
    return write_atomic(final, lambda f: f.write(data))


def write_text_atomic(final: Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes_atomic(final, text.encode(encoding))


def copy_atomic(source: Path, final: Path) -> Path:
    """A durable copy of `source` at `final` (replacing it only once the copy is whole)."""
    def copy(out: BinaryIO) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
    return write_atomic(final, copy)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def replace_durably(tmp: Path, final: Path) -> Path:
    """A file written and closed elsewhere (e.g. by SQLite): sync it, rename it, sync the folder."""
    fsync_file(tmp)
    replace_file(tmp, final)
    fsync_dir(Path(final).parent)
    return Path(final)


def remove_durably(path: Path) -> bool:
    """Delete `path` (if there) and make the deletion durable."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        return False
    fsync_dir(Path(path).parent)
    return True


def restrict(path: Path) -> None:
    """Owner-only permissions on an existing file or folder (0600/0700); quiet where unsupported."""
    try:
        os.chmod(path, DIR_MODE if Path(path).is_dir() else FILE_MODE)
    except OSError:
        pass
