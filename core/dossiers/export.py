"""Export the register and the counters of a period to .xlsx (Vietnamese headers) or CSV.

CSV is written with a UTF-8 BOM so Excel on Windows shows the diacritics. The .xlsx files
are written by core.excel (date cells, numbers, fitted widths, frozen header, A4 print setup);
register rows are streamed (a cursor over SQLite), so a ten-year register never sits in memory.
The register export uses the import's header names, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from core import durable
from core.clock import format_date
from core.dossiers.indicators import COUNTER_COLUMNS, INDICATORS, compute_indicators, counters
from core.dossiers.model import CHANNELS, COLUMN_LABELS, EDITABLE_COLUMNS, RESULT_LABELS, fee_as_import_text, yes_no
from core.dossiers.periods import Period, custom_period
from core.dossiers.register import RegisterFilter, iter_dossiers
from core.errors import AppError, UserInputError
from core.excel import DATE, DECIMAL, INTEGER, MAX_WIDTH, TEXT, Column, Row, Sheet, write_workbook
from core.output_files import require_suffix
from db.store import Store

SOURCE_LABELS = {"register": "Sổ đăng ký", "tally": "Số liệu tổng hợp theo ngày",
                 "total_register": "", "total_tally": "", "total": ""}


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def register_values(store: Store, flt: RegisterFilter | None = None):
    """One list of typed values per dossier (dates as dates, counts as ints), in EDITABLE_COLUMNS order."""
    for row in iter_dossiers(store, flt):
        yield [row["code"], row["field"], row["procedure_name"] or "", row["procedure_code"] or "",
               _day(row["received_on"]), _day(row["promised_on"]), _day(row["finished_on"]),
               CHANNELS[row["channel"]], yes_no(row["components_digitised"]),
               RESULT_LABELS[row["result_digitised"]], yes_no(row["data_reused"]),
               yes_no(row["vneid_identified"]), fee_as_import_text(row["fee"]), row["supplement_requests"],
               row["supplement_days"]]


def register_rows(store: Store, flt: RegisterFilter | None = None):
    """Header, then one list of display strings per dossier (dates dd/mm/yyyy), as CSV holds them."""
    yield [COLUMN_LABELS[c] for c in EDITABLE_COLUMNS]
    for values in register_values(store, flt):
        yield [format_date(v) if isinstance(v, dt.date) else v for v in values]


_REGISTER_KINDS = {"received_on": DATE, "promised_on": DATE, "finished_on": DATE,
                   "supplement_requests": INTEGER, "supplement_days": INTEGER}
_REGISTER_MAX_WIDTH = {"procedure_name": 55, "field": 30}


def register_columns() -> list[Column]:
    return [Column(COLUMN_LABELS[c], _REGISTER_KINDS.get(c, TEXT), max_width=_REGISTER_MAX_WIDTH.get(c, MAX_WIDTH))
            for c in EDITABLE_COLUMNS]


def register_sheet_name(flt: RegisterFilter | None) -> str:
    """"Sổ hồ sơ tháng 06-2025" / "… quý 2-2025" / "… năm 2025" / "Sổ hồ sơ 01.06.2025-15.06.2025"."""
    if not flt or not (flt.received_from and flt.received_to):
        return "Sổ hồ sơ"
    period = custom_period(flt.received_from, flt.received_to)
    label = period.label()
    if label.startswith("từ "):
        return f"Sổ hồ sơ {period.start:%d.%m.%Y}-{period.end:%d.%m.%Y}"
    return f"Sổ hồ sơ {label}"


def counter_rows(store: Store, period: Period):
    yield ["Lĩnh vực", "Nguồn số liệu", *(name for name, _ in COUNTER_COLUMNS)]
    for row in counters(store, period):
        yield [row.field, SOURCE_LABELS[row.source], *row.values]


def counter_sheet(store: Store, period: Period) -> Sheet:
    rows = counter_rows(store, period)
    next(rows)
    # The totals ("Cộng sổ đăng ký hồ sơ", "Tổng cộng") have no source label: bold on a light fill.
    styled = (r if r[1] else Row(r, bold=True, fill="EEF2F7") for r in rows)
    columns = [Column("Lĩnh vực", max_width=40), Column("Nguồn số liệu", max_width=28),
               *(Column(name, INTEGER, max_width=16) for name, _ in COUNTER_COLUMNS)]
    return Sheet("Số liệu " + period.label(), columns, styled)


def indicator_rows(store: Store, period: Period):
    report = compute_indicators(store, period)
    yield ["Chỉ số", "Tên chỉ số", "Tử số", "Mẫu số", "Cách tính mẫu số", "Tỷ lệ (%)", "Chỉ tiêu (%)"]
    for key, value in report.values.items():
        d = INDICATORS[key]
        yield [d.number, d.name, value.numerator, value.denominator, d.denominator,
               "" if value.value is None else round(value.value * 100, 1),
               "" if value.target is None else round(value.target.target * 100, 1)]


def indicator_sheet(store: Store, period: Period) -> Sheet:
    rows = indicator_rows(store, period)
    next(rows)
    columns = [Column("Chỉ số", align="center"), Column("Tên chỉ số", max_width=45), Column("Tử số", INTEGER),
               Column("Mẫu số", INTEGER), Column("Cách tính mẫu số", max_width=40),
               Column("Tỷ lệ (%)", DECIMAL), Column("Chỉ tiêu (%)", DECIMAL)]
    return Sheet("Chỉ số QĐ 766 " + period.label(), columns, list(rows))


def _atomic_target(path: Path) -> Path:
    path = Path(path)
    if not path.parent.exists():
        raise UserInputError(f"Không có thư mục “{path.parent}”.")
    return path.with_name(path.name + ".partial")


def _finish(partial: Path, final: Path) -> Path:
    try:
        durable.replace_durably(partial, final)
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


FORMATS = (".xlsx", ".csv")


def export_register(store: Store, path: Path, flt: RegisterFilter | None = None) -> Path:
    path = require_suffix(path, FORMATS)
    if path.suffix.lower() == ".csv":
        return write_csv(register_rows(store, flt), path)
    return write_workbook([Sheet(register_sheet_name(flt), register_columns(), register_values(store, flt))], path)


def export_counters(store: Store, period: Period, path: Path) -> Path:
    """Counters per field, plus the indicators, of one period."""
    path = require_suffix(path, FORMATS)
    if path.suffix.lower() == ".csv":
        return write_csv(counter_rows(store, period), path)
    return write_workbook([counter_sheet(store, period), indicator_sheet(store, period)], path)
