"""The sync and hub commands end to end, as the province and a commune would type them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.core.hub.web_login import login
from tests.core.sync.harness import free_port
from tests.cli_env import scrubbed_env

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


ROOT = Path(__file__).resolve().parents[3]


def cli(*args, data_dir, check=True):
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(data_dir)],
                            capture_output=True, encoding="utf-8", cwd=ROOT, env=scrubbed_env(), timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_usb_path_and_network_sync_via_cli(tmp_path):
    hub, commune, usb = tmp_path / "hub", tmp_path / "xa", tmp_path / "usb"
    # Hub commands on an uninitialised folder say so.
    result = cli("hub", "status", "--json", data_dir=hub, check=False)
    assert result.returncode != 0 and "hub init" in result.stderr and "Traceback" not in result.stderr
    out = cli("hub", "init", data_dir=hub).stdout
    province_key = [line.split(": ")[-1] for line in out.splitlines() if "Khóa công khai" in line][0]

    bad = cli("init", "--unit", "21484", "--province-key", "không-phải-khóa", data_dir=commune, check=False)
    assert bad.returncode == 2 and "Khóa công khai không hợp lệ" in bad.stderr
    cli("init", "--unit", "21484", "--staff", "Nguyễn Văn A", "--province-key", province_key, data_dir=commune)
    keys = json.loads(cli("keys", "show", "--json", data_dir=commune).stdout)
    # Sync v2 (issue 13): the device this workspace is, too.
    assert set(keys) == {"unit", "device", "public_key", "fingerprint"} and keys["unit"] == "21484"
    if os.name == "posix":  # Windows: the user profile's ACLs protect it, there are no mode bits
        assert oct(os.stat(commune / "keys" / "commune_ed25519.pem").st_mode & 0o777) == "0o600"

    # USB: export, carry, ingest at the province (twice: duplicate), ack back.
    exported = json.loads(cli("export-bundle", "--out", str(usb), "--json", data_dir=commune).stdout)
    assert {"bundle", "bundle_id", "seq_from", "seq_to", "records"} <= set(exported)
    assert exported["records"] == 1 and Path(exported["bundle"]).exists()
    refused = cli("hub", "ingest", exported["bundle"], "--json", data_dir=hub, check=False)
    assert refused.returncode != 0 and json.loads(refused.stdout)["reason"] == "unknown_sender"
    cli("hub", "register", "--unit", "21484", "--public-key", keys["public_key"], data_dir=hub)
    first = json.loads(cli("hub", "ingest", exported["bundle"], "--json", data_dir=hub).stdout)
    again = json.loads(cli("hub", "ingest", exported["bundle"], "--json", data_dir=hub).stdout)
    assert (first["status"], again["status"]) == ("applied", "duplicate")
    cli("hub", "ack", "--unit", "21484", "--out", str(usb), data_dir=hub)
    imported = json.loads(cli("import-bundle", str(usb), "--json", data_dir=commune).stdout)
    assert [r["kind"] for r in imported] == ["ack"] and imported[0]["acknowledged"] == 1

    # A damaged file: refused with the reason, exit non-zero, no traceback.
    broken = usb / "broken.zip"
    broken.write_bytes(Path(exported["bundle"]).read_bytes()[:200])
    result = cli("hub", "ingest", str(broken), data_dir=hub, check=False)
    assert result.returncode == 5 and "bị từ chối" in result.stderr and "Traceback" not in result.stderr

    # Network: a real `hub serve` process.
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "serve", "--data-dir", str(hub),
                               "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=scrubbed_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", **_NEW_GROUP)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        cli("init", "--unit", "21484", "--hub", url, data_dir=commune)
        cli("hub", "directive", str(_directive(tmp_path)), "--units", "21484", data_dir=hub)
        subprocess.run([sys.executable, "-c", "from core.paths import AppPaths; from core.workspace import "
                        "open_workspace, add_staff; s = open_workspace(AppPaths(__import__('pathlib').Path("
                        f"{str(commune)!r}))); add_staff(s, 'Trần Thị B'); s.close()"], cwd=ROOT, env=scrubbed_env(), check=True)
        synced = json.loads(cli("sync", "--json", data_dir=commune).stdout)
        assert synced["sent"] == 1 and synced["received"] == 1 and synced["errors"] == []
        status = json.loads(cli("hub", "status", "--json", data_dir=hub).stdout)
        [unit] = status["units"]
        assert unit["code"] == "21484" and unit["bundles_applied"] == 2 and unit["rows"]["staff"] == 2
        assert set(unit) >= {"code", "last_seq", "bundles_applied", "last_sync", "rows"}
        anonymous = httpx.get(url + "/")
        assert anonymous.status_code == 303 and "Xã Ba Tơ" not in anonymous.text
        added = subprocess.run([sys.executable, str(ROOT / "main.py"), "hub", "user", "add", "xem", "--role", "viewer",
                                "--password-stdin", "--data-dir", str(hub)], input="mot-mat-khau-dai\n",
                               capture_output=True, text=True, cwd=ROOT, env=scrubbed_env(), timeout=120)
        assert added.returncode == 0, added.stderr
        with httpx.Client(base_url=url) as browser:
            page = login(browser, "xem", "mot-mat-khau-dai").text
        assert "Xã Ba Tơ" in page and "Chưa đăng ký" in page and page.count("<tr><td>") == 96
        report = tmp_path / "bc.xlsx"
        cli("hub", "report", "--out", str(report), data_dir=hub)
        assert report.stat().st_size > 0
    finally:
        _stop(server)


# Windows has no SIGINT to send: Ctrl+Break to the server's own process group is its Ctrl+C
# (uvicorn handles SIGBREAK). Without a console to carry it (Wine, pipes only) it is ended.
_NEW_GROUP = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if sys.platform == "win32" else {}


def _stop(server: subprocess.Popen) -> None:
    if sys.platform != "win32":
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
        return
    try:
        server.send_signal(signal.CTRL_BREAK_EVENT)
        server.wait(timeout=20)
    except (OSError, SystemError, subprocess.TimeoutExpired):  # no console to carry it (Wine: WinError 12)
        server.kill()
        server.wait(timeout=20)


def _directive(tmp_path: Path) -> Path:
    path = tmp_path / "cong_van.txt"
    path.write_text("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 7/UBND-KGVX\nQuảng Ngãi, ngày 05 tháng 01 năm 2026\n"
                    "V/v chuyển đổi số\n1. UBND các xã: cập nhật dữ liệu trước ngày 31/12/2026.\n", encoding="utf-8")
    return path


def test_commune_commands_refuse_bad_input_in_vietnamese(tmp_path):
    commune = tmp_path / "xa"
    cli("init", "--unit", "21484", data_dir=commune)
    no_hub = cli("sync", data_dir=commune, check=False)
    assert no_hub.returncode != 0 and "Chưa có địa chỉ máy chủ" in no_hub.stderr
    assert "Traceback" not in no_hub.stderr
    fake = tmp_path / "goi.zip"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    bad = cli("import-bundle", str(fake), data_dir=commune, check=False)
    assert bad.returncode == 5 and "hỏng" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("import-bundle", str(tmp_path / "khong_co.zip"), data_dir=commune, check=False)
    assert missing.returncode == 2 and "Không tìm thấy" in missing.stderr
    bad_url = cli("init", "--unit", "21484", "--hub", "dongbo.quangngai", data_dir=commune, check=False)
    assert bad_url.returncode != 0 and "https://" in bad_url.stderr


def test_hub_directive_is_not_sent_twice_by_mistake(tmp_path):
    hub = tmp_path / "hub"
    cli("hub", "init", data_dir=hub)
    commune = tmp_path / "xa"
    cli("init", "--unit", "21484", data_dir=commune)
    key = json.loads(cli("keys", "show", "--json", data_dir=commune).stdout)["public_key"]
    cli("hub", "register", "--unit", "21484", "--public-key", key, data_dir=hub)
    source = _directive(tmp_path)
    first = json.loads(cli("hub", "directive", str(source), "--json", data_dir=hub).stdout)
    assert [b["unit"] for b in first["bundles"]] == ["21484"] and first["records"] == 2
    again = cli("hub", "directive", str(source), data_dir=hub, check=False)
    assert again.returncode == 2 and "đã được gửi trước đây" in again.stderr
    cli("hub", "directive", str(source), "--allow-duplicate", data_dir=hub)
    unknown = cli("hub", "directive", str(source), "--units", "99999", data_dir=hub, check=False)
    assert unknown.returncode == 2 and "99999" in unknown.stderr
