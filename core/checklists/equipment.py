"""The meeting room's equipment: what there is, whether it works, when it was last checked.

Checklist items name the kind of equipment they concern (`equipment_kind`), so the
run page can show, beside "Camera rõ nét…", the cameras on the list and their state.
Templates from the province rarely say it, so the kind is guessed from the item text.
"""

from __future__ import annotations

import datetime as dt

from core.clock import format_date, today_local
from core.errors import UserInputError
from core.textfold import fold
from db.store import Store

TABLE = "conference_equipment"

KINDS = ("camera", "codec", "display", "microphone", "amplifier", "ups", "switch")
KIND_LABELS = {
    "camera": "Camera",
    "codec": "Thiết bị đầu cuối (codec/máy tính)",
    "display": "Màn hình/TV",
    "microphone": "Micro",
    "amplifier": "Âm ly, loa",
    "ups": "Bộ lưu điện (UPS)",
    "switch": "Switch, bộ chuyển đổi quang",
}
STATUSES = ("ok", "faulty", "repairing", "missing")
STATUS_LABELS = {"ok": "Hoạt động tốt", "faulty": "Hỏng", "repairing": "Đang sửa chữa", "missing": "Chưa có"}

# Folded words in an item's text → the kind of equipment it concerns (first match wins,
# so the more specific words come first).
_KEYWORDS = (
    ("ups", "ups"), ("luu dien", "ups"),
    ("codec", "codec"), ("thiet bi dau cuoi", "codec"),
    ("camera", "camera"),
    ("man hinh", "display"), ("tv", "display"),
    ("micro", "microphone"),
    ("am ly", "amplifier"), ("loa", "amplifier"),
    ("switch", "switch"), ("chuyen doi quang", "switch"),
)


def guess_kind(item_text: str) -> str | None:
    words = f" {' '.join(fold(item_text).replace('/', ' ').replace(';', ' ').split())} "
    for keyword, kind in _KEYWORDS:
        if f" {keyword} " in words or (len(keyword) > 4 and keyword in words):
            return kind
    return None


def _clean(kind: str, name: str, status: str, last_checked_on: dt.date | str | None) -> dict:
    if kind not in KINDS:
        raise UserInputError("Loại thiết bị không hợp lệ.", details=f"kind={kind!r}")
    if status not in STATUSES:
        raise UserInputError("Tình trạng thiết bị không hợp lệ.", details=f"status={status!r}")
    name = " ".join((name or "").split())
    if not name:
        raise UserInputError("Tên thiết bị không được để trống.")
    if isinstance(last_checked_on, dt.date):
        last_checked_on = last_checked_on.isoformat()
    if last_checked_on and last_checked_on > today_local().isoformat():
        raise UserInputError("Ngày kiểm tra thiết bị không được sau hôm nay.")
    return {"kind": kind, "name": name, "status": status, "last_checked_on": last_checked_on or None}


def add_equipment(store: Store, kind: str, name: str, *, status: str = "ok", model: str | None = None,
                  last_checked_on: dt.date | str | None = None, note: str | None = None) -> str:
    values = _clean(kind, name, status, last_checked_on)
    return store.insert(TABLE, {**values, "model": (model or "").strip() or None,
                                "note": (note or "").strip() or None})


def update_equipment(store: Store, equipment_id: str, *, kind: str, name: str, status: str,
                     model: str | None = None, last_checked_on: dt.date | str | None = None,
                     note: str | None = None) -> None:
    values = _clean(kind, name, status, last_checked_on)
    store.update(TABLE, equipment_id, {**values, "model": (model or "").strip() or None,
                                       "note": (note or "").strip() or None})


def delete_equipment(store: Store, equipment_id: str) -> None:
    store.delete(TABLE, equipment_id)


def _kind_rank() -> str:
    return "CASE kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS)) + " ELSE 99 END"


# The orders the list offers (a click on a column): `{dir}` is ASC or DESC.
SORTS = {
    "kind": f"{_kind_rank()} {{dir}}, name COLLATE VI",
    "name": "name COLLATE VI {dir}",
    "model": "(model IS NULL), model COLLATE VI {dir}, name COLLATE VI",
    "status": "status {dir}, name COLLATE VI",
    "last_checked_on": "(last_checked_on IS NULL), last_checked_on {dir}, name COLLATE VI",
    "note": "(note IS NULL), note COLLATE VI {dir}, name COLLATE VI",
}


def list_equipment(store: Store, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    """The room's equipment, by kind then name unless `sort` names a column of SORTS."""
    from core.listing import order_by

    return store.query(f"SELECT id, kind, name, model, status, last_checked_on, note FROM {TABLE} "
                       f"WHERE deleted_at IS NULL ORDER BY {order_by(sort, SORTS, 'kind')}")


def equipment_by_kind(store: Store) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in list_equipment(store):
        grouped.setdefault(row["kind"], []).append(row)
    return grouped


def describe(row: dict) -> str:
    """"Camera Logitech Rally — Hoạt động tốt, kiểm tra 12/05/2026"."""
    checked = row.get("last_checked_on")
    when = f", kiểm tra {format_date(dt.date.fromisoformat(checked))}" if checked else ", chưa kiểm tra"
    return f"{row['name']} — {STATUS_LABELS.get(row['status'], row['status'])}{when}"


def mark_checked(store: Store, kinds: set[str], day: dt.date) -> int:
    """Record that equipment of these kinds was looked at on `day` (newer dates only)."""
    if not kinds:
        return 0
    rows = [r for r in list_equipment(store) if r["kind"] in kinds
            and (r["last_checked_on"] or "") < day.isoformat()]
    with store.transaction():
        for row in rows:
            store.update(TABLE, row["id"], {"last_checked_on": day.isoformat()})
    return len(rows)
