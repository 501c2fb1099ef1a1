"""Files at rest are the user's alone: 0600 files, 0700 folders, for new and for older workspaces."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.paths import AppPaths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(data_dir: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # A permissive umask, as a user session usually has: the app must not depend on it.
    return subprocess.run(["sh", "-c", 'umask 022; exec "$@"', "sh", sys.executable, str(ROOT / "main.py"),
                           "--data-dir", str(data_dir), *args],
                          check=True, capture_output=True, text=True, env=env).stdout


def test_a_new_workspace_with_demo_data_is_private(tmp_path):
    data, usb = tmp_path / "data", tmp_path / "usb"
    _cli(data, "init", "--unit", "21484", "--staff", "Nguyễn Văn A")
    _cli(data, "demo-data")
    _cli(data, "backup")
    out = _cli(data, "backup", "--to", str(usb))
    assert "3 tệp đính kèm" in out
    paths = AppPaths(data)
    files = [p for p in data.rglob("*") if p.is_file()] + list(usb.iterdir())
    folders = [data, usb] + [p for p in data.rglob("*") if p.is_dir()]
    assert paths.db_file in files and (paths.logs_dir / "motcua.log") in files
    assert any(p.parent.parent == paths.backups_dir for p in files)
    assert any(p.is_relative_to(paths.attachments_dir) for p in files)
    assert {str(p): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    assert {str(p): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}


def test_an_older_workspace_is_made_private_when_opened(tmp_path):
    from core.workspace import open_workspace

    paths = AppPaths(tmp_path / "old")
    for folder in (paths.data_dir, paths.backups_dir / "daily", paths.logs_dir):
        folder.mkdir(parents=True)
        os.chmod(folder, 0o755)
    open_workspace(paths).close()
    (paths.backups_dir / "daily" / "motcua-daily-20260101-010101.sqlite3").write_bytes(b"x")
    (paths.logs_dir / "motcua.log").write_text("old log")
    for path in [paths.db_file, *paths.data_dir.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(paths.data_dir, 0o755)
    foreign = paths.data_dir / "ghi-chu-cua-nguoi-dung.txt"  # --data-dir may point at a folder with other things
    foreign.write_text("x")
    os.chmod(foreign, 0o644)
    open_workspace(paths).close()
    assert _mode(foreign) == 0o644
    assert _mode(paths.db_file) == 0o600 and _mode(paths.data_dir) == 0o700
    assert _mode(paths.logs_dir / "motcua.log") == 0o600 and _mode(paths.backups_dir / "daily") == 0o700
