"""The product against the facts of an office Windows PC.

User profiles with Vietnamese letters and spaces, a data folder on a second drive letter, paths
longer than MAX_PATH, text files with CRLF line ends, the Windows font folders. Each runs
everywhere it means something: the pure-Python ones on Linux too, the Windows ones under
Windows Python (build/windows/build.sh runs this suite under Wine, with drive M: mapped and a
Vietnamese user profile).
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from core.printing import fonts
from tests.conftest import ROOT, SHARED

SAMPLE = SHARED / "samples" / "directives" / "4685_UBND-KGVX_2022-09-19.txt"
FALLBACK = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/UBND-KGVX\nQuảng Ngãi, ngày 05 tháng 3 năm 2025\n"
            "V/v triển khai số hóa hồ sơ\n1. UBND các xã, phường số hóa hồ sơ trước ngày 30/6/2025.\n"
            "2. Sở Nội vụ tổng hợp, báo cáo trước ngày 15/7/2025.\n")


def cli(*args, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, cwd=cwd,
                          env=env, stdin=subprocess.DEVNULL, encoding="utf-8", errors="replace", timeout=timeout)


def _full_round(data: Path, elsewhere: Path) -> None:
    """init → check → backup to another folder → a printed report, all in `data`."""
    done = cli("init", "--unit", "21484", "--staff", "Trần Văn Đức", "--data-dir", data, cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "Xã Ba Tơ" in done.stdout
    checked = cli("check", "--data-dir", data, cwd=elsewhere)
    assert checked.returncode == 0 and "Cơ sở dữ liệu tốt" in checked.stdout, checked.stderr
    backups = elsewhere / "sao lưu"
    backups.mkdir(exist_ok=True)
    saved = cli("backup", "--to", backups, "--data-dir", data, cwd=elsewhere)
    assert saved.returncode == 0, saved.stderr
    assert any(backups.iterdir())
    pdf = data / "Báo cáo mẫu.pdf"
    printed = cli("report", "sample", "--out", pdf, "--data-dir", data, cwd=elsewhere)
    assert printed.returncode == 0, printed.stderr
    assert pdf.stat().st_size > 10_000
    assert (data / "motcua.sqlite3").is_file()


def test_profile_path_with_vietnamese_letters_and_spaces(tmp_path):
    profile = tmp_path / "Cán bộ Một Cửa" / "Tài liệu của tôi"
    _full_round(profile / "Dữ liệu xã Ba Tơ", tmp_path)


def _second_drive() -> Path | None:
    """A writable drive other than the system drive: MOTCUA_TEST_SECOND_DRIVE, else the first found."""
    given = os.environ.get("MOTCUA_TEST_SECOND_DRIVE")
    if given:
        return Path(given)
    import ctypes

    system = os.environ.get("SystemDrive", "C:").upper()
    mask = ctypes.windll.kernel32.GetLogicalDrives()
    for index, letter in enumerate(string.ascii_uppercase):
        root = f"{letter}:\\"
        if not mask & (1 << index) or f"{letter}:" == system:
            continue
        if ctypes.windll.kernel32.GetDriveTypeW(root) == 3 and os.access(root, os.W_OK):  # DRIVE_FIXED
            return Path(root)
    return None


@pytest.mark.skipif(sys.platform != "win32", reason="drive letters exist only on Windows")
def test_data_folder_on_a_second_drive_letter(tmp_path):
    drive = _second_drive()
    if drive is None:
        pytest.skip("this PC has no second writable fixed drive (set MOTCUA_TEST_SECOND_DRIVE)")
    assert Path(tmp_path).drive.upper() != drive.drive.upper(), "the temporary folder is on that drive already"
    data = drive / f"MotCuaXa {uuid.uuid4().hex[:8]}" / "Dữ liệu"
    try:
        _full_round(data, tmp_path)  # backups and the work folder are on the system drive
        from core.paths import network_share_warning

        assert network_share_warning(data) is None  # a local drive, not a share
    finally:
        import shutil

        shutil.rmtree(data.parent, ignore_errors=True)


def test_paths_longer_than_max_path(tmp_path):
    deep = tmp_path
    while len(str(deep)) < 300:
        deep = deep / "Thư mục lưu trữ hồ sơ một cửa cấp xã"
    try:
        deep.mkdir(parents=True)
    except OSError as exc:
        if sys.platform == "win32":
            pytest.skip(f"long paths are not enabled on this Windows (LongPathsEnabled): {exc!r}")
        raise
    assert len(str(deep / "motcua.sqlite3")) > 260
    _full_round(deep, tmp_path)


def _directive_text() -> str:
    return SAMPLE.read_text(encoding="utf-8") if SAMPLE.exists() else FALLBACK


def test_crlf_text_reads_and_parses_like_lf(tmp_path):
    text = _directive_text().replace("\r\n", "\n")
    (tmp_path / "lf.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "crlf-bom.txt").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    results = [parse_directive(read_directive_file(tmp_path / name)) for name in ("lf.txt", "crlf.txt", "crlf-bom.txt")]
    as_json = [json.dumps([t.__dict__ if hasattr(t, "__dict__") else str(t) for t in r.tasks], ensure_ascii=False,
                          default=str) for r in results]
    assert results[0].tasks and as_json[0] == as_json[1] == as_json[2]
    assert "\r" not in as_json[1]


def test_crlf_text_through_the_command_line(tmp_path):
    text = _directive_text().replace("\r\n", "\n").replace("\n", "\r\n")
    source = tmp_path / "chỉ đạo CRLF.txt"
    source.write_bytes(text.encode("utf-8"))
    done = cli("parse-directive", "--json", source, "--data-dir", tmp_path / "data", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["tasks"] and "\r" not in done.stdout


def test_windows_font_folders_are_searched_case_insensitively(tmp_path, monkeypatch):
    windir = tmp_path / "Windows"
    (windir / "Fonts").mkdir(parents=True)
    for style, name in fonts._TIMES_FILES.items():  # Windows may list them as TIMES.TTF
        (windir / "Fonts" / name.upper()).write_bytes(fonts.bundled_font_files()[style].read_bytes())
    monkeypatch.setenv("WINDIR", str(windir))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    dirs = fonts._windows_font_dirs()
    assert dirs[0] == windir / "Fonts"
    assert tmp_path / "AppData" / "Local" / "Microsoft" / "Windows" / "Fonts" in dirs  # per-user fonts
    found = fonts.find_times_new_roman(dirs)
    assert found is not None and found["regular"].parent == windir / "Fonts"


@pytest.mark.skipif(sys.platform != "win32", reason="the system font folders of Windows")
def test_this_windows_prints_with_times_new_roman_or_the_bundled_font():
    code = ("from core.printing import fonts; s = fonts.register_fonts(); "
            "print(s.label); print(fonts.find_times_new_roman() is not None)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MOTCUA_PRINT_FONT", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    label, has_times = done.stdout.splitlines()[:2]
    # Times New Roman when Windows has it (every real office PC), Liberation Serif otherwise (Wine).
    assert label == ("Times New Roman" if has_times == "True" else "Liberation Serif"), done.stdout + done.stderr
