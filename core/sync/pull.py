"""Rows of the unit's other devices, received from the hub and applied here (one commune, one picture).

The hub sends back every row of the unit (`rows` bundles, signed by the province key, in the
hub's order of writes `rev`; core.hub.unit_rows). Each record carries its version (hybrid
logical clock, device). Applying it here:

- a version not newer than the one this database has is skipped (our own rows coming back, or
  an edit we already superseded — the hub keeps the newest and records the older as a conflict);
- a newer version replaces the row. If this PC had an edit of that row not yet cut into a
  bundle, that edit lost: its state is kept in `sync_conflicts` (shown on the Đồng bộ page);
- the row is written with the change-log triggers silent (`sync_clock.applying`), and its
  version goes into the change log as `remote`, so it is not sent back up;
- the same key entered on two devices (a dossier code at two counters; a day's tally) is one
  row: the row created first (created_at, then id) is kept, the other tombstoned here as a
  local change (`merged_into` = the kept row's id where the table has it), so every device
  and the hub end with the same single live row (`core.sync.pull.merge rule`, docs).

After rows of `task_progress` arrive, the local task state is rebuilt from the history.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from core.clock import utc_iso
from core.sync import changes
from core.sync.errors import OwnershipViolation, UnsupportedFormat
from db.settings import get_setting, set_setting
from db.store import Store

ROWS_CURSOR = "sync_rows_cursor"
HUB_CONFLICTS_CURSOR = "sync_hub_conflicts_cursor"
LAST_CUT_SEQ = "sync_last_cut_seq"


@dataclass
class PullResult:
    counts: dict = field(default_factory=dict)  # rows written per table
    skipped: int = 0  # versions not newer than ours
    conflicts: int = 0  # our uncut edits that lost
    merged: int = 0  # rows tombstoned by the same-key rule


def unique_keys(conn: sqlite3.Connection, table: str) -> list[tuple[list[str], bool]]:
    """[(columns, live_only)] of the table's unique indexes other than the id; `live_only` when
    the index covers only live rows (… WHERE deleted_at IS NULL)."""
    out = []
    for _, name, unique, origin, partial in conn.execute(f"PRAGMA index_list([{table}])"):
        if not unique or origin == "pk":
            continue
        cols = [r[2] for r in conn.execute(f"PRAGMA index_info([{name}])")]
        if cols == ["id"]:
            continue
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        live_only = bool(partial and sql and sql[0] and "deleted_at IS NULL" in sql[0])
        out.append((cols, live_only))
    return out


def _local_versions(conn: sqlite3.Connection, table: str, ids: list[str]) -> dict[str, tuple]:
    """{row_id: (hlc, device, seq, remote)} of the last change-log entry of each given row."""
    out: dict[str, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" for _ in chunk)
        for row_id, hlc, device, seq, remote in conn.execute(
                f"SELECT row_id, hlc, device, max(seq), remote FROM change_log "
                f"WHERE table_name = ? AND row_id IN ({marks}) GROUP BY row_id", (table, *chunk)):
            out[row_id] = (hlc or 0, device or "", seq, remote)
    return out


def apply_unit_rows(store: Store, records: list[dict], unit: str) -> PullResult:
    """Apply records of the unit's rows (from a verified `rows` bundle) in one transaction."""
    owners = changes.table_owners(store.conn)
    for record in records:
        owner = owners.get(record["t"])
        if owner is None:
            raise UnsupportedFormat(f"Gói có dữ liệu bảng “{record['t']}” mà phiên bản phần mềm này chưa có. "
                                    "Hãy cập nhật phần mềm rồi đồng bộ lại.")
        if owner != "commune" or (record["row"] is not None and record["row"].get("origin") != unit):
            raise OwnershipViolation("Gói dữ liệu của đơn vị chứa bản ghi không thuộc đơn vị này. Gói bị từ chối.")
        if "hlc" not in record:
            raise OwnershipViolation("Gói dữ liệu của đơn vị thiếu phiên bản bản ghi. Gói bị từ chối.")
    result = PullResult()
    if not records:
        return result
    by_table: dict[str, list[dict]] = {}
    for record in records:
        by_table.setdefault(record["t"], []).append(record)
    conn = store.conn
    # The hub's rows are the unit's own, valid where they were written; references between them
    # may span pages, so foreign keys are not checked while they are applied (only possible
    # outside a transaction; inside one they are deferred to its COMMIT).
    toggled_fk = not conn.in_transaction
    if toggled_fk:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with store.transaction():
            conn.execute("PRAGMA defer_foreign_keys = ON")
            conn.execute("UPDATE sync_clock SET applying = 1 WHERE id = 1")
            last_cut = int(get_setting(store, LAST_CUT_SEQ, 0) or 0)
            for table, items in by_table.items():
                _apply_table(store, table, items, last_cut, result)
            top = max(r["hlc"] for r in records)
            conn.execute("UPDATE sync_clock SET hlc = max(hlc, ?), applying = 0 WHERE id = 1", (top,))
            if "task_progress" in result.counts:
                from core.tasks.store import rebuild_task_state

                rebuild_task_state(store)
    finally:
        if toggled_fk:
            conn.execute("PRAGMA foreign_keys = ON")
    return result


