"""One unit's rows on the hub, laid out as the commune's own database, so the hub computes
its figures with the very functions the commune uses (one definition in `core/`).

The hub keeps each row as the JSON line the commune signed (`rows.state`). `unit_mirror`
makes an in-memory database with the app's schema (the migrations, run once and copied
with SQLite's backup API) and copies in that unit's rows of the tables a figure needs — plus
the province rows the unit was sent. A hub in one SQLite file is attached and copied in SQL;
a hub on PostgreSQL sends the same rows in one query, written with `executemany`. Triggers
are dropped from the copy: it is read, never synced.

Then `core.dossiers.indicators.register_sums`, `core.checklists.runs.load_run`,
`core.tasks.store.rebuild_task_state` … run on it unchanged.
"""

from __future__ import annotations

import json
import sqlite3
import threading

from core.hub.database import SQLITE, HubDatabase, dialect_of
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


# What a figure reads: (table, condition on the hub's `rows`, parameters); `{hub}` is where the hub's
# other tables are (`hub.` when attached).
def _selections(unit: str) -> list[tuple[str, str, tuple]]:
    return ([(table, "unit = ? AND table_name = ?", (unit, table)) for table in UNIT_TABLES]
            + [("tasks", "unit = 'province' AND table_name = 'tasks' AND row_id IN "
                         "(SELECT row_id FROM {hub}deliveries WHERE unit = ? AND table_name = 'tasks')", (unit,)),
               ("directives", "unit = 'province' AND table_name = 'directives'", ()),
               ("dossier_targets", "unit = 'province' AND table_name = 'dossier_targets'", ())])


def _targets_selection() -> list[tuple[str, str, tuple]]:
    return [("dossier_targets", "unit = 'province' AND table_name = 'dossier_targets'", ())]


def _fill(store: MirrorStore, hub: HubDatabase, selections: list[tuple[str, str, tuple]]) -> None:
    """Copy the selected rows of the hub into the mirror, in one transaction of the mirror."""
    if dialect_of(hub) == SQLITE:
        _fill_attached(store.conn, hub, selections)
    else:
        _fill_from_server(store.conn, hub, selections)


def _fill_attached(conn: sqlite3.Connection, hub: HubDatabase, selections) -> None:
    """SQLite: the hub file is attached and copied in SQL (no row passes through Python)."""
    conn.execute("ATTACH DATABASE ? AS hub", (str(hub.path),))
    try:
        conn.execute("BEGIN")
        for table, where, params in selections:
            _copy_attached(conn, table, where, params)
        conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute("DETACH DATABASE hub")


def _fill_from_server(conn: sqlite3.Connection, hub: HubDatabase, selections) -> None:
    """A hub on a database server cannot be attached: its rows come in one query (one snapshot)
    and are written with one `executemany` per table, each value as SQLite's `->>` gives it."""
    by_table: dict[str, list[tuple]] = {table: [] for table, _w, _p in selections}
    union = " UNION ALL ".join(f"SELECT table_name, state FROM rows WHERE deleted = 0 AND {where.format(hub='')}"
                               for _t, where, _p in selections)
    for table, state in hub.conn.execute(union, tuple(p for _t, _w, params in selections for p in params)):
        row = (state if isinstance(state, dict) else json.loads(state)).get("row")
        if isinstance(row, dict) and table in by_table:
            by_table[table].append(tuple(_sql_value(row.get(c)) for c in _columns[table]))
    conn.execute("BEGIN")
    try:
        for table, rows in by_table.items():
            _insert(conn, table, rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _sql_value(value):
    """A JSON value as SQLite's `->>` returns it: booleans as 1/0, arrays and objects as compact JSON text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _insert(conn: sqlite3.Connection, table: str, rows: list[tuple]) -> None:
    cols = _columns[table]
    # OR IGNORE: a row the commune's own constraints would not hold is left out, as it would be there.
    conn.executemany(f"INSERT OR IGNORE INTO main.[{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                     f"VALUES ({', '.join('?' * len(cols))})", rows)


def _copy_attached(conn: sqlite3.Connection, table: str, where: str, params: tuple) -> int:
    cols = _columns[table]
    select = ", ".join(f"state ->> '$.row.{c}'" for c in cols)
    names = ", ".join(f"[{c}]" for c in cols)
    where = where.format(hub="hub.")
    cur = conn.execute(f"INSERT OR IGNORE INTO main.[{table}] ({names}) SELECT {select} FROM hub.rows "
                       f"WHERE deleted = 0 AND {where}", params)
    return cur.rowcount


def unit_mirror(hub: HubDatabase, unit: str) -> MirrorStore:
    """The unit's rows (and the province rows sent to it) as a commune database in memory."""
    store = MirrorStore()
    try:
        _fill(store, hub, _selections(unit))
    except BaseException:
        store.close()
        raise
    return store


def province_targets_store(hub: HubDatabase) -> MirrorStore:
    """A copy of the app schema holding only the province's targets (and the seeded local ones)."""
    store = MirrorStore()
    try:
        _fill(store, hub, _targets_selection())
    except BaseException:
        store.close()
        raise
    return store
