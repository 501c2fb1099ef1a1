"""Console output that cannot die on Vietnamese text.

On Windows, Python writes to a pipe or a file in the PC's ANSI code page unless UTF-8 mode is on
(`-X utf8`, which the frozen app's bootloader sets; see build/motcua.spec). An office PC's code
page is usually 1252 (no “Đ”, no “ữ”) or 1258 (Vietnamese, but only with combining accents: Python's
cp1258 codec cannot encode most precomposed letters either). There `print("Đã …")` raises
UnicodeEncodeError and a command fails after doing its work. So, before printing anything, a
stream whose encoding cannot carry Vietnamese is switched to UTF-8 — what the programs reading
this output (scripts, the province's tools, the tests) expect — with errors replaced rather than
raised. A real console (Python's Windows console writer, UTF-16 underneath) and UTF-8 streams
are left alone.
"""

from __future__ import annotations

import codecs
import sys

# Every Vietnamese letter form that single-byte code pages lack, upper and lower case.
VIETNAMESE_SAMPLE = "ĐđƠơƯư ẠảẤầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ “”–…"


def can_encode(encoding: str | None, text: str = VIETNAMESE_SAMPLE) -> bool:
    if not encoding:
        return False
    try:
        codecs.lookup(encoding)
        text.encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def make_safe(stream):
    """Switch `stream` to UTF-8 (errors replaced) when its encoding cannot carry Vietnamese.
    Returns True when it was switched. Streams that are None (a windowed program has no
    console) or cannot be reconfigured are left as they are."""
    if stream is None or can_encode(getattr(stream, "encoding", None)):
        return False
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return False
    try:
        stream.flush()
        reconfigure(encoding="utf-8", errors="replace")
    except (OSError, ValueError):  # closed or detached: nothing will be printed there anyway
        return False
    return True


def make_standard_streams_safe() -> None:
    """Called first by the entry point and the command line."""
    make_safe(sys.stdout)
    make_safe(sys.stderr)