def _apply_table(store: Store, table: str, items: list[dict], last_cut: int, result: PullResult) -> None:
    conn = store.conn
    columns = changes.table_columns(conn, table)
    local = _local_versions(conn, table, [r["id"] for r in items])
    now = utc_iso()
    fresh: list[dict] = []
    for record in items:
        mine = local.get(record["id"])
        if mine is not None and (mine[0], mine[1]) >= (record["hlc"], record["dev"]):
            result.skipped += 1
            continue
        if mine is not None and not mine[3] and mine[2] > last_cut:
            _keep_lost_local(conn, table, record, now)
            result.conflicts += 1
        fresh.append(record)
    if not fresh:
        return
    uniques = unique_keys(conn, table)
    upserts = [r for r in fresh if r["row"] is not None]
    purges = [(r["id"],) for r in fresh if r["row"] is None]
    if upserts:
        conn.execute("SAVEPOINT pull_batch")
        try:
            _upsert(conn, table, columns, [r["row"] for r in upserts])
            conn.execute("RELEASE pull_batch")
        except sqlite3.IntegrityError:
            # The same key on two devices: row by row, merging (rare: only where keys collide).
            conn.execute("ROLLBACK TO pull_batch")
            conn.execute("RELEASE pull_batch")
            for record in upserts:
                _upsert_one_merging(store, table, columns, record, uniques, result, now)
    if purges:
        conn.executemany(f"DELETE FROM [{table}] WHERE id = ?", purges)
    conn.executemany(
        "INSERT INTO change_log (table_name, row_id, op, changed_at, hlc, device, remote) VALUES (?, ?, ?, ?, ?, ?, 1)",
        [(table, r["id"], r["op"], (r["row"] or {}).get("updated_at") or now, r["hlc"], r["dev"]) for r in fresh])
    result.counts[table] = result.counts.get(table, 0) + len(fresh)


def _upsert(conn: sqlite3.Connection, table: str, columns: list[str], rows: list[dict]) -> None:
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for row in rows:
        cols = tuple(c for c in columns if c in row)
        groups.setdefault(cols, []).append(tuple(row[c] for c in cols))
    for cols, values in groups.items():
        if "id" not in cols:
            raise OwnershipViolation(f"Gói có bản ghi bảng “{table}” thiếu mã.")
        col_list = ", ".join(f"[{c}]" for c in cols)
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != "id")
        conn.executemany(f"INSERT INTO [{table}] ({col_list}) VALUES ({', '.join('?' for _ in cols)}) "
                         f"ON CONFLICT(id) DO UPDATE SET {updates}", values)


