import sqlite3

import pytest

from core.errors import MigrationError
from db import migrations
from db.migrations import latest_version, migrate, schema_version
from db.store import Store


def test_migrations_run_from_empty(tmp_path):
    store = Store(tmp_path / "x.sqlite3")
    applied = migrate(store.conn)
    assert applied == list(range(1, latest_version() + 1))
    assert schema_version(store.conn) == latest_version()
    recorded = [r["number"] for r in store.query("SELECT number FROM schema_migrations ORDER BY number")]
    assert recorded == applied
    assert migrate(store.conn) == []  # idempotent
    store.close()


def test_connection_settings(tmp_path):
    store = Store(tmp_path / "x.sqlite3")
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA synchronous") == 2  # FULL
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA busy_timeout") >= 1000
    store.close()


def test_a_newer_schema_is_refused(tmp_path):
    store = Store(tmp_path / "x.sqlite3")
    migrate(store.conn)
    store.conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    with pytest.raises(MigrationError) as err:
        migrate(store.conn)
    assert "phiên bản phần mềm mới hơn" in err.value.message
    store.close()


def test_a_failing_migration_leaves_the_schema_untouched(tmp_path, monkeypatch):
    class Broken:
        __name__ = "db.migrations.m9999_broken"

        @staticmethod
        def up(conn):
            conn.execute("CREATE TABLE half_done (x)")
            raise sqlite3.OperationalError("boom")

    store = Store(tmp_path / "x.sqlite3")
    migrate(store.conn)
    before = schema_version(store.conn)
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [Broken])
    with pytest.raises(MigrationError):
        migrate(store.conn)
    assert schema_version(store.conn) == before
    assert store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'") == 0
    store.close()


def test_migration_modules_are_numbered_in_order():
    names = [migrations.migration_name(m) for m in migrations.MIGRATIONS]
    assert [int(n[1:5]) for n in names] == list(range(1, len(names) + 1))


def test_every_listed_migration_module_exists_and_has_up():
    import importlib

    for entry in migrations.MIGRATIONS:
        module = importlib.import_module(f"db.migrations.{migrations.migration_name(entry)}")
        assert callable(module.up)


def test_every_syncable_table_has_sync_columns_and_triggers(store):
    tables = [r["table_name"] for r in store.query("SELECT table_name FROM syncable_tables")]
    assert "staff" in tables
    for table in tables:
        columns = {c.name for c in store.db[table].columns}
        assert {"id", "created_at", "updated_at", "deleted_at", "origin", "created_by", "updated_by"} <= columns
        triggers = {t.name for t in store.db[table].triggers}
        assert {f"trg_{table}_log_insert", f"trg_{table}_log_update", f"trg_{table}_log_delete"} <= triggers
