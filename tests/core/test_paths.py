import sys
from pathlib import Path

import pytest

from core import paths as paths_module
from core.paths import AppPaths, resolve_paths


def test_data_dir_argument_wins(tmp_path):
    assert resolve_paths(tmp_path / "x").data_dir == (tmp_path / "x").resolve()


def test_demo_uses_its_own_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(paths_module, "is_portable", lambda: False)
    import platformdirs  # core.paths imports it only when no folder is given

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "user"))
    assert resolve_paths().data_dir == tmp_path / "user"
    assert resolve_paths(demo=True).data_dir == tmp_path / "user" / "demo"


def test_portable_marker_keeps_data_beside_the_executable(monkeypatch, tmp_path):
    (tmp_path / "portable.txt").write_text("")
    monkeypatch.setattr(paths_module, "executable_dir", lambda: tmp_path)
    assert resolve_paths().data_dir == tmp_path / "data"


def test_ensure_creates_the_folders(tmp_path):
    p = AppPaths(tmp_path / "d").ensure()
    for folder in (p.backups_dir, p.logs_dir, p.attachments_dir, p.outbox_dir, p.keys_dir):
        assert folder.is_dir()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no mount table: shares are UNC paths or remote drives")
def test_network_share_is_detected_from_mounts(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//server/share {tmp_path}/share cifs rw 0 0\n")
    (tmp_path / "share" / "data").mkdir(parents=True)
    real = paths_module._mount_fstype
    monkeypatch.setattr(paths_module, "_mount_fstype", lambda p: real(p, str(mounts)))
    warning = paths_module.network_share_warning(tmp_path / "share" / "data")
    assert warning and "ổ mạng" in warning
    assert paths_module.network_share_warning(Path("/")) is None


@pytest.mark.skipif(sys.platform != "win32", reason="UNC paths and drive types are Windows'")
def test_network_share_is_detected_on_windows(tmp_path):
    warning = paths_module.network_share_warning(Path(r"\\may-chu\du-lieu\motcua-xa"))
    assert warning and "ổ mạng" in warning
    assert paths_module.network_share_warning(tmp_path) is None  # the local system drive


def test_a_path_the_system_cannot_resolve_is_made_absolute(tmp_path, monkeypatch):
    # Windows (and Wine) may refuse to say what a path beyond MAX_PATH resolves to (WinError 234).
    def refuse(self, strict=False):
        raise OSError(234, "More data is available")

    monkeypatch.setattr(Path, "resolve", refuse)
    monkeypatch.chdir(tmp_path)
    assert resolve_paths("dữ liệu").data_dir == tmp_path / "dữ liệu"