def _upsert_one_merging(store: Store, table: str, columns: list[str], record: dict,
                        uniques: list[tuple[list[str], bool]], result: PullResult, now: str) -> None:
    """Write one received row; where a live row here has the same unique key, keep the row
    created first and tombstone the other as a local change (sent to the hub and the other PCs)."""
    conn = store.conn
    row = dict(record["row"])
    has_merged_into = "merged_into" in columns
    retombstone = False
    if row.get("deleted_at") is None:
        for cols, live_only in uniques:
            if any(row.get(c) is None for c in cols):
                continue
            where = " AND ".join(f"[{c}] = ?" for c in cols)
            other = conn.execute(f"SELECT id, created_at FROM [{table}] WHERE {where} AND id != ?"
                                 + (" AND deleted_at IS NULL" if live_only else ""),
                                 (*[row[c] for c in cols], row["id"])).fetchone()
            if other is None:
                continue
            if not live_only:  # a key that even a tombstone holds: the received row cannot be stored
                _record_conflict(conn, table, record, kept=None, now=now)
                result.conflicts += 1
                return
            if (row.get("created_at") or "", row["id"]) < (other[1] or "", other[0]):
                _tombstone_locally(store, table, other[0], row["id"] if has_merged_into else None, now)
            else:
                row["deleted_at"] = now
                if has_merged_into:
                    row["merged_into"] = other[0]
                retombstone = True
            result.merged += 1
    _upsert(conn, table, columns, [row])
    if retombstone:
        # The received row was stored as merged; say so as a change of our own, so the hub and
        # the unit's other PCs get the same single live row.
        conn.execute("UPDATE sync_clock SET applying = 0 WHERE id = 1")
        conn.execute(f"UPDATE [{table}] SET updated_at = ?, updated_by = ? WHERE id = ?", (now, store.actor, row["id"]))
        conn.execute("UPDATE sync_clock SET applying = 1 WHERE id = 1")


def _tombstone_locally(store: Store, table: str, row_id: str, merged_into: str | None, now: str) -> None:
    conn = store.conn
    conn.execute("UPDATE sync_clock SET applying = 0 WHERE id = 1")
    extra = ", merged_into = ?" if merged_into else ""
    conn.execute(f"UPDATE [{table}] SET deleted_at = ?, updated_at = ?, updated_by = ?{extra} WHERE id = ?",
                 (now, now, store.actor, *([merged_into] if merged_into else []), row_id))
    conn.execute("UPDATE sync_clock SET applying = 1 WHERE id = 1")


def _keep_lost_local(conn: sqlite3.Connection, table: str, record: dict, now: str) -> None:
    """Our edit, not yet cut, loses to a newer version from another device: keep it visible."""
    cur = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (record["id"],))
    names = [d[0] for d in cur.description]
    state = cur.fetchone()
    mine = conn.execute("SELECT hlc, device FROM change_log WHERE table_name = ? AND row_id = ? "
                        "ORDER BY seq DESC LIMIT 1", (table, record["id"])).fetchone()
    conn.execute("INSERT INTO sync_conflicts (recorded_at, where_found, table_name, row_id, kept_hlc, kept_device, "
                 "lost_hlc, lost_device, lost_state) VALUES (?, 'local', ?, ?, ?, ?, ?, ?, ?)",
                 (now, table, record["id"], record["hlc"], record["dev"], mine[0] if mine else None,
                  mine[1] if mine else None,
                  json.dumps(dict(zip(names, state)) if state else None, ensure_ascii=False)))


def _record_conflict(conn: sqlite3.Connection, table: str, record: dict, *, kept, now: str) -> None:
    conn.execute("INSERT INTO sync_conflicts (recorded_at, where_found, table_name, row_id, kept_hlc, kept_device, "
                 "lost_hlc, lost_device, lost_state) VALUES (?, 'local', ?, ?, NULL, NULL, ?, ?, ?)",
                 (now, table, record["id"], record["hlc"], record["dev"],
                  json.dumps(record["row"], ensure_ascii=False)))


def import_rows_bundle(store: Store, opened, unit: str) -> PullResult:
    """Apply a verified `rows` bundle and move the cursor only past what it contiguously covers."""
    result = apply_unit_rows(store, opened.records(), unit)
    manifest = opened.manifest
    rev_from, rev_to = manifest.get("rev_from"), manifest.get("rev_to")
    cursor = int(get_setting(store, ROWS_CURSOR, 0) or 0)
    if isinstance(rev_from, int) and isinstance(rev_to, int) and rev_from <= cursor + 1 and rev_to > cursor:
        set_setting(store, ROWS_CURSOR, rev_to)
    return result


