"""What one network upload may cost the hub, and what is kept of refused ones.

- **Streamed to disk under a global byte budget**: an upload is written chunk by chunk to a
  temporary file in `<hub>/tmp/`; the bytes of every upload in flight are counted against
  `UPLOAD_BUDGET_BYTES` (a request that would pass it is answered 503 with Retry-After).
  The first bytes must be a zip's ("PK\\x03\\x04") and the size stays under the limit, both
  checked as the bytes arrive: a wrong file is refused before it is read to the end.
- **Checked before anything is written**: the bundle's signature is verified against the
  key registered for the unit it names (`core.sync.bundle.verify_signed`, the zip read from
  the temporary file). An upload that fails this is anonymous: it is counted in
  `hub_refused_counts` per (address, reason, hour) with the unit it *claimed*, marked
  unverified — one row per hour and cause, however many attempts — and never blamed on
  that unit.
- **Per-unit quotas** (signed uploads): at most `QUOTA_BUNDLES_PER_DAY` bundles and
  `QUOTA_BYTES_PER_DAY` bytes per unit and local day (`hub_upload_usage`); over it, 429.
- **Retention of raw bundles**: `apply_retention(paths, conn, keep_days)` deletes the raw
  zip of a bundle applied more than `keep_days` ago (its rows, its record in `bundles` and
  its SHA-256 stay: a second arrival is still answered "duplicate"), listed in
  `hub_pruned_bundles`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.clock import now_utc, today_local, utc_iso
from core.hub.database import Connection
from core.sync import bundle as bundlemod
from core.sync.errors import BundleDamaged, BundleRejected, SignatureInvalid, UnknownSender

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
UPLOAD_BUDGET_BYTES = 256 * 1024 * 1024
QUOTA_BUNDLES_PER_DAY = 500
QUOTA_BYTES_PER_DAY = 512 * 1024 * 1024
RAW_RETENTION_DAYS = 400
ZIP_MAGIC = b"PK\x03\x04"

# SQLite (CREATE … IF NOT EXISTS when the hub opens); on PostgreSQL the same tables are in
# core.hub.pg_schema's numbered migrations: a change here needs a new migration there.
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS hub_refused_counts (
        hour TEXT NOT NULL,
        address TEXT NOT NULL,
        reason TEXT NOT NULL,
        claimed_unit TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        PRIMARY KEY (hour, address, reason, claimed_unit))""",
    """CREATE TABLE IF NOT EXISTS hub_upload_usage (
        unit TEXT NOT NULL,
        day TEXT NOT NULL,
        bundles INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (unit, day)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS hub_pruned_bundles (
        bundle_id TEXT PRIMARY KEY NOT NULL,
        file_name TEXT NOT NULL,
        pruned_at TEXT NOT NULL)""",
]


def ensure_schema(conn: Connection) -> None:
    for statement in SCHEMA:
        conn.execute(statement)


