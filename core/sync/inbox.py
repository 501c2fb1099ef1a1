"""The commune receiving from the province: province data bundles and acknowledgements.

Only bundles signed with the pinned province key and addressed to this unit are
accepted; a province bundle may only touch tables the province owns. Each bundle
is applied once (sync_inbox), in one transaction with its bookkeeping row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core import durable
from core.clock import utc_iso
from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import changes
from core.sync.errors import BundleRejected, UnknownSender, WrongDestination
from core.sync.identity import own_unit_code, province_key
from core.sync.outbox import LAST_SUCCESS, apply_ack
from db.settings import set_setting
from db.store import Store


@dataclass(frozen=True)
class ImportResult:
    status: str  # "applied" | "duplicate"
    bundle_id: str
    kind: str
    records: int
    counts: dict
    acknowledged: int = 0

    def as_json(self) -> dict:
        return {"status": self.status, "bundle_id": self.bundle_id, "kind": self.kind,
                "records": self.records, "counts": self.counts, "acknowledged": self.acknowledged}

    @property
    def message(self) -> str:
        if self.status == "duplicate":
            return "Gói này đã được nhập trước đây; không có gì thay đổi."
        if self.kind == "ack":
            return f"Đã nhập xác nhận của tỉnh: {self.acknowledged} gói được xác nhận."
        return f"Đã nhập gói của tỉnh: {self.records} bản ghi."


def import_bundle_file(store: Store, paths: AppPaths, path: Path, *, via: str = "usb") -> ImportResult:
    unit = own_unit_code(store)
    opened = bundlemod.open_bundle(path, _province_only(store))
    return _apply(store, paths, opened, unit, via)


def import_bundle_bytes(store: Store, paths: AppPaths, data: bytes, *, via: str = "network",
                        listed_seq: int | None = None) -> ImportResult:
    """`listed_seq`: the province sequence number the signed /inbox listing gave this bundle."""
    unit = own_unit_code(store)
    opened = bundlemod.open_bundle_bytes(data, _province_only(store))
    return _apply(store, paths, opened, unit, via, listed_seq)


def import_folder(store: Store, paths: AppPaths, folder: Path) -> list[tuple[Path, ImportResult | BundleRejected]]:
    """Import every province bundle in `folder` (a USB stick); one bad file does not stop the rest.

    The commune's own bundles lying on the same stick are skipped quietly.
    """
    results: list[tuple[Path, ImportResult | BundleRejected]] = []
    unit = own_unit_code(store)
    files = sorted(p for p in Path(folder).glob("*.zip") if p.is_file())
    # Acknowledgements last, so they can confirm bundles a province bundle in the same batch refers to.
    files.sort(key=lambda p: p.name.startswith("ack-"))
    for path in files:
        if path.name.startswith(f"changes-{unit}-"):
            continue
        try:
            results.append((path, import_bundle_file(store, paths, path)))
        except BundleRejected as exc:
            results.append((path, exc))
    return results


def _province_only(store: Store):
    def key_for(manifest: dict):
        if manifest["source"] != bundlemod.PROVINCE:
            raise UnknownSender(
                f"Gói này do đơn vị “{manifest['source'][:20]}” tạo, không phải do tỉnh gửi. "
                "Máy xã chỉ nhập gói của tỉnh; gói của xã phải mang lên tỉnh.")
        return province_key(store)
    return key_for


def _apply(store: Store, paths: AppPaths, opened: bundlemod.Bundle, unit: str, via: str,
           listed_seq: int | None = None) -> ImportResult:
    from core.sync import province_inbox

    if opened.destination != unit:
        raise WrongDestination(
            f"Gói này tỉnh gửi cho đơn vị mã {opened.destination[:20]}, không phải đơn vị này ({unit}).")
    if opened.kind == "changes":
        raise WrongDestination("Gói dữ liệu của xã không nhập vào máy xã được.")
    if opened.kind == "rows":  # the unit's rows from its other devices (core.sync.pull): idempotent by version
        from core.sync import pull

        pulled = pull.import_rows_bundle(store, opened, unit)
        return ImportResult("applied", opened.bundle_id, "rows", sum(pulled.counts.values()), pulled.counts)
    seq = province_inbox.manifest_seq(opened.manifest)  # the signed province sequence number
    if listed_seq is not None and seq is not None and seq != listed_seq:
        raise province_inbox.ListingRejected(
            f"Gói tải về là gói số {seq} của tỉnh, không phải gói số {listed_seq} như danh sách ghi "
            "(có thể bị tráo hoặc phát lại trên đường truyền). Gói chưa được nhập.")
    seq = seq if seq is not None else listed_seq  # a bundle queued by an older hub: the signed listing's number
    if store.scalar("SELECT 1 FROM sync_inbox WHERE bundle_id = ?", (opened.bundle_id,)):
        with store.transaction():
            province_inbox.note_received(store, seq)
        return ImportResult("duplicate", opened.bundle_id, opened.kind, 0, {})
    records = opened.records()
    ack = opened.ack()
    acknowledged = 0
    # The attachments are on the disk, whole, before the bundle is recorded as applied: a power
    # cut in between leaves files no row points to yet, and the bundle is imported again.
    for name, data in opened.attachments().items():
        durable.write_bytes_atomic(paths.attachments_dir / "province" / f"{opened.bundle_id[:8]}-{name}", data)
    with store.transaction() as conn:
        try:
            counts = changes.apply_records(conn, records, allowed_owner="province") if records else {}
        except sqlite3.IntegrityError as exc:
            # e.g. a template re-sent under a new id with the same family and version
            raise BundleRejected("Gói của tỉnh mâu thuẫn với dữ liệu đang có trên máy nên chưa nhập được. "
                                 "Báo cho cán bộ kỹ thuật của tỉnh.", details=repr(exc), reason="conflict") from exc
        if ack is not None:
            if ack.get("unit") != unit:
                raise WrongDestination("Xác nhận trong gói dành cho đơn vị khác.")
            acknowledged = apply_ack(store, ack)
        conn.execute("INSERT INTO sync_inbox (bundle_id, kind, source, received_at, via, records, summary) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (opened.bundle_id, opened.kind, opened.source, utc_iso(), via, len(records),
                      json.dumps(counts, ensure_ascii=False)))
        province_inbox.note_received(store, seq)
        set_setting(store, LAST_SUCCESS, utc_iso())
    return ImportResult("applied", opened.bundle_id, opened.kind, len(records), counts, acknowledged)
