"""The history of runs and the time to the next meeting: lists with verdicts, the overview's
next meeting and latest verdict, the countdown and the reminder an hour before.

The verdict of many runs is worked out in two queries over critical items only (answers,
then corrections in order), never by loading each run.
"""

from __future__ import annotations

import datetime as dt

from core.checklists.runs import HOST_LABELS
from core.clock import LOCAL_TZ, format_date, now_utc
from core.errors import NotFoundError, UserInputError
from db.store import Store

REMINDER_MINUTES = 60  # the province's operating guide: system on an hour ahead


def _verdicts(store: Store, run_ids: list[str]) -> dict[str, str]:
    """Current verdict code of many runs in two queries (critical items only matter)."""
    if not run_ids:
        return {}
    marks = ",".join("?" for _ in run_ids)
    status: dict[str, dict[str, str | None]] = {rid: {} for rid in run_ids}
    for r in store.query(f"""
            SELECT i.run_id, i.id, a.status FROM checklist_run_items i
            LEFT JOIN checklist_answers a ON a.run_item_id = i.id AND a.deleted_at IS NULL
            WHERE i.critical = 1 AND i.deleted_at IS NULL AND i.run_id IN ({marks})""", run_ids):
        status[r["run_id"]][r["id"]] = r["status"]
    for r in store.query(f"""
            SELECT run_id, run_item_id, status FROM checklist_corrections
            WHERE target = 'answer' AND deleted_at IS NULL AND run_id IN ({marks}) ORDER BY seq""", run_ids):
        if r["run_item_id"] in status[r["run_id"]]:
            status[r["run_id"]][r["run_item_id"]] = r["status"]
    return {rid: "ready" if all(s == "pass" for s in items.values()) else "not_ready"
            for rid, items in status.items()}


_INCIDENTS = ("(SELECT count(*) FROM checklist_incidents i WHERE i.run_id = checklist_runs.id "
              "AND i.deleted_at IS NULL)")
# The orders the list offers (a click on a column): `{dir}` is ASC or DESC.
SORTS = {
    "date_label": "meeting_date {dir}, start_time {dir}",
    "meeting_title": "meeting_title COLLATE VI {dir}, meeting_date DESC, start_time DESC",
    "incident_count": f"{_INCIDENTS} {{dir}}, meeting_date DESC, start_time DESC",
}


def list_runs(store: Store, *, limit: int | None = None, sort: tuple[str, bool] | None = None) -> list[dict]:
    """Runs newest meeting first (or in the order `sort` names), each with its current verdict."""
    from core.listing import order_by

    rows = store.query(
        "SELECT id, meeting_title, host, host_other, meeting_date, start_time, connection, status, "
        "verdict_at_close, attendance, template_name, template_version FROM checklist_runs "
        f"WHERE deleted_at IS NULL ORDER BY {order_by(sort or ('date_label', True), SORTS, 'date_label')}"
        + (f" LIMIT {int(limit)}" if limit else ""))
    verdicts = _verdicts(store, [r["id"] for r in rows])
    counts = {r["run_id"]: r["n"] for r in store.query(
        "SELECT run_id, count(*) AS n FROM checklist_incidents WHERE deleted_at IS NULL GROUP BY run_id")}
    for row in rows:
        row["verdict"] = verdicts[row["id"]]
        row["incident_count"] = counts.get(row["id"], 0)
        row["host_label"] = row["host_other"] if row["host"] == "other" and row["host_other"] \
            else HOST_LABELS[row["host"]]
        row["date_label"] = format_date(dt.date.fromisoformat(row["meeting_date"]))
    return rows


