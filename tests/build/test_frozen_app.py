"""The frozen app (PyInstaller one-folder build) works where staff run it: no Python, no source tree.

Built once per test session into a temporary folder (about 1.5–3 minutes on 2 cores), or taken
from MOTCUA_FROZEN_DIR when CI has already built it (the Windows workflow builds once and points
the tests at dist/MotCuaXa). Every command runs with a scrubbed environment from a folder outside
the checkout, so a file found only through the source tree would fail here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.build.helpers import ROOT, load_build_module
from tests.build.icu_probe import assert_vietnamese_works, run_probe
from tests.pdftools import pdffonts, pdftotext

pytestmark = pytest.mark.slow

SAMPLE_DIRECTIVE = ROOT.parent / "shared" / "samples" / "directives" / "4685_UBND-KGVX_2022-09-19.txt"
FORBIDDEN_IN_BUNDLE = ("QtWebEngine", "Qt6Qml", "Qt6Quick", "VirtualKeyboard", "tkinter", "_tkinter",
                       "numpy", "qgtk3", "qeglfs", "qtvirtualkeyboard")


class Frozen:
    def __init__(self, folder: Path, zips: dict[str, Path]):
        self.folder = folder
        self.zips = zips
        build = load_build_module("build")
        self.gui = folder / build.executable_name()
        self.cli = folder / build.cli_executable_name()

    def env(self, home: Path) -> dict:
        env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "USERPROFILE": str(home),
               "LANG": "C", "LC_ALL": "C",  # a bare system's locale: output must still be UTF-8
               "XDG_DATA_HOME": str(home / "share"), "APPDATA": str(home), "LOCALAPPDATA": str(home)}
        for name in ("PATH", "SYSTEMROOT", "SYSTEMDRIVE", "TEMP", "TMP", "WINDIR", "COMSPEC", "PATHEXT"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def run(self, *args, home: Path, exe: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe or self.cli), *map(str, args)], capture_output=True, timeout=timeout,
                              cwd=home, env=self.env(home), encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def frozen(tmp_path_factory) -> Frozen:
    prebuilt = os.environ.get("MOTCUA_FROZEN_DIR")
    if prebuilt:
        folder = Path(prebuilt).resolve()
        if not folder.is_dir():
            pytest.fail(f"MOTCUA_FROZEN_DIR={prebuilt} is not a folder")
        zips = {"portable": next(folder.parent.glob(f"{folder.name}-*-portable.zip"), None)}
        return Frozen(folder, zips)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.skip("PyInstaller is not installed (pip install -e \".[build]\"): the frozen build cannot be made")
    build = load_build_module("build")
    out = tmp_path_factory.mktemp("frozen")
    try:
        result = build.build(out / "dist", out / "work")
    except build.BuildError as exc:
        pytest.fail(f"frozen build failed: {exc}")
    print(f"\nfrozen build: {result['folder_mb']:.1f} MB folder, {result['zip_mb']:.1f} MB zip, "
          f"{result['seconds']:.0f} s")
    shutil.rmtree(out / "work", ignore_errors=True)
    return Frozen(result["folder"], {"plain": result["zip"], "portable": result["portable_zip"]})


@pytest.fixture
def home(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_bundle_has_resources_and_leaves_out_what_the_app_does_not_use(frozen):
    internal = frozen.folder / "_internal"
    for part in ("fonts/LiberationSans-Regular.ttf", "fonts/LiberationSerif-Bold.ttf", "icons/app.png",
                 "icons/app.ico", "reference/units_quang_ngai_2025.csv", "reference/hnth_checklist.csv"):
        assert (internal / "resources" / part).is_file(), part
    names = [p.relative_to(frozen.folder).as_posix() for p in frozen.folder.rglob("*")]
    offenders = [n for n in names if any(word in n for word in FORBIDDEN_IN_BUNDLE)]
    assert offenders == []
    assert not any("/translations/" in n and n.endswith(".qm") for n in names)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Windows Qt uses the system's ICU")
def test_bundled_icu_data_is_trimmed_and_still_serves_vietnamese(frozen):
    found = [p for p in frozen.folder.rglob("libicudata.so.*") if not p.is_symlink()]
    if not found:
        pytest.skip("this PySide6 does not bundle ICU")
    assert len(found) == 1, found
    icudata = found[0]
    assert icudata.stat().st_size < 8 * 2**20, (
        "ICU data not trimmed (build/icu_trim.py): are binutils and icu-devtools installed?")
    # Qt in a child process with the bundle's ICU data library preloaded: sorts, upper-cases,
    # formats and names zones in Vietnamese (the --smoke runs below prove the app starts with it).
    assert_vietnamese_works(run_probe(icudata), icudata)


def test_smoke_start_offscreen(frozen, home):
    done = frozen.run("--smoke", "--data-dir", home / "data", home=home, exe=frozen.gui)
    assert done.returncode == 0, done.stderr
    assert (home / "data" / "motcua.sqlite3").is_file()
    log = (home / "data" / "logs" / "motcua.log").read_text(encoding="utf-8")
    assert "ERROR" not in log and "Traceback" not in log


def test_first_start_applies_the_provision_file_in_the_data_folder(frozen, home):
    (home / "data").mkdir()
    (home / "data" / "provision.json").write_text('{"hub_url": "https://dongbo.quangngai.example"}', encoding="utf-8")
    done = frozen.run("--smoke", "--data-dir", home / "data", home=home, exe=frozen.gui)
    assert done.returncode == 0, done.stderr
    log = (home / "data" / "logs" / "motcua.log").read_text(encoding="utf-8")
    assert "Tệp thiết lập của tỉnh" in log and "đã điền địa chỉ máy chủ tỉnh" in log


def test_smoke_start_with_demo_data(frozen, home):
    filled = frozen.run("demo-data", "--seed", "3", "--data-dir", home / "demo", home=home, timeout=300)
    assert filled.returncode == 0, filled.stderr
    done = frozen.run("--smoke", "--data-dir", home / "demo", home=home, exe=frozen.gui)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="the per-user folder comes from the shell API, not HOME")
def test_demo_shortcut_uses_the_per_user_demo_folder(frozen, home):
    done = frozen.run("--demo", "--smoke", home=home, exe=frozen.gui, timeout=300)  # the Start-menu demo entry
    assert done.returncode == 0, done.stderr
    demo_db = home / "share" / "motcua-xa" / "demo" / "motcua.sqlite3"
    assert demo_db.is_file()
    checked = frozen.run("check", "--data-dir", demo_db.parent, home=home)
    assert "Xã Ba Tơ" in checked.stdout


def test_init_reads_provision_file_beside_the_executable_then_check(frozen, home, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from core.sync import keys

    key = keys.public_key_text(Ed25519PrivateKey.generate().public_key())
    marker = frozen.folder / "provision.json"
    marker.write_text(json.dumps({"hub_url": "https://dongbo.quangngai.example", "province_public_key": key}),
                      encoding="utf-8")
    try:
        done = frozen.run("init", "--unit", "21484", "--staff", "Trần Văn Đức", "--data-dir", home / "data",
                          home=home)
    finally:
        marker.unlink()
    assert done.returncode == 0, done.stderr
    assert "đã điền địa chỉ máy chủ tỉnh, khóa công khai của tỉnh" in done.stdout
    assert "Xã Ba Tơ (mã 21484)" in done.stdout
    checked = frozen.run("check", "--data-dir", home / "data", home=home)
    assert checked.returncode == 0, checked.stderr
    assert "Cơ sở dữ liệu tốt" in checked.stdout and "Xã Ba Tơ" in checked.stdout


def test_bad_input_gives_a_vietnamese_error_not_a_traceback(frozen, home):
    done = frozen.run("init", "--unit", "99999", "--data-dir", home / "data", home=home)
    assert done.returncode == 2
    assert done.stderr.startswith("Lỗi: Không có đơn vị hành chính mã “99999”")
    assert "Traceback" not in done.stderr


def test_parse_directive_text_and_docx(frozen, home):
    import docx

    text = (SAMPLE_DIRECTIVE.read_text(encoding="utf-8") if SAMPLE_DIRECTIVE.exists() else
            "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/UBND-KGVX\nQuảng Ngãi, ngày 05 tháng 3 năm 2025\n"
            "V/v triển khai số hóa hồ sơ\n1. UBND các xã, phường số hóa hồ sơ trước ngày 30/6/2025.\n")
    source = home / "chi_dao.txt"
    source.write_text(text, encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(home / "chi_dao.docx")
    results = []
    for name in ("chi_dao.txt", "chi_dao.docx"):
        done = frozen.run("parse-directive", "--json", home / name, "--data-dir", home / "data", home=home)
        assert done.returncode == 0, done.stderr
        results.append(json.loads(done.stdout))
    assert results[0]["tasks"], "no task found in the sample directive"
    assert results[0]["document"]["number"] == results[1]["document"]["number"]
    assert len(results[0]["tasks"]) == len(results[1]["tasks"])


def test_report_sample_embeds_the_bundled_fonts(frozen, home):
    out = home / "mau.pdf"
    done = frozen.run("report", "sample", "--out", out, "--data-dir", home / "data", home=home)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000
    fonts = pdffonts(out)
    # Times New Roman where Windows has it (core/printing/fonts.py), else the bundled Liberation
    # Serif from _internal/resources/fonts: embedded either way.
    assert any(("LiberationSerif" in f["name"] or "TimesNewRoman" in f["name"]) and f["emb"] for f in fonts), fonts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdftotext(out, layout=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_hub_serves_over_http(frozen, home):
    import httpx

    assert frozen.run("hub", "init", "--data-dir", home / "hub", home=home).returncode == 0
    port = _free_port()
    server = subprocess.Popen([str(frozen.cli), "hub", "serve", "--port", str(port), "--data-dir", str(home / "hub")],
                              cwd=home, env=frozen.env(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("hub did not start: " + server.stdout.read().decode("utf-8", "replace"))
                time.sleep(0.3)
        assert answer.status_code == 200
        assert answer.json()["service"] == "motcua-hub"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.skipif(sys.platform != "win32" and shutil.which("unzip") is None,
                    reason="needs Info-ZIP unzip (restores the Linux build's library links)")
def test_portable_zip_keeps_data_beside_the_executable(frozen, home, tmp_path):
    archive = frozen.zips.get("portable")
    if archive is None:
        pytest.skip("no portable zip beside the prebuilt folder")
    with zipfile.ZipFile(archive) as zf:
        assert f"{frozen.folder.name}/portable.txt" in zf.namelist()
    target = tmp_path / "usb"
    if sys.platform == "win32":  # no links in a Windows build: what Explorer's "Extract all" does
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
    else:
        subprocess.run(["unzip", "-q", str(archive), "-d", str(target)], check=True)
    exe = target / frozen.folder.name / frozen.cli.name
    done = frozen.run("check", home=home, exe=exe)  # no --data-dir: portable mode decides
    assert done.returncode == 0, done.stderr
    assert (target / frozen.folder.name / "data" / "motcua.sqlite3").is_file()
    assert not (home / "share").exists() or not any((home / "share").rglob("motcua.sqlite3"))


def test_word_and_excel_outputs_from_the_frozen_app(frozen, home):
    # python-docx needs its default template and openpyxl its styles inside the bundle.
    import docx
    from openpyxl import load_workbook

    data = home / "data"
    assert frozen.run("init", "--unit", "21484", "--staff", "Trần Văn Đức", "--data-dir", data, home=home).returncode == 0
    sheet = home / "phieu.docx"
    done = frozen.run("checklist", "blank", "--out", sheet, "--data-dir", data, home=home)
    assert done.returncode == 0, done.stderr
    assert any(p.text.startswith("PHIẾU KIỂM TRA") for p in docx.Document(sheet).paragraphs)
    register = home / "so.xlsx"
    done = frozen.run("export-dossiers", "--from", "2026-01-01", "--to", "2026-12-31", "--out", register,
                      "--data-dir", data, home=home)
    assert done.returncode == 0, done.stderr
    ws = load_workbook(register).active
    assert ws.freeze_panes == "A2" and ws["A1"].value == "Mã hồ sơ"
    refused = frozen.run("export-dossiers", "--from", "2026-01-01", "--to", "2026-12-31", "--out", home / "so.pdf",
                         "--data-dir", data, home=home)
    assert refused.returncode == 2 and "không hỗ trợ định dạng" in refused.stderr
