"""`main.py --demo` with no display: one Vietnamese line and a non-zero exit, not Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.display import missing_display

ROOT = Path(__file__).resolve().parents[1]


def _env_without_display() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


@pytest.mark.skipif(sys.platform.startswith(("win", "darwin")), reason="there is always a display there")
def test_no_display_says_so_in_vietnamese(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--demo", "--data-dir", str(tmp_path / "d")],
                            env=_env_without_display(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: không tìm thấy màn hình"), result.stderr
    assert "qt.qpa" not in result.stderr and "xcb" not in result.stderr


@pytest.mark.skipif(sys.platform.startswith(("win", "darwin")), reason="there is always a display there")
def test_without_the_check_qt_aborts(tmp_path):
    """The negative check: with the test removed, Qt itself fails the start (SIGABRT here)."""
    code = ("import sys, core.display as d; d.missing_display = lambda *a, **k: None; import main; "
            f"sys.exit(main.main(['--demo', '--data-dir', {str(tmp_path / 'd')!r}]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env_without_display(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Lỗi: không tìm thấy màn hình" not in result.stderr


def test_missing_display_rules():
    assert missing_display({}, "linux")
    assert missing_display({"DISPLAY": ":0"}, "linux") is None
    assert missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert missing_display({}, "win32") is None and missing_display({}, "darwin") is None
