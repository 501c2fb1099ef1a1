"""Output files from the command line on demo data: .xlsx that behaves like Excel, .docx reports,
refused extensions (exit 2), and checklist ids that `checklist print` accepts as `checklist runs` shows them."""

from __future__ import annotations

import json
import os
import re

import docx
import pytest
from openpyxl import load_workbook

from core.cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo") / "data"
    assert run(["demo-data", "--data-dir", str(d)]) == 0
    return d


def cli(capsys, *args):
    code = run([*args])
    out, err = capsys.readouterr()
    return code, out, err


COMMANDS = [
    ["export-dossiers", "--from", "2026-01-01", "--to", "2026-12-31"],
    ["export-dossiers", "--counters", "--from", "2026-01-01", "--to", "2026-12-31"],
    ["dossier-report", "--month", "2026-11"],
    ["task-report", "--quarter", "4/2026"],
    ["checklist", "blank"],
]
SUPPORTED = {"export-dossiers": (".xlsx", ".csv"), "dossier-report": (".pdf", ".docx"),
             "task-report": (".xlsx", ".pdf", ".docx"), "checklist": (".pdf", ".docx")}
NAMES = ["x.pdf", "x.ods", "x.txt", "x.xls", "x", "x.odt"]


@pytest.mark.parametrize("command, name", [
    (command, name) for command in COMMANDS for name in NAMES
    if not any(name.endswith(s) for s in SUPPORTED[command[0]])  # each command's own formats are others' tests
])
def test_unknown_extension_is_refused_with_exit_2(demo, tmp_path, capsys, command, name):
    out = tmp_path / name
    code, _, err = cli(capsys, *command, "--out", str(out), "--data-dir", str(demo))
    assert code == 2
    assert "Không ghi được tệp" in err and "hãy đặt tên tệp có đuôi" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_checklist_print_refuses_unknown_extension(demo, tmp_path, capsys):
    code, out, _ = cli(capsys, "checklist", "runs", "--json", "--data-dir", str(demo))
    short = json.loads(out)[0]["short_id"]
    code, _, err = cli(capsys, "checklist", "print", short, "--out", str(tmp_path / "p.xlsx"), "--data-dir", str(demo))
    assert code == 2 and "không hỗ trợ định dạng “.xlsx”" in err and not list(tmp_path.iterdir())


def test_runs_show_unique_ids_that_print_accepts(demo, tmp_path, capsys):
    code, out, _ = cli(capsys, "checklist", "runs", "--data-dir", str(demo))
    assert code == 0
    shown = [line.split()[0] for line in out.splitlines()]
    assert len(shown) == 13 and len(set(shown)) == 13 and all(len(s) >= 4 for s in shown)
    full = [r["id"] for r in json.loads(cli(capsys, "checklist", "runs", "--json", "--data-dir", str(demo))[1])]
    shared = os.path.commonprefix(full[:2])
    assert len(shared) >= 8                       # UUIDv7: runs made together share their time prefix
    for short, run_id in list(zip(shown, full))[:3] + list(zip(shown, full))[-2:]:
        assert run_id.endswith(short)
        out_pdf = tmp_path / f"{short}.pdf"
        code, printed, err = cli(capsys, "checklist", "print", short, "--out", str(out_pdf), "--data-dir", str(demo))
        assert code == 0, err
        assert out_pdf.exists()
    code, _, err = cli(capsys, "checklist", "print", shared, "--out", str(tmp_path / "a.pdf"),
                       "--data-dir", str(demo))
    assert code == 2 and "phiếu khớp với mã" in err   # the shared prefix is ambiguous, and said so
    assert not (tmp_path / "a.pdf").exists()


