"""One unit's rows on the hub, laid out as the commune's own database, so the hub computes
its figures with the very functions the commune uses (one definition in `core/`).

The hub keeps each row as the JSON line the commune signed (`rows.state`). `unit_mirror`
makes an in-memory database with the app's schema (the migrations, run once and copied
with SQLite's backup API), attaches the hub file, and copies in that unit's rows of the
tables a figure needs — plus the province rows the unit was sent. Triggers are dropped
from the copy: it is read, never synced.

Then `core.dossiers.indicators.register_sums`, `core.checklists.runs.load_run`,
`core.tasks.store.rebuild_task_state` … run on it unchanged.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from db.store import Store

# Commune tables a figure needs (dossiers, readiness, tasks).
UNIT_TABLES = ("dossiers", "dossier_tallies", "checklist_runs", "checklist_run_items", "checklist_answers",
               "checklist_corrections", "task_progress", "local_directives", "local_tasks")

_template_lock = threading.Lock()
_template: sqlite3.Connection | None = None
_columns: dict[str, list[str]] = {}


def _template_conn() -> sqlite3.Connection:
    global _template
    with _template_lock:
        if _template is None:
            from db.migrations import migrate
            from db.store import connect

            conn = connect(":memory:")
            migrate(conn)
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                conn.execute(f"DROP TRIGGER [{name}]")
            for table in UNIT_TABLES + ("directives", "tasks", "dossier_targets"):
                _columns[table] = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            _template = conn
        return _template


class MirrorStore(Store):
    """A Store over an in-memory copy of the app's schema (no file of its own)."""

    def __init__(self):  # noqa: D401 - deliberately not calling Store.__init__ (no path)
        super().__init__(":memory:")
        template = _template_conn()
        with _template_lock:
            template.backup(self.conn)
        # Rows are copied table by table (a task before its directive): no reference checks in a copy.
        self.conn.execute("PRAGMA foreign_keys = OFF")


def _copy(conn: sqlite3.Connection, table: str, where: str, params: tuple) -> int:
    cols = _columns[table]
    select = ", ".join(f"state ->> '$.row.{c}'" for c in cols)
    names = ", ".join(f"[{c}]" for c in cols)
    # OR IGNORE: a row the commune's own constraints would not hold is left out, as it would be there.
    cur = conn.execute(f"INSERT OR IGNORE INTO main.[{table}] ({names}) SELECT {select} FROM hub.rows "
                       f"WHERE deleted = 0 AND {where}", params)
    return cur.rowcount


def unit_mirror(hub_db: Path, unit: str) -> MirrorStore:
    """The unit's rows (and the province rows sent to it) as a commune database in memory."""
    store = MirrorStore()
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS hub", (str(hub_db),))
    try:
        conn.execute("BEGIN")
        for table in UNIT_TABLES:
            _copy(conn, table, "unit = ? AND table_name = ?", (unit, table))
        _copy(conn, "tasks", "unit = 'province' AND table_name = 'tasks' AND row_id IN "
                             "(SELECT row_id FROM hub.deliveries WHERE unit = ? AND table_name = 'tasks')", (unit,))
        _copy(conn, "directives", "unit = 'province' AND table_name = 'directives'", ())
        _copy(conn, "dossier_targets", "unit = 'province' AND table_name = 'dossier_targets'", ())
        conn.execute("COMMIT")
    finally:
        conn.execute("DETACH DATABASE hub")
    return store


def province_targets_store(hub_db: Path) -> MirrorStore:
    """A copy of the app schema holding only the province's targets (and the seeded local ones)."""
    store = MirrorStore()
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS hub", (str(hub_db),))
    try:
        _copy(conn, "dossier_targets", "unit = 'province' AND table_name = 'dossier_targets'", ())
    finally:
        conn.execute("DETACH DATABASE hub")
    return store
