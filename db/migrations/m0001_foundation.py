"""Foundation: change log, settings, staff, search-index registry."""

from db.schema import create_search_index, create_syncable_table


def up(conn):
    conn.execute("""
        CREATE TABLE schema_migrations (
            number INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL)""")
    # Every change to a syncable row, in order. `seq` never goes back (AUTOINCREMENT),
    # so a bundle can name the range of changes it carries.
    conn.execute("""
        CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'purge')),
            changed_at TEXT NOT NULL)""")
    conn.execute("CREATE INDEX idx_change_log_table_row ON change_log(table_name, row_id)")
    # Local, never synced: this PC's identity and preferences. Values are JSON.
    conn.execute("""
        CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL)""")
    conn.execute("""
        CREATE TABLE search_indexes (
            table_name TEXT PRIMARY KEY NOT NULL,
            columns TEXT NOT NULL)""")
    # Which tables travel in sync bundles, and who owns (may write) their rows.
    conn.execute("""
        CREATE TABLE syncable_tables (
            table_name TEXT PRIMARY KEY NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('commune', 'province')))""")
    create_syncable_table(conn, "staff", """
        full_name TEXT NOT NULL,
        position TEXT,
        active INTEGER NOT NULL DEFAULT 1""", owner="commune")
    create_search_index(conn, "staff", ["full_name", "position"])
