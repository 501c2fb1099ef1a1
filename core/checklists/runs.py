"""Runs: one readiness check before one meeting, its answers, closing and corrections.

While a run is open each item has one answer row, updated as the staff member goes
through the list. Closing freezes the run: the verdict at that moment is kept, the
answers are never changed again, and any later fix is an appended correction with
a reason (who, when, why). The verdict shown is always computed from the answers
with the corrections applied.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from core.privacy import require_no_personal_data
from core.checklists import equipment
from core.checklists.model import Answer, Item, Verdict, compute_verdict, normalise_answer
from core.checklists.templates import active_template, get_template
from core.clock import LOCAL_TZ, now_local, parse_date_vn, to_local, utc_iso
from core.errors import NotFoundError, ReadOnlyError, UserInputError
from db.settings import get_setting, set_setting
from db.store import Store

HOSTS = ("province", "government", "other")
HOST_LABELS = {"province": "UBND tỉnh", "government": "Chính phủ", "other": "Khác"}
CONNECTIONS = ("tslcd", "internet", "mobile", "other")
CONNECTION_LABELS = {"tslcd": "Mạng truyền số liệu chuyên dùng", "internet": "Internet",
                     "mobile": "Mạng di động 4G/5G", "other": "Khác"}
LEADER_SETTING = "checklist_leader_name"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH.]([0-5]\d)$")


@dataclass
class RunView:
    """Everything the run page and the printed sheet need, loaded in a few queries."""
    id: str
    meeting_title: str
    host: str
    host_other: str | None
    meeting_date: dt.date
    start_time: str
    connection: str
    template_name: str
    template_version: int
    leader_name: str | None
    attendance: int | None
    status: str
    closed_at: str | None
    closed_by_name: str | None
    close_reason: str | None
    verdict_at_close: str | None
    items: list[Item]
    answers: dict[str, Answer]              # with corrections applied
    original_answers: dict[str, Answer]     # as they were when the run closed
    corrections: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    staff_names: dict[str, str] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def verdict(self) -> Verdict:
        return compute_verdict(self.items, self.answers)

    @property
    def host_label(self) -> str:
        if self.host == "other" and self.host_other:
            return self.host_other
        return HOST_LABELS.get(self.host, self.host)

    @property
    def connection_label(self) -> str:
        return CONNECTION_LABELS.get(self.connection, self.connection)

    @property
    def starts_at(self) -> dt.datetime:
        hour, minute = (int(p) for p in self.start_time.split(":"))
        return dt.datetime.combine(self.meeting_date, dt.time(hour, minute), tzinfo=LOCAL_TZ)

    def answered_count(self) -> int:
        return sum(1 for item in self.items if self.answers.get(item.id, Answer()).answered)

    def checker_names(self) -> list[str]:
        """Staff who answered items, most answers first (the sheet's "người kiểm tra")."""
        counts: dict[str, int] = {}
        for answer in self.original_answers.values():
            if answer.checked_by:
                counts[answer.checked_by] = counts.get(answer.checked_by, 0) + 1
        ordered = sorted(counts, key=lambda sid: -counts[sid])
        return [self.staff_names[sid] for sid in ordered if sid in self.staff_names]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFoundError("Không tìm thấy mục kiểm tra trong phiếu.", details=item_id)


# -- input checks --------------------------------------------------------------------------

def parse_time(text: str) -> str:
    """"8:30", "08h30", "8.30" → "08:30"."""
    match = _TIME.match((text or "").strip())
    if not match:
        raise UserInputError(f"Giờ bắt đầu “{text}” không hợp lệ; nhập dạng giờ:phút, ví dụ 08:00.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _meeting_values(title: str, host: str, meeting_date: dt.date | str, start_time: str, connection: str,
                    host_other: str | None) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise UserInputError("Tên cuộc họp không được để trống.")
    if len(title) > 300:
        raise UserInputError("Tên cuộc họp quá dài (tối đa 300 ký tự).")
    if host not in HOSTS:
        raise UserInputError("Đơn vị chủ trì cuộc họp không hợp lệ.", details=f"host={host!r}")
    if connection not in CONNECTIONS:
        raise UserInputError("Đường truyền không hợp lệ.", details=f"connection={connection!r}")
    if isinstance(meeting_date, str):
        try:
            meeting_date = parse_date_vn(meeting_date)
        except ValueError as exc:
            raise UserInputError(f"Ngày họp “{meeting_date}” không hợp lệ; nhập dạng dd/mm/yyyy.") from exc
    host_other = " ".join((host_other or "").split()) or None
    if host == "other" and not host_other:
        raise UserInputError("Hãy ghi tên đơn vị chủ trì cuộc họp.")
    return {"meeting_title": title, "host": host, "host_other": host_other if host == "other" else None,
            "meeting_date": meeting_date.isoformat(), "start_time": parse_time(start_time),
            "connection": connection}


def _run_row(store: Store, run_id: str) -> dict:
    try:
        return store.get("checklist_runs", run_id)
    except NotFoundError:
        raise NotFoundError(f"Không tìm thấy phiếu kiểm tra mã “{run_id}”.") from None


def _require_open(row: dict) -> None:
    if row["status"] == "closed":
        raise ReadOnlyError("Phiếu kiểm tra đã khóa; chỉ có thể ghi đính chính kèm lý do.")


# -- writing -------------------------------------------------------------------------------

def create_run(store: Store, *, title: str, host: str, meeting_date: dt.date | str, start_time: str,
               connection: str = "tslcd", host_other: str | None = None, leader_name: str | None = None,
               template_ref: str | None = None) -> str:
    """A new open run for a meeting, with its own copy of the template's items."""
    values = _meeting_values(title, host, meeting_date, start_time, connection, host_other)
    template = get_template(store, template_ref) if template_ref else active_template(store)
    leader_name = " ".join((leader_name or "").split()) or get_setting(store, LEADER_SETTING)
    with store.transaction():
        run_id = store.insert("checklist_runs", {
            **values, "template_ref": template.ref, "template_name": template.name,
            "template_version": template.version, "leader_name": leader_name, "status": "open"})
        store.insert_many("checklist_run_items", [
            {"run_id": run_id, "position": n, "category": i.category, "text": i.text, "kind": i.kind,
             "threshold": i.threshold, "unit": i.unit, "comparison": i.comparison, "critical": int(i.critical),
             "guidance": i.guidance, "equipment_kind": i.equipment_kind}
            for n, i in enumerate(template.items, start=1)])
        if leader_name:
            set_setting(store, LEADER_SETTING, leader_name)
    return run_id


def update_meeting(store: Store, run_id: str, *, title: str, host: str, meeting_date: dt.date | str,
                   start_time: str, connection: str, host_other: str | None = None,
                   leader_name: str | None = None) -> None:
    row = _run_row(store, run_id)
    _require_open(row)
    values = _meeting_values(title, host, meeting_date, start_time, connection, host_other)
    store.update("checklist_runs", run_id, {**values, "leader_name": " ".join((leader_name or "").split()) or None})


def _item_row(store: Store, run_id: str, item_id: str) -> Item:
    rows = store.query("SELECT * FROM checklist_run_items WHERE id = ? AND run_id = ?", (item_id, run_id))
    if not rows:
        raise NotFoundError("Không tìm thấy mục kiểm tra trong phiếu.", details=item_id)
    return _item_from_row(rows[0])


def record_answer(store: Store, run_id: str, item_id: str, *, status: str | None = None,
                  number: str | float | None = None, text: str | None = None, note: str | None = None) -> Answer:
    """Set the answer of an item on an open run (replaces the previous one for that item)."""
    _require_open(_run_row(store, run_id))
    item = _item_row(store, run_id, item_id)
    answer = normalise_answer(item, status=status, number=number, text=text, note=note)
    values = {"status": answer.status, "number_value": answer.number_value, "text_value": answer.text_value,
              "note": answer.note, "checked_by": store.actor, "checked_at": utc_iso()}
    with store.transaction():
        existing = store.scalar("SELECT id FROM checklist_answers WHERE run_item_id = ?", (item_id,))
        if existing:
            store.update("checklist_answers", existing, values)
        else:
            store.insert("checklist_answers", {"run_id": run_id, "run_item_id": item_id, **values})
    return Answer(**{k: values[k] for k in ("status", "number_value", "text_value", "note", "checked_by",
                                            "checked_at")})


def set_attendance(store: Store, run_id: str, attendance: int | str | None) -> None:
    _require_open(_run_row(store, run_id))
    store.update("checklist_runs", run_id, {"attendance": _attendance(attendance)})


def _attendance(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise UserInputError(f"Số người dự “{value}” phải là một số nguyên.") from None
    if number < 0 or number > 10_000:
        raise UserInputError("Số người dự không hợp lệ.")
    return number


def add_incident(store: Store, run_id: str, *, time_text: str, what: str, fix: str | None = None) -> str:
    """An incident at `time_text` (local hh:mm on the meeting day). Allowed after closing, marked so."""
    row = _run_row(store, run_id)
    what = " ".join((what or "").split())
    if not what:
        raise UserInputError("Hãy ghi sự cố đã xảy ra.")
    require_no_personal_data(what, "Sự cố")
    require_no_personal_data(fix, "Cách khắc phục")
    hour, minute = (int(p) for p in parse_time(time_text).split(":"))
    local = dt.datetime.combine(dt.date.fromisoformat(row["meeting_date"]), dt.time(hour, minute), tzinfo=LOCAL_TZ)
    return store.insert("checklist_incidents", {
        "run_id": run_id, "occurred_at": utc_iso(local), "what": what,
        "fix": " ".join((fix or "").split()) or None, "after_close": int(row["status"] == "closed")})


def close_run(store: Store, run_id: str, *, reason: str | None = None,
              attendance: int | str | None = None) -> Verdict:
    """Close the run: read-only from now on; the verdict at this moment is kept.

    Unanswered critical items are allowed only with a reason, and the verdict is then
    necessarily CHƯA SẴN SÀNG.
    """
    row = _run_row(store, run_id)
    _require_open(row)
    run = load_run(store, run_id)
    verdict = run.verdict
    reason = " ".join((reason or "").split()) or None
    require_no_personal_data(reason, "Lý do")
    if verdict.unanswered_critical and not reason:
        names = "; ".join(f"“{i.text}”" for i in verdict.unanswered_critical[:5])
        more = f" và {len(verdict.unanswered_critical) - 5} mục khác" if len(verdict.unanswered_critical) > 5 else ""
        raise UserInputError(
            f"Còn {len(verdict.unanswered_critical)} mục bắt buộc chưa kiểm tra: {names}{more}. "
            "Muốn khóa phiếu với kết luận CHƯA SẴN SÀNG, hãy ghi lý do.")
    changes = {"status": "closed", "closed_at": utc_iso(), "closed_by": store.actor, "close_reason": reason,
               "verdict_at_close": verdict.code}
    if attendance is not None:
        changes["attendance"] = _attendance(attendance)
    kinds = {i.equipment_kind for i in run.items if i.equipment_kind and run.answers.get(i.id, Answer()).answered}
    with store.transaction():
        store.update("checklist_runs", run_id, changes)
        equipment.mark_checked(store, kinds, min(run.meeting_date, now_local().date()))
    return verdict


def _next_correction_seq(store: Store, run_id: str) -> int:
    return int(store.scalar("SELECT coalesce(max(seq), 0) FROM checklist_corrections WHERE run_id = ?",
                            (run_id,))) + 1


def _closed_row(store: Store, run_id: str, reason: str | None) -> tuple[dict, str]:
    row = _run_row(store, run_id)
    if row["status"] != "closed":
        raise UserInputError("Phiếu chưa khóa: hãy sửa trực tiếp câu trả lời.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise UserInputError("Đính chính phải ghi lý do.")
    require_no_personal_data(reason, "Lý do đính chính")
    return row, reason


def add_correction(store: Store, run_id: str, item_id: str, *, reason: str, status: str | None = None,
                   number: str | float | None = None, text: str | None = None, note: str | None = None) -> Answer:
    """A correction to a closed run's answer, appended; the original answer stays."""
    _, reason = _closed_row(store, run_id, reason)
    item = _item_row(store, run_id, item_id)
    answer = normalise_answer(item, status=status, number=number, text=text, note=note)
    with store.transaction():
        store.insert("checklist_corrections", {
            "run_id": run_id, "seq": _next_correction_seq(store, run_id), "target": "answer",
            "run_item_id": item_id, "status": answer.status, "number_value": answer.number_value,
            "text_value": answer.text_value, "note": answer.note, "reason": reason,
            "made_by": store.actor, "made_at": utc_iso()})
    return answer


def correct_attendance(store: Store, run_id: str, attendance: int | str, *, reason: str) -> None:
    _, reason = _closed_row(store, run_id, reason)
    value = _attendance(attendance)
    with store.transaction():
        store.insert("checklist_corrections", {
            "run_id": run_id, "seq": _next_correction_seq(store, run_id), "target": "attendance",
            "attendance": value, "reason": reason, "made_by": store.actor, "made_at": utc_iso()})


# -- reading -------------------------------------------------------------------------------

def _item_from_row(row: dict) -> Item:
    return Item(category=row["category"], text=row["text"], kind=row["kind"], threshold=row["threshold"],
                unit=row["unit"], comparison=row["comparison"] or ">=", critical=bool(row["critical"]),
                guidance=row["guidance"], equipment_kind=row["equipment_kind"], id=row["id"])


def _answer_from_row(row: dict, by: str = "checked_by", at: str = "checked_at") -> Answer:
    return Answer(status=row["status"], number_value=row["number_value"], text_value=row["text_value"],
                  note=row["note"], checked_by=row[by], checked_at=row[at])


def load_run(store: Store, run_id: str) -> RunView:
    row = _run_row(store, run_id)
    items = [_item_from_row(r) for r in store.query(
        "SELECT * FROM checklist_run_items WHERE run_id = ? AND deleted_at IS NULL ORDER BY position", (run_id,))]
    original = {r["run_item_id"]: _answer_from_row(r) for r in store.query(
        "SELECT * FROM checklist_answers WHERE run_id = ? AND deleted_at IS NULL", (run_id,))}
    corrections = store.query("SELECT * FROM checklist_corrections WHERE run_id = ? AND deleted_at IS NULL "
                              "ORDER BY seq", (run_id,))
    answers = dict(original)
    attendance = row["attendance"]
    for corr in corrections:
        if corr["target"] == "answer":
            answers[corr["run_item_id"]] = _answer_from_row(corr, "made_by", "made_at")
        elif corr["target"] == "attendance":
            attendance = corr["attendance"]
    incidents = store.query("SELECT id, occurred_at, what, fix, after_close FROM checklist_incidents "
                            "WHERE run_id = ? AND deleted_at IS NULL ORDER BY occurred_at, created_at", (run_id,))
    names = {r["id"]: r["full_name"] for r in store.query("SELECT id, full_name FROM staff")}
    return RunView(
        id=row["id"], meeting_title=row["meeting_title"], host=row["host"], host_other=row["host_other"],
        meeting_date=dt.date.fromisoformat(row["meeting_date"]), start_time=row["start_time"],
        connection=row["connection"], template_name=row["template_name"],
        template_version=row["template_version"], leader_name=row["leader_name"], attendance=attendance,
        status=row["status"], closed_at=row["closed_at"], closed_by_name=names.get(row["closed_by"] or ""),
        close_reason=row["close_reason"], verdict_at_close=row["verdict_at_close"], items=items,
        answers=answers, original_answers=original, corrections=corrections, incidents=incidents,
        staff_names=names)


def incident_time_label(occurred_at: str) -> str:
    local = to_local(occurred_at)
    return f"{local.hour:02d}:{local.minute:02d}"
