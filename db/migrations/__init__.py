"""Numbered, append-only schema migrations.

Each module `mNNNN_name.py` has `up(conn)`. They run in order at start-up, each in
its own transaction together with the bump of `PRAGMA user_version`, so a power
cut leaves the schema either before or after a migration, never half-way.
Never edit a migration that has shipped: add the next number.
"""

from __future__ import annotations

import importlib
import sqlite3
from types import ModuleType
from typing import Callable

from core.clock import utc_iso
from core.errors import MigrationError

# Append only. The position in this list is the migration number (1-based). Modules are
# imported only when they have to run: a start-up on an up-to-date file imports none.
MIGRATIONS: list = [
    "m0001_foundation",
    "m0002_checklists",
    "m0003_sync_outbox",
    "m0004_dossiers",
    "m0005_tasks",
    "m0006_dossier_covering_indexes",
    "m0007_dossier_supplements",
    "m0008_sync_devices",
    "m0009_unit_merge",
]


def _module(entry) -> ModuleType:
    return importlib.import_module(f"db.migrations.{entry}") if isinstance(entry, str) else entry


def migration_name(entry) -> str:
    return entry if isinstance(entry, str) else entry.__name__.rsplit(".", 1)[-1]


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def latest_version() -> int:
    return len(MIGRATIONS)


def pending_migrations(conn: sqlite3.Connection) -> list[tuple[int, ModuleType]]:
    current = schema_version(conn)
    if current > latest_version():
        raise MigrationError(
            "Cơ sở dữ liệu này được tạo bởi phiên bản phần mềm mới hơn. Hãy cập nhật phần mềm.",
            details=f"schema {current} > supported {latest_version()}")
    return [(n, _module(m)) for n, m in enumerate(MIGRATIONS, start=1) if n > current]


def migrate(conn: sqlite3.Connection, *, before: Callable[[], None] | None = None) -> list[int]:
    """Apply pending migrations. `before` runs once first (e.g. a safety backup)."""
    todo = pending_migrations(conn)
    if todo and before is not None and schema_version(conn) > 0:
        before()
    applied = []
    for number, module in todo:
        name = module.__name__.rsplit(".", 1)[-1]
        try:
            conn.execute("BEGIN IMMEDIATE")
            module.up(conn)
            if number == 1 or conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone():
                conn.execute("INSERT INTO schema_migrations(number, name, applied_at) VALUES (?, ?, ?)",
                             (number, name, utc_iso()))
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except Exception as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(f"Không nâng cấp được cơ sở dữ liệu (bước {number}: {name}).",
                                 details=repr(exc)) from exc
        applied.append(number)
    return applied
