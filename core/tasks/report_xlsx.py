"""The quarterly task report as an Excel workbook staff can edit before sending."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.clock import format_date
from core.fileio import replace_file
from core.tasks.report import HEADERS, QuarterReport

WIDTHS = [6, 9, 60, 26, 14, 18, 45]
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_GROUP_FILL = PatternFill("solid", fgColor="DDE7F3")
_HEADER_FILL = PatternFill("solid", fgColor="BFCFE3")
_OVERDUE_FONT = Font(name="Times New Roman", size=12, color="B00020", bold=True)
_FONT = Font(name="Times New Roman", size=12)
_BOLD = Font(name="Times New Roman", size=12, bold=True)


def write_xlsx(report: QuarterReport, out: Path, *, unit_name: str = "") -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Quý {report.quarter}-{report.year}"
    last_col = get_column_letter(len(HEADERS))
    sheet.merge_cells(f"A1:{last_col}1")
    sheet["A1"] = "BÁO CÁO " + report.title.upper()
    sheet["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    sheet.merge_cells(f"A2:{last_col}2")
    counts = report.counts()
    sheet["A2"] = (f"{unit_name} — số liệu đến ngày {format_date(report.as_of)}: {counts['total']} nhiệm vụ, "
                   f"hoàn thành {counts['done']}, đang thực hiện {counts['doing']}, chưa thực hiện {counts['todo']}, "
                   f"tạm dừng {counts['paused']}, quá hạn {counts['overdue']}.").strip(" —")
    sheet["A2"].font = Font(name="Times New Roman", size=12, italic=True)
    sheet["A2"].alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[2].height = 32
    header_row = 4
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = sheet.cell(header_row, col, title)
        cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    row_index = header_row + 1
    for number, group in enumerate(report.groups, start=1):
        sheet.merge_cells(start_row=row_index, start_column=1, end_row=row_index, end_column=len(HEADERS))
        cell = sheet.cell(row_index, 1, f"{number}. {group.title}")
        cell.font, cell.fill, cell.alignment = _BOLD, _GROUP_FILL, _WRAP
        for col in range(1, len(HEADERS) + 1):
            sheet.cell(row_index, col).border = _BORDER
        row_index += 1
        for serial, task in enumerate(group.rows, start=1):
            values = [f"{number}.{serial}", task["ref"], task["content"], task["lead_unit"], task["deadline"],
                      task["status_text"], task["latest_note"]]
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row_index, col, value)
                cell.font, cell.alignment, cell.border = _FONT, _WRAP, _BORDER
            if task["overdue"]:
                sheet.cell(row_index, 6).font = _OVERDUE_FONT
            row_index += 1
    if not report.groups:
        sheet.cell(row_index, 1, "Không có nhiệm vụ nào của cấp xã trong kỳ báo cáo.").font = _FONT
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _save_atomically(book, out)


def _save_atomically(book: Workbook, out: Path) -> None:
    """A failed save (disk full, file open in Excel) leaves any earlier report untouched."""
    from core.errors import AppError

    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        book.save(tmp)
        replace_file(tmp, out)
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AppError(f"Không ghi được “{out.name}”: tệp đang mở trong Excel hoặc không có quyền ghi. "
                       "Hãy đóng tệp rồi thử lại.", details=repr(exc)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