def test_dossier_register_xlsx_has_date_cells_widths_filter_and_print_setup(demo, tmp_path, capsys):
    out = tmp_path / "so.xlsx"
    code, _, err = cli(capsys, "export-dossiers", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out),
                       "--data-dir", str(demo))
    assert code == 0, err
    ws = load_workbook(out).active
    assert ws.title == "Sổ hồ sơ tháng 11-2026"
    header = [c.value for c in ws[1]]
    received = header.index("Ngày tiếp nhận") + 1
    cell = ws.cell(2, received)
    assert cell.is_date and cell.number_format == "dd/mm/yyyy" and cell.value.month == 11
    requests = ws.cell(2, header.index("Số lần yêu cầu bổ sung") + 1)
    assert isinstance(requests.value, int) and requests.number_format == "#,##0"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{ws.max_row}"
    assert all(ws.column_dimensions[c].width and ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNO")
    assert ws.column_dimensions["A"].width >= len(ws["A2"].value)     # the dossier code is not cut off
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape" and ws.print_title_rows


def test_counters_xlsx_sheets_say_what_they_hold(demo, tmp_path, capsys):
    out = tmp_path / "so-lieu.xlsx"
    assert cli(capsys, "export-dossiers", "--counters", "--from", "2026-11-01", "--to", "2026-11-30", "--out",
               str(out), "--data-dir", str(demo))[0] == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Số liệu tháng 11-2026", "Chỉ số QĐ 766 tháng 11-2026"]
    counters = book.worksheets[0]
    assert counters["C2"].data_type == "n" and counters["C2"].number_format == "#,##0"
    assert counters[counters.max_row][0].value == "Tổng cộng" and counters[counters.max_row][0].font.b


def test_task_report_xlsx_has_typed_deadlines_and_a_landscape_page(demo, tmp_path, capsys):
    out = tmp_path / "nv.xlsx"
    assert cli(capsys, "task-report", "--quarter", "4/2026", "--out", str(out), "--data-dir", str(demo))[0] == 0
    ws = load_workbook(out).active
    assert ws.title == "Nhiệm vụ quý IV-2026" and ws["A3"].value == "STT" and ws.freeze_panes == "A4"
    deadlines = [ws.cell(r, 5) for r in range(4, ws.max_row + 1) if ws.cell(r, 5).value]
    assert any(c.is_date and c.number_format == "dd/mm/yyyy" for c in deadlines)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"


def test_dossier_report_docx_opens_with_title_and_table(demo, tmp_path, capsys):
    out = tmp_path / "bc.docx"
    code, printed, err = cli(capsys, "dossier-report", "--month", "2026-11", "--out", str(out), "--data-dir", str(demo))
    assert code == 0, err
    d = docx.Document(out)
    texts = [p.text for p in d.paragraphs]
    assert "BÁO CÁO" in texts
    assert any(t.startswith("Kết quả tiếp nhận, giải quyết và số hóa hồ sơ thủ tục hành chính tháng 11") for t in texts)
    table = d.tables[1]
    assert [c.text for c in table.rows[0].cells][:3] == ["STT", "Lĩnh vực", "Tiếp nhận"]
    assert any(row.cells[1].text == "Hộ tịch" for row in table.rows)
    assert "Nơi nhận:" in d.tables[-1].rows[0].cells[0].text


def test_task_report_docx_has_the_fill_in_paragraph(demo, tmp_path, capsys):
    out = tmp_path / "nv.docx"
    assert cli(capsys, "task-report", "--quarter", "4/2026", "--out", str(out), "--data-dir", str(demo))[0] == 0
    d = docx.Document(out)
    assert any("Tiến độ thực hiện nhiệm vụ theo văn bản chỉ đạo Quý IV năm 2026" in p.text for p in d.paragraphs)
    assert [c.text for c in d.tables[1].rows[0].cells] == ["STT", "Mục", "Nội dung nhiệm vụ", "Thời hạn",
                                                          "Trạng thái", "Tiến độ mới nhất"]
    xml = d.element.body.xml
    assert "<w:sdt>" in xml and "(Cán bộ ghi đề xuất" in xml


def test_checklist_sheet_docx_has_check_boxes(demo, tmp_path, capsys):
    short = json.loads(cli(capsys, "checklist", "runs", "--json", "--data-dir", str(demo))[1])[1]["short_id"]
    out = tmp_path / "phieu.docx"
    assert cli(capsys, "checklist", "print", short, "--out", str(out), "--data-dir", str(demo))[0] == 0
    d = docx.Document(out)
    assert any(p.text.startswith("PHIẾU KIỂM TRA SẴN SÀNG") for p in d.paragraphs)
    items = d.tables[1]
    assert any("☑" in c.text for row in items.rows for c in row.cells)


def _table_digit_sizes(pdf_path):
    import pdfplumber

    sizes = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = page.extract_words(extra_attrs=["size"])
            sizes += [w["size"] for w in words if re.fullmatch(r"\d{2}/\d{2}/\d{4}:?", w["text"])]
    return sizes


def test_dates_in_printed_task_report_are_full_size(demo, tmp_path, capsys):
    out = tmp_path / "nv.pdf"
    assert cli(capsys, "task-report", "--quarter", "4/2026", "--out", str(out), "--data-dir", str(demo))[0] == 0
    sizes = _table_digit_sizes(out)
    assert sizes and min(sizes) >= 12 - 0.01, sorted(set(sizes))


def test_dates_shrink_without_the_column_widening(demo, tmp_path, capsys, monkeypatch):
    # Negative check of the test above: with the widening removed, "Thời hạn" is too narrow again.
    from core.printing import tables

    monkeypatch.setattr(tables, "_widen_for_words", lambda widths, *args: widths)
    out = tmp_path / "nv.pdf"
    assert cli(capsys, "task-report", "--quarter", "4/2026", "--out", str(out), "--data-dir", str(demo))[0] == 0
    assert min(_table_digit_sizes(out)) < 11
