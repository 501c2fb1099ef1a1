"""Is this file a healthy SQLite database? (PRAGMA quick_check / integrity_check)

Its own small module, importing only sqlite3: the window's start-up runs the quick check
first thing on its opening thread, while the UI thread loads Qt. SQLite releases the GIL
while it checks, so the two really run side by side; the rest of the database code is
imported after it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.errors import DatabaseDamagedError


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """Empty list when the file is a healthy SQLite database; otherwise what is wrong.

    `quick` runs PRAGMA quick_check: every page and row, but not index-vs-table
    consistency — a fraction of the time, for start-up, before the full check runs in the
    background.
    """
    path = Path(path)
    if not path.exists():
        return [f"không có tệp {path}"]
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
        try:
            pragma = "quick_check" if quick else "integrity_check"
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def check_or_raise(path: Path, *, quick: bool = False) -> None:
    problems = integrity_problems(path, quick=quick)
    if problems:
        raise DatabaseDamagedError(
            "Cơ sở dữ liệu bị hỏng. Hãy khôi phục từ bản sao lưu gần nhất còn tốt.",
            details="\n".join(problems[:20]))
