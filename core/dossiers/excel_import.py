"""Import a dossier list exported from the provincial one-stop system (.xlsx).

Two steps, so nothing is written until a person has seen what will happen:
1. `plan_import` reads the first sheet (openpyxl read-only mode: rows stream, memory
   stays flat on a 100,000-row file), matches the header row by folded name, checks
   every row and sorts it into new / updated / unchanged / rejected (with a reason);
2. `commit_import` writes the plan in ONE transaction: all of it, or on failure none.

Upsert by dossier code. A code that appears twice in the file is refused on its later
rows (the first is kept), never merged. Columns the file lacks keep the register's
values for dossiers already there.
"""

from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.clock import today_local, utc_iso
from core.dossiers import locks
from core.dossiers.codes import InvalidCodeError, normalise_code
from core.dossiers.excel_values import (REQUIRED, CellError, fold_key, header_key, read_channel, read_date,
                                        read_count, read_fee, read_flag, read_result)
from core.dossiers.fields import field_resolver
from core.dossiers.model import COLUMN_LABELS, EDITABLE_COLUMNS
from core.dossiers.register import clean_dossier
from core.errors import AppError, UserInputError
from db.store import Store

MAX_ROWS = 150_000
HEADER_SCAN_ROWS = 20
_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportFileError(UserInputError):
    """The file as a whole cannot be imported."""


@dataclass
class HeaderInfo:
    row: int  # 1-based sheet row of the header
    headers: list[str]
    mapping: dict[int, str]  # column index -> column key
    unknown: list[tuple[int, str]]  # headers matched to nothing (offered for manual mapping)
    missing: list[str]  # required keys no column maps to


@dataclass
class Rejection:
    row: int
    code: str
    reason: str


@dataclass
class ImportPlan:
    path: Path
    header: HeaderInfo
    rows_read: int = 0
    new: list[dict] = field(default_factory=list)
    updated: list[tuple[str, dict]] = field(default_factory=list)  # (dossier id, full clean values)
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    locked_touched: dict[str, int] = field(default_factory=dict)  # locked month -> rows touching it
    reason: str | None = None

    def counts(self) -> dict:
        return {"new": len(self.new), "updated": len(self.updated), "unchanged": self.unchanged,
                "rejected": len(self.rejected)}

    def as_json(self, *, dry_run: bool) -> dict:
        return {**self.counts(), "dry_run": dry_run, "rows": self.rows_read,
                "rejections": [{"row": r.row, "code": r.code, "reason": r.reason} for r in self.rejected]}


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"Không tìm thấy tệp “{path}”.")
    with path.open("rb") as f:
        head = f.read(8)
        if head == _CFB_SIGNATURE:
            rest = head + f.read(1 << 20)
            if "EncryptedPackage".encode("utf-16-le") in rest:
                raise ImportFileError("Tệp Excel được đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu, "
                                      "lưu lại dạng .xlsx rồi nhập lại.", details=str(path))
            raise ImportFileError("Tệp là định dạng Excel cũ (.xls). Hãy mở bằng Excel và lưu lại dạng .xlsx.",
                                  details=str(path))
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError("Tệp không đọc được: không phải tệp .xlsx hợp lệ hoặc đã bị hỏng.",
                              details=f"{path}: {exc!r}") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and friends
        raise ImportFileError("Tệp không đọc được: không phải tệp .xlsx hợp lệ hoặc đã bị hỏng.",
                              details=f"{path}: {exc!r}") from exc


def _first_sheet_rows(workbook):
    if not workbook.worksheets:
        raise ImportFileError("Tệp không có trang tính nào.")
    return workbook.worksheets[0]


def _find_header(rows_iter, overrides: dict[str, str | None]) -> tuple[HeaderInfo, list]:
    """Scan the first rows for the header; returns it and the rows read past it."""
    scanned = []
    for index, row in enumerate(rows_iter, start=1):
        scanned.append(row)
        if index >= HEADER_SCAN_ROWS:
            break
    if not any(any(v not in (None, "") for v in row) for row in scanned):
        raise ImportFileError("Trang tính đầu tiên trống: không có dòng tiêu đề và dữ liệu.")
    chosen = None
    for index, row in enumerate(scanned):
        keys = [_key_for(cell, overrides) for cell in row]
        if "code" in keys:
            chosen = index
            break
    if chosen is None:  # no code column: take the first non-empty row; the caller maps by hand
        chosen = next(i for i, row in enumerate(scanned) if any(v not in (None, "") for v in row))
    headers = ["" if v is None else str(v).strip() for v in scanned[chosen]]
    mapping, unknown = {}, []
    for col, text in enumerate(headers):
        if not text:
            continue
        key = _key_for(text, overrides)
        if key and key not in mapping.values():
            mapping[col] = key
        elif key is None and fold_key(text) not in overrides:
            unknown.append((col, text))
    missing = [k for k in REQUIRED if k not in mapping.values()]
    return HeaderInfo(chosen + 1, headers, mapping, unknown, missing), scanned[chosen + 1:]


