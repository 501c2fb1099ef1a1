"""Export the register and the counters of a period to .xlsx (Vietnamese headers) or CSV.

CSV is written with a UTF-8 BOM so Excel on Windows shows the diacritics. Register rows
are streamed (openpyxl write-only mode, a cursor over SQLite), so a ten-year register
never sits in memory. The register export uses the import's header names, so an
exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from core.clock import format_date
from core.dossiers.indicators import COUNTER_COLUMNS, INDICATORS, compute_indicators, counters
from core.dossiers.model import CHANNELS, COLUMN_LABELS, EDITABLE_COLUMNS, RESULT_LABELS, fee_as_import_text, yes_no
from core.dossiers.periods import Period
from core.dossiers.register import RegisterFilter, iter_dossiers
from core.errors import AppError, UserInputError
from core.fileio import replace_file
from db.store import Store

SOURCE_LABELS = {"register": "Sổ đăng ký", "tally": "Số liệu tổng hợp theo ngày",
                 "total_register": "", "total_tally": "", "total": ""}


def _date(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else ""


def register_rows(store: Store, flt: RegisterFilter | None = None):
    """Header, then one list of display strings per dossier."""
    yield [COLUMN_LABELS[c] for c in EDITABLE_COLUMNS]
    for row in iter_dossiers(store, flt):
        yield [row["code"], row["field"], row["procedure_name"] or "", row["procedure_code"] or "",
               _date(row["received_on"]), _date(row["promised_on"]), _date(row["finished_on"]),
               CHANNELS[row["channel"]], yes_no(row["components_digitised"]),
               RESULT_LABELS[row["result_digitised"]], yes_no(row["data_reused"]),
               yes_no(row["vneid_identified"]), fee_as_import_text(row["fee"]), row["supplement_requests"],
               row["supplement_days"]]


def counter_rows(store: Store, period: Period):
    yield ["Lĩnh vực", "Nguồn số liệu", *(name for name, _ in COUNTER_COLUMNS)]
    for row in counters(store, period):
        yield [row.field, SOURCE_LABELS[row.source], *row.values]


def indicator_rows(store: Store, period: Period):
    report = compute_indicators(store, period)
    yield ["Chỉ số", "Tên chỉ số", "Tử số", "Mẫu số", "Cách tính mẫu số", "Tỷ lệ (%)", "Chỉ tiêu (%)"]
    for key, value in report.values.items():
        d = INDICATORS[key]
        yield [d.number, d.name, value.numerator, value.denominator, d.denominator,
               "" if value.value is None else round(value.value * 100, 1),
               "" if value.target is None else round(value.target.target * 100, 1)]


def _atomic_target(path: Path) -> Path:
    path = Path(path)
    if not path.parent.exists():
        raise UserInputError(f"Không có thư mục “{path.parent}”.")
    return path.with_name(path.name + ".partial")


def _finish(partial: Path, final: Path) -> Path:
    try:
        replace_file(partial, final)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AppError(f"Không ghi được tệp “{final}” (tệp đang mở trong Excel?).", details=repr(exc)) from exc
    return final


def write_csv(rows, path: Path) -> Path:
    partial = _atomic_target(path)
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AppError(f"Không ghi được tệp “{path}”.", details=repr(exc)) from exc
    return _finish(partial, Path(path))


def write_xlsx(sheets: list[tuple[str, object]], path: Path) -> Path:
    """`sheets`: (sheet title, rows iterable whose first row is the header)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    partial = _atomic_target(path)
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        # Excel refuses : \ / ? * [ ] in sheet names ("tháng 03/2025").
        sheet = workbook.create_sheet(re.sub(r"[:\\/?*\[\]]", "-", title)[:31])
        for index, row in enumerate(rows):
            if index == 0:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.font = Font(bold=True)
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(row)
    try:
        workbook.save(partial)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AppError(f"Không ghi được tệp “{path}”.", details=repr(exc)) from exc
    return _finish(partial, Path(path))


def export_register(store: Store, path: Path, flt: RegisterFilter | None = None) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_csv(register_rows(store, flt), path)
    return write_xlsx([("Sổ hồ sơ", register_rows(store, flt))], path)


def export_counters(store: Store, period: Period, path: Path) -> Path:
    """Counters per field, plus the indicators, of one period."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_csv(counter_rows(store, period), path)
    return write_xlsx([("Số liệu " + period.label()[:20], counter_rows(store, period)),
                       ("Chỉ số", indicator_rows(store, period))], path)
