"""Building blocks for migrations: syncable tables, change-log triggers, search indexes.

A syncable table always has the columns in SYNC_COLUMNS. Its change-log triggers
record every insert, update and tombstone in `change_log`, which is what sync
bundles are cut from. A searchable table gets an FTS5 index over a folded
(diacritics removed, đ→d) copy of chosen columns, kept current by triggers that
call the `fold()` SQL function every workspace connection registers.

The FTS index is keyed by the table's rowid; rowids of tables with a text
primary key may change under VACUUM, so `rebuild_search_index` must run after one.
"""

from __future__ import annotations

import sqlite3

SYNC_COLUMNS = """
    id TEXT PRIMARY KEY NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    origin TEXT NOT NULL,
    created_by TEXT,
    updated_by TEXT"""


OWNERS = ("commune", "province")


def create_syncable_table(conn: sqlite3.Connection, table: str, columns_sql: str, *, owner: str) -> None:
    """CREATE TABLE with the sync columns first, then the change-log triggers.

    `owner` says who may write the table's rows: "commune" (each commune its own
    rows) or "province". Sync rejects any bundle that breaks this, so there are
    no write conflicts to merge.
    """
    if owner not in OWNERS:
        raise ValueError(f"owner must be one of {OWNERS}")
    body = SYNC_COLUMNS + ("," + columns_sql if columns_sql.strip() else "")
    conn.execute(f"CREATE TABLE [{table}] ({body})")
    conn.execute("INSERT INTO syncable_tables(table_name, owner) VALUES (?, ?)", (table, owner))
    conn.execute(f"CREATE INDEX [idx_{table}_updated_at] ON [{table}](updated_at)")
    add_change_log_triggers(conn, table)


def add_change_log_triggers(conn: sqlite3.Connection, table: str) -> None:
    """The change-log triggers: version 2 (HLC stamped, skipped while sync applies rows) once
    `sync_clock` exists (m0008 onwards), else version 1 (for the migrations before it)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_clock'").fetchone():
        add_versioned_change_log_triggers(conn, table)
        return
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_log_insert] AFTER INSERT ON [{table}]
        BEGIN
            INSERT INTO change_log (table_name, row_id, op, changed_at)
            VALUES ('{table}', NEW.id, 'insert', NEW.updated_at);
        END""")
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_log_update] AFTER UPDATE ON [{table}]
        BEGIN
            INSERT INTO change_log (table_name, row_id, op, changed_at)
            VALUES ('{table}', NEW.id,
                    CASE WHEN NEW.deleted_at IS NOT NULL THEN 'delete' ELSE 'update' END,
                    NEW.updated_at);
        END""")
    # Rows are tombstoned, not deleted; a hard delete (e.g. a purge) is still logged.
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_log_delete] AFTER DELETE ON [{table}]
        BEGIN
            INSERT INTO change_log (table_name, row_id, op, changed_at)
            VALUES ('{table}', OLD.id, 'purge', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        END""")


# The hybrid logical clock (docs/BUNDLE_FORMAT.md, "Row versions"): milliseconds since 1970 times
# 65,536 plus a counter, never below the last value this database issued or received
# (`sync_clock.hlc`), so a row's versions only go up on a device even if its clock goes back.
_PHYSICAL = "coalesce(CAST((julianday({stamp}) - 2440587.5) * 86400000.0 AS INTEGER), 0) * 65536"
_TICK = "UPDATE sync_clock SET hlc = max(hlc + 1, {physical}) WHERE id = 1;"
_LOG = ("INSERT INTO change_log (table_name, row_id, op, changed_at, hlc, device) VALUES "
        "('{table}', {row_id}, {op}, {stamp}, (SELECT hlc FROM sync_clock WHERE id = 1), "
        "(SELECT device FROM sync_clock WHERE id = 1));")
# While sync writes rows received from the unit's other devices, `applying` is 1 and the
# triggers stay silent: those rows keep the version they came with (core.sync.pull).
_WHEN = "WHEN (SELECT applying FROM sync_clock WHERE id = 1) IS NOT 1"


def add_versioned_change_log_triggers(conn: sqlite3.Connection, table: str) -> None:
    now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    for event, row_id, op, stamp in (
            ("insert", "NEW.id", "'insert'", "NEW.updated_at"),
            ("update", "NEW.id", "CASE WHEN NEW.deleted_at IS NOT NULL THEN 'delete' ELSE 'update' END",
             "NEW.updated_at"),
            ("delete", "OLD.id", "'purge'", now)):
        conn.execute(f"DROP TRIGGER IF EXISTS [trg_{table}_log_{event}]")
        conn.execute(f"""
            CREATE TRIGGER [trg_{table}_log_{event}] AFTER {event.upper()} ON [{table}] {_WHEN}
            BEGIN
                {_TICK.format(physical=_PHYSICAL.format(stamp=stamp))}
                {_LOG.format(table=table, row_id=row_id, op=op, stamp=stamp)}
            END""")


def create_search_index(conn: sqlite3.Connection, table: str, columns: list[str]) -> None:
    """FTS5 index `<table>_fts(search_text)` over fold(col1 || ' ' || col2 …)."""
    expr_new = " || ' ' || ".join(f"coalesce(NEW.[{c}], '')" for c in columns)
    conn.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5(search_text, "
                 f"tokenize = 'unicode61 remove_diacritics 0')")
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_fts_insert] AFTER INSERT ON [{table}]
        BEGIN
            INSERT INTO [{table}_fts](rowid, search_text) VALUES (NEW.rowid, fold({expr_new}));
        END""")
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_fts_update] AFTER UPDATE ON [{table}]
        BEGIN
            DELETE FROM [{table}_fts] WHERE rowid = OLD.rowid;
            INSERT INTO [{table}_fts](rowid, search_text) VALUES (NEW.rowid, fold({expr_new}));
        END""")
    conn.execute(f"""
        CREATE TRIGGER [trg_{table}_fts_delete] AFTER DELETE ON [{table}]
        BEGIN
            DELETE FROM [{table}_fts] WHERE rowid = OLD.rowid;
        END""")
    conn.execute("INSERT INTO search_indexes(table_name, columns) VALUES (?, ?)",
                 (table, ",".join(columns)))


def rebuild_search_index(conn: sqlite3.Connection, table: str) -> None:
    columns = conn.execute("SELECT columns FROM search_indexes WHERE table_name = ?", (table,)).fetchone()[0]
    expr = " || ' ' || ".join(f"coalesce([{c}], '')" for c in columns.split(","))
    conn.execute(f"DELETE FROM [{table}_fts]")
    conn.execute(f"INSERT INTO [{table}_fts](rowid, search_text) SELECT rowid, fold({expr}) FROM [{table}]")
