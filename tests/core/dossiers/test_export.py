"""Exports: Vietnamese headers in .xlsx, CSV with a UTF-8 BOM, counters and indicators sheets."""

import csv

from openpyxl import load_workbook

from core.dossiers.export import export_counters, export_register
from core.dossiers.periods import month_period
from core.dossiers.register import add_dossier
from core.dossiers.tallies import save_tally

from .conftest import dossier


def _fill(store):
    add_dossier(store, dossier(1, "2025-06-02", channel=2, components_digitised=1, finished_on="2025-06-03"))
    add_dossier(store, dossier(2, "2025-06-05", field="Chứng thực"))
    save_tally(store, {"day": "2025-06-06", "field": "Đất đai", "channel": 1, "received": 4, "finished": 2,
                       "on_time": 2})


def test_register_csv_has_bom_and_diacritics(commune_store, tmp_path):
    _fill(commune_store)
    out = export_register(commune_store, tmp_path / "so.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["Mã hồ sơ", "Lĩnh vực", "Thủ tục", "Mã thủ tục", "Ngày tiếp nhận"]
    assert rows[1][0] == "000.00.53.H48-250602-0001" and rows[1][4] == "02/06/2025" and rows[1][7] == "Trực tuyến"
    assert len(rows) == 3
    assert not list(tmp_path.glob("*.partial"))


def test_counters_xlsx_marks_tallies(commune_store, tmp_path):
    _fill(commune_store)
    out = export_counters(commune_store, month_period("2025-06"), tmp_path / "so-lieu.xlsx")
    wb = load_workbook(out, read_only=True)
    counters_sheet, indicators_sheet = wb.worksheets
    assert counters_sheet.title == "Số liệu tháng 06-2025"
    rows = [list(r) for r in counters_sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Lĩnh vực", "Nguồn số liệu", "Tiếp nhận", "Trực tuyến"]
    assert ["Đất đai", "Số liệu tổng hợp theo ngày", 4] == rows[3][:3]
    assert rows[-1][0] == "Tổng cộng" and rows[-1][2] == 6
    ind = [list(r) for r in indicators_sheet.iter_rows(values_only=True)]
    assert ind[0][0] == "Chỉ số" and ind[1][:4] == ["3.3", "Tỷ lệ hồ sơ trực tuyến", 1, 6]
    csv_out = export_counters(commune_store, month_period("2025-06"), tmp_path / "so-lieu.csv")
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_exported_register_xlsx_imports_back_unchanged(commune_store, tmp_path):
    # Date cells (not dd/mm/yyyy text) still read back as the same dossiers.
    from core.dossiers.excel_import import import_dossiers

    _fill(commune_store)
    out = export_register(commune_store, tmp_path / "so.xlsx")
    ws = load_workbook(out).active
    assert ws["E2"].is_date and ws["E2"].number_format == "dd/mm/yyyy"
    plan = import_dossiers(commune_store, out, dry_run=True)
    counts = plan.counts()
    assert counts["unchanged"] == 2 and counts["new"] == counts["updated"] == counts["rejected"] == 0
