"""`init` applies the province's provision.json; explicit flags win; a bad file stops init cleanly."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import provision as provision_module
from core.cli import run
from core.paths import AppPaths
from core.sync import keys
from core.workspace import open_workspace
from db.settings import HUB_URL, PROVINCE_KEY, UNIT_CODE, get_setting


@pytest.fixture(autouse=True)
def program_dir(monkeypatch, tmp_path):
    beside = tmp_path / "program"
    beside.mkdir()
    monkeypatch.setattr(provision_module, "executable_dir", lambda: beside)
    return beside


def settings(data_dir):
    store = open_workspace(AppPaths(data_dir))
    try:
        return {k: get_setting(store, k) for k in (UNIT_CODE, HUB_URL, PROVINCE_KEY)}
    finally:
        store.close()


def test_init_fills_hub_and_key_from_the_file_beside_the_program(tmp_path, program_dir, capsys):
    key = keys.public_key_text(Ed25519PrivateKey.generate().public_key())
    (program_dir / "provision.json").write_text(json.dumps({"hub_url": "https://dongbo.example", "province_public_key": key}),
                                                encoding="utf-8")
    assert run(["init", "--unit", "21484", "--staff", "Trần Văn Đức", "--data-dir", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "Tệp thiết lập của tỉnh" in out and "đã điền địa chỉ máy chủ tỉnh, khóa công khai của tỉnh" in out
    assert settings(tmp_path / "d") == {UNIT_CODE: "21484", HUB_URL: "https://dongbo.example", PROVINCE_KEY: key}


def test_flags_win_over_the_file(tmp_path, program_dir, capsys):
    (program_dir / "provision.json").write_text('{"hub_url": "https://dongbo.example", "lan_hosts": ["10.1.1.0/24"]}',
                                                encoding="utf-8")
    assert run(["init", "--unit", "21484", "--hub", "http://10.1.1.1:8765", "--data-dir", str(tmp_path / "d")]) == 0
    assert "giữ nguyên địa chỉ máy chủ tỉnh" in capsys.readouterr().out
    assert settings(tmp_path / "d")[HUB_URL] == "http://10.1.1.1:8765"


def test_bad_file_stops_init_with_a_vietnamese_message_and_sets_nothing(tmp_path, program_dir, capsys):
    (program_dir / "provision.json").write_text('{"hub_url": "https://dongbo.example", "province_public_key": "xyz"}',
                                                encoding="utf-8")
    assert run(["init", "--unit", "21484", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Tệp thiết lập của tỉnh") and "Khóa công khai không hợp lệ" in err
    assert "Traceback" not in err
    assert settings(tmp_path / "d") == {UNIT_CODE: None, HUB_URL: None, PROVINCE_KEY: None}
