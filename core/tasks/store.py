"""Writing tasks: importing a directive, manual tasks, progress notes, status and assignee.

A directive the commune imports itself goes to `local_directives`/`local_tasks` (commune
rows); the province's arrive by sync in `directives`/`tasks`. Progress of either kind is a
`task_progress` row (commune-owned history); `task_state` holds the current status and
assignee and is changed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from core.privacy import require_no_personal_data
from core import durable
from core.clock import format_date, today_local, utc_iso
from core.directives.deadlines import parse_deadline
from core.directives.errors import DuplicateDirectiveError, NoTasksFoundError
from core.directives.parser import ParsedDirective, TaskItem
from core.errors import NotFoundError, UserInputError
from core.tasks.status import STATUSES
from db.store import Store, new_id

LOCAL = ("local_directives", "local_tasks")
PROVINCE = ("directives", "tasks")
MAX_NOTE_CHARS = 4000
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    directive_id: str
    task_ids: list[str]


def find_duplicate(store: Store, number: str | None, issued_on: str | None) -> dict | None:
    """A stored directive (either origin) with the same number and date, if any."""
    if not number or not issued_on:
        return None
    for table in ("local_directives", "directives"):
        rows = store.query(f"SELECT id, number, issued_on, subject FROM {table} "
                           "WHERE number = ? AND issued_on = ? AND deleted_at IS NULL", (number, issued_on))
        if rows:
            return rows[0]
    return None


def content_fingerprint(text: str | None) -> str:
    """What a directive says, without case, accents, spacing or punctuation: the same letter read
    twice (or saved again with other line breaks) gives the same fingerprint."""
    import hashlib
    import re

    from core.textfold import fold

    words = re.sub(r"[^0-9a-z]+", " ", fold(text or "").lower()).split()
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def _fold_words(text: str | None) -> str:
    import re

    from core.textfold import fold

    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text or "").lower()).split())


def find_duplicate_by_content(store: Store, parsed: ParsedDirective) -> dict | None:
    """A stored directive without number or date that says the same thing.

    Drafts and telegrams often carry no number or date, so `find_duplicate` cannot see them
    again. The same text (any line breaks or accents), or the same subject with every stored
    task among the new ones (a PDF of the same letter), is the same directive.
    """
    fingerprint = content_fingerprint(parsed.text)
    subject = _fold_words(parsed.document.subject)
    new_tasks = {_fold_words(task.content) for task in parsed.tasks}
    for table, task_table in (LOCAL, PROVINCE):
        rows = store.query(f"SELECT id, number, issued_on, subject, source_text FROM {table} "
                           "WHERE (number IS NULL OR issued_on IS NULL) AND deleted_at IS NULL")
        for row in rows:
            if row["source_text"] and content_fingerprint(row["source_text"]) == fingerprint:
                return row
            if subject and _fold_words(row["subject"]) == subject and new_tasks:
                stored = {_fold_words(r["content"]) for r in store.query(
                    f"SELECT content FROM {task_table} WHERE directive_id = ? AND deleted_at IS NULL", (row["id"],))}
                if stored and stored <= new_tasks:
                    return row
    return None


def task_row(item: TaskItem, directive_id: str, position: int) -> dict:
    return {"directive_id": directive_id, "ref": item.ref, "position": position, "content": item.content,
            "lead_unit": item.lead_unit, "coordinating_units": "; ".join(item.coordinating_units) or None,
            "for_commune": int(bool(item.for_commune)), "deadline_kind": item.deadline.kind,
            "deadline": item.deadline.due.isoformat() if item.deadline.due else None,
            "deadline_text": item.deadline.text, "recurring_period": item.deadline.period,
            "starts_on": item.deadline.start.isoformat() if item.deadline.start else None}


def import_directive(store: Store, parsed: ParsedDirective, *, source_name: str | None = None,
                     tasks: list[TaskItem] | None = None, allow_duplicate: bool = False,
                     province: bool = False, id_factory=None, allow_empty: bool = False,
                     share_source_text: bool = False) -> ImportResult:
    """Store a directive and the chosen tasks in one transaction.

    `tasks` (default: all parsed tasks) is what the person kept after review. A directive
    with the same number and date as one already stored is refused unless `allow_duplicate`.
    `province=True` writes the province tables (the hub publishing a directive).
    `id_factory` makes the row ids (demo data draws them from its seeded generator).
    A directive with no task is refused unless `allow_empty` (kept for its number and subject).
    A directive without number or date is compared by content (`find_duplicate_by_content`).
    `share_source_text`: the commune lets its copy of the letter's full text travel to the province
    with its next bundle (off by default: a letter a commune imported itself may hold what the
    province has no need to see; core.sync.changes.PRIVATE_COLUMNS).
    """
    chosen = parsed.tasks if tasks is None else tasks
    if not chosen and not allow_empty:
        if not parsed.tasks:
            raise NoTasksFoundError("Không tìm thấy nhiệm vụ nào trong văn bản nên không lưu. Nếu vẫn muốn lưu văn "
                                    "bản (để thêm nhiệm vụ bằng tay), hãy chọn “lưu cả khi không có nhiệm vụ” "
                                    "(dòng lệnh: --allow-empty).")
        raise NoTasksFoundError("Chưa chọn nhiệm vụ nào để lưu. Hãy đánh dấu ít nhất một nhiệm vụ.")
    doc = parsed.document
    issued_on = doc.date.isoformat() if doc.date else None
    if not allow_duplicate:
        existing = find_duplicate(store, doc.number, issued_on)
        if existing:
            raise DuplicateDirectiveError(
                f"Văn bản số {doc.number} ngày {format_date(doc.date)} đã được nhập trước đây. "
                "Không nhập lại để tránh trùng nhiệm vụ.", details=f"directive id {existing['id']}")
        if not (doc.number and issued_on):
            same = find_duplicate_by_content(store, parsed)
            if same:
                raise DuplicateDirectiveError(
                    "Văn bản này (chưa có số và ngày) có cùng nội dung với văn bản đã nhập trước đây"
                    + (f" “{same['subject']}”" if same["subject"] else "")
                    + ". Không nhập lại để tránh trùng nhiệm vụ.", details=f"directive id {same['id']}")
    for item in chosen:
        if not item.content.strip():
            raise UserInputError(f"Nhiệm vụ {item.ref} chưa có nội dung.")
    directives, task_table = PROVINCE if province else LOCAL
    make_id = id_factory or new_id
    directive_id = make_id()
    values = {"number": doc.number, "issued_on": issued_on, "issuer": doc.issuer, "subject": doc.subject,
              "source_name": source_name, "source_text": parsed.text or None}
    if share_source_text and not province:
        values["share_source_text"] = 1
    with store.transaction():
        store.insert(directives, values, row_id=directive_id)
        ids = store.insert_many(task_table, [dict(task_row(item, directive_id, position), id=make_id())
                                             for position, item in enumerate(chosen)])
    return ImportResult(directive_id, ids)


def _task_table(store: Store, task_id: str) -> str:
    for table in ("local_tasks", "tasks"):
        if store.scalar(f"SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL", (task_id,)):
            return table
    raise NotFoundError("Không tìm thấy nhiệm vụ (có thể đã bị xóa).", details=task_id)


def create_manual_task(store: Store, *, directive_id: str, content: str, ref: str | None = None,
                       lead_unit: str | None = None, deadline_text: str | None = None,
                       for_commune: bool = True) -> str:
    """A task typed by hand under a directive the commune imported."""
    content = " ".join((content or "").split())
    if not content:
        raise UserInputError("Nội dung nhiệm vụ không được để trống.")
    if not store.scalar("SELECT 1 FROM local_directives WHERE id = ? AND deleted_at IS NULL", (directive_id,)):
        raise UserInputError("Chỉ thêm nhiệm vụ vào văn bản do xã tự nhập; văn bản của tỉnh do tỉnh cập nhật.")
    position = store.scalar("SELECT coalesce(max(position), -1) + 1 FROM local_tasks WHERE directive_id = ?",
                            (directive_id,))
    deadline = parse_deadline(deadline_text) if deadline_text else parse_deadline(None)
    item = TaskItem(ref or str(position + 1), content, lead_unit or None, [], for_commune, deadline)
    if deadline_text and deadline.text is None:
        item.deadline = parse_deadline(deadline_text)
    return store.insert("local_tasks", task_row(item, directive_id, position))


def update_local_task(store: Store, task_id: str, changes: dict) -> None:
    """Edit a task the commune imported itself (province tasks are read-only here)."""
    if _task_table(store, task_id) != "local_tasks":
        raise UserInputError("Nhiệm vụ này do tỉnh giao qua đồng bộ, xã không sửa nội dung được; "
                             "hãy ghi tiến độ hoặc ghi chú.")
    allowed = {"ref", "content", "lead_unit", "coordinating_units", "for_commune"}
    values = {k: v for k, v in changes.items() if k in allowed}
    if "deadline_text" in changes:
        deadline = parse_deadline(changes["deadline_text"])
        values.update({"deadline_kind": deadline.kind, "deadline_text": deadline.text,
                       "deadline": deadline.due.isoformat() if deadline.due else None,
                       "recurring_period": deadline.period,
                       "starts_on": deadline.start.isoformat() if deadline.start else None})
    if "content" in values and not " ".join(str(values["content"]).split()):
        raise UserInputError("Nội dung nhiệm vụ không được để trống.")
    store.update("local_tasks", task_id, values)


def add_progress(store: Store, task_id: str, *, note: str | None = None, status: str | None = None,
                 assignee_id: str | None = None, noted_on: dt.date | None = None, period: str | None = None,
                 attachments: list[Path] | None = None, attachments_dir: Path | None = None) -> str:
    """Record a progress note and/or a status or assignee change (one transaction).

    Attached files are copied into `attachments_dir/tasks/<task id>/` first; the row keeps
    their paths relative to the attachments folder.
    """
    _task_table(store, task_id)
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise UserInputError(f"Ghi chú tiến độ quá dài (tối đa {MAX_NOTE_CHARS} ký tự).")
    require_no_personal_data(note, "Ghi chú tiến độ")
    if status is not None and status not in STATUSES:
        raise UserInputError("Trạng thái không hợp lệ.", details=repr(status))
    if assignee_id is not None and assignee_id != "" and not store.scalar(
            "SELECT 1 FROM staff WHERE id = ? AND deleted_at IS NULL", (assignee_id,)):
        raise UserInputError("Cán bộ được giao không có trong danh sách cán bộ.")
    if not (note or status or assignee_id is not None or attachments):
        raise UserInputError("Hãy nhập nội dung tiến độ, đổi trạng thái hoặc giao cán bộ.")
    noted_on = noted_on or today_local()
    stored_files = _copy_attachments(task_id, attachments or [], attachments_dir)
    current = store.query("SELECT status, assignee_id FROM task_state WHERE task_id = ?", (task_id,))
    state = current[0] if current else {"status": "todo", "assignee_id": None}
    new_status = status or state["status"]
    new_assignee = state["assignee_id"] if assignee_id is None else (assignee_id or None)
    try:
        with store.transaction() as conn:
            progress_id = store.insert("task_progress", {
                "task_id": task_id, "noted_on": noted_on.isoformat(), "note": note,
                "status": status if status != state["status"] else None,
                "assignee_id": assignee_id if assignee_id is not None else None,
                "period": period, "attachments": json.dumps(stored_files, ensure_ascii=False) if stored_files else None})
            conn.execute("""
                INSERT INTO task_state (task_id, status, assignee_id, last_noted_on, last_note, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(task_id) DO UPDATE SET status = excluded.status, assignee_id = excluded.assignee_id,
                    last_noted_on = coalesce(excluded.last_noted_on, task_state.last_noted_on),
                    last_note = coalesce(excluded.last_note, task_state.last_note),
                    updated_at = excluded.updated_at""",
                (task_id, new_status, new_assignee, noted_on.isoformat() if note else None, note, utc_iso()))
    except BaseException:
        for rel in stored_files:  # the row was not written: do not leave orphan copies
            if attachments_dir is not None:
                (attachments_dir / rel).unlink(missing_ok=True)
        raise
    return progress_id


def _copy_attachments(task_id: str, files: list[Path], attachments_dir: Path | None) -> list[str]:
    if not files:
        return []
    if attachments_dir is None:
        raise UserInputError("Chưa có thư mục lưu tệp đính kèm.")
    target = Path(attachments_dir) / "tasks" / task_id
    stored: list[str] = []
    for source in files:
        source = Path(source)
        if not source.is_file():
            raise UserInputError(f"Không tìm thấy tệp đính kèm “{source.name}”.")
        if source.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise UserInputError(f"Tệp đính kèm “{source.name}” quá lớn (tối đa 50 MB).")
    durable.ensure_dir(target)
    for source in files:
        source = Path(source)
        name = source.name
        dest = target / name
        counter = 1
        while dest.exists():
            dest = target / f"{source.stem} ({counter}){source.suffix}"
            counter += 1
        durable.copy_atomic(source, dest)
        stored.append(dest.relative_to(attachments_dir).as_posix())
    return stored


def rebuild_task_state(store: Store) -> int:
    """Recompute `task_state` from the progress history (after a restore or a sync)."""
    rows = store.query("SELECT task_id, noted_on, note, status, assignee_id FROM task_progress "
                       "WHERE deleted_at IS NULL ORDER BY task_id, noted_on, created_at")
    state: dict[str, dict] = {}
    for row in rows:
        current = state.setdefault(row["task_id"], {"status": "todo", "assignee_id": None,
                                                    "last_noted_on": None, "last_note": None})
        if row["status"]:
            current["status"] = row["status"]
        if row["assignee_id"] is not None:
            current["assignee_id"] = row["assignee_id"] or None
        if row["note"]:
            current["last_noted_on"], current["last_note"] = row["noted_on"], row["note"]
    now = utc_iso()
    with store.transaction() as conn:
        conn.execute("DELETE FROM task_state")
        conn.executemany("INSERT INTO task_state (task_id, status, assignee_id, last_noted_on, last_note, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(k, v["status"], v["assignee_id"], v["last_noted_on"], v["last_note"], now)
                          for k, v in state.items()])
    return len(state)
