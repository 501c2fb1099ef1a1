"""The commune's outbox: cutting bundles from the change log and tracking each one's state.

A bundle covers the change-log range after the last one cut (`sync_last_cut_seq`),
so consecutive bundles are contiguous and the hub can tell when one is missing.
Its file is written (tmp + fsync + rename) while the outbox row is inserted in
the same transaction; a crash before COMMIT leaves at most an unlisted file, which
`sweep` removes, and the next cut covers the same range again.

Files are deleted only once the province has acknowledged them and a grace
period has passed (a USB copy may still be on its way to somebody).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core import durable
from core.clock import now_utc, parse_utc, utc_iso
from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import changes, device
from core.sync.identity import own_unit_code
from db.migrations import schema_version
from db.settings import get_setting, set_setting
from db.store import Store

LAST_CUT_SEQ = "sync_last_cut_seq"
LAST_SUCCESS = "sync_last_success"
MISSING_RANGES = "sync_missing_ranges"
ACKED_THROUGH = "sync_acked_through_seq"

GRACE_DAYS = 30
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 6 * 3600

from core.sync.status import STATE_LABELS, UNACKED, pending_bundle_count  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class CutResult:
    path: Path | None
    bundle_id: str | None
    seq_from: int | None
    seq_to: int | None
    records: int
    bundles: int = 1

    def as_json(self) -> dict:
        return {"bundle": str(self.path) if self.path else None, "bundle_id": self.bundle_id,
                "seq_from": self.seq_from, "seq_to": self.seq_to, "records": self.records}


# A bundle carries at most this many changes, and stays under half of what a reader accepts
# and of the hub's upload limit (64 MiB): a long backlog (weeks offline, a first sync of years
# of data) becomes several bundles with consecutive ranges, sent in order.
MAX_BUNDLE_CHANGES = 50_000
TARGET_BUNDLE_FILE_BYTES = 32 * 1024 * 1024


def _too_big(path: Path) -> bool:
    limits = bundlemod.DEFAULT_LIMITS
    if path.stat().st_size > min(TARGET_BUNDLE_FILE_BYTES, limits.max_file_bytes // 2):
        return True
    with zipfile.ZipFile(path) as archive:
        sizes = [info.file_size for info in archive.infolist()]
    return max(sizes) > limits.max_member_bytes // 2 or sum(sizes) > limits.max_total_bytes // 2


def cut_pending(store: Store, paths: AppPaths, *, max_changes: int | None = None) -> CutResult:
    """Cut every pending change into as many bundles as it takes; the result sums them up
    (path and id of the last bundle, the whole range, all records)."""
    parts = []
    while True:
        cut = cut_bundle(store, paths, max_changes=max_changes)
        if cut.path is None:
            break
        parts.append(cut)
    if not parts:
        return CutResult(None, None, None, None, 0, 0)
    return CutResult(parts[-1].path, parts[-1].bundle_id, parts[0].seq_from, parts[-1].seq_to,
                     sum(p.records for p in parts), len(parts))


def cut_bundle(store: Store, paths: AppPaths, *, max_changes: int | None = None) -> CutResult:
    """Put the commune changes not yet in a bundle into a new signed bundle in the outbox:
    all of them, or the first `max_changes` (default MAX_BUNDLE_CHANGES) in change order.

    The bundle is this device's next bundle number (`device_seq`, never reused: a database
    that went back in time is a new device, core.sync.device)."""
    max_changes = max_changes or MAX_BUNDLE_CHANGES
    unit = own_unit_code(store)
    dev = device.current(store)
    signer = dev.keypair(paths)
    with store.transaction() as conn:
        after = int(get_setting(store, LAST_CUT_SEQ, 0) or 0)
        seq_from = after + 1
        if changes.count_changed_rows(conn, "commune", after) == 0:
            return CutResult(None, None, None, None, 0)
        device_seq = device.next_bundle_seq(conn, dev.device_id)
        while True:
            upto = changes.seq_of_nth_change(conn, "commune", after, max_changes) or changes.max_seq(conn)
            path, manifest = bundlemod.write_bundle(
                paths.outbox_dir, kind="changes", source=unit, destination=bundlemod.PROVINCE, signer=signer,
                records=changes.iter_changes(conn, "commune", after, upto),
                seq_from=seq_from, seq_to=upto, schema_version=schema_version(conn),
                extra={"device": dev.device_id, "device_seq": device_seq})
            if max_changes == 1 or not _too_big(path):
                break
            # Rows this large: fewer changes per bundle, until it fits.
            path.unlink(missing_ok=True)
            max_changes = max(1, max_changes // 2)
        try:
            conn.execute(
                "INSERT INTO sync_outbox (bundle_id, file_name, kind, seq_from, seq_to, records, size, "
                "created_at, state, device, device_seq, file_sha256, format_version) "
                "VALUES (?, ?, 'changes', ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
                (manifest["bundle_id"], path.name, seq_from, upto, manifest["record_count"],
                 path.stat().st_size, manifest["created_at"], dev.device_id, device_seq, file_sha256(path),
                 manifest["format_version"]))
            set_setting(store, LAST_CUT_SEQ, upto)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    device.record_high_water(store, paths)
    return CutResult(path, manifest["bundle_id"], seq_from, upto, manifest["record_count"])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# The marker file of the first sync format (a restore is now handled by minting a new device);
# sweep leaves it alone.
CUT_MARKER = "last_cut_seq.txt"


def list_outbox(store: Store, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    """Every bundle, newest first unless `sort` names a column of core.sync.list_orders.OUTBOX_SORTS."""
    from core.listing import order_by
    from core.sync.list_orders import OUTBOX_DEFAULT, OUTBOX_SORTS

    rows = store.query(f"SELECT * FROM sync_outbox ORDER BY {order_by(sort or OUTBOX_DEFAULT, OUTBOX_SORTS, 'created_local')}")
    for row in rows:
        row["state_label"] = STATE_LABELS[row["state"]]
    return rows


def waiting_changes(store: Store) -> int:
    """Rows changed since the last bundle was cut (not yet in any bundle)."""
    after = int(get_setting(store, LAST_CUT_SEQ, 0) or 0)
    return changes.count_changed_rows(store.conn, "commune", after)


def bundles_to_send(store: Store, *, force: bool = False) -> list[dict]:
    """Unacknowledged bundles, oldest first; those waiting for a retry only when due (or forced)."""
    now = utc_iso()
    rows = store.query(
        "SELECT * FROM sync_outbox WHERE state IN ('pending', 'sending', 'sent', 'error') "
        "AND file_deleted_at IS NULL ORDER BY seq_from")
    return [r for r in rows if force or r["state"] != "error" or not r["next_try_at"] or r["next_try_at"] <= now]


def bundle_path(paths: AppPaths, row: dict) -> Path:
    return paths.outbox_dir / row["file_name"]


def mark_sending(store: Store, bundle_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE sync_outbox SET state = 'sending', attempts = attempts + 1 "
                     "WHERE bundle_id = ? AND state != 'acked'", (bundle_id,))


def mark_sent(store: Store, bundle_id: str, via: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE sync_outbox SET state = 'sent', sent_at = ?, sent_via = ?, last_error = NULL, "
                     "last_error_reason = NULL, next_try_at = NULL WHERE bundle_id = ? AND state != 'acked'",
                     (utc_iso(), via, bundle_id))


def mark_error(store: Store, bundle_id: str, message: str, reason: str, *, retry_in: float | None = None) -> None:
    """Record a failed try; the next automatic try waits longer each time (with jitter, capped)."""
    with store.transaction() as conn:
        attempts = conn.execute("SELECT attempts FROM sync_outbox WHERE bundle_id = ?",
                                (bundle_id,)).fetchone()
        n = attempts[0] if attempts else 1
        delay = retry_in if retry_in is not None else retry_delay(n)
        conn.execute("UPDATE sync_outbox SET state = 'error', last_error = ?, last_error_reason = ?, "
                     "next_try_at = ? WHERE bundle_id = ? AND state != 'acked'",
                     (message, reason, utc_iso(now_utc() + dt.timedelta(seconds=delay)), bundle_id))


def retry_delay(attempt: int, *, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_CAP_SECONDS,
                rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter, capped: uniform(c/2, c), c = min(cap, base * 2**(attempt-1)).

    The jitter spreads 96 communes that lost the network together over time.
    """
    ceiling = min(cap, base * (2 ** max(0, min(attempt - 1, 30))))
    return (rng or random).uniform(ceiling / 2, ceiling)


