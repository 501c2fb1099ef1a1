"""The command line prints Vietnamese on any console code page (core/console.py).

Office PCs' code pages are 1252 (Western) or 1258 (Vietnamese); Python writes pipes and files
in that code page unless UTF-8 mode is on, and neither can encode “Đ” or “ữ”. The commands
are run in a child Python whose streams are forced to each code page (PYTHONIOENCODING, on any
platform) and, on Windows, left to the system's own code page.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from core import console
from tests.conftest import ROOT

CODE_PAGES = ["cp1252", "cp1258"]


@pytest.mark.parametrize("encoding, ok", [("utf-8", True), ("utf-16", True), ("cp1252", False),
                                          ("cp1258", False), ("cp437", False), ("ascii", False),
                                          ("no-such-codec", False), (None, False)])
def test_can_encode(encoding, ok):
    assert console.can_encode(encoding) is ok


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_a_stream_in_a_code_page_is_switched_to_utf8(encoding):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="\n")
    assert console.make_safe(stream) is True
    stream.write("Xã Ba Tơ — Trần Văn Đức\n")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "Xã Ba Tơ — Trần Văn Đức\n"


def test_utf8_and_missing_streams_are_left_alone():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert console.make_safe(stream) is False
    assert console.make_safe(None) is False


def _run(code: str, tmp_path, **env_extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUTF8="0")
    env.pop("PYTHONIOENCODING", None)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL, timeout=240)


INIT = ("import sys, main; sys.exit(main.main(['init', '--unit', '21484', '--staff', 'Trần Văn Đức', "
        "'--data-dir', 'dữ liệu']))")
BAD = "import sys, main; sys.exit(main.main(['init', '--unit', '99999', '--data-dir', 'dữ liệu']))"
WITHOUT_PROTECTION = "import core.console as c; c.make_standard_streams_safe = lambda: None; "


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_init_prints_vietnamese_on_a_code_page_stream(tmp_path, encoding):
    done = _run(INIT, tmp_path, PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Xã Ba Tơ (mã 21484)" in done.stdout.decode("utf-8")
    bad = _run(BAD, tmp_path, PYTHONIOENCODING=encoding)
    assert bad.returncode == 2
    assert bad.stderr.decode("utf-8").startswith("Lỗi: Không có đơn vị hành chính mã “99999”")


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_without_the_switch_a_code_page_stream_breaks_the_command(tmp_path, encoding):
    # The negative check: the same command, protection removed, dies on the first Vietnamese letter.
    done = _run(WITHOUT_PROTECTION + INIT, tmp_path, PYTHONIOENCODING=encoding)
    assert done.returncode != 0
    assert b"UnicodeEncodeError" in done.stderr


@pytest.mark.skipif(sys.platform != "win32", reason="the ANSI code page of pipes exists only on Windows")
def test_init_prints_vietnamese_in_the_systems_own_code_page(tmp_path):
    import locale

    done = _run(INIT, tmp_path)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Xã Ba Tơ (mã 21484)" in done.stdout.decode("utf-8"), locale.getpreferredencoding(False)
