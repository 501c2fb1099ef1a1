"""`hub report --out FILE.xlsx`: every unit's sync and work status in one sheet (core.excel)."""

from __future__ import annotations

from pathlib import Path

from core.clock import format_datetime_local, now_utc, parse_utc, today_local
from core.excel import DATETIME, INTEGER, PERCENT, Column, Row, Sheet, write_workbook
from core.hub.overview import STALE_DAYS, VERDICT_LABELS, unit_overview
from core.hub.database import HubDatabase

COLUMNS = [Column("Mã", align="center"), Column("Đơn vị", max_width=30), Column("Lần đồng bộ cuối", DATETIME),
           Column("Chưa đồng bộ 7 ngày", align="center", max_width=12), Column("Số gói đã nhận", INTEGER, max_width=11),
           Column("Đã nhận đến thay đổi số", INTEGER, max_width=11), Column("Số bản ghi", INTEGER, max_width=11),
           Column("Điểm cầu HNTH", max_width=16), Column("Hồ sơ tiếp nhận tháng này", INTEGER, max_width=12),
           Column("4.2 Tỉ lệ hồ sơ thực hiện số hóa", PERCENT, max_width=11),
           Column("3.3 Tỉ lệ hồ sơ trực tuyến", PERCENT, max_width=12),
           Column("Nhiệm vụ quá hạn (tỉnh giao và xã tự nhập, chưa hoàn thành)", INTEGER, max_width=14)]
STALE_FILL = "FDE2E1"


def report_sheet(store: HubDatabase) -> Sheet:
    month = today_local()
    rows = []
    for r in unit_overview(store):
        values = [r["code"], r["name"], parse_utc(r["last_sync"]) if r["last_sync"] else "chưa đồng bộ",
                  "Có" if r["stale"] else "Không", r["bundles_applied"], r["last_seq"], sum(r["rows"].values()),
                  VERDICT_LABELS.get(r["verdict"] or "", ""), r["dossiers_this_month"], r["digitised_share"],
                  r["online_share"], r["overdue_tasks"]]
        rows.append(Row(values, fill=STALE_FILL) if r["stale"] else values)
    return Sheet(f"Đồng bộ các xã {month.month:02d}-{month.year}", COLUMNS, rows, title_lines=[
        f"TÌNH HÌNH ĐỒNG BỘ DỮ LIỆU CÁC ĐƠN VỊ CẤP XÃ — THÁNG {month.month:02d}/{month.year}",
        f"Lập lúc {format_datetime_local(now_utc())}; tô đỏ: chưa đồng bộ trong {STALE_DAYS} ngày."])


def write_report(store: HubDatabase, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_workbook([report_sheet(store)], out)
