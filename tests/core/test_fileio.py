"""Replacing a file another program holds open (core/fileio.py).

Windows refuses os.replace over a file open elsewhere without delete sharing (Excel, a PDF
viewer, the antivirus for a moment); POSIX allows it. The simulated holds run everywhere; the
real ones need Windows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from core import fileio
from core.errors import AppError


def _files(tmp_path):
    src, dst = tmp_path / "mới.xlsx", tmp_path / "báo cáo.xlsx"
    src.write_text("new", encoding="utf-8")
    dst.write_text("old", encoding="utf-8")
    return src, dst


def _held_for(monkeypatch, failures: int | None):
    """os.replace fails with Windows' sharing violation `failures` times (None: always)."""
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(1)
        if failures is None or len(calls) <= failures:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process",
                                  str(dst), 32)
        real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", replace)
    return calls


def test_a_brief_hold_is_waited_out(tmp_path, monkeypatch):
    src, dst = _files(tmp_path)
    calls = _held_for(monkeypatch, failures=3)
    fileio.replace_file(src, dst)
    assert dst.read_text(encoding="utf-8") == "new" and not src.exists()
    assert len(calls) == 4


def test_a_lasting_hold_gives_a_vietnamese_error_and_keeps_both_files(tmp_path, monkeypatch):
    src, dst = _files(tmp_path)
    _held_for(monkeypatch, failures=None)
    with pytest.raises(fileio.FileInUseError) as caught:
        fileio.replace_file(src, dst, wait=0.2)
    error = caught.value
    assert isinstance(error, AppError) and isinstance(error, PermissionError)  # old handlers still catch it
    assert "“báo cáo.xlsx”" in error.message and "đang được mở" in error.message
    assert src.read_text(encoding="utf-8") == "new" and dst.read_text(encoding="utf-8") == "old"


def test_without_retrying_a_brief_hold_fails_the_save(tmp_path, monkeypatch):
    # The negative check: the same brief hold, wait=0 (no retry), and the save is lost.
    src, dst = _files(tmp_path)
    _held_for(monkeypatch, failures=1)
    with pytest.raises(fileio.FileInUseError):
        fileio.replace_file(src, dst, wait=0)


def test_pdf_writer_reports_a_held_file_in_vietnamese(tmp_path, monkeypatch):
    from core.printing import blocks as b
    from core.printing.document import build_pdf

    _held_for(monkeypatch, failures=None)
    with pytest.raises(AppError) as caught:
        build_pdf([b.title("THỬ")], tmp_path / "phiếu.pdf", report_id="T-1", data={"n": 1})
    assert "phiếu.pdf" in caught.value.message
    assert not [p for p in tmp_path.iterdir() if p.name != "phiếu.pdf"], "temporary file left behind"


HOLDER = ("import sys, time; f = open(sys.argv[1], 'rb'); print('open', flush=True); "
          "sys.stdin.readline(); f.close(); print('closed', flush=True); time.sleep(30)")


def _hold(path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


@pytest.mark.skipif(sys.platform != "win32", reason="POSIX lets a file open elsewhere be replaced")
def test_windows_refuses_to_replace_a_file_another_process_holds(tmp_path):
    src, dst = _files(tmp_path)
    holder = _hold(dst)
    try:
        try:
            os.replace(src, dst)
        except PermissionError:
            pass
        else:
            pytest.skip("this Windows (Wine) replaced a file held open by another process")
        with pytest.raises(fileio.FileInUseError):
            fileio.replace_file(src, dst, wait=0.3)
        # Released while replace_file waits: the save goes through.
        threading.Timer(0.3, lambda: (holder.stdin.write("\n"), holder.stdin.flush())).start()
        started = time.monotonic()
        fileio.replace_file(src, dst, wait=10)
        assert dst.read_text(encoding="utf-8") == "new"
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows refuses it (the test above)")
def test_posix_replaces_a_file_another_process_holds(tmp_path):
    src, dst = _files(tmp_path)
    holder = _hold(dst)
    try:
        fileio.replace_file(src, dst, wait=0)
        assert dst.read_text(encoding="utf-8") == "new"
    finally:
        holder.kill()
        holder.wait()
