"""The hub receiving a commune bundle: verify, check ownership, apply in one transaction.

Order matters: the signature is checked against the key registered for the unit
the manifest names (so a commune can only speak for itself), then the bundle id
(a second arrival is answered "duplicate" and changes nothing), then every record
(table owned by communes, row stamped with the sender's own unit code, row id not
already belonging to another unit). Only then the rows are written, the raw file
is stored and the bundle is recorded — all or nothing. Rejections are logged in
`rejections` and leave the data untouched.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from core import durable
from core.clock import now_utc, utc_iso
from core.fileio import replace_file
from core.hub import apply, portable_json, receive, validate
from core.hub.database import POSTGRESQL, SQLITE
from core.hub.store import HubPaths, bundle_key, device_coverage, province_keypair, table_catalog
from core.sync import bundle as bundlemod
from core.sync.errors import BundleRejected, OwnershipViolation, UnknownSender, WrongDestination
from db.store import Store

# SQLite: one writer at a time inside this process; BEGIN IMMEDIATE covers other processes.
_ingest_lock = threading.Lock()
RECENT_IDS_IN_ACK = 1000


@dataclass
class IngestResult:
    status: str  # "applied" | "duplicate" | "rejected"
    bundle_id: str | None = None
    unit: str | None = None
    records: int = 0
    reason: str | None = None
    message: str = ""
    missing: list = field(default_factory=list)
    applied_through: int = 0  # the sending device's unbroken run of bundle numbers from 1
    device: str | None = None
    file_sha256: str | None = None
    conflicts: int = 0

    def as_json(self) -> dict:
        return {"status": self.status, "bundle_id": self.bundle_id, "unit": self.unit, "records": self.records,
                "reason": self.reason, "message": self.message, "missing": self.missing,
                "applied_through": self.applied_through, "device": self.device,
                "file_sha256": self.file_sha256, "conflicts": self.conflicts}


def ingest_bytes(paths: HubPaths, store: Store, data: bytes, *, via: str) -> IngestResult:
    """Apply one bundle; never raises for a bad bundle (returns status "rejected" with the reason)."""
    claimed: dict = {}
    try:
        if getattr(store, "dialect", SQLITE) == POSTGRESQL:
            # No lock in this process: the unit's lock in the database serialises its uploads
            # (core.hub.ingest_pg); other units' uploads run meanwhile, from any worker.
            from core.hub import ingest_pg

            return ingest_pg.ingest(paths, store, data, via, claimed)
        with _ingest_lock:
            return _ingest(paths, store, data, via, claimed)
    except BundleRejected as exc:
        with store.transaction() as conn:
            # The device as the bundle names it (a commune has several PCs: which one keeps failing),
            # as trustworthy as the unit beside it — the dashboard says which refusals are verified.
            device = claimed.get("device")
            conn.execute("INSERT INTO rejections(received_at, unit, bundle_id, reason, message, via, device) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (utc_iso(), str(claimed.get("source", ""))[:20] or None,
                          str(claimed.get("bundle_id", ""))[:40] or None, exc.reason, exc.message, via,
                          device[:40] if isinstance(device, str) and device else None))
        return IngestResult("rejected", claimed.get("bundle_id"), claimed.get("source"),
                            reason=exc.reason, message=exc.message)


def key_finder(store, claimed: dict):
    """receive.open_upload's key look-up for either store: notes who the bundle claims to be (for the
    refusal's log line) and refuses a key the province never registered for that unit."""
    def key_for(manifest: dict):
        claimed.update(source=manifest["source"], bundle_id=manifest["bundle_id"], device=manifest.get("device"))
        key = bundle_key(store, manifest)
        if key is None:
            raise UnknownSender(
                f"Khóa ký gói (dấu vân tay {str(manifest.get('signer_fingerprint'))[:20]}) chưa được đăng ký cho đơn "
                f"vị mã “{manifest['source'][:20]}” tại tỉnh. Gửi phiếu đăng ký khóa của máy này cho tỉnh rồi gửi lại.")
        return key  # a revoked key verifies, then refuses as the unit's: core.hub.revoked_keys
    return key_for


