"""Generic row movement over `syncable_tables`: cut changes from change_log, apply incoming rows.

Nothing here knows a table by name. Which tables travel, and in which direction, is
read from `syncable_tables(table_name, owner)`; which columns a row has is read from
the table itself (PRAGMA table_info), so a table another capability adds tomorrow
syncs without a change here.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

from core.sync.errors import OwnershipViolation, UnsupportedFormat


def owned_tables(conn: sqlite3.Connection, owner: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT table_name FROM syncable_tables WHERE owner = ? ORDER BY table_name", (owner,))]


def table_owners(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT table_name, owner FROM syncable_tables"))


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]


def max_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]


def count_changed_rows(conn: sqlite3.Connection, owner: str, after_seq: int) -> int:
    """How many distinct rows of `owner`'s tables changed after `after_seq` (for "waiting")."""
    tables = owned_tables(conn, owner)
    if not tables:
        return 0
    marks = ",".join("?" for _ in tables)
    return conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM change_log WHERE seq > ? AND remote = 0 AND table_name IN ({marks}) "
        f"GROUP BY table_name, row_id)", (after_seq, *tables)).fetchone()[0]


def seq_of_nth_change(conn: sqlite3.Connection, owner: str, after_seq: int, n: int) -> int | None:
    """The seq of the n-th change of `owner`'s tables after `after_seq`, or None if there are fewer."""
    tables = owned_tables(conn, owner)
    if not tables or n < 1:
        return None
    marks = ",".join("?" for _ in tables)
    row = conn.execute(f"SELECT seq FROM change_log WHERE seq > ? AND remote = 0 AND table_name IN ({marks}) "
                       f"ORDER BY seq LIMIT 1 OFFSET ?", (after_seq, *tables, n - 1)).fetchone()
    return None if row is None else row[0]


# A letter the commune imported itself: its text stays on the PC unless staff chose to share it.
PRIVATE_COLUMNS = {"local_directives": ("source_text", "share_source_text")}


def iter_changes(conn: sqlite3.Connection, owner: str, after_seq: int, upto_seq: int
                 ) -> Iterator[tuple]:
    """(table, row_id, op, seq, row, hlc, device, base) for the latest state of each row changed in
    (after, upto], with the version (hlc, device) of that last change and the version it was made
    on top of (`base`, [hlc, device] or None).

    A row changed five times travels once, with the seq of its last change. A row
    tombstoned travels as op "delete" with its full state (deleted_at set); a row
    that no longer exists travels as "purge" with no state. A row whose last change was
    received from another device (`remote`) is not sent back: the hub has that version.
    """
    for table in owned_tables(conn, owner):
        # The bare columns take their values from the row holding MAX(seq) (SQLite rule).
        # `base`: the version this device's edits started from — the last change before this
        # bundle's range or received from another device since (the hub tells an edit made without
        # seeing its current version from one made on top of it: core.hub.apply).
        cursor = conn.execute(
            f"""SELECT m.op, m.seq, m.row_id, m.hlc, m.device, m.remote, b.hlc, b.device, t.* FROM
                  (SELECT row_id, MAX(seq) AS seq, op, hlc, device, remote FROM change_log
                    WHERE table_name = ? AND seq > ? AND seq <= ? GROUP BY row_id) AS m
                LEFT JOIN change_log AS b ON b.seq = (
                    SELECT p.seq FROM change_log AS p WHERE p.table_name = ? AND p.row_id = m.row_id
                      AND p.seq < m.seq AND (p.seq <= ? OR p.remote = 1) ORDER BY p.seq DESC LIMIT 1)
                LEFT JOIN [{table}] AS t ON t.id = m.row_id
                ORDER BY m.seq""", (table, after_seq, upto_seq, table, after_seq))
        names = [d[0] for d in cursor.description][8:]
        private = PRIVATE_COLUMNS.get(table)
        for values in cursor:
            op, seq, row_id, hlc, device, remote, base_hlc, base_device = values[:8]
            if remote:
                continue
            base = None if base_hlc is None else [base_hlc, base_device]
            state = values[8:]
            if state[0] is None:  # t.id: the row is gone
                yield table, row_id, "purge", seq, None, hlc, device, base
                continue
            row = dict(zip(names, state))
            if private and not row.get(private[1]):
                row[private[0]] = None
            if row.get("deleted_at"):
                op = "delete"
            elif op not in ("insert", "update"):
                op = "update"
            yield table, row_id, op, seq, row, hlc, device, base


def apply_records(conn: sqlite3.Connection, records: list[dict], *, allowed_owner: str) -> dict[str, int]:
    """Upsert incoming rows into local tables owned by `allowed_owner`; returns counts per table.

    Runs inside the caller's transaction. A row only replaces an older state
    (`updated_at` not older), so replaying an old bundle cannot roll data back.
    Columns this version does not have are dropped (a newer sender); a table it
    does not know makes the whole bundle wait for an update.
    """
    owners = table_owners(conn)
    for record in records:
        owner = owners.get(record["t"])
        if owner is None:
            raise UnsupportedFormat(
                f"Gói có dữ liệu bảng “{record['t']}” mà phiên bản phần mềm này chưa có. "
                "Hãy cập nhật phần mềm rồi nhập lại gói.")
        if owner != allowed_owner:
            raise OwnershipViolation(
                f"Gói sửa dữ liệu bảng “{record['t']}” không thuộc quyền của bên gửi. Gói bị từ chối.")
    by_table: dict[str, list[dict]] = {}
    for record in records:
        by_table.setdefault(record["t"], []).append(record)
    counts: dict[str, int] = {}
    for table, items in by_table.items():
        columns = table_columns(conn, table)
        upserts = [r for r in items if r["row"] is not None]
        purges = [(r["id"],) for r in items if r["row"] is None]
        groups: dict[tuple[str, ...], list[tuple]] = {}
        for record in upserts:
            cols = tuple(c for c in columns if c in record["row"])
            groups.setdefault(cols, []).append(tuple(record["row"][c] for c in cols))
        for cols, values in groups.items():
            if "id" not in cols or "updated_at" not in cols:
                raise OwnershipViolation(f"Gói có bản ghi bảng “{table}” thiếu mã hoặc thời điểm cập nhật.")
            col_list = ", ".join(f"[{c}]" for c in cols)
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != "id")
            conn.executemany(
                f"INSERT INTO [{table}] ({col_list}) VALUES ({', '.join('?' for _ in cols)}) "
                f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE excluded.updated_at >= [{table}].updated_at",
                values)
        if purges:
            conn.executemany(f"DELETE FROM [{table}] WHERE id = ?", purges)
        counts[table] = len(items)
    return counts
