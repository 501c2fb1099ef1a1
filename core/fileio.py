"""Replacing a file the Windows way: another program may hold it open.

POSIX lets a file be renamed over while others have it open; Windows does not. `os.replace`
there fails with PermissionError (WinError 5 or 32) while the target — or the new file — is
open in another program without delete sharing: the report still open in Excel or a PDF viewer,
the antivirus or the search indexer reading a file just written (for a moment), a backup tool.
So every "write beside, then rename over" in the app goes through `replace_file`, which waits a
little for the brief holders and then says in Vietnamese what to do about the lasting ones.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.errors import AppError

# Antivirus and indexer holds last tens to hundreds of milliseconds; a person's open file
# lasts until they close it: wait long enough for the first, not the second.
DEFAULT_WAIT = 2.0


class FileInUseError(AppError, PermissionError):
    """The file cannot be replaced: another program has it open. Also a PermissionError, so
    callers that clean up or explain on OSError/PermissionError keep doing so."""


def replace_file(src: str | os.PathLike, dst: str | os.PathLike, *, wait: float = DEFAULT_WAIT) -> None:
    """os.replace(src, dst), retried for up to `wait` seconds while another program holds a
    file open (Windows); then FileInUseError. `src` is left in place on failure."""
    deadline = time.monotonic() + wait
    pause = 0.02
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            if time.monotonic() + pause > deadline:
                name = Path(dst).name
                raise FileInUseError(
                    f"Không ghi được tệp “{name}” vì tệp đang được mở trong một chương trình khác "
                    "(ví dụ Excel hoặc trình xem PDF). Hãy đóng tệp đó rồi thử lại.",
                    details=f"os.replace({os.fspath(src)!r}, {os.fspath(dst)!r}): {exc!r}") from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