class UploadRefused(Exception):
    """An upload answered with an HTTP status before (or instead of) ingesting it."""

    def __init__(self, status: int, reason: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.reason, self.message, self.retry_after = status, reason, message, retry_after

    def as_json(self) -> dict:
        return {"status": "rejected", "reason": self.reason, "message": self.message}


class ByteBudget:
    """Bytes of uploads in flight, across every request of this process."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        with self._lock:
            if self.used + n > self.limit:
                return False
            self.used += n
            return True

    def give(self, n: int) -> None:
        with self._lock:
            self.used = max(0, self.used - n)


@dataclass
class SpooledUpload:
    path: Path
    size: int


async def spool(stream, tmp_dir: Path, budget: ByteBudget, *, max_bytes: int, declared: int | None) -> SpooledUpload:
    """Write the request body to a temporary file, checking it as it arrives.

    The caller must `release(upload, budget)` when done (the file is deleted there)."""
    if declared is not None and declared > max_bytes:
        raise UploadRefused(413, "too_large", _too_large_text(max_bytes))
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".zip", dir=tmp_dir)
    path, size, head = Path(name), 0, b""
    try:
        with os.fdopen(fd, "wb") as f:
            async for chunk in stream:
                if not chunk:
                    continue
                if size + len(chunk) > max_bytes:
                    raise UploadRefused(413, "too_large", _too_large_text(max_bytes))
                if not budget.take(len(chunk)):
                    raise UploadRefused(503, "busy", "Máy chủ tỉnh đang nhận nhiều gói cùng lúc. Phần mềm sẽ tự gửi lại sau.",
                                        retry_after=30)
                size += len(chunk)
                if len(head) < 4:
                    head += chunk[:4 - len(head)]
                    if not ZIP_MAGIC.startswith(head[:len(ZIP_MAGIC)]):
                        raise UploadRefused(422, "not_a_bundle", "Dữ liệu gửi lên không phải gói dữ liệu (tệp zip).")
                f.write(chunk)
        if size < len(ZIP_MAGIC):
            raise UploadRefused(422, "not_a_bundle", "Dữ liệu gửi lên không phải gói dữ liệu (tệp zip).")
        return SpooledUpload(path, size)
    except BaseException:
        budget.give(size)
        path.unlink(missing_ok=True)
        raise


def release(upload: SpooledUpload, budget: ByteBudget) -> None:
    budget.give(upload.size)
    upload.path.unlink(missing_ok=True)


def verify_sender(upload: SpooledUpload, key_for_manifest, limits: bundlemod.Limits = bundlemod.Limits()) -> dict:
    """The signed manifest of the upload, or BundleRejected (with `.claimed_unit` set when known).

    `key_for_manifest(manifest)` is the hub's own rule for the key that must have signed it
    (`core.hub.store.bundle_key`: the device key named by the manifest's fingerprint, None when
    unknown, a `RevokedKey` when it was revoked before the bundle was cut: its signature still
    checked, then refused as the unit's, verified) — the same rule ingest applies.
    Reads only the zip's directory, the manifest and the signature from the temporary file."""
    claimed: dict = {}

    def key_for(manifest: dict):
        claimed["unit"] = str(manifest.get("source", ""))[:20]
        key = key_for_manifest(manifest)
        if key is None:
            raise UnknownSender(f"Khóa ký gói chưa được đăng ký cho đơn vị mã “{claimed['unit']}” tại tỉnh. Gửi "
                                "phiếu đăng ký khóa của máy này cho tỉnh rồi gửi lại gói.")
        claimed["key"] = True
        return key

    try:
        with zipfile.ZipFile(upload.path) as zf:
            _members, manifest = bundlemod.verify_signed(zf, key_for, limits)
    except BundleRejected as exc:
        exc.claimed_unit = claimed.get("unit")
        # Past the signature check (the key was found and the signature matched): the unit really sent it.
        exc.verified = bool(claimed.get("key")) and not isinstance(exc, SignatureInvalid)
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        err = BundleDamaged("Tệp không phải gói dữ liệu hoặc đã bị hỏng.", details=repr(exc))
        err.claimed_unit, err.verified = claimed.get("unit"), False
        raise err from exc
    return manifest


def count_refused(conn: Connection, address: str, reason: str, claimed_unit: str | None) -> None:
    """One row per (hour, address, reason, claimed unit); a repeat adds one to its count."""
    now = utc_iso()
    hour = now[:13] + ":00:00.000Z"
    conn.execute("INSERT INTO hub_refused_counts(hour, address, reason, claimed_unit, count, first_at, last_at) "
                 "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(hour, address, reason, claimed_unit) DO UPDATE SET "
                 "count = hub_refused_counts.count + 1, last_at = excluded.last_at",
                 (hour, address[:64], reason[:40], (claimed_unit or "")[:20], now, now))


def check_quota(conn: Connection, unit: str, size: int, *, bundles_per_day: int = QUOTA_BUNDLES_PER_DAY,
                bytes_per_day: int = QUOTA_BYTES_PER_DAY) -> None:
    row = conn.execute("SELECT bundles, bytes FROM hub_upload_usage WHERE unit = ? AND day = ?",
                       (unit, today_local().isoformat())).fetchone()
    bundles, used = row if row else (0, 0)
    if bundles + 1 > bundles_per_day or used + size > bytes_per_day:
        raise UploadRefused(429, "quota", f"Đơn vị {unit} đã gửi quá hạn mức trong ngày ({bundles_per_day} gói, "
                                          f"{bytes_per_day // (1024 * 1024)} MB). Phần mềm sẽ gửi tiếp vào ngày mai; "
                                          "nếu cần gấp, chép gói ra USB mang lên tỉnh.", retry_after=3600)


def record_usage(conn: Connection, unit: str, size: int) -> None:
    conn.execute("INSERT INTO hub_upload_usage(unit, day, bundles, bytes) VALUES (?, ?, 1, ?) "
                 "ON CONFLICT(unit, day) DO UPDATE SET bundles = hub_upload_usage.bundles + 1, "
                 "bytes = hub_upload_usage.bytes + excluded.bytes",
                 (unit, today_local().isoformat(), size))


def apply_retention(bundles_dir: Path, conn: Connection, keep_days: int = RAW_RETENTION_DAYS,
                    *, now: dt.datetime | None = None) -> int:
    """Delete raw bundle files applied more than `keep_days` ago; returns how many were deleted."""
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = utc_iso((now or now_utc()) - dt.timedelta(days=keep_days))
    rows = conn.execute("SELECT bundle_id, file_name FROM bundles WHERE received_at < ? AND bundle_id NOT IN "
                        "(SELECT bundle_id FROM hub_pruned_bundles)", (cutoff,)).fetchall()
    pruned = 0
    for bundle_id, file_name in rows:
        path = bundles_dir / file_name
        try:
            if path.exists():
                os.chmod(path, 0o644)
                path.unlink()
            conn.execute("INSERT INTO hub_pruned_bundles(bundle_id, file_name, pruned_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (bundle_id) DO NOTHING", (bundle_id, file_name, utc_iso()))
            pruned += 1
        except OSError:
            continue
    return pruned


def _too_large_text(limit: int) -> str:
    return (f"Gói quá lớn để gửi qua mạng (tối đa {limit // (1024 * 1024)} MB). "
            "Hãy chép gói ra USB mang lên tỉnh.")