def check_changes(opened) -> None:
    """What an opened upload must be before anything of it is read: a commune's changes for the
    province, with a sound range of change numbers."""
    if opened.kind != "changes" or opened.destination != bundlemod.PROVINCE:
        raise WrongDestination("Gói này không phải gói dữ liệu xã gửi lên tỉnh.")
    seq_from, seq_to = opened.manifest.get("seq_from"), opened.manifest.get("seq_to")
    if not isinstance(seq_from, int) or not isinstance(seq_to, int) or seq_from < 1 or seq_to < seq_from:
        raise bundlemod.BundleDamaged("Gói không ghi đúng khoảng thay đổi (seq_from, seq_to).")


def duplicate_of(store, opened, unit: str, device: str) -> IngestResult | None:
    """The answer to a bundle the hub already holds: "duplicate" for the very file applied before
    (same SHA-256: its members were verified then), refused when the id names another file; None
    for a new bundle."""
    existing = store.query("SELECT file_sha256 FROM bundles WHERE bundle_id = ?", (opened.bundle_id,))
    if not existing:
        return None
    if existing[0]["file_sha256"] != opened.file_sha256:
        raise bundlemod.BundleDamaged("Mã gói đã được dùng cho một gói khác: gói bị từ chối.")
    through, missing = device_coverage(store.conn, unit, device)
    return IngestResult("duplicate", opened.bundle_id, unit, opened.manifest["record_count"],
                        message="Gói này tỉnh đã nhận trước đây; không có gì thay đổi.",
                        missing=missing, applied_through=through, device=device, file_sha256=opened.file_sha256)


def _ingest(paths: HubPaths, store: Store, data: bytes, via: str, claimed: dict) -> IngestResult:
    # records.jsonl is verified on a second thread while its lines are staged (core.hub.receive);
    # the transaction below reaches COMMIT only once the member matched the signed manifest.
    with receive.open_upload(data, key_finder(store, claimed)) as opened:
        unit = opened.source
        check_changes(opened)
        device, device_seq = _device_of(store, opened.manifest)
        duplicate = duplicate_of(store, opened, unit, device)
        if duplicate:
            return duplicate
        moment = now_utc()
        now = utc_iso(moment)
        catalogue = validate.check_manifest(opened.manifest)
        target = paths.bundles_dir / unit / f"{opened.bundle_id}.zip"
        version = opened.manifest["format_version"]
        with validate.LineChecker(catalogue) as checker, apply.staging(store.conn), store.transaction() as conn:
            count = apply.load_lines(conn, checker.feed(opened.records.lines()))
            if opened.records.escapes_seen:  # refused on PostgreSQL too: core.hub.portable_json
                portable_json.refuse_unportable(conn)
            validate.check_keys(conn, checker)  # a key twice or escaped: before any field is read
            apply.check_lines(conn, unit=unit, manifest=opened.manifest, catalog=table_catalog())
            validate.check_staged(conn, unit=unit, catalogue=catalogue, now=moment, checker=checker)
            if version < 2:
                apply.version_legacy_lines(conn, device, opened.manifest["created_at"])
            conflicts = apply.apply_lines(conn, unit=unit, created_at=opened.manifest["created_at"], now=now,
                                          bundle_id=opened.bundle_id)
            record_applied(conn, paths, opened, data, target, via=via, now=now, count=count, device=device,
                           device_seq=device_seq)
            through, missing = device_coverage(conn, unit, device)
    return applied_result(opened, count, device, through, missing, conflicts)


def record_applied(conn, paths: HubPaths, opened, data: bytes, target, *, via: str, now: str, count: int,
                   device: str, device_seq: int | None) -> None:
    """Inside the upload's transaction, on either store: the bundle's row, then its raw file (a failed
    write rolls the rows back)."""
    unit, manifest = opened.source, opened.manifest
    conn.execute("INSERT INTO bundles(bundle_id, unit, kind, seq_from, seq_to, records, file_sha256, "
                 "file_name, created_at, received_at, via, device, device_seq, format_version) "
                 "VALUES (?, ?, 'changes', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (opened.bundle_id, unit, manifest["seq_from"], manifest["seq_to"], count, opened.file_sha256,
                  f"{unit}/{target.name}", manifest["created_at"], now, via, device, device_seq,
                  manifest["format_version"]))
    _store_raw(paths, target, data)


