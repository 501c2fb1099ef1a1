"""Device identity: one installation = one database lineage on one PC, with its own key.

A device id (UUID) lives in the database (`sync_clock.device`, `sync_devices`) and, beside it
but outside it, in the sidecar file `<data>/device.json` together with this PC's machine id and
the device's high-water marks (its last bundle number and change-log number). Backups hold the
database, never the sidecar; a copied data folder holds both but runs on another machine. So:

- the database's device differs from the sidecar's, or the sidecar is missing for a database
  that was already sealed to one         -> the database came from a backup or another folder;
- the sidecar names another machine     -> the data folder was copied onto this PC;
- the database is behind the sidecar's high-water marks -> it went back in time (a restore);

and in each case this database becomes a **new device** with a new Ed25519 key, so two PCs never
share a device id or a key and no bundle number or row version is ever issued twice. The old
device's bundles still in the outbox keep their signature and stay deliverable (the hub knows the
old key); bundle files the restored database no longer lists are adopted back into the outbox.

The decision is taken inside BEGIN IMMEDIATE, re-reading the sidecar there: two processes
opening the same folder at once mint at most one device.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core import durable
from core.clock import utc_iso
from core.paths import AppPaths
from db.store import Store

COMMUNE_KEY_FILE = "commune_ed25519.pem"  # the key of a workspace made before devices (core.sync.keys)

log = logging.getLogger(__name__)

SIDECAR = "device.json"
MACHINE_ENV = "MOTCUA_MACHINE_ID"  # tests (and a support technician) can name the machine


@dataclass(frozen=True)
class Device:
    device_id: str
    key_file: str
    minted: str | None = None  # why a new device was made just now ("restore", "clone", …), else None

    def keypair(self, paths: AppPaths):
        from core.sync import keys  # cryptography: only when a key is used, not at every start

        return keys.load_or_create(paths.keys_dir, self.key_file)


def machine_id() -> str:
    """A stable id of this PC: Windows' MachineGuid, /etc/machine-id, else the MAC address."""
    forced = os.environ.get(MACHINE_ENV)
    if forced:
        return forced
    if os.name == "nt":
        try:
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography",
                                0, winreg.KEY_READ | getattr(winreg, "KEY_WOW64_64KEY", 0)) as key:
                return str(winreg.QueryValueEx(key, "MachineGuid")[0])
        except OSError:
            pass
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = Path(candidate).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text:
            return text
    return f"mac-{uuid.getnode():012x}"


def sidecar_path(paths: AppPaths) -> Path:
    return paths.data_dir / SIDECAR


