"""Importing the provincial export: dry run vs commit, duplicates, every bad input."""

import datetime as dt
import zipfile

import pytest
from openpyxl import Workbook

from core.dossiers import excel_import, locks
from core.dossiers.excel_import import ImportFileError, commit_import, import_dossiers, inspect_headers, plan_import
from core.dossiers.register import add_dossier

from .conftest import dossier

HEADERS = ["STT", "MÃ HỒ SƠ", "Lĩnh vực", "Thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả",
           "Hình thức nộp", "Số hóa thành phần", "Số hóa kết quả", "Tái sử dụng dữ liệu", "Xác thực VNeID",
           "Thanh toán trực tuyến"]


def row(seq, received, **kw):
    values = {"code": f"000.00.53.H48-250601-{seq:04d}", "field": "Hộ tịch", "proc": "Đăng ký khai sinh",
              "received": received, "promised": None, "finished": None, "channel": "Trực tuyến",
              "comp": "Có", "result": "Có", "reuse": "Không", "vneid": "Có", "fee": "Không thu phí"} | kw
    return [seq, values["code"], values["field"], values["proc"], values["received"], values["promised"],
            values["finished"], values["channel"], values["comp"], values["result"], values["reuse"],
            values["vneid"], values["fee"]]


def write_xlsx(path, rows, headers=HEADERS, title_rows=()):
    wb = Workbook()
    ws = wb.active
    for t in title_rows:
        ws.append(t)
    if headers:
        ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _live(store):
    return store.scalar("SELECT count(*) FROM dossiers WHERE deleted_at IS NULL")


def test_dry_run_writes_nothing_then_commit_writes_all(commune_store, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", [
        row(1, dt.datetime(2025, 6, 2, 8, 30)),                   # an Excel date
        row(2, "03/06/2025", finished="05/06/2025 16:20:00"),   # text dates, with a time
        row(3, "4/6/2025", channel="Trực tiếp", fee="Có"),
    ], title_rows=[["DANH SÁCH HỒ SƠ TIẾP NHẬN"], []])
    before = commune_store.scalar("SELECT max(seq) FROM change_log")
    plan = import_dossiers(commune_store, path, dry_run=True)
    assert plan.counts() == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert plan.header.row == 3 and plan.header.unknown == [(0, "STT")]
    assert _live(commune_store) == 0
    assert commune_store.scalar("SELECT max(seq) FROM change_log") == before
    commit_import(commune_store, plan)
    rows = {r["code"][-4:]: r for r in commune_store.query("SELECT * FROM dossiers")}
    assert rows["0001"]["received_on"] == "2025-06-02" and rows["0001"]["channel"] == 2
    assert rows["0002"]["finished_on"] == "2025-06-05"
    assert rows["0003"]["channel"] == 1 and rows["0003"]["fee"] == "paid_online"
    assert rows["0001"]["result_digitised"] == "yes" and rows["0001"]["vneid_identified"] == 1


def test_upsert_new_updated_unchanged(commune_store, tmp_path):
    add_dossier(commune_store, dossier(1, "2025-06-01", code="000.00.53.H48-250601-0001", channel=2,
                                       components_digitised=1, result_digitised="yes", vneid_identified=1,
                                       procedure_name="Đăng ký khai sinh"))
    add_dossier(commune_store, dossier(2, "2025-06-01", code="000.00.53.H48-250601-0002"))
    path = write_xlsx(tmp_path / "ds.xlsx", [row(1, "01/06/2025"), row(2, "01/06/2025"), row(3, "01/06/2025")])
    plan = import_dossiers(commune_store, path)
    assert plan.counts() == {"new": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    assert commune_store.scalar("SELECT channel FROM dossiers WHERE code LIKE '%0002'") == 2


def test_missing_columns_keep_register_values(commune_store, tmp_path):
    add_dossier(commune_store, dossier(1, "2025-06-01", code="000.00.53.H48-250601-0001", data_reused=1))
    path = write_xlsx(tmp_path / "ds.xlsx", [["000.00.53.H48-250601-0001", "01/06/2025", "02/06/2025"]],
                      headers=["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hoàn thành"])
    plan = import_dossiers(commune_store, path)
    assert plan.counts()["updated"] == 1
    row_ = commune_store.query("SELECT data_reused, finished_on FROM dossiers")[0]
    assert row_ == {"data_reused": 1, "finished_on": "2025-06-02"}


def test_bad_rows_get_reasons_and_valid_rows_still_import(commune_store, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", [
        row(1, "02/06/2025"),
        row(2, "02/06/2025", code=None),                                  # missing code
        row(3, "31/02/2025"),                                             # impossible date
        row(4, "10/06/2025", finished="09/06/2025"),                      # finished before received
        row(5, "02/06/2025", channel="Zalo"),                             # unknown channel
        row(6, "02/06/2025", code="000.00.53.H48-250601-0001"),           # duplicate of row 1 in the file
        row(7, "02/06/2025", comp="có lẽ"),                               # flag not understood
        row(8, "02/06/2025"),
    ])
    plan = import_dossiers(commune_store, path, dry_run=True)
    assert plan.counts() == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 6}
    reasons = {r.row: r.reason for r in plan.rejected}
    assert reasons[3] == "Thiếu mã hồ sơ."
    assert "31/02/2025" in reasons[4] and "không phải ngày có thật" in reasons[4]
    assert "trước ngày tiếp nhận" in reasons[5]
    assert "Kênh nộp “Zalo” không rõ" in reasons[6]
    assert "trùng với dòng 2" in reasons[7] and "giữ dòng đầu" in reasons[7]
    assert "Số hóa thành phần" in reasons[8]
    assert _live(commune_store) == 0
    plan = import_dossiers(commune_store, path)
    codes = [r["code"][-4:] for r in commune_store.query("SELECT code FROM dossiers ORDER BY code")]
    assert codes == ["0001", "0008"]
    # the kept duplicate is the first row's, not merged with row 7's values
    assert commune_store.scalar("SELECT procedure_name FROM dossiers WHERE code LIKE '%0001'") == "Đăng ký khai sinh"


