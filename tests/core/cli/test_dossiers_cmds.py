"""The command line: exact JSON shapes, Vietnamese errors without tracebacks."""

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from core import clock
from core.cli import run
from core.dossiers.register import add_dossier
from core.workspace import initialise, open_workspace


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(dt.datetime(2025, 6, 30, 9, 0, tzinfo=clock.LOCAL_TZ))
    yield
    clock.freeze(None)


def dossier(seq: int, received: str, **extra) -> dict:
    stamp = received[2:4] + received[5:7] + received[8:10]
    return {"code": f"000.00.53.H48-{stamp}-{seq:04d}", "field": "Hộ tịch", "received_on": received, **extra}


@pytest.fixture
def data_dir(paths):
    store = open_workspace(paths)
    initialise(store, "21484", ["Nguyễn Văn A"])
    add_dossier(store, dossier(1, "2025-06-02", channel=2, components_digitised=1, result_digitised="yes",
                               fee="paid_online", promised_on="2025-06-05", finished_on="2025-06-04"))
    add_dossier(store, dossier(2, "2025-06-03", result_digitised="not_applicable"))
    store.close()
    return str(paths.data_dir)


def test_indicators_json_shape(data_dir, capsys):
    assert run(["indicators", "--data-dir", data_dir, "--from", "2025-06-01", "--to", "2025-06-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "period": {"from": "2025-06-01", "to": "2025-06-30"}, "received": 2, "finished": 1,
        "indicators": {"online_rate": 0.5, "digitised_rate": 0.5, "result_digitised_rate": 1.0,
                       "reuse_rate": 0.0, "vneid_rate": 0.0, "on_time_rate": 1.0, "online_payment_rate": 1.0}}


def test_indicators_empty_period_nulls(data_dir, capsys):
    assert run(["indicators", "--data-dir", data_dir, "--from", "2024-01-01", "--to", "2024-01-31", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["received"] == 0 and set(out["indicators"].values()) == {None}


def test_indicators_bad_period(data_dir, capsys):
    assert run(["indicators", "--data-dir", data_dir, "--from", "2025-06-30", "--to", "2025-06-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Kỳ không hợp lệ") and "Traceback" not in err
    assert run(["indicators", "--data-dir", data_dir, "--from", "2025-02-31", "--to", "2025-03-01"]) == 2
    assert "không phải ngày hợp lệ" in capsys.readouterr().err


def test_import_dossiers_json(data_dir, tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã hồ sơ", "Lĩnh vực", "Ngày tiếp nhận", "Kênh nộp"])
    ws.append(["000.00.53.H48-250602-0001", "Hộ tịch", "02/06/2025", "Trực tuyến"])  # as in the register: unchanged
    ws.append(["000.00.53.H48-250603-0002", "Hộ tịch", "03/06/2025", "Trực tuyến"])  # channel 1 -> 2
    ws.append(["000.00.53.H48-250604-0003", "Hộ tịch", "04/06/2025", "Bưu chính"])
    ws.append(["000.00.53.H48-250604-0004", "Hộ tịch", "31/02/2025", "Bưu chính"])
    wb.save(tmp_path / "ds.xlsx")
    args = ["import-dossiers", str(tmp_path / "ds.xlsx"), "--data-dir", data_dir, "--json"]
    assert run([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert {k: dry[k] for k in ("new", "updated", "unchanged", "rejected", "dry_run")} == {
        "new": 1, "updated": 1, "unchanged": 1, "rejected": 1, "dry_run": True}
    assert dry["rejections"][0]["row"] == 5 and "31/02/2025" in dry["rejections"][0]["reason"]
    assert run(args) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["new"], done["updated"], done["dry_run"]) == (1, 1, False)
    assert run([*args, "--dry-run"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_import_bad_file_message(data_dir, tmp_path, capsys):
    bad = tmp_path / "x.xlsx"
    bad.write_text("không phải excel", encoding="utf-8")
    assert run(["import-dossiers", str(bad), "--data-dir", data_dir, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("Lỗi: Tệp không đọc được")


def test_export_and_lock_commands(data_dir, tmp_path, capsys):
    out = tmp_path / "so.xlsx"
    assert run(["export-dossiers", "--data-dir", data_dir, "--from", "2025-06-01", "--to", "2025-06-30",
                "--out", str(out)]) == 0
    assert out.exists()
    assert run(["lock-month", "2025-06", "--data-dir", data_dir]) == 0
    assert "Đã khóa tháng 06/2025" in capsys.readouterr().out
    assert run(["unlock-month", "2025-06", "--data-dir", data_dir, "--reason", "Báo cáo lại"]) == 0
    assert run(["lock-month", "2025-13", "--data-dir", data_dir]) == 2


def test_dossier_report_command(data_dir, tmp_path, capsys):
    out = tmp_path / "bc.pdf"
    assert run(["dossier-report", "--data-dir", data_dir, "--month", "2025-06", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert run(["dossier-report", "--data-dir", data_dir, "--month", "06/2025", "--out", str(out)]) == 2
    assert "không hợp lệ" in capsys.readouterr().err


def test_indicators_with_tallies_keeps_the_shape_and_says_so_on_stderr(data_dir, capsys):
    from core.dossiers.tallies import save_tally
    from core.paths import AppPaths
    from pathlib import Path

    store = open_workspace(AppPaths(Path(data_dir)))
    save_tally(store, {"day": "2025-06-10", "field": "Đất đai", "channel": 2, "received": 2})
    store.close()
    assert run(["indicators", "--data-dir", data_dir, "--from", "2025-06-01", "--to", "2025-06-30", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert set(out) == {"period", "received", "finished", "indicators"}
    assert out["received"] == 4 and out["indicators"]["online_rate"] == 0.75
    assert "2 hồ sơ tiếp nhận" in captured.err and "số liệu tổng hợp" in captured.err
