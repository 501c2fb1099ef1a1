"""Daily tallies: days recorded only as totals, per procedure field and channel.

Kept in their own table, never turned into register rows: the counters show them on
their own rows and the indicators say how many dossiers came from tallies. A day,
field and channel has at most one live tally; saving again replaces it.
"""

from __future__ import annotations

import datetime as dt

from core.privacy import require_no_personal_data
from core.clock import format_date, today_local
from core.dossiers import locks
from core.dossiers.fields import field_resolver
from core.dossiers.model import CHANNELS
from core.errors import UserInputError
from db.store import Store

TALLY_COUNTS = {
    "received": "Tiếp nhận",
    "components_digitised": "Có số hóa TPHS",
    "fully_digitised": "Số hóa đầy đủ (TPHS và kết quả)",
    "result_paper": "Thủ tục trả kết quả giấy",
    "result_digitised": "Kết quả đã số hóa",
    "data_reused": "Tái sử dụng",
    "vneid_identified": "Định danh VNeID",
    "fee_charged": "Có thu phí",
    "paid_online": "Thanh toán trực tuyến",
    "finished": "Đã giải quyết",
    "on_time": "Đúng hạn",
}
# (part, whole): a part can never exceed its whole.
_BOUNDS = [
    ("components_digitised", "received"), ("fully_digitised", "components_digitised"),
    ("result_paper", "received"), ("result_digitised", "result_paper"),
    ("data_reused", "received"), ("vneid_identified", "received"),
    ("fee_charged", "received"), ("paid_online", "fee_charged"), ("on_time", "finished"),
]


def clean_tally(values: dict, resolve_field) -> dict:
    try:
        day = dt.date.fromisoformat(str(values.get("day")))
    except ValueError:
        raise UserInputError(f"Ngày “{values.get('day')}” không hợp lệ.") from None
    if day > today_local():
        raise UserInputError(f"Ngày {format_date(day)} ở tương lai.")
    channel = values.get("channel")
    if channel not in CHANNELS:
        raise UserInputError(f"Kênh nộp “{channel}” không hợp lệ.")
    out = {"day": day.isoformat(), "field": resolve_field(values.get("field")), "channel": int(channel)}
    for key, label in TALLY_COUNTS.items():
        raw = values.get(key) or 0
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise UserInputError(f"{label}: “{raw}” không phải số.") from None
        if number < 0 or number > 100_000:
            raise UserInputError(f"{label}: số {number} không hợp lệ.")
        out[key] = number
    for part, whole in _BOUNDS:
        if out[part] > out[whole]:
            raise UserInputError(f"{TALLY_COUNTS[part]} ({out[part]}) không thể lớn hơn "
                                 f"{TALLY_COUNTS[whole].lower()} ({out[whole]}).")
    out["note"] = " ".join(str(values.get("note") or "").split()) or None
    require_no_personal_data(out["note"], "Ghi chú")
    return out


def save_tally(store: Store, values: dict, *, reason: str | None = None) -> str:
    """Insert or replace the tally of a day, field and channel."""
    clean = clean_tally(values, field_resolver(store))
    with store.transaction():
        locks.guard(store, {locks.month_of(clean["day"])}, reason=reason,
                    subject=f"số liệu tổng hợp {clean['day']} {clean['field']}", action="tally", details=clean)
        existing = store.scalar("SELECT id FROM dossier_tallies WHERE day = ? AND field = ? AND channel = ? "
                                "AND deleted_at IS NULL", (clean["day"], clean["field"], clean["channel"]))
        if existing:
            store.update("dossier_tallies", existing, clean)
            return existing
        return store.insert("dossier_tallies", clean)


def remove_tally(store: Store, tally_id: str, *, reason: str | None = None) -> None:
    with store.transaction():
        row = store.get("dossier_tallies", tally_id)
        locks.guard(store, {locks.month_of(row["day"])}, reason=reason,
                    subject=f"số liệu tổng hợp {row['day']} {row['field']}", action="remove_tally")
        store.delete("dossier_tallies", tally_id)


_TIE = "day DESC, field COLLATE VI, channel"
# The orders the list offers (a click on a column): `{dir}` is ASC or DESC.
SORTS = {"day": "day {dir}, field COLLATE VI, channel", "field": f"field COLLATE VI {{dir}}, {_TIE}",
         "channel": f"channel {{dir}}, {_TIE}", "note": f"(note IS NULL), note COLLATE VI {{dir}}, {_TIE}",
         **{key: f"{key} {{dir}}, {_TIE}" for key in TALLY_COUNTS}}


def list_tallies(store: Store, start: str, end: str, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    from core.listing import order_by

    order = order_by(sort or ("day", True), SORTS, "day")
    return store.query("SELECT * FROM dossier_tallies WHERE deleted_at IS NULL AND day BETWEEN ? AND ? "
                       f"ORDER BY {order}", (start, end))
