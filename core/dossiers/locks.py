"""Month locks: a month reported to the province is locked; changing it needs a reason.

Every change that touches a locked month (a dossier received or finished in it, a
tally of one of its days) is written together with a `dossier_locked_changes` row
naming the month, what changed and why, so the next report can explain the difference.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from core.privacy import require_no_personal_data
from core.errors import ReadOnlyError, UserInputError
from db.store import Store

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class LockedMonthError(ReadOnlyError):
    """A write touches a locked month and no reason was given."""

    def __init__(self, months: list[str]):
        self.months = months
        shown = ", ".join(month_label(m) for m in months)
        super().__init__(f"Tháng {shown} đã khóa sau khi báo cáo. Muốn sửa phải ghi lý do.")


def month_of(day: str | dt.date | None) -> str | None:
    if day is None or day == "":
        return None
    return str(day)[:7]


def month_label(month: str) -> str:
    """'2025-03' -> '03/2025'."""
    return f"{month[5:7]}/{month[:4]}"


def check_month(month: str) -> str:
    month = (month or "").strip()
    if not _MONTH.match(month):
        raise UserInputError(f"Tháng “{month}” không hợp lệ (cần dạng YYYY-MM).")
    return month


def locked_months(store: Store) -> set[str]:
    return {r["month"] for r in store.query("SELECT month FROM dossier_month_locks WHERE deleted_at IS NULL")}


LOCK_SORTS = {"month": "month {dir}", "note": "(note IS NULL), note COLLATE VI {dir}, month DESC",
              "created_at": "created_at {dir}"}
CHANGE_SORTS = {"created_at": "created_at {dir}, rowid {dir}", "month": "month {dir}, created_at DESC",
                "subject": "subject COLLATE VI {dir}, created_at DESC", "action": "action {dir}, created_at DESC",
                "reason": "reason COLLATE VI {dir}, created_at DESC"}


def list_locks(store: Store, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    from core.listing import order_by

    return store.query("SELECT id, month, note, created_at, created_by FROM dossier_month_locks "
                       f"WHERE deleted_at IS NULL ORDER BY {order_by(sort or ('month', True), LOCK_SORTS, 'month')}")


def lock_month(store: Store, month: str, note: str | None = None) -> str:
    month = check_month(month)
    with store.transaction():
        existing = store.scalar("SELECT id FROM dossier_month_locks WHERE month = ? AND deleted_at IS NULL",
                                (month,))
        if existing:
            return existing
        require_no_personal_data(note, "Ghi chú")
        return store.insert("dossier_month_locks", {"month": month, "note": (note or "").strip() or None})


def unlock_month(store: Store, month: str, reason: str) -> None:
    month = check_month(month)
    reason = _require_text(reason)
    with store.transaction():
        row_id = store.scalar("SELECT id FROM dossier_month_locks WHERE month = ? AND deleted_at IS NULL",
                              (month,))
        if not row_id:
            raise UserInputError(f"Tháng {month_label(month)} chưa khóa.")
        store.delete("dossier_month_locks", row_id)
        record_change(store, month, f"tháng {month_label(month)}", "unlock", reason)


def guard(store: Store, months, *, reason: str | None, subject: str, action: str,
          details: dict | None = None) -> None:
    """Call inside the write's transaction: refuse, or record the reason, for locked months."""
    touched = sorted({m for m in months if m})
    if not touched:
        return
    locked = locked_months(store)
    hit = [m for m in touched if m in locked]
    if not hit:
        return
    if not (reason or "").strip():
        raise LockedMonthError(hit)
    for month in hit:
        record_change(store, month, subject, action, reason, details)


def record_change(store: Store, month: str, subject: str, action: str, reason: str,
                  details: dict | None = None) -> None:
    store.insert("dossier_locked_changes", {
        "month": month, "subject": subject, "action": action, "reason": _require_text(reason),
        "details": json.dumps(details, ensure_ascii=False, default=str) if details else None})


def changes_in(store: Store, month: str | None = None, *, sort: tuple[str, bool] | None = None,
               limit: int = -1) -> list[dict]:
    from core.listing import order_by

    where, params = ("WHERE month = ?", (month,)) if month else ("", ())
    order = order_by(sort or ("created_at", True), CHANGE_SORTS, "created_at")
    return store.query(f"SELECT month, subject, action, reason, details, created_at, created_by "
                       f"FROM dossier_locked_changes {where} ORDER BY {order} LIMIT ?", (*params, limit))


def _require_text(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserInputError("Cần ghi lý do khi sửa số liệu của tháng đã khóa.")
    if len(reason) > 500:
        raise UserInputError("Lý do quá dài (tối đa 500 ký tự).")
    require_no_personal_data(reason, "Lý do")
    return reason
