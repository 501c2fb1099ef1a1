"""Sync v2 (issue 13): devices, row versions (a hybrid logical clock), acknowledgement by id and hash.

- `sync_clock` (one row, local): the device this database lineage currently is, the last HLC
  value it issued or received, and `applying` (1 only inside the transaction that writes rows
  received from the unit's other devices, so the change-log triggers stay silent for them).
- `sync_devices` (local): every device id this database has been, with its key file; a new one
  is made when the database was restored or its folder copied to another PC (core.sync.device).
- `change_log` gains `hlc`, `device` (the version of that change) and `remote` (1: a state
  received from another device, not to be sent back).
- `sync_outbox` gains the device, its bundle number and the file's SHA-256 (what an
  acknowledgement must name), and the format version.
- `sync_conflicts` (local): versions that lost, kept so staff can see them.

Existing rows of the change log get a version from their `changed_at` and this database's
first device id, minted here: an upgraded workspace's current key becomes its first device.
"""

import uuid

from core.clock import utc_iso
from db.schema import add_versioned_change_log_triggers


def up(conn):
    device = str(uuid.uuid4())
    now = utc_iso()
    conn.execute("""
        CREATE TABLE sync_clock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            hlc INTEGER NOT NULL DEFAULT 0,
            device TEXT NOT NULL,
            applying INTEGER NOT NULL DEFAULT 0)""")
    conn.execute("""
        CREATE TABLE sync_devices (
            device_id TEXT PRIMARY KEY NOT NULL,
            key_file TEXT NOT NULL,
            public_key TEXT,
            fingerprint TEXT,
            created_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            last_seq INTEGER NOT NULL DEFAULT 0,
            sealed_at TEXT,
            retired_at TEXT)""")
    # An upgraded workspace keeps its key as its first device's key (keys/commune_ed25519.pem).
    conn.execute("INSERT INTO sync_devices (device_id, key_file, created_at, reason) VALUES (?, ?, ?, ?)",
                 (device, "commune_ed25519.pem", now, "init"))
    conn.execute("ALTER TABLE change_log ADD COLUMN hlc INTEGER")
    conn.execute("ALTER TABLE change_log ADD COLUMN device TEXT")
    conn.execute("ALTER TABLE change_log ADD COLUMN remote INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE change_log SET device = ?, hlc = coalesce(CAST((julianday(changed_at) - 2440587.5) "
                 "* 86400000.0 AS INTEGER), 0) * 65536 + (seq % 65536)", (device,))
    hlc = conn.execute("SELECT coalesce(max(hlc), 0) FROM change_log").fetchone()[0]
    conn.execute("INSERT INTO sync_clock (id, hlc, device) VALUES (1, ?, ?)", (hlc, device))
    for (table,) in conn.execute("SELECT table_name FROM syncable_tables").fetchall():
        add_versioned_change_log_triggers(conn, table)

    for column in ("device TEXT", "device_seq INTEGER", "file_sha256 TEXT",
                   "format_version INTEGER NOT NULL DEFAULT 1"):
        conn.execute(f"ALTER TABLE sync_outbox ADD COLUMN {column}")
    # Bundles cut before the upgrade were this (first) device's.
    conn.execute("UPDATE sync_outbox SET device = ?", (device,))
    conn.execute("CREATE INDEX idx_sync_outbox_device ON sync_outbox(device, device_seq)")

    conn.execute("""
        CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            where_found TEXT NOT NULL CHECK (where_found IN ('local', 'hub')),
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            kept_hlc INTEGER,
            kept_device TEXT,
            lost_hlc INTEGER,
            lost_device TEXT,
            lost_state TEXT,
            hub_id INTEGER,
            UNIQUE (where_found, hub_id))""")