def applied_result(opened, count: int, device: str, through: int, missing: list, conflicts: int) -> "IngestResult":
    """The answer to an applied upload, word for word the same from either store."""
    unit = opened.source
    message = f"Đã nhận {count} bản ghi của đơn vị {unit}."
    if missing:
        message += " Còn thiếu các gói số: " + ", ".join(f"{a}–{b}" for a, b in missing) + "."
    if conflicts:
        message += f" {conflicts} bản ghi cũ hơn bản tỉnh đang giữ đã được lưu thành xung đột."
    return IngestResult("applied", opened.bundle_id, unit, count, message=message,
                        missing=missing, applied_through=through, device=device, file_sha256=opened.file_sha256,
                        conflicts=conflicts)


def _device_of(store: Store, manifest: dict) -> tuple[str, int | None]:
    """(device id, bundle number) of a commune bundle; binds a key registered without a device
    to the device that first signs with it, and refuses a key speaking for another device."""
    fp = manifest.get("signer_fingerprint")
    bound = store.scalar("SELECT device_id FROM device_keys WHERE unit = ? AND fingerprint = ?",
                         (manifest["source"], fp))
    if manifest["format_version"] < 2:
        return bound or f"key:{fp}", None  # a bundle cut before the upgrade: its key is its device
    device = manifest["device"]
    if bound is None:
        with store.transaction() as conn:
            conn.execute("UPDATE device_keys SET device_id = ? WHERE unit = ? AND fingerprint = ? "
                         "AND device_id IS NULL", (device, manifest["source"], fp))
            # Bundles this key signed before its device was known (first format) are that device's.
            conn.execute("UPDATE bundles SET device = ? WHERE unit = ? AND device = ?",
                         (device, manifest["source"], f"key:{fp}"))
    elif bound != device and not bound.startswith("key:"):
        raise OwnershipViolation("Gói ghi một máy khác với máy sở hữu khóa đã ký nó. Gói bị từ chối.")
    return device, manifest["device_seq"]


def _store_raw(paths: HubPaths, target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # left by a crash after the write but before COMMIT: same id, replace it
        # Stored read-only (below), and Windows refuses to delete or replace a read-only file:
        # writable again first, or this bundle could never be uploaded again after such a crash.
        os.chmod(target, 0o644)
        target.unlink()
    tmp = paths.tmp_dir / (target.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    replace_file(tmp, target)
    durable.fsync_dir(target.parent)  # the hub's COMMIT that follows must not outlive the file's name
    try:
        os.chmod(target, 0o444)  # immutable by convention: nothing here ever rewrites it
    except OSError:
        pass


def ack_payload(store: Store, unit: str, devices: list[str] | None = None) -> dict:
    """What the province confirms to a unit: the bundles it durably holds, each as [bundle id,
    SHA-256 of the stored file], and per device the holes in its bundle numbers.

    With `devices`, the bundles of those devices (a PC asks for its own lineage); else the
    unit's newest RECENT_IDS_IN_ACK. `bundle_ids` is kept for the first app version, and
    `applied_through` is 0: acknowledgement is never inferred from a range."""
    if devices:
        marks = ",".join("?" for _ in devices)
        rows = store.query(f"SELECT bundle_id, file_sha256, device FROM bundles WHERE unit = ? AND device IN ({marks}) "
                           f"ORDER BY received_at DESC LIMIT ?", (unit, *devices, RECENT_IDS_IN_ACK * 5))
    else:
        rows = store.query("SELECT bundle_id, file_sha256, device FROM bundles WHERE unit = ? "
                           "ORDER BY received_at DESC LIMIT ?", (unit, RECENT_IDS_IN_ACK))
    known = devices or sorted({r["device"] for r in rows if r["device"]})
    holes = {}
    for device in known:
        missing = device_coverage(store.conn, unit, device)[1]
        if missing:
            holes[device] = missing
    return {"unit": unit, "bundles": [[r["bundle_id"], r["file_sha256"]] for r in rows],
            "bundle_ids": [r["bundle_id"] for r in rows], "applied_through": 0, "missing": [],
            "missing_by_device": holes, "created_at": utc_iso()}


def signed_ack(paths: HubPaths, store: Store, unit: str, devices: list[str] | None = None) -> dict:
    """The acknowledgement as JSON text plus the province's signature over exactly that text."""
    import base64

    text = json.dumps(ack_payload(store, unit, devices), ensure_ascii=False, sort_keys=True)
    signature = province_keypair(paths).sign(text.encode("utf-8"))
    return {"ack": text, "ack_signature": base64.b64encode(signature).decode("ascii")}
