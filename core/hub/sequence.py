"""The province sequence: every province bundle queued for a unit is numbered 1, 2, 3 … for that unit.

The number is written into the bundle's signed manifest (`province_seq`) and recorded in
`outgoing_seqs` in the same transaction that queues the bundle (`core.hub.province.publish`), so a
number is never given twice and never skipped. A commune moves its inbox cursor only past
numbers it has received, verified and applied (`core.sync.province_inbox`), and the hub answers
`GET /api/v1/inbox?after_seq=N&nonce=X` with a listing signed by the province key that echoes the
commune's nonce and says the unit's highest number (`head_seq`): an altered, replayed or shortened
listing fails the signature, and a bundle the listing leaves out is a gap the commune can name.

Hubs made before this: `ensure_sequenced` (run when the hub database is opened, and before a
listing) numbers every province bundle already queued without a number, per unit in queue order,
and re-signs its file with the number in the manifest (same bundle id, same records). A crash half
way leaves some files re-signed and the database unchanged; the next run gives the same numbers
again, because they follow the queue order.
"""

from __future__ import annotations

import base64
import json
import os
import re
import zipfile
from pathlib import Path

from core import durable
from core.fileio import replace_file
from core.clock import utc_iso
from core.errors import UserInputError
from core.hub.database import Connection, HubDatabase
from core.sync import bundle as bundlemod
from core.sync import keys

FIELD = "province_seq"
LISTING_FORMAT = "motcua-inbox-listing"
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# SQLite (CREATE … IF NOT EXISTS when the hub opens); on PostgreSQL the same tables are in
# core.hub.pg_schema's numbered migrations: a change here needs a new migration there.
SCHEMA = [
    # One row per numbered province bundle: (unit, seq) and bundle_id are each unique.
    """CREATE TABLE IF NOT EXISTS outgoing_seqs (
        unit TEXT NOT NULL,
        seq INTEGER NOT NULL,
        bundle_id TEXT UNIQUE NOT NULL,
        PRIMARY KEY (unit, seq)) WITHOUT ROWID""",
]


def next_seq(conn: Connection, unit: str) -> int:
    """The number the next province bundle for `unit` gets (call inside the queuing transaction)."""
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM outgoing_seqs WHERE unit = ?", (unit,)).fetchone()[0]


def record(conn: Connection, unit: str, seq: int, bundle_id: str) -> None:
    conn.execute("INSERT INTO outgoing_seqs(unit, seq, bundle_id) VALUES (?, ?, ?)", (unit, seq, bundle_id))


def head(conn: Connection, unit: str) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM outgoing_seqs WHERE unit = ?", (unit,)).fetchone()[0]


def _unsequenced(conn: Connection) -> list[tuple]:
    return conn.execute(
        "SELECT o.unit, o.bundle_id, o.file_name FROM outgoing AS o WHERE o.kind = 'province' AND NOT EXISTS "
        "(SELECT 1 FROM outgoing_seqs AS s WHERE s.bundle_id = o.bundle_id) ORDER BY o.id").fetchall()


def ensure_sequenced(store: HubDatabase, outgoing_dir: Path, signer: keys.KeyPair) -> int:
    """Number and re-sign province bundles queued without a number (a hub made before province
    sequences); returns how many. Cheap when there are none."""
    if not _unsequenced(store.conn):
        return 0
    with store.transaction() as conn:
        todo = _unsequenced(conn)  # again, now holding the write lock
        for unit, bundle_id, file_name in todo:
            seq = next_seq(conn, unit)
            path = Path(outgoing_dir) / file_name
            if path.exists():
                size = reseal(path, seq, signer)
                conn.execute("UPDATE outgoing SET size = ? WHERE bundle_id = ?", (size, bundle_id))
            record(conn, unit, seq, bundle_id)
    return len(todo)


def reseal(path: Path, seq: int, signer: keys.KeyPair) -> int:
    """Rewrite a province bundle with `province_seq` in its manifest, signed again; returns its size.

    The members stay byte for byte (the manifest lists their hashes); the file is replaced
    atomically (tmp, fsync, rename), so a reader gets the old or the new bundle, both valid."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()
                   if info.filename not in (bundlemod.MANIFEST, bundlemod.SIGNATURE)]
        manifest = json.loads(zf.read(bundlemod.MANIFEST))
    manifest[FIELD] = seq
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as raw:
        with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for info, data in members:
                out.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
            out.writestr(bundlemod.MANIFEST, manifest_bytes)
            out.writestr(bundlemod.SIGNATURE, base64.b64encode(signer.sign(manifest_bytes)) + b"\n")
        raw.flush()
        os.fsync(raw.fileno())
    replace_file(tmp, path)  # waits out a brief hold by another program (Windows)
    durable.fsync_dir(path.parent)
    return path.stat().st_size


def listing_payload(conn: Connection, unit: str, after_seq: int, nonce: str, limit: int) -> dict:
    entries = conn.execute(
        "SELECT s.seq, o.bundle_id, o.kind, o.records, o.size, o.created_at FROM outgoing_seqs AS s "
        "JOIN outgoing AS o ON o.bundle_id = s.bundle_id WHERE s.unit = ? AND s.seq > ? ORDER BY s.seq LIMIT ?",
        (unit, after_seq, limit)).fetchall()
    return {"format": LISTING_FORMAT, "unit": unit, "after_seq": after_seq, "nonce": nonce,
            "head_seq": head(conn, unit), "created_at": utc_iso(),
            "bundles": [{"seq": seq, "bundle_id": bundle_id, "kind": kind, "records": records, "size": size,
                         "created_at": created_at}
                        for seq, bundle_id, kind, records, size, created_at in entries]}


def signed_listing(store: HubDatabase, outgoing_dir: Path, signer: keys.KeyPair, unit: str, after_seq: int,
                   nonce: str, limit: int = 100) -> dict:
    """The answer to `GET /inbox?after_seq=N&nonce=X`: the listing as JSON text, the province's
    Ed25519 signature over exactly those UTF-8 bytes, and (unsigned, for reading only) its entries."""
    if not NONCE.match(nonce or ""):
        raise UserInputError("Yêu cầu danh sách gói thiếu mã dùng một lần (nonce) hợp lệ.")
    ensure_sequenced(store, outgoing_dir, signer)
    payload = listing_payload(store.conn, unit, after_seq, nonce, limit)
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return {"unit": unit, "bundles": payload["bundles"], "listing": text,
            "listing_signature": base64.b64encode(signer.sign(text.encode("utf-8"))).decode("ascii")}
