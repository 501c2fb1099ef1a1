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
