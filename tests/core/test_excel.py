"""core.excel: typed cells, number formats, fitted widths, tall wrapped rows, frozen header + autofilter, print setup."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from core.excel import (DATE, DATETIME, INTEGER, PERCENT, Column, Row, Sheet, lines_needed, sheet_name, text_width,
                        write_workbook)

LONG = ("Chủ trì, phối hợp với Công an xã tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến "
        "toàn trình, hoàn thành trước ngày 01/01/2027 và báo cáo kết quả về Sở Khoa học và Công nghệ.")


def _book(tmp_path, **kw):
    columns = [Column("Mã hồ sơ"), Column("Nội dung", max_width=40), Column("Ngày tiếp nhận", DATE),
               Column("Lúc đồng bộ", DATETIME), Column("Số lần bổ sung", INTEGER), Column("Tỉ lệ số hóa", PERCENT)]
    rows = [["H48-0001", "Ngắn", dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 8, 30), 1234, 0.875],
            Row(["Nhóm: Văn bản số 12/UBND"], span=True, bold=True, fill="DDE7F3"),
            ["H48-0002", LONG, "2026-02-28", None, 0, None]]
    out = write_workbook([Sheet("Sổ hồ sơ tháng 01/2026", columns, rows, **kw)], tmp_path / "so.xlsx")
    return load_workbook(out)


def test_dates_numbers_and_percentages_are_typed_cells_with_formats(tmp_path):
    ws = _book(tmp_path).active
    assert ws.title == "Sổ hồ sơ tháng 01-2026"            # "/" is not allowed in sheet names
    assert [c.value for c in ws[1]] == ["Mã hồ sơ", "Nội dung", "Ngày tiếp nhận", "Lúc đồng bộ", "Số lần bổ sung",
                                        "Tỉ lệ số hóa"]
    date, moment, count, share = ws["C2"], ws["D2"], ws["E2"], ws["F2"]
    assert date.is_date and date.value.date() == dt.date(2026, 1, 5) and date.number_format == "dd/mm/yyyy"
    assert moment.is_date and moment.number_format == "dd/mm/yyyy hh:mm"
    assert count.value == 1234 and count.data_type == "n" and count.number_format == "#,##0"
    assert share.value == 0.875 and share.number_format == "0.0%"
    assert ws["C4"].is_date and ws["C4"].value.date() == dt.date(2026, 2, 28)  # ISO text becomes a date too
    assert ws["A1"].font.b and ws["A1"].font.name == "Times New Roman"


def test_header_frozen_with_autofilter_and_a4_print_setup(tmp_path):
    ws = _book(tmp_path).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4"
    assert ws.print_title_rows == "$1:$1"
    setup = ws.page_setup
    assert setup.paperSize == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text


def test_widths_fit_the_text_and_long_text_wraps_in_a_tall_row(tmp_path):
    ws = _book(tmp_path).active
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEF"}
    assert widths["A"] >= text_width("H48-0002") and widths["C"] >= text_width("28/02/2026")
    assert widths["B"] == 40                                     # capped, the text wraps instead
    assert ws["B4"].alignment.wrap_text
    lines = lines_needed(LONG, 40)
    assert lines >= 4 and ws.row_dimensions[4].height >= lines * 15
    assert ws.row_dimensions[2].height is None                   # one-line rows keep Excel's own height
    assert "A3:F3" in {str(r) for r in ws.merged_cells.ranges}   # a group title spans the row


def test_landscape_only_when_wide(tmp_path):
    wide = write_workbook([Sheet("Rộng", [Column(f"Cột {i}", width=30) for i in range(4)], [["a"] * 4])],
                          tmp_path / "w.xlsx")
    assert load_workbook(wide).active.page_setup.orientation == "landscape"   # 120 characters wide
    narrow = write_workbook([Sheet("Chỉ số", [Column("Mã"), Column("Tỷ lệ", PERCENT)], [["3.3", 0.5]])],
                            tmp_path / "n.xlsx")
    assert load_workbook(narrow).active.page_setup.orientation == "portrait"


def test_title_lines_sit_above_the_header_which_stays_frozen(tmp_path):
    ws = _book(tmp_path, title_lines=["BÁO CÁO TIẾN ĐỘ", "Số liệu đến ngày 05/01/2026"]).active
    assert ws["A1"].value == "BÁO CÁO TIẾN ĐỘ" and ws["A3"].value == "Mã hồ sơ"
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3" and ws.auto_filter.ref.startswith("A3:")


def test_sheet_names_are_valid_and_unique():
    assert sheet_name("Số liệu tháng 03/2025: [tạm]") == "Số liệu tháng 03-2025- -tạm-"
    assert len(sheet_name("x" * 50)) == 31
    assert sheet_name("Chỉ số", ["chỉ số"]) == "Chỉ số (2)"


def test_a_failed_write_leaves_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "so.xlsx"
    out.write_bytes(b"earlier")
    sheet = Sheet("A", [Column("x")], iter([["ok"], object()]))  # an unwritable cell value
    with pytest.raises(Exception):
        write_workbook([sheet], out)
    assert out.read_bytes() == b"earlier" and sorted(p.name for p in tmp_path.iterdir()) == ["so.xlsx"]


@pytest.mark.slow
def test_libreoffice_prints_the_sheet_on_landscape_a4_with_every_column_and_the_whole_text(tmp_path):
    import shutil
    import subprocess

    import pdfplumber

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-calc) is not installed")
    columns = [Column("STT"), Column("Nội dung nhiệm vụ", max_width=45), Column("Cơ quan chủ trì", max_width=26),
               Column("Thời hạn", DATE), Column("Tiến độ mới nhất", max_width=45), Column("Số hồ sơ", INTEGER)]
    rows = [[str(i), LONG, "UBND các xã, phường, đặc khu", dt.date(2026, 12, 31), f"Ghi chú {i}: " + LONG[:90],
             1000 + i] for i in range(1, 41)]
    out = write_workbook([Sheet("Nhiệm vụ quý IV-2026", columns, rows, title_lines=["BÁO CÁO TIẾN ĐỘ"])],
                         tmp_path / "nv.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=240)
    with pdfplumber.open(tmp_path / "nv.pdf") as pdf:
        first = pdf.pages[0]
        assert round(first.width) == 842 and round(first.height) == 595          # A4 landscape
        text = first.extract_text()
        for title in ("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tiến độ mới nhất", "Số hồ"):
            assert title in text                                                 # fitted to the page width
        assert "31/12/2026" in text and ("1.001" in text or "1,001" in text)     # date and number formats
        last_words = " ".join(LONG.split()[-4:])
        assert last_words in " ".join(text.split())                              # wrapped text not clipped
        if len(pdf.pages) > 1:
            assert "Nội dung nhiệm vụ" in pdf.pages[1].extract_text()            # header repeated