def _key_for(cell, overrides: dict[str, str | None]) -> str | None:
    if cell is None:
        return None
    folded = fold_key(cell)
    if folded in overrides:
        return overrides[folded]
    return header_key(cell)


def _fold_overrides(mapping: dict[str, str | None] | None) -> dict[str, str | None]:
    return {fold_key(header): key for header, key in (mapping or {}).items()}


def inspect_headers(path: Path, mapping: dict[str, str | None] | None = None) -> HeaderInfo:
    """The header row and how its columns map (cheap: reads only the first rows)."""
    workbook = _open_workbook(path)
    try:
        sheet = _first_sheet_rows(workbook)
        header, _ = _find_header(sheet.iter_rows(values_only=True), _fold_overrides(mapping))
        return header
    finally:
        workbook.close()


def _missing_message(header: HeaderInfo) -> str:
    names = ", ".join(COLUMN_LABELS[k] for k in header.missing)
    return f"Không tìm thấy cột bắt buộc: {names} (dòng tiêu đề {header.row}). Hãy chọn cột tương ứng."


def plan_import(store: Store, path: Path, *, mapping: dict[str, str | None] | None = None,
                reason: str | None = None,
                report: Callable[[int, int, str], None] | None = None) -> ImportPlan:
    """Read and check the whole file; write nothing. `mapping`: header text -> column key
    (or None to ignore) for headers the automatic matching does not know."""
    workbook = _open_workbook(path)
    try:
        sheet = _first_sheet_rows(workbook)
        total_hint = sheet.max_row or 0
        rows_iter = sheet.iter_rows(values_only=True)
        header, pending = _find_header(rows_iter, _fold_overrides(mapping))
        if header.missing:
            raise ImportFileError(_missing_message(header))
        plan = ImportPlan(Path(path), header, reason=(reason or "").strip() or None)
        _check_rows(store, plan, _chain(pending, rows_iter), total_hint, report)
    finally:
        workbook.close()
    if plan.rows_read == 0:
        raise ImportFileError("Trang tính không có dòng hồ sơ nào dưới dòng tiêu đề.")
    return plan


def _chain(first, rest):
    yield from first
    yield from rest


def _check_rows(store: Store, plan: ImportPlan, rows, total_hint: int, report) -> None:
    """Pass 1 streams the sheet (cells, code, in-file duplicates); pass 2 compares with the
    register, looked up only for the codes the file holds."""
    read = _read_rows(plan, rows, total_hint, report)
    existing = _existing_rows(store, [code for _row, code, _values in read])
    locked = locks.locked_months(store)
    resolve_field = field_resolver(store)
    today = today_local()
    for row_number, code, values in read:
        old = existing.get(code)
        if old is not None:
            old_values = dict(zip(EDITABLE_COLUMNS, old[1:]))
            values = old_values | values
        try:
            clean = clean_dossier(values, resolve_field=resolve_field, today=today, code_normalised=True)
        except UserInputError as exc:
            plan.rejected.append(Rejection(row_number, code, exc.message))
            continue
        months = {locks.month_of(clean["received_on"]), locks.month_of(clean["finished_on"])}
        if old is not None:
            if tuple(clean[k] for k in EDITABLE_COLUMNS) == tuple(old[1:]):
                plan.unchanged += 1
                continue
            months |= {locks.month_of(old_values["received_on"]), locks.month_of(old_values["finished_on"])}
        hit = sorted(m for m in months if m in locked)
        if hit and not plan.reason:
            plan.rejected.append(Rejection(row_number, code, "Tháng " + ", ".join(locks.month_label(m) for m in hit)
                                           + " đã khóa sau khi báo cáo; cần nhập lý do để sửa."))
            continue
        for month in hit:
            plan.locked_touched[month] = plan.locked_touched.get(month, 0) + 1
        if old is None:
            plan.new.append(clean)
        else:
            plan.updated.append((old[0], clean))
    plan.rejected.sort(key=lambda r: r.row)