def apply_ack(store: Store, ack: dict) -> int:
    """Mark as "tỉnh đã xác nhận" the bundles the province says it durably holds; returns how many.

    Only a bundle named by id **and** the SHA-256 of its file counts (`ack["bundles"]`): the
    hub answers what it stored, and nothing is inferred from ranges or numbers (two PCs, or a
    restored database, may have used the same change numbers for different data). An
    acknowledgement of the first format (ids only, no hashes) confirms nothing here.
    """
    pairs = {}
    for entry in ack.get("bundles", []) or []:
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
            pairs[entry[0]] = entry[1]
    missing = ack.get("missing_by_device")
    missing = missing if isinstance(missing, dict) else {}
    now = utc_iso()
    with store.transaction() as conn:
        changed = 0
        waiting = conn.execute("SELECT bundle_id, file_name, file_sha256 FROM sync_outbox "
                               "WHERE state != 'acked'").fetchall()
        for bundle_id, file_name, sha in waiting:
            if bundle_id not in pairs:
                continue
            if sha is None:  # cut before the upgrade: hash the file once
                path = store.path.parent / "outbox" / file_name
                sha = file_sha256(path) if path.exists() else None
            if sha is not None and sha == pairs[bundle_id]:
                changed += conn.execute(
                    "UPDATE sync_outbox SET state = 'acked', acked_at = ?, last_error = NULL, next_try_at = NULL, "
                    "file_sha256 = ? WHERE bundle_id = ? AND state != 'acked'", (now, sha, bundle_id)).rowcount
        mine = {r[0] for r in conn.execute("SELECT device_id FROM sync_devices")}
        ranges = [r for dev, holes in missing.items() if dev in mine and isinstance(holes, list)
                  for r in holes if isinstance(r, list) and len(r) == 2]
        set_setting(store, MISSING_RANGES, ranges)
        set_setting(store, LAST_SUCCESS, now)
    return changed


