"""The province's setup file: read, checked, applied once, never overwriting what staff set."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import provision as provision_module
from core.provision import (APPLIED_SETTING, ProvisionError, apply_provision, describe, find_provision_file,
                            read_provision)
from core.sync import keys
from db.settings import HUB_URL, PROVINCE_KEY, all_settings, get_setting, set_setting


@pytest.fixture(autouse=True)
def no_file_beside_the_program(monkeypatch, tmp_path):
    # In the source tree "beside the executable" is the repository root: point it at an empty folder.
    beside = tmp_path / "program"
    beside.mkdir()
    monkeypatch.setattr(provision_module, "executable_dir", lambda: beside)
    return beside


def province_key_text() -> str:
    return keys.public_key_text(Ed25519PrivateKey.generate().public_key())


def write(path, data, *, bom=False):
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_no_file_means_nothing_happens(store, paths):
    assert apply_provision(store, paths) is None
    assert get_setting(store, HUB_URL) is None


def test_file_beside_the_program_fills_hub_and_key(store, paths, no_file_beside_the_program):
    key = province_key_text()
    write(no_file_beside_the_program / "provision.json",
          {"hub_url": " https://dongbo.quangngai.gov.vn/ ", "province_public_key": key, "unit_code": "21484"})
    result = apply_provision(store, paths)
    assert result.applied == [HUB_URL, PROVINCE_KEY]
    assert result.unit_code == "21484"
    assert get_setting(store, HUB_URL) == "https://dongbo.quangngai.gov.vn"
    assert get_setting(store, PROVINCE_KEY) == key
    assert "đã điền địa chỉ máy chủ tỉnh, khóa công khai của tỉnh" in describe(result)


def test_data_folder_file_wins_and_notepad_bom_is_accepted(store, paths, no_file_beside_the_program):
    write(no_file_beside_the_program / "provision.json", {"hub_url": "https://a.example"})
    write(paths.data_dir / "provision.json", {"hub_url": "https://b.example"}, bom=True)
    assert find_provision_file(paths) == paths.data_dir / "provision.json"
    apply_provision(store, paths)
    assert get_setting(store, HUB_URL) == "https://b.example"


def test_values_staff_already_set_are_kept(commune_store, paths):
    set_setting(commune_store, HUB_URL, "http://10.0.0.5:8765")
    key = province_key_text()
    write(paths.data_dir / "provision.json", {"hub_url": "https://dongbo.example", "province_public_key": key})
    result = apply_provision(commune_store, paths)
    assert result.kept == [HUB_URL] and result.applied == [PROVINCE_KEY]
    assert get_setting(commune_store, HUB_URL) == "http://10.0.0.5:8765"
    assert "giữ nguyên địa chỉ máy chủ tỉnh" in describe(result)


def test_applied_once_then_remembered(store, paths):
    write(paths.data_dir / "provision.json", {"hub_url": "https://dongbo.example"})
    apply_provision(store, paths)
    set_setting(store, HUB_URL, None)  # staff cleared it on purpose: the same file must not bring it back
    again = apply_provision(store, paths)
    assert again.already_applied
    assert get_setting(store, HUB_URL) is None
    assert get_setting(store, APPLIED_SETTING)["sha256"]


@pytest.mark.parametrize("content, expected", [
    ("{\"hub_url\": \"https://a.example\",}", "sai định dạng JSON ở dòng 1"),
    ("", "trống"),
    ("[1, 2]", "phải là một đối tượng JSON"),
    ("{}", "không có mục nào để thiết lập"),
    ({"hub_ur": "https://a.example"}, "mục không hiểu được: hub_ur"),
    ({"hub_url": 42}, "mục hub_url phải là chuỗi ký tự"),
    ({"hub_url": "dongbo.quangngai.gov.vn"}, "phải bắt đầu bằng https://"),
    ({"province_public_key": "abc"}, "Khóa công khai không hợp lệ"),
    ({"unit_code": "99999"}, "Không có đơn vị hành chính mã “99999”"),
])
def test_malformed_files_are_refused_and_nothing_changes(store, paths, content, expected):
    write(paths.data_dir / "provision.json", content)
    before = all_settings(store)
    with pytest.raises(ProvisionError) as caught:
        apply_provision(store, paths)
    assert expected in caught.value.message
    assert str(paths.data_dir / "provision.json") in caught.value.message
    assert all_settings(store) == before


def test_not_utf8_and_oversized_files_are_refused(store, paths):
    target = paths.data_dir / "provision.json"
    target.write_bytes("{\"ghi_chu\": \"Sở Nội vụ\"}".encode("utf-16"))  # Notepad's "Unicode"
    with pytest.raises(ProvisionError, match="không phải văn bản UTF-8"):
        read_provision(target)
    target.write_bytes(b" " * (70 * 1024))
    with pytest.raises(ProvisionError, match="quá lớn"):
        read_provision(target)


def test_file_for_another_unit_is_refused(commune_store, paths):
    write(paths.data_dir / "provision.json", {"hub_url": "https://dongbo.example", "unit_code": "21025"})
    with pytest.raises(ProvisionError, match="dành cho đơn vị mã 21025.*thuộc đơn vị mã 21484"):
        apply_provision(commune_store, paths)
    assert get_setting(commune_store, HUB_URL) is None