def store_hub_conflicts(store: Store, items: list[dict]) -> int:
    """Keep the hub's recorded conflicts of this unit (versions that lost at the hub)."""
    added = 0
    with store.transaction() as conn:
        for c in items:
            added += conn.execute(
                "INSERT OR IGNORE INTO sync_conflicts (recorded_at, where_found, table_name, row_id, kept_hlc, "
                "kept_device, lost_hlc, lost_device, lost_state, hub_id) VALUES (?, 'hub', ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.get("recorded_at"), c.get("table_name"), c.get("row_id"), c.get("kept_hlc"), c.get("kept_device"),
                 c.get("lost_hlc"), c.get("lost_device"), c.get("lost_state"), c.get("id"))).rowcount
        if items:
            set_setting(store, HUB_CONFLICTS_CURSOR, max(int(c.get("id") or 0) for c in items))
    return added


def list_conflicts(store: Store, limit: int = 500) -> list[dict]:
    return store.query("SELECT id, recorded_at, where_found, table_name, row_id, kept_hlc, kept_device, lost_hlc, "
                       "lost_device, lost_state FROM sync_conflicts ORDER BY id DESC LIMIT ?", (limit,))


def merged_dossiers(store: Store) -> list[dict]:
    """Dossiers entered at two counters under one code: the merged entry and the one kept."""
    return store.query(
        "SELECT m.code, m.id AS merged_id, m.received_on AS merged_received_on, m.created_at AS merged_created_at, "
        "m.finished_on AS merged_finished_on, k.id AS kept_id, k.received_on AS kept_received_on, "
        "k.created_at AS kept_created_at, k.finished_on AS kept_finished_on, m.deleted_at AS merged_at "
        "FROM dossiers m LEFT JOIN dossiers k ON k.id = m.merged_into "
        "WHERE m.merged_into IS NOT NULL ORDER BY m.code")


TABLE_LABELS = {"dossiers": "hồ sơ", "task_progress": "tiến độ nhiệm vụ", "local_tasks": "nhiệm vụ",
                "local_directives": "văn bản", "checklist_runs": "phiếu kiểm tra", "staff": "cán bộ"}


def notices(store: Store) -> list[dict]:
    """What the Đồng bộ page lists for staff: dossiers merged (same code at two counters) and
    edits that lost to a newer version, newest first, as plain Vietnamese sentences."""
    from core.clock import format_date, parse_utc, LOCAL_TZ

    def when(stamp: str | None) -> str:
        if not stamp:
            return ""
        moment = parse_utc(stamp).astimezone(LOCAL_TZ)
        return f"{format_date(moment.date())} {moment:%H:%M}"

    out = []
    for m in merged_dossiers(store):
        out.append({"stamp": m["merged_at"] or "", "when": when(m["merged_at"]), "kind": "Hồ sơ trùng mã đã gộp",
                    "text": f"Hồ sơ {m['code']} được nhập ở hai quầy; giữ bản nhập lúc {when(m['kept_created_at'])}, "
                            f"bản nhập lúc {when(m['merged_created_at'])} đã gộp vào. Kiểm tra lại nếu thông tin khác nhau."})
    for c in list_conflicts(store):
        where = "tại tỉnh" if c["where_found"] == "hub" else "trên máy này"
        label = TABLE_LABELS.get(c["table_name"], c["table_name"])
        out.append({"stamp": c["recorded_at"] or "", "when": when(c["recorded_at"]), "kind": "Xung đột đồng bộ",
                    "text": f"Một bản sửa {label} ({c['row_id'][:8]}) cũ hơn bản đang giữ {where} nên không được "
                            "dùng; nội dung của nó vẫn được lưu (lệnh sync-conflicts)."})
    out.sort(key=lambda r: r["stamp"], reverse=True)
    return out