def _read_rows(plan: ImportPlan, rows, total_hint: int, report) -> list[tuple[int, str, dict]]:
    columns = [(col, key, _reader(key)) for col, key in plan.header.mapping.items()]
    code_col = next(col for col, key, _fn in columns if key == "code")
    seen: dict[str, int] = {}
    out = []
    row_number = plan.header.row
    for cells in rows:
        row_number += 1
        if not any(v not in (None, "") for v in cells):
            continue
        plan.rows_read += 1
        if plan.rows_read > MAX_ROWS:
            raise ImportFileError(f"Tệp có hơn {MAX_ROWS:,} dòng hồ sơ; hãy chia thành nhiều tệp "
                                  "(ví dụ theo quý).".replace(",", "."))
        if report and plan.rows_read % 5000 == 0:
            report(plan.rows_read, total_hint, f"Đã đọc {plan.rows_read} dòng")
        width = len(cells)
        raw_code = cells[code_col] if code_col < width else None
        shown_code = "" if raw_code is None else str(raw_code).strip()
        try:
            values = {key: read(cells[col] if col < width else None) for col, key, read in columns}
            code = normalise_code(values.get("code"))
        except (CellError, InvalidCodeError) as exc:
            plan.rejected.append(Rejection(row_number, shown_code, str(exc)))
            continue
        first = seen.get(code)
        if first is not None:
            plan.rejected.append(Rejection(row_number, code, f"Mã hồ sơ trùng với dòng {first} trong tệp "
                                                             "(giữ dòng đầu, bỏ dòng này)."))
            continue
        seen[code] = row_number
        values["code"] = code
        out.append((row_number, code, values))
    return out


def _existing_rows(store: Store, codes: list[str]) -> dict[str, tuple]:
    """{code: (code, id, editable columns…)} for the live dossiers among `codes` (unique index probes)."""
    found: dict[str, tuple] = {}
    sql = f"SELECT code, id, {', '.join(EDITABLE_COLUMNS)} FROM dossiers WHERE deleted_at IS NULL AND code IN "
    for start in range(0, len(codes), 500):
        chunk = codes[start:start + 500]
        for row in store.conn.execute(sql + f"({', '.join('?' * len(chunk))})", chunk):
            found[row[0]] = row[1:]
    return found


def _reader(key: str):
    """The function reading one cell of column `key` (chosen once per file, not per cell)."""
    if key in ("received_on", "promised_on", "finished_on"):
        label = COLUMN_LABELS[key]
        return lambda value: read_date(value, label)
    if key == "channel":
        return read_channel
    if key in ("components_digitised", "data_reused", "vneid_identified"):
        label = COLUMN_LABELS[key]
        return lambda value: read_flag(value, label)
    if key == "result_digitised":
        return read_result
    if key == "fee":
        return read_fee
    if key in ("supplement_requests", "supplement_days"):
        label = COLUMN_LABELS[key]
        return lambda value: read_count(value, label)
    return lambda value: None if value is None else str(value)


def commit_import(store: Store, plan: ImportPlan) -> dict:
    """Write the plan in one transaction. Returns the counts written."""
    now = utc_iso()
    update_sql = (f"UPDATE dossiers SET {', '.join(f'{c} = ?' for c in EDITABLE_COLUMNS)}, "
                  f"updated_at = ?, updated_by = ? WHERE id = ? AND deleted_at IS NULL")
    # A bigger page cache for the bulk write: index pages of a large register stay in memory.
    cache = store.scalar("PRAGMA cache_size")
    store.conn.execute("PRAGMA cache_size = -65536")
    try:
        with store.transaction() as conn:
            store.insert_many("dossiers", plan.new)
            conn.executemany(update_sql, [(*(clean[c] for c in EDITABLE_COLUMNS), now, store.actor, dossier_id)
                                          for dossier_id, clean in plan.updated])
            for month, count in sorted(plan.locked_touched.items()):
                locks.record_change(store, month, f"nhập tệp {plan.path.name}", "import", plan.reason or "",
                                    {"rows": count})
    except sqlite3.IntegrityError as exc:
        raise AppError("Sổ hồ sơ đã thay đổi trong lúc kiểm tra tệp (có mã hồ sơ vừa được nhập). "
                       "Không có gì được ghi; hãy kiểm tra lại tệp rồi nhập.", details=repr(exc)) from exc
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return plan.counts()


def import_dossiers(store: Store, path: Path, *, dry_run: bool = False, mapping=None, reason=None,
                    report=None) -> ImportPlan:
    plan = plan_import(store, path, mapping=mapping, reason=reason, report=report)
    if not dry_run:
        commit_import(store, plan)
    return plan

