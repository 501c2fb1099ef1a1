"""`hub report --out FILE.xlsx`: every unit's sync and work status in one sheet (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.clock import format_datetime_local, now_utc, today_local
from core.fileio import replace_file
from core.hub.overview import STALE_DAYS, VERDICT_LABELS, unit_overview
from db.store import Store

COLUMNS = [("Mã", 8), ("Đơn vị", 28), ("Lần đồng bộ cuối", 18), ("Chưa đồng bộ 7 ngày", 12),
           ("Số gói đã nhận", 10), ("Số thay đổi cuối", 10), ("Số bản ghi", 10), ("Điểm cầu HNTH", 16),
           ("Hồ sơ tiếp nhận tháng này", 12), ("Tỉ lệ số hóa TPHS", 11), ("Tỉ lệ tiếp nhận trực tuyến", 11),
           ("Nhiệm vụ quá hạn", 10)]
STALE_FILL = PatternFill("solid", fgColor="FDE2E1")


def write_report(store: Store, out: Path) -> Path:
    rows = unit_overview(store)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tình hình đồng bộ"
    month = today_local()
    sheet.append([f"TÌNH HÌNH ĐỒNG BỘ DỮ LIỆU CÁC ĐƠN VỊ CẤP XÃ — THÁNG {month.month:02d}/{month.year}"])
    sheet.append([f"Lập lúc {format_datetime_local(now_utc())}; tô đỏ: chưa đồng bộ trong {STALE_DAYS} ngày."])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([name for name, _ in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for r in rows:
        sheet.append([
            r["code"], r["name"], format_datetime_local(r["last_sync"]) if r["last_sync"] else "chưa đồng bộ",
            "Có" if r["stale"] else "Không", r["bundles_applied"], r["last_seq"], sum(r["rows"].values()),
            VERDICT_LABELS.get(r["verdict"] or "", ""), r["dossiers_this_month"], r["digitised_share"],
            r["online_share"], r["overdue_tasks"]])
        if r["stale"]:
            for cell in sheet[sheet.max_row]:
                cell.fill = STALE_FILL
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=4, min_col=10, max_col=11):
        for cell in row:
            cell.number_format = "0.0%"
    sheet.freeze_panes = "C4"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    book.save(tmp)
    replace_file(tmp, out)
    return out