def test_empty_sheet(commune_store, tmp_path):
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, write_xlsx(tmp_path / "empty.xlsx", [], headers=None))
    assert "trống" in info.value.message
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, write_xlsx(tmp_path / "header.xlsx", []))
    assert "không có dòng hồ sơ nào" in info.value.message


def test_corrupt_and_password_protected(commune_store, tmp_path):
    add_dossier(commune_store, dossier(1, "2025-06-01"))
    corrupt = tmp_path / "hong.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, corrupt)
    assert "không phải tệp .xlsx hợp lệ hoặc đã bị hỏng" in info.value.message
    truncated = tmp_path / "cut.xlsx"
    whole = write_xlsx(tmp_path / "whole.xlsx", [row(1, "01/06/2025")]).read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportFileError):
        import_dossiers(commune_store, truncated)
    # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    locked = tmp_path / "matkhau.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, locked)
    assert "đặt mật khẩu" in info.value.message
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, tmp_path / "khong-co.xlsx")
    assert "Không tìm thấy tệp" in info.value.message
    assert _live(commune_store) == 1


def test_too_many_rows_refused_as_a_whole(commune_store, tmp_path, monkeypatch):
    monkeypatch.setattr(excel_import, "MAX_ROWS", 5)
    path = write_xlsx(tmp_path / "big.xlsx", [row(i, "01/06/2025") for i in range(1, 7)])
    with pytest.raises(ImportFileError) as info:
        import_dossiers(commune_store, path)
    assert "hơn 5 dòng" in info.value.message
    assert _live(commune_store) == 0


def test_unknown_headers_mapped_by_hand(commune_store, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", [["H48.45-250601-0001", "01/06/2025", "DVC"]],
                      headers=["Số biên nhận", "Ngày nộp", "Nguồn"])
    info = inspect_headers(path)
    assert info.missing == ["code", "received_on"]
    assert [t for _, t in info.unknown] == ["Số biên nhận", "Ngày nộp", "Nguồn"]
    with pytest.raises(ImportFileError) as err:
        import_dossiers(commune_store, path, dry_run=True)
    assert "Mã hồ sơ" in err.value.message
    mapping = {"Số biên nhận": "code", "ngay nop": "received_on", "Nguồn": None}
    assert inspect_headers(path, mapping).missing == []
    plan = import_dossiers(commune_store, path, mapping=mapping)
    assert plan.counts()["new"] == 1


def test_locked_month_rows_need_a_reason(commune_store, tmp_path):
    locks.lock_month(commune_store, "2025-05")
    path = write_xlsx(tmp_path / "ds.xlsx", [row(1, "30/05/2025"), row(2, "02/06/2025")])
    plan = import_dossiers(commune_store, path)
    assert plan.counts() == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "05/2025 đã khóa" in plan.rejected[0].reason
    plan = import_dossiers(commune_store, path, reason="Bổ sung hồ sơ bỏ sót")
    assert plan.counts()["new"] == 1
    changes = locks.changes_in(commune_store, "2025-05")
    assert changes[0]["action"] == "import" and changes[0]["reason"] == "Bổ sung hồ sơ bỏ sót"


def test_register_changed_between_check_and_commit_writes_nothing(commune_store, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", [row(1, "01/06/2025"), row(2, "01/06/2025")])
    plan = plan_import(commune_store, path)
    add_dossier(commune_store, dossier(2, "2025-06-01", code="000.00.53.H48-250601-0002"))
    with pytest.raises(Exception) as info:
        commit_import(commune_store, plan)
    assert "Không có gì được ghi" in str(info.value)
    assert _live(commune_store) == 1


def test_exported_register_imports_back_unchanged(commune_store, tmp_path):
    from core.dossiers.export import export_register

    add_dossier(commune_store, dossier(1, "2025-06-01", channel=3, components_digitised=1,
                                       result_digitised="not_applicable", data_reused=1, fee="paid_other",
                                       promised_on="2025-06-03", finished_on="2025-06-02",
                                       procedure_name="Chứng thực chữ ký", procedure_code="2.000884.000.00.00.H48"))
    out = export_register(commune_store, tmp_path / "so.xlsx")
    assert zipfile.is_zipfile(out)
    plan = import_dossiers(commune_store, out, dry_run=True)
    assert plan.counts() == {"new": 0, "updated": 0, "unchanged": 1, "rejected": 0}


def test_supplement_columns_read(commune_store, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", [
        ["000.00.53.H48-250601-0001", "01/06/2025", "03/06/2025", 1, "4"],
        ["000.00.53.H48-250601-0002", "01/06/2025", "03/06/2025", None, None],
        ["000.00.53.H48-250601-0003", "01/06/2025", "03/06/2025", "hai", 0],
    ], headers=["Mã hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Số lần yêu cầu bổ sung", "Số ngày chờ bổ sung"])
    plan = import_dossiers(commune_store, path)
    assert plan.counts()["new"] == 2
    assert "Số lần yêu cầu bổ sung" in plan.rejected[0].reason
    rows = commune_store.query("SELECT supplement_requests, supplement_days FROM dossiers ORDER BY code")
    assert rows == [{"supplement_requests": 1, "supplement_days": 4}, {"supplement_requests": 0, "supplement_days": 0}]
