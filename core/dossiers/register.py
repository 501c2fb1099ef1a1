"""The dossier register: validate, add, edit, remove, find and list dossiers.

A dossier code is unique among live rows; adding one that exists raises
`DuplicateCodeError` carrying the existing row, so the counter desk can offer to edit
it instead of counting it twice. Writes that touch a locked month need a reason
(core.dossiers.locks), recorded in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.clock import format_date, today_local
from core.dossiers import locks
from core.dossiers.codes import normalise_code
from core.dossiers.fields import field_resolver
from core.dossiers.model import (CHANNELS, EDITABLE_COLUMNS, FEE_LABELS, FEE_NONE, RESULT_LABELS,
                                 RESULT_NO)
from core.dossiers.model import ON_TIME_SQL
from core.errors import DuplicateError, UserInputError
from core.textfold import fts_query
from db.store import Store

MAX_TEXT = 300


class DuplicateCodeError(DuplicateError):
    def __init__(self, existing: dict):
        self.existing = existing
        super().__init__(f"Hồ sơ {existing['code']} đã có trong sổ (tiếp nhận ngày "
                         f"{format_date(dt.date.fromisoformat(existing['received_on']))}). Mở để sửa?")


def _as_iso_date(value, label: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise UserInputError(f"Thiếu {label.lower()}.")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise UserInputError(f"{label} “{value}” không phải ngày có thật.") from None


def _flag(value, label: str) -> int:
    if value in (0, 1, True, False):
        return int(value)
    raise UserInputError(f"{label}: giá trị “{value}” không hợp lệ (Có/Không).")


def clean_dossier(values: dict, *, resolve_field=None, today: dt.date | None = None,
                  code_normalised: bool = False) -> dict:
    """A validated, normalised copy of the editable columns (raises UserInputError)."""
    today = today or today_local()
    out = {"code": values["code"] if code_normalised else normalise_code(values.get("code"))}
    resolve_field = resolve_field or (lambda text: " ".join(str(text or "").split()))
    out["field"] = resolve_field(values.get("field"))
    if not out["field"]:
        raise UserInputError("Thiếu lĩnh vực.")
    for key in ("procedure_name", "procedure_code"):
        text = " ".join(str(values.get(key) or "").split()) or None
        if text and len(text) > MAX_TEXT:
            raise UserInputError(f"{'Tên thủ tục' if key == 'procedure_name' else 'Mã thủ tục'} quá dài.")
        out[key] = text
    out["received_on"] = _as_iso_date(values.get("received_on"), "Ngày tiếp nhận", required=True)
    out["promised_on"] = _as_iso_date(values.get("promised_on"), "Ngày hẹn trả")
    out["finished_on"] = _as_iso_date(values.get("finished_on"), "Ngày hoàn thành")
    received = dt.date.fromisoformat(out["received_on"])
    if received > today:
        raise UserInputError(f"Ngày tiếp nhận {format_date(received)} ở tương lai.")
    if out["promised_on"] and out["promised_on"] < out["received_on"]:
        raise UserInputError(f"Ngày hẹn trả {format_date(dt.date.fromisoformat(out['promised_on']))} "
                             f"trước ngày tiếp nhận {format_date(received)}.")
    if out["finished_on"]:
        finished = dt.date.fromisoformat(out["finished_on"])
        if finished < received:
            raise UserInputError(f"Ngày hoàn thành {format_date(finished)} trước ngày tiếp nhận "
                                 f"{format_date(received)}.")
        if finished > today:
            raise UserInputError(f"Ngày hoàn thành {format_date(finished)} ở tương lai.")
    channel = values.get("channel")
    channel = 1 if channel in (None, "") else channel
    if channel not in CHANNELS:
        raise UserInputError(f"Kênh nộp “{channel}” không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính).")
    out["channel"] = int(channel)
    out["components_digitised"] = _flag(values.get("components_digitised", 0), "Số hóa thành phần")
    result = values.get("result_digitised") or RESULT_NO
    if result not in RESULT_LABELS:
        raise UserInputError(f"Số hóa kết quả: giá trị “{result}” không hợp lệ.")
    out["result_digitised"] = result
    out["data_reused"] = _flag(values.get("data_reused", 0), "Tái sử dụng dữ liệu")
    out["vneid_identified"] = _flag(values.get("vneid_identified", 0), "Xác thực VNeID")
    fee = values.get("fee") or FEE_NONE
    if fee not in FEE_LABELS:
        raise UserInputError(f"Thanh toán: giá trị “{fee}” không hợp lệ.")
    out["fee"] = fee
    for key, label, limit in (("supplement_requests", "Số lần yêu cầu bổ sung", 20),
                              ("supplement_days", "Số ngày chờ bổ sung", 3650)):
        value = values.get(key) or 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise UserInputError(f"{label}: “{value}” không hợp lệ (số nguyên từ 0 đến {limit}).")
        out[key] = value
    return out


def _months(row: dict) -> set[str]:
    return {locks.month_of(row.get("received_on")), locks.month_of(row.get("finished_on"))} - {None}


def find_by_code(store: Store, code: str) -> dict | None:
    rows = store.query("SELECT * FROM dossiers WHERE code = ? AND deleted_at IS NULL", (normalise_code(code),))
    return rows[0] if rows else None


def add_dossier(store: Store, values: dict, *, reason: str | None = None) -> str:
    """Add one dossier; DuplicateCodeError if its code is already in the register."""
    clean = clean_dossier(values, resolve_field=field_resolver(store))
    with store.transaction():
        existing = store.query("SELECT * FROM dossiers WHERE code = ? AND deleted_at IS NULL", (clean["code"],))
        if existing:
            raise DuplicateCodeError(existing[0])
        locks.guard(store, _months(clean), reason=reason, subject=clean["code"], action="add", details=clean)
        return store.insert("dossiers", clean)


def update_dossier(store: Store, dossier_id: str, values: dict, *, reason: str | None = None) -> dict:
    """Replace the editable columns of a dossier; returns the columns that changed."""
    with store.transaction():
        current = store.get("dossiers", dossier_id)
        merged = {k: current[k] for k in EDITABLE_COLUMNS} | values
        clean = clean_dossier(merged, resolve_field=field_resolver(store))
        changes = {k: v for k, v in clean.items() if current[k] != v}
        if not changes:
            return {}
        if "code" in changes:
            other = store.scalar("SELECT id FROM dossiers WHERE code = ? AND deleted_at IS NULL AND id <> ?",
                                 (clean["code"], dossier_id))
            if other:
                raise DuplicateCodeError(store.get("dossiers", other))
        locks.guard(store, _months(current) | _months(clean), reason=reason, subject=clean["code"],
                    action="update", details={k: [current[k], v] for k, v in changes.items()})
        store.update("dossiers", dossier_id, changes)
        return changes


def remove_dossier(store: Store, dossier_id: str, *, reason: str | None = None) -> None:
    """Tombstone a dossier (undo of an entry, or a dossier entered by mistake)."""
    with store.transaction():
        current = store.get("dossiers", dossier_id)
        locks.guard(store, _months(current), reason=reason, subject=current["code"], action="remove")
        store.delete("dossiers", dossier_id)


def finish_dossier(store: Store, dossier_id: str, finished_on: dt.date, *, result_digitised: str | None = None,
                   reason: str | None = None) -> dict:
    values: dict = {"finished_on": finished_on}
    if result_digitised:
        values["result_digitised"] = result_digitised
    return update_dossier(store, dossier_id, values, reason=reason)


@dataclass
class RegisterFilter:
    search: str = ""
    field: str | None = None
    channel: int | None = None
    received_from: str | None = None
    received_to: str | None = None
    status: str | None = None  # None, "open", "finished", "late"
    finished_from: str | None = None
    finished_to: str | None = None


def _where(flt: RegisterFilter) -> tuple[str, list]:
    where, params = ["d.deleted_at IS NULL"], []
    join = ""
    query = fts_query(flt.search)
    if query:
        join = "JOIN dossiers_fts f ON f.rowid = d.rowid"
        where.append("dossiers_fts MATCH ?")
        params.append(query)
    if flt.field:
        where.append("d.field = ?")
        params.append(flt.field)
    if flt.channel:
        where.append("d.channel = ?")
        params.append(flt.channel)
    if flt.received_from:
        where.append("d.received_on >= ?")
        params.append(flt.received_from)
    if flt.received_to:
        where.append("d.received_on <= ?")
        params.append(flt.received_to)
    if flt.finished_from:
        where.append("d.finished_on >= ?")
        params.append(flt.finished_from)
    if flt.finished_to:
        where.append("d.finished_on <= ?")
        params.append(flt.finished_to)
    if flt.status == "open":
        where.append("d.finished_on IS NULL")
    elif flt.status == "finished":
        where.append("d.finished_on IS NOT NULL")
    elif flt.status == "late":
        where.append(f"d.finished_on IS NOT NULL AND NOT {ON_TIME_SQL}")
    return f"FROM dossiers d {join} WHERE {' AND '.join(where)}", params


# The orders the register list offers (a click on a column): `{dir}` is ASC or DESC; every
# order ends on the code so pages of the same order never overlap or skip a row.
_TIE = "d.received_on DESC, d.code DESC"
SORTS = {
    "received_on": "d.received_on {dir}, d.code {dir}",
    "code": "d.code {dir}",
    "field": f"d.field COLLATE VI {{dir}}, {_TIE}",
    "procedure_name": f"(d.procedure_name IS NULL), d.procedure_name COLLATE VI {{dir}}, {_TIE}",
    "promised_on": f"(d.promised_on IS NULL), d.promised_on {{dir}}, {_TIE}",
    "finished_on": f"(d.finished_on IS NULL), d.finished_on {{dir}}, {_TIE}",
    "channel": f"d.channel {{dir}}, {_TIE}",
    "components_digitised": f"d.components_digitised {{dir}}, {_TIE}",
    "result_digitised": f"d.result_digitised {{dir}}, {_TIE}",
    "data_reused": f"d.data_reused {{dir}}, {_TIE}",
    "vneid_identified": f"d.vneid_identified {{dir}}, {_TIE}",
    "fee": f"d.fee {{dir}}, {_TIE}",
    "supplement_requests": f"d.supplement_requests {{dir}}, {_TIE}",
}
DEFAULT_SORT = ("received_on", True)  # newest first


def list_dossiers(store: Store, flt: RegisterFilter | None = None, *, limit: int = 500,
                  offset: int = 0, sort: tuple[str, bool] | None = None,
                  count: bool = True) -> tuple[list[dict], int | None]:
    """(one page of rows, total matching) — the register list, filtered and ordered in SQL
    (newest first unless `sort` names a column of SORTS). `count=False` skips the total
    (the next pages of a list whose total is known)."""
    from core.listing import order_by

    body, params = _where(flt or RegisterFilter())
    total = store.scalar(f"SELECT count(*) {body}", params) if count else None
    order = order_by(sort or DEFAULT_SORT, SORTS, "received_on")
    rows = store.query(f"SELECT d.* {body} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])
    return rows, total


def iter_dossiers(store: Store, flt: RegisterFilter | None = None):
    """Every matching row, oldest first, without loading them all (for exports)."""
    body, params = _where(flt or RegisterFilter())
    cursor = store.conn.execute(f"SELECT d.* {body} ORDER BY d.received_on, d.code", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))
