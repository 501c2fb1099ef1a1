"""The hub speaking: signed province bundles for units, and acknowledgement bundles for USB.

Province rows (directives, their tasks, templates, targets) are kept in the hub's
`rows` table under unit "province" and sent to each chosen unit as its own
bundle in `outgoing/<unit>/`, listed in `outgoing` for the unit to fetch.
"""

from __future__ import annotations

from pathlib import Path

from core.clock import utc_iso
from core.errors import UserInputError
from core.hub import sequence
from core.hub.database import HubDatabase, lock_unit
from core.hub.ingest import ack_payload
from core.hub.store import HubPaths, province_keypair, table_catalog
from core.sync import bundle as bundlemod
from core.units import find_unit


def registered_units(store: HubDatabase) -> list[str]:
    return [r["code"] for r in store.query("SELECT code FROM units ORDER BY code")]


def publish(paths: HubPaths, store: HubDatabase, rows: list[tuple[str, dict]], units: list[str] | None,
            *, attachments: dict[str, bytes] | None = None) -> list[dict]:
    """Send province rows [(table, row)] to `units` (default: every registered unit).

    Each row needs an `id` and `updated_at`; the table must be one the province owns.
    Returns [{"unit", "bundle_id", "file"}].
    """
    catalog = table_catalog()
    for table, row in rows:
        if catalog.get(table) != "province":
            raise UserInputError(f"Bảng “{table}” không phải dữ liệu của tỉnh, không gửi xuống xã được.")
        if not row.get("id") or not row.get("updated_at"):
            raise UserInputError("Bản ghi gửi xuống xã thiếu mã hoặc thời điểm cập nhật.")
    targets = [find_unit(code).code for code in units] if units else registered_units(store)
    if not targets:
        raise UserInputError("Chưa có đơn vị nào được đăng ký để nhận văn bản.")
    signer = province_keypair(paths)
    now = utc_iso()
    made = []
    with store.transaction() as conn:
        lock_unit(store, bundlemod.PROVINCE)  # PostgreSQL: two publications number their rows one after the other
        base = int(conn.execute("SELECT coalesce((SELECT value FROM hub_meta WHERE key = 'province_seq'), '0')")
                   .fetchone()[0])
        records = []
        for offset, (table, row) in enumerate(rows, start=1):
            op = "delete" if row.get("deleted_at") else "update"
            records.append((table, row["id"], op, base + offset, row))
        conn.execute("INSERT INTO hub_meta(key, value) VALUES ('province_seq', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(base + len(rows)),))
        conn.executemany(
            "INSERT INTO rows (table_name, row_id, unit, seq, op, updated_at, deleted, state, received_at) "
            "VALUES (?, ?, 'province', ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name, row_id) DO UPDATE SET "
            "seq = excluded.seq, op = excluded.op, updated_at = excluded.updated_at, deleted = excluded.deleted, "
            "state = excluded.state, received_at = excluded.received_at",
            [(t, rid, seq, op, row["updated_at"], 1 if row.get("deleted_at") else 0,
              bundlemod.encode_record(t, rid, op, seq, row).decode('utf-8').rstrip(), now)
             for t, rid, op, seq, row in records])
        for unit in targets:
            seq = sequence.next_seq(conn, unit)  # numbered in the transaction that queues it
            path, manifest = bundlemod.write_bundle(
                paths.outgoing_dir / unit, kind="province", source=bundlemod.PROVINCE, destination=unit,
                signer=signer, records=records, attachments=attachments, extra={sequence.FIELD: seq})
            conn.execute("INSERT INTO outgoing(bundle_id, unit, kind, file_name, records, size, created_at) "
                         "VALUES (?, ?, 'province', ?, ?, ?, ?)",
                         (manifest["bundle_id"], unit, f"{unit}/{path.name}", len(records),
                          path.stat().st_size, now))
            sequence.record(conn, unit, seq, manifest["bundle_id"])
            conn.executemany("INSERT INTO deliveries(unit, table_name, row_id) VALUES (?, ?, ?) "
                             "ON CONFLICT (unit, table_name, row_id) DO NOTHING",
                             [(unit, t, rid) for t, rid, _, _, _ in records])
            made.append({"unit": unit, "bundle_id": manifest["bundle_id"], "file": str(path)})
    return made


def ack_bundle(paths: HubPaths, store: HubDatabase, unit: str, out_dir: Path) -> Path:
    """An acknowledgement bundle for `unit` to carry back by USB."""
    code = find_unit(unit).code
    if not store.scalar("SELECT 1 FROM units WHERE code = ?", (code,)):
        raise UserInputError(f"Đơn vị mã {code} chưa được đăng ký tại tỉnh.")
    path, _ = bundlemod.write_bundle(Path(out_dir), kind="ack", source=bundlemod.PROVINCE, destination=code,
                                     signer=province_keypair(paths), ack=ack_payload(store, code))
    return path


def inbox_for(store: HubDatabase, unit: str, after: int = 0, limit: int = 100) -> list[dict]:
    return store.query("SELECT id, bundle_id, kind, records, size, created_at FROM outgoing "
                       "WHERE unit = ? AND id > ? ORDER BY id LIMIT ?", (unit, after, limit))


def outgoing_file(paths: HubPaths, store: HubDatabase, unit: str, bundle_id: str) -> Path | None:
    name = store.scalar("SELECT file_name FROM outgoing WHERE unit = ? AND bundle_id = ?", (unit, bundle_id))
    return (paths.outgoing_dir / name) if name else None
