"""Reading tasks: the filtered, searched, sorted list; one task with its history; alert counts.

Every filter runs in SQL over the `task_register` view (province and local tasks together)
so a list of 20,000 tasks answers a keystroke without loading them all. "Quá hạn" is
computed here from the deadline and today's date — never stored.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from core.tasks.status import (CLOSED_STATUSES, is_overdue, period_label, periods_between, reporting_period,
                               status_label)
from core.listing import order_by
from core.textfold import fts_query
from db.store import Store

DUE_SOON_DAYS = 7
# Rows sent to the list at most: more is not read by anyone and only slows each keystroke.
DEFAULT_LIMIT = 1000
@dataclass
class TaskFilter:
    search: str | None = None
    status: str | None = None          # todo | doing | done | paused
    overdue: bool = False
    due_within_days: int | None = None  # 7 or 30
    directive_id: str | None = None
    lead_unit: str | None = None
    assignee_id: str | None = None
    commune_only: bool = False
    sort: str = "deadline"
    descending: bool = False
    limit: int = DEFAULT_LIMIT


_SELECT = """
    SELECT r.id, r.source, r.ref, r.content, r.lead_unit, r.coordinating_units, r.for_commune,
           r.deadline_kind, r.deadline, r.deadline_text, r.recurring_period, r.starts_on, r.position,
           r.directive_id, r.directive_number, r.directive_date, r.directive_subject,
           coalesce(s.status, 'todo') AS status, s.assignee_id, st.full_name AS assignee_name,
           s.last_noted_on, s.last_note
    FROM task_register r
    LEFT JOIN task_state s ON s.task_id = r.id
    LEFT JOIN staff st ON st.id = s.assignee_id"""

# The list shows few columns; selecting only those (and computing "quá hạn" / "sắp đến hạn"
# in SQL) keeps the work per row small — the list must keep up with typing. It is one SELECT
# per origin (province / local) joined UNION ALL, so each branch starts from its own search
# index when there is a search, instead of scanning the combined view.
_BRANCH = """
    SELECT t.id, '{source}' AS source, t.ref, t.content, t.lead_unit, t.for_commune, t.deadline_kind,
           t.deadline, t.deadline_text, t.directive_id, d.number AS directive_number,
           d.issued_on AS directive_date, t.position,
           coalesce(s.status, 'todo') AS status, s.assignee_id, st.full_name AS assignee_name,
           (t.deadline < :today AND coalesce(s.status, 'todo') NOT IN ('done', 'paused')) AS overdue,
           (t.deadline >= :today AND t.deadline <= :soon
            AND coalesce(s.status, 'todo') NOT IN ('done', 'paused')) AS due_soon
    FROM {from_clause}
    JOIN {directives} d ON d.id = t.directive_id AND d.deleted_at IS NULL
    LEFT JOIN task_state s ON s.task_id = t.id
    LEFT JOIN staff st ON st.id = s.assignee_id
    WHERE t.deleted_at IS NULL{where}"""
_ORIGINS = (("province", "tasks", "directives"), ("local", "local_tasks", "local_directives"))
_OPEN = "coalesce(s.status, 'todo') NOT IN ('done', 'paused')"
# The orders the list offers (a click on a column header): `{dir}` is ASC or DESC.
SORTS = {
    "deadline": "(deadline IS NULL), deadline {dir}, directive_date DESC, position",
    "content": "content COLLATE VI {dir}, position",
    "lead_unit": "(lead_unit IS NULL), lead_unit COLLATE VI {dir}, deadline",
    "directive": "directive_date {dir}, directive_number COLLATE VI, position",
    # Column keys of the list:
    "ref": "directive_date DESC, directive_number COLLATE VI, position {dir}",
    "status": "CASE status WHEN 'todo' THEN 0 WHEN 'doing' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END {dir}, "
              "(deadline IS NULL), deadline",
    "assignee_name": "(assignee_name IS NULL), assignee_name COLLATE VI {dir}, deadline",
    "directive_number": "(directive_number IS NULL), directive_number COLLATE VI {dir}, position",
}


def build_task_query(flt: TaskFilter, today: dt.date) -> tuple[str, dict]:
    """The SQL and parameters for `flt` (used by the list and by the benchmark's bare query)."""
    where: list[str] = []
    params: dict = {"today": today.isoformat(), "limit": int(flt.limit),
                    "soon": (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()}
    query = fts_query(flt.search)
    if query:
        params["q"] = query
    if flt.status:
        where.append("coalesce(s.status, 'todo') = :status")
        params["status"] = flt.status
    if flt.overdue:
        where.append(f"t.deadline < :today AND {_OPEN}")
    if flt.due_within_days:
        where.append(f"t.deadline >= :today AND t.deadline <= :until AND {_OPEN}")
        params["until"] = (today + dt.timedelta(days=int(flt.due_within_days))).isoformat()
    if flt.directive_id:
        where.append("t.directive_id = :directive")
        params["directive"] = flt.directive_id
    if flt.lead_unit:
        where.append("t.lead_unit = :lead")
        params["lead"] = flt.lead_unit
    if flt.assignee_id:
        where.append("s.assignee_id = :assignee")
        params["assignee"] = flt.assignee_id
    if flt.commune_only:
        where.append("t.for_commune = 1")
    branches = []
    for source, tasks, directives in _ORIGINS:
        if query:
            from_clause = f"{tasks}_fts f JOIN {tasks} t ON t.rowid = f.rowid"
            conditions = [f"{tasks}_fts MATCH :q", *where]
        else:
            from_clause = f"{tasks} t"
            conditions = where
        branches.append(_BRANCH.format(source=source, from_clause=from_clause, directives=directives,
                                       where="".join(f" AND {c}" for c in conditions)))
    sql = "SELECT * FROM (" + " UNION ALL ".join(branches) + ")"
    sql += f" ORDER BY {order_by((flt.sort, flt.descending), SORTS, 'deadline')} LIMIT :limit"
    return sql, params


class TaskRow(sqlite3.Row):
    """A list row: read by column name (`row["ref"]`, `row.get("lead_unit")`), built in C by sqlite3.

    Thousands of these are made per keystroke; building Python dicts instead made the list
    noticeably slower than the bare query.
    """

    def get(self, key: str, default=None):
        try:
            return self[key]
        except IndexError:
            return default

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"TaskRow({dict(zip(self.keys(), tuple(self)))!r})"


def list_tasks(store: Store, flt: TaskFilter | None = None, *, today: dt.date) -> list[TaskRow]:
    """Tasks matching `flt`; `overdue` and `due_soon` (0/1) are computed in SQL for `today`."""
    sql, params = build_task_query(flt or TaskFilter(), today)
    cursor = store.conn.cursor()
    cursor.row_factory = TaskRow
    return cursor.execute(sql, params).fetchall()


def decorate(row: dict, today: dt.date, soon: str) -> dict:
    row["status_label"] = status_label(row["status"])
    row["overdue"] = is_overdue(row["deadline"], row["status"], today)
    row["due_soon"] = (not row["overdue"] and row["deadline"] is not None
                       and row["status"] not in CLOSED_STATUSES and row["deadline"] <= soon)
    return row


def task_alert_counts(store: Store, today: dt.date) -> dict:
    """{"overdue": n, "due_7": n} — for the start-up notice and the overview page."""
    until = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    row = store.query(f"""
        SELECT sum(r.deadline < :today) AS overdue,
               sum(r.deadline >= :today AND r.deadline <= :until) AS due_7
        FROM task_register r LEFT JOIN task_state s ON s.task_id = r.id
        WHERE r.deadline IS NOT NULL AND {_OPEN}""", {"today": today.isoformat(), "until": until})[0]
    return {"overdue": int(row["overdue"] or 0), "due_7": int(row["due_7"] or 0)}


def get_task(store: Store, task_id: str, *, today: dt.date) -> dict:
    from core.errors import NotFoundError

    rows = store.query(_SELECT + " WHERE r.id = :id", {"id": task_id})
    if not rows:
        raise NotFoundError("Không tìm thấy nhiệm vụ (có thể đã bị xóa).", details=task_id)
    soon = (today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    return decorate(rows[0], today, soon)


# The task-detail history, ordered by the column clicked ("{dir}" is ASC or DESC); ties newest first.
_STATUS_RANK = "CASE p.status WHEN 'todo' THEN 1 WHEN 'doing' THEN 2 WHEN 'done' THEN 3 WHEN 'paused' THEN 4 END"
HISTORY_SORTS = {
    "noted_on": "p.noted_on {dir}, p.created_at {dir}",
    "author_name": "(author.full_name IS NULL), author.full_name COLLATE VI {dir}, p.noted_on DESC, p.created_at DESC",
    "note": "(p.note IS NULL OR p.note = ''), p.note COLLATE VI {dir}, p.noted_on DESC, p.created_at DESC",
    "status_label": f"(p.status IS NULL), {_STATUS_RANK} {{dir}}, p.noted_on DESC, p.created_at DESC",
    "assignee_name": "(assignee.full_name IS NULL), assignee.full_name COLLATE VI {dir}, p.noted_on DESC, "
                     "p.created_at DESC",
}


def task_history(store: Store, task_id: str, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    """Progress notes, status changes and assignments with the staff names, newest first unless
    `sort` names a key of HISTORY_SORTS."""
    order = order_by(sort or ("noted_on", True), HISTORY_SORTS, "noted_on")
    rows = store.query(f"""
        SELECT p.id, p.noted_on, p.note, p.status, p.assignee_id, p.period, p.attachments, p.created_at,
               author.full_name AS author_name, assignee.full_name AS assignee_name
        FROM task_progress p
        LEFT JOIN staff author ON author.id = p.created_by
        LEFT JOIN staff assignee ON assignee.id = p.assignee_id
        WHERE p.task_id = ? AND p.deleted_at IS NULL
        ORDER BY {order}""", (task_id,))
    for row in rows:
        row["attachments"] = json.loads(row["attachments"]) if row["attachments"] else []
        row["status_label"] = status_label(row["status"]) if row["status"] else None
        row["period_label"] = period_label(row["period"]) if row["period"] else None
    return rows


def recurring_periods(store: Store, task: dict, today: dt.date) -> list[dict]:
    """For a recurring task: each reporting period so far and whether a progress note covers it."""
    if task["deadline_kind"] != "recurring":
        return []
    period = reporting_period(task.get("recurring_period"))
    start_text = task.get("starts_on") or task.get("directive_date")
    if not start_text:
        created = store.scalar("SELECT min(created_at) FROM task_progress WHERE task_id = ?", (task["id"],))
        start_text = (created or today.isoformat())[:10]
    start = dt.date.fromisoformat(start_text)
    reported = {r["period"] for r in store.query(
        "SELECT DISTINCT period FROM task_progress WHERE task_id = ? AND period IS NOT NULL AND deleted_at IS NULL",
        (task["id"],))}
    return [{"period": code, "label": period_label(code), "reported": code in reported}
            for code in periods_between(start, today, period)]


def directives(store: Store) -> list[dict]:
    return store.query("""
        SELECT 'local' AS source, id, number, issued_on, subject, issuer,
               (SELECT count(*) FROM local_tasks t WHERE t.directive_id = d.id AND t.deleted_at IS NULL) AS tasks
        FROM local_directives d WHERE deleted_at IS NULL
        UNION ALL
        SELECT 'province', id, number, issued_on, subject, issuer,
               (SELECT count(*) FROM tasks t WHERE t.directive_id = d.id AND t.deleted_at IS NULL)
        FROM directives d WHERE deleted_at IS NULL
        ORDER BY issued_on DESC""")


def lead_units(store: Store) -> list[str]:
    return [r["lead_unit"] for r in store.query(
        "SELECT DISTINCT lead_unit FROM task_register WHERE lead_unit IS NOT NULL ORDER BY lead_unit COLLATE VI")]