def read_sidecar(paths: AppPaths) -> dict | None:
    try:
        value = json.loads(sidecar_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_sidecar(paths: AppPaths, value: dict) -> None:
    # Temporary file, fsync, rename, fsync of the folder (core.durable): a power cut leaves the
    # old sidecar or the new one, never a truncated one that would mint a device by mistake.
    durable.write_text_atomic(sidecar_path(paths), json.dumps(value, ensure_ascii=False, indent=1))


def _db_marks(conn) -> tuple[str, int, int]:
    device = conn.execute("SELECT device FROM sync_clock WHERE id = 1").fetchone()[0]
    last_seq = conn.execute("SELECT last_seq FROM sync_devices WHERE device_id = ?", (device,)).fetchone()
    change_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
    return device, (last_seq[0] if last_seq else 0), change_seq


def why_new_device(sidecar: dict | None, *, device: str, sealed: bool, last_seq: int, change_seq: int,
                   machine: str) -> str | None:
    """The reason this database must become a new device, or None (pure: tested on its own)."""
    if sidecar is None:
        return "moved" if sealed else None
    if sidecar.get("device") != device:
        return "restore"
    if sidecar.get("machine") != machine:
        return "clone"
    if last_seq < int(sidecar.get("last_seq") or 0) or change_seq < int(sidecar.get("change_seq") or 0):
        return "restore"
    return None


def ensure_device(store: Store, paths: AppPaths) -> Device:
    """This database's current device, made anew when the database or its folder was copied.

    The usual case (same device, same machine, sidecar up to date) only reads: no write lock,
    no file written, so opening the workspace stays as fast as before."""
    machine = machine_id()
    sidecar = read_sidecar(paths)
    device, last_seq, change_seq = _db_marks(store.conn)
    row = store.conn.execute("SELECT sealed_at, key_file FROM sync_devices WHERE device_id = ?", (device,)).fetchone()
    if row and row[0] and sidecar and why_new_device(sidecar, device=device, sealed=True, last_seq=last_seq,
                                                     change_seq=change_seq, machine=machine) is None \
            and int(sidecar.get("change_seq") or 0) == change_seq and int(sidecar.get("last_seq") or 0) == last_seq:
        return Device(device, row[1])
    with store.transaction() as conn:
        device, last_seq, change_seq = _db_marks(conn)
        sealed = conn.execute("SELECT sealed_at FROM sync_devices WHERE device_id = ?", (device,)).fetchone()
        reason = why_new_device(read_sidecar(paths), device=device, sealed=bool(sealed and sealed[0]),
                                last_seq=last_seq, change_seq=change_seq, machine=machine)
        if reason is not None:
            return mint_new_device(store, paths, reason=reason)
        if not (sealed and sealed[0]):
            conn.execute("UPDATE sync_devices SET sealed_at = ? WHERE device_id = ?", (utc_iso(), device))
        _write_sidecar(paths, {"device": device, "machine": machine, "last_seq": last_seq,
                               "change_seq": change_seq, "written_at": utc_iso()})
        key_file = conn.execute("SELECT key_file FROM sync_devices WHERE device_id = ?", (device,)).fetchone()
    return Device(device, key_file[0] if key_file else COMMUNE_KEY_FILE)


def mint_new_device(store: Store, paths: AppPaths, *, reason: str) -> Device:
    """Make this database a new device with a new key (after a restore, on a copied folder…).

    The old device's unacknowledged bundles stay in the outbox as they are (signed with the old
    key, which the hub still knows); outbox files the database does not list (cut after the
    backup it was restored from) are listed again, so they are delivered too.
    """
    from core.sync import keys

    device = str(uuid.uuid4())
    key_file = f"device_{device}.pem"
    pair = keys.load_or_create(paths.keys_dir, key_file)
    now = utc_iso()
    with store.transaction() as conn:
        old = conn.execute("SELECT device FROM sync_clock WHERE id = 1").fetchone()[0]
        conn.execute("UPDATE sync_devices SET retired_at = coalesce(retired_at, ?) WHERE device_id = ?", (now, old))
        conn.execute("INSERT INTO sync_devices (device_id, key_file, public_key, fingerprint, created_at, reason, "
                     "sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (device, key_file, pair.public_text, pair.fingerprint, now, reason, now))
        conn.execute("UPDATE sync_clock SET device = ? WHERE id = 1", (device,))
        adopted = adopt_outbox_files(conn, paths)
        change_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
        _write_sidecar(paths, {"device": device, "machine": machine_id(), "last_seq": 0,
                               "change_seq": change_seq, "written_at": now, "previous": old, "reason": reason})
    log.warning("new sync device %s (%s); previous %s; %d outbox files adopted", device, reason, old, adopted)
    return Device(device, key_file, minted=reason)


def adopt_outbox_files(conn, paths: AppPaths) -> int:
    """List again the bundle files in outbox/ that this database does not know (cut after its
    backup point): their rows exist nowhere else on this PC, so they must still reach the hub."""
    listed = {r[0] for r in conn.execute("SELECT file_name FROM sync_outbox")}
    adopted = 0
    for path in sorted(paths.outbox_dir.glob("changes-*.zip")):
        if path.name in listed:
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                manifest = json.loads(zf.read("manifest.json"))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            continue  # a half-written leftover: sweep removes it
        if not isinstance(manifest, dict) or manifest.get("kind") != "changes":
            continue
        import hashlib

        conn.execute(
            "INSERT OR IGNORE INTO sync_outbox (bundle_id, file_name, kind, seq_from, seq_to, records, size, "
            "created_at, state, device, device_seq, file_sha256, format_version) "
            "VALUES (?, ?, 'changes', ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
            (manifest.get("bundle_id"), path.name, manifest.get("seq_from"), manifest.get("seq_to"),
             int(manifest.get("record_count") or 0), path.stat().st_size, manifest.get("created_at") or utc_iso(),
             manifest.get("device"), manifest.get("device_seq"), hashlib.sha256(path.read_bytes()).hexdigest(),
             int(manifest.get("format_version") or 1)))
        adopted += 1
    return adopted


def current(store: Store) -> Device:
    row = store.conn.execute("SELECT d.device_id, d.key_file FROM sync_clock c JOIN sync_devices d "
                             "ON d.device_id = c.device WHERE c.id = 1").fetchone()
    return Device(row[0], row[1])


def lineage(store: Store) -> list[str]:
    """Every device id this database has been, oldest first (their bundles may still be waiting)."""
    return [r["device_id"] for r in store.query("SELECT device_id FROM sync_devices ORDER BY created_at, rowid")]


def next_bundle_seq(conn, device: str) -> int:
    """The next bundle number of `device` (1, 2, …), reserved in the caller's transaction."""
    conn.execute("UPDATE sync_devices SET last_seq = last_seq + 1 WHERE device_id = ?", (device,))
    return conn.execute("SELECT last_seq FROM sync_devices WHERE device_id = ?", (device,)).fetchone()[0]


def record_high_water(store: Store, paths: AppPaths) -> None:
    """After a cut: the sidecar remembers how far this device got (restores are detected by it)."""
    sidecar = read_sidecar(paths) or {}
    device, last_seq, change_seq = _db_marks(store.conn)
    if sidecar.get("device") != device:
        return  # not ours to move: ensure_device decides at the next open
    sidecar.update(last_seq=max(last_seq, int(sidecar.get("last_seq") or 0)),
                   change_seq=max(change_seq, int(sidecar.get("change_seq") or 0)), written_at=utc_iso())
    _write_sidecar(paths, sidecar)


def rotate_key(store: Store, paths: AppPaths):
    """A new key for this device (`keys rotate`); bundles signed with the old key stay deliverable:
    the hub accepts them while the old key is registered, or when cut before its revocation."""
    from core.sync import keys

    dev = current(store)
    key_file = f"device_{dev.device_id}_{utc_iso().replace(':', '').replace('-', '').replace('.', '')}.pem"
    pair = keys.load_or_create(paths.keys_dir, key_file)
    with store.transaction() as conn:
        conn.execute("UPDATE sync_devices SET key_file = ?, public_key = ?, fingerprint = ? WHERE device_id = ?",
                     (key_file, pair.public_text, pair.fingerprint, dev.device_id))
    return pair


def new_after_restore(store: Store, paths: AppPaths, restore_started: str) -> Device:
    """After `restore`: the restored database is a new device (its numbers and versions went back
    in time), minted here unless opening it already did (detected from the sidecar)."""
    row = store.conn.execute("SELECT d.device_id, d.key_file, d.created_at FROM sync_clock c JOIN sync_devices d "
                             "ON d.device_id = c.device WHERE c.id = 1").fetchone()
    if row and row[2] >= restore_started and read_sidecar(paths) and read_sidecar(paths).get("device") == row[0]:
        return Device(row[0], row[1], minted="restore")
    return mint_new_device(store, paths, reason="restore")