def next_meeting(store: Store, now: dt.datetime | None = None) -> dict | None:
    """The next meeting that has not started yet (for the overview page), with minutes to go."""
    now = (now or now_utc()).astimezone(LOCAL_TZ)
    rows = store.query(
        "SELECT id, meeting_title, meeting_date, start_time, status FROM checklist_runs "
        "WHERE deleted_at IS NULL AND meeting_date >= ? ORDER BY meeting_date, start_time",
        (now.date().isoformat(),))
    for row in rows:
        hour, minute = (int(p) for p in row["start_time"].split(":"))
        starts = dt.datetime.combine(dt.date.fromisoformat(row["meeting_date"]), dt.time(hour, minute),
                                     tzinfo=LOCAL_TZ)
        if starts > now:
            row["verdict"] = _verdicts(store, [row["id"]])[row["id"]]
            row["minutes_until"] = minutes_until(starts, now)
            row["date_label"] = format_date(starts.date())
            return row
    return None


def latest_verdict(store: Store) -> dict | None:
    """The most recent closed run and its verdict (for the overview page)."""
    rows = store.query("SELECT id, meeting_title, meeting_date, start_time FROM checklist_runs "
                       "WHERE deleted_at IS NULL AND status = 'closed' "
                       "ORDER BY meeting_date DESC, start_time DESC LIMIT 1")
    if not rows:
        return None
    row = rows[0]
    row["verdict"] = _verdicts(store, [row["id"]])[row["id"]]
    row["date_label"] = format_date(dt.date.fromisoformat(row["meeting_date"]))
    return row


def minutes_until(starts: dt.datetime, now: dt.datetime | None = None) -> int:
    now = now or now_utc()
    return int((starts - now).total_seconds() // 60)


def countdown_text(starts: dt.datetime, now: dt.datetime | None = None) -> str:
    """"Còn 2 giờ 15 phút đến giờ họp" / "Cuộc họp đã bắt đầu 10 phút"."""
    minutes = minutes_until(starts, now)
    if minutes < 0:
        return f"Cuộc họp đã bắt đầu {_span(-minutes)} trước" if minutes > -24 * 60 else "Cuộc họp đã qua"
    return f"Còn {_span(minutes)} đến giờ họp"


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} ngày"] if days else []) + ([f"{hours} giờ"] if hours else [])
    if not days:
        parts.append(f"{mins} phút")
    return " ".join(parts)


def reminder_due(starts: dt.datetime, now: dt.datetime | None = None) -> bool:
    """True in the hour before the meeting: time to switch the whole system on."""
    return 0 <= minutes_until(starts, now) <= REMINDER_MINUTES


SHORT_ID_MIN = 6


def short_ids(ids: list[str], *, minimum: int = SHORT_ID_MIN) -> dict[str, str]:
    """The shortest tail (at least `minimum` characters) that names each id alone.

    Run ids are UUIDv7: their first 12 hex digits are the creation time, so runs made the same
    day (the demo's, or a batch imported from a sheet) share a long prefix and only the random
    tail tells them apart. A tail is also checked against the heads of the others, because
    `resolve_run_id` accepts either.
    """
    result = {}
    for run_id in ids:
        for length in range(minimum, len(run_id) + 1):
            tail = run_id[-length:]
            if tail.startswith("-"):
                continue
            if not any(o != run_id and (o.endswith(tail) or o.startswith(tail)) for o in ids):
                result[run_id] = tail
                break
        else:
            result[run_id] = run_id
    return result


def resolve_run_id(store: Store, text: str) -> str:
    """A full run id from what `checklist runs` shows (a tail of the id), the full id, or its first characters
    (at least 4)."""
    text = (text or "").strip().strip("…").strip(".").lower()
    if len(text) < 4:
        raise UserInputError("Mã phiếu quá ngắn: nhập mã như lệnh “checklist runs” in ra (ít nhất 4 ký tự).")
    pattern = text.replace("%", "").replace("_", "")
    found = [r["id"] for r in store.query(
        "SELECT id FROM checklist_runs WHERE deleted_at IS NULL AND (id LIKE ? OR id LIKE ?)",
        (pattern + "%", "%" + pattern))]
    if not found:
        raise NotFoundError(f"Không tìm thấy phiếu kiểm tra mã “{text}” (xem mã bằng lệnh “checklist runs”).")
    if len(found) > 1:
        raise UserInputError(f"Có {len(found)} phiếu khớp với mã “{text}”; hãy nhập đủ mã như lệnh "
                             "“checklist runs” in ra.")
    return found[0]
