"""The quarterly task report as an Excel workbook staff can edit before sending (core.excel)."""

from __future__ import annotations

from pathlib import Path

from core.clock import format_date
from core.excel import DATE, Column, Row, Sheet, write_workbook
from core.tasks.report import HEADERS, ROMAN, QuarterReport

COLUMNS = [Column(HEADERS[0], align="center", max_width=8), Column(HEADERS[1], align="center", max_width=12),
           Column(HEADERS[2], max_width=60), Column(HEADERS[3], max_width=26), Column(HEADERS[4], DATE, max_width=16),
           Column(HEADERS[5], max_width=22), Column(HEADERS[6], max_width=45)]
GROUP_FILL = "DDE7F3"
OVERDUE_COLOR = "B00020"


def report_sheet(report: QuarterReport, *, unit_name: str = "") -> Sheet:
    counts = report.counts()
    summary = (f"{unit_name} — số liệu đến ngày {format_date(report.as_of)}: {counts['total']} nhiệm vụ, "
               f"hoàn thành {counts['done']}, đang thực hiện {counts['doing']}, chưa thực hiện {counts['todo']}, "
               f"tạm dừng {counts['paused']}, quá hạn {counts['overdue']}.").strip(" —")
    rows: list = []
    for number, group in enumerate(report.groups, start=1):
        rows.append(Row([f"{number}. {group.title}"], bold=True, span=True, fill=GROUP_FILL))
        for serial, task in enumerate(group.rows, start=1):
            rows.append(Row([f"{number}.{serial}", task["ref"], task["content"], task["lead_unit"],
                             task.get("deadline_on") or task["deadline"], task["status_text"], task["latest_note"]],
                            colors={5: OVERDUE_COLOR} if task["overdue"] else {}))
    if not report.groups:
        rows.append(Row(["Không có nhiệm vụ nào của cấp xã trong kỳ báo cáo."], span=True))
    return Sheet(f"Nhiệm vụ quý {ROMAN[report.quarter - 1]}-{report.year}", COLUMNS, rows,
                 title_lines=["BÁO CÁO " + report.title.upper(), summary], landscape=True)


def write_xlsx(report: QuarterReport, out: Path, *, unit_name: str = "") -> None:
    write_workbook([report_sheet(report, unit_name=unit_name)], out)