def export_to_folder(store: Store, paths: AppPaths, folder: Path) -> list[Path]:
    """Copy every unacknowledged bundle to `folder` (a USB stick); marks them sent via USB."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for row in bundles_to_send(store, force=True):
        source = bundle_path(paths, row)
        if not source.exists():
            mark_error(store, row["bundle_id"], "Tệp gói đã bị mất khỏi thư mục hàng chờ.", "file_missing")
            continue
        target = durable.copy_atomic(source, folder / source.name)
        written.append(target)
        if row["state"] != "sent":
            mark_sent(store, row["bundle_id"], "usb")
    return written


def sweep(store: Store, paths: AppPaths, *, grace_days: int = GRACE_DAYS) -> int:
    """Delete files of bundles acknowledged more than `grace_days` ago, and leftovers of crashes."""
    limit = utc_iso(now_utc() - dt.timedelta(days=grace_days))
    removed = 0
    rows = store.query("SELECT bundle_id, file_name FROM sync_outbox WHERE state = 'acked' "
                       "AND file_deleted_at IS NULL AND acked_at <= ?", (limit,))
    for row in rows:
        (paths.outbox_dir / row["file_name"]).unlink(missing_ok=True)
        with store.transaction() as conn:
            conn.execute("UPDATE sync_outbox SET file_deleted_at = ? WHERE bundle_id = ?",
                         (utc_iso(), row["bundle_id"]))
        removed += 1
    listed = {r["file_name"] for r in store.query("SELECT file_name FROM sync_outbox")}
    old = now_utc().timestamp() - 3600  # a cut in progress in another process is younger
    for leftover in paths.outbox_dir.glob("*"):
        if leftover.is_file() and leftover.name not in listed and leftover.name != CUT_MARKER \
                and leftover.stat().st_mtime < old:
            # A .tmp from a crash, or a file whose outbox row never committed.
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def last_success(store: Store) -> dt.datetime | None:
    value = get_setting(store, LAST_SUCCESS)
    return parse_utc(value) if value else None
