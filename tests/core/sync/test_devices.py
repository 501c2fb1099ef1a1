"""Sync v2 devices (issue 13): device identity, restore/clone detection, many devices per unit at
the hub with key history, acknowledgement by id + hash, and the in-place upgrade of files made by
the previous version (fixtures/sync_v1.zip, made by fixtures/make_v1_fixture.py with that version)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.hub import ingest
from core.hub import store as hubstore
from core.paths import AppPaths
from core.sync import device, identity, outbox, service
from core.sync.client import RetryPolicy
from core.workspace import open_workspace
from db import backup as backups
from tests.core.sync.harness import Hub, add_rows, make_commune, make_hub, running_hub

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "sync_v1.zip"
FAST = RetryPolicy(attempts=3, base=0.01, cap=0.05)


def _cli(*args: str, machine: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if machine:
        env[device.MACHINE_ENV] = machine
    # UTF-8: the program writes UTF-8 to a pipe on every platform (core/console.py), not the PC's code page.
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, encoding="utf-8",
                          env=env, cwd=str(ROOT), timeout=120)


def test_keys_show_names_the_device_and_two_workspaces_never_share_one(tmp_path):
    shown = []
    for name in ("a", "b"):
        assert _cli("init", "--unit", "21484", "--data-dir", str(tmp_path / name)).returncode == 0
        result = _cli("keys", "show", "--json", "--data-dir", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        shown.append(json.loads(result.stdout))
    assert set(shown[0]) == {"unit", "device", "public_key", "fingerprint"}
    assert shown[0]["unit"] == shown[1]["unit"] == "21484"
    assert shown[0]["device"] != shown[1]["device"] and shown[0]["public_key"] != shown[1]["public_key"]


@pytest.mark.usefixtures("hub_database")
def test_a_data_folder_copied_to_another_pc_becomes_a_new_device(tmp_path, monkeypatch):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    add_rows(a, 2)
    waiting = outbox.cut_bundle(a.store, a.paths)
    before = identity.describe(a.store, a.paths)
    a.close()
    shutil.copytree(tmp_path / "a", tmp_path / "clone")
    # The copy is started on a second PC …
    monkeypatch.setenv(device.MACHINE_ENV, "second-pc")
    clone = open_workspace(AppPaths(tmp_path / "clone"))
    after = identity.describe(clone, AppPaths(tmp_path / "clone"))
    assert after["device"] != before["device"] and after["public_key"] != before["public_key"]
    # … its new bundles carry the new device, numbered from 1, and the old device's bundle stays deliverable.
    add_rows_store = clone.insert("staff", {"full_name": "Trên máy thứ hai", "active": 1})
    cut = outbox.cut_bundle(clone, AppPaths(tmp_path / "clone"))
    row = clone.query("SELECT device, device_seq FROM sync_outbox WHERE bundle_id = ?", (cut.bundle_id,))[0]
    assert row == {"device": after["device"], "device_seq": 1}
    assert clone.scalar("SELECT state FROM sync_outbox WHERE bundle_id = ?", (waiting.bundle_id,)) == "pending"
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, waiting.path.read_bytes(), via="usb").status == "applied"
    clone.close()
    # The original PC is still its own device.
    monkeypatch.delenv(device.MACHINE_ENV)
    again = open_workspace(AppPaths(tmp_path / "a"))
    assert identity.describe(again, AppPaths(tmp_path / "a"))["device"] == before["device"]
    again.close()
    assert add_rows_store


def test_negative_without_the_sidecar_check_a_clone_keeps_the_device(tmp_path, monkeypatch):
    """Weaken the protection: the clone keeps the first PC's device id and key (the bug of v1)."""
    a = make_commune(tmp_path / "a", "21484", None)
    before = identity.describe(a.store, a.paths)["device"]
    a.close()
    shutil.copytree(tmp_path / "a", tmp_path / "clone")
    monkeypatch.setenv(device.MACHINE_ENV, "second-pc")
    monkeypatch.setattr(device, "why_new_device", lambda *a, **k: None)
    clone = open_workspace(AppPaths(tmp_path / "clone"))
    assert identity.describe(clone, AppPaths(tmp_path / "clone"))["device"] == before
    clone.close()


def test_why_new_device_rules():
    base = dict(device="d1", sealed=True, last_seq=3, change_seq=40, machine="m1")
    side = {"device": "d1", "machine": "m1", "last_seq": 3, "change_seq": 40}
    assert device.why_new_device(side, **base) is None
    assert device.why_new_device(None, **dict(base, sealed=False)) is None  # first start / upgrade
    assert device.why_new_device(None, **base) == "moved"
    assert device.why_new_device(dict(side, device="d0"), **base) == "restore"
    assert device.why_new_device(dict(side, machine="m2"), **base) == "clone"
    assert device.why_new_device(dict(side, last_seq=4), **base) == "restore"
    assert device.why_new_device(dict(side, change_seq=41), **base) == "restore"


@pytest.mark.usefixtures("hub_database")
def test_restore_makes_a_new_device_and_keeps_bundles_cut_after_the_backup(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    add_rows(c, 1)
    outbox.cut_bundle(c.store, c.paths)
    saved = backups.backup_database(c.store.conn, tmp_path / "bk", "manual")
    old = identity.describe(c.store, c.paths)
    add_rows(c, 2, prefix="Sau sao lưu")
    after_backup = outbox.cut_bundle(c.store, c.paths)  # a bundle the backup does not list
    c.close()
    result = _cli("restore", str(saved), "--data-dir", str(c.paths.data_dir))
    assert result.returncode == 0, result.stderr
    assert "khóa ký mới" in result.stdout and "hub register --unit 21484" in result.stdout
    store = open_workspace(c.paths)
    new = identity.describe(store, c.paths)
    assert new["device"] != old["device"] and new["public_key"] != old["public_key"]
    assert new["public_key"] in result.stdout
    # The bundle cut after the backup point is listed again, still signed by the old device.
    rows = {r["bundle_id"]: r for r in store.query("SELECT * FROM sync_outbox")}
    assert rows[after_backup.bundle_id]["state"] == "pending"
    assert rows[after_backup.bundle_id]["device"] == old["device"]
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, after_backup.path.read_bytes(), via="usb").status == "applied"
    store.close()


@pytest.mark.usefixtures("hub_database")
def test_many_devices_per_unit_register_list_revoke(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21484", hub)  # a second PC of the same commune
    for c in (a, b):
        add_rows(c, 1)
    cut_a, cut_b = outbox.cut_bundle(a.store, a.paths), outbox.cut_bundle(b.store, b.paths)
    with hub.store() as s:
        for cut in (cut_a, cut_b):  # the second registration did not replace the first
            assert ingest.ingest_bytes(hub.paths, s, cut.path.read_bytes(), via="usb").status == "applied"
    listed = _cli("hub", "devices", "--unit", "21484", "--json", "--data-dir", str(hub.paths.root))
    assert listed.returncode == 0, listed.stderr
    devices = json.loads(listed.stdout)
    assert {d["device"] for d in devices} == {identity.describe(a.store, a.paths)["device"],
                                             identity.describe(b.store, b.paths)["device"]}
    assert all(d["status"] == "active" and d["registered_at"] and d["registered_by"] for d in devices)
    fp_b = identity.describe(b.store, b.paths)["fingerprint"]
    add_rows(b, 1)
    before_revoke = outbox.cut_bundle(b.store, b.paths)
    revoked = _cli("hub", "revoke", "--unit", "21484", "--fingerprint", fp_b, "--by", "Sở KHCN",
                   "--data-dir", str(hub.paths.root))
    assert revoked.returncode == 0, revoked.stderr
    listed = json.loads(_cli("hub", "devices", "--unit", "21484", "--json", "--data-dir",
                             str(hub.paths.root)).stdout)
    entry = next(d for d in listed if d["fingerprint"] == fp_b)
    assert entry["status"] == "revoked" and entry["revoked_by"] == "Sở KHCN"
    # Both admin actions are in the hub's audit log (issue 16), with the key and the name given.
    audit = json.loads(_cli("hub", "audit", "--json", "--data-dir", str(hub.paths.root)).stdout)["audit"]
    revoke_rows = [r for r in audit if r["action"] == "revoke_device"]
    assert len(revoke_rows) == 1 and revoke_rows[0]["via"] == "cli" and revoke_rows[0]["target"] == "21484"
    assert fp_b.upper() in revoke_rows[0]["detail"] and "Sở KHCN" in revoke_rows[0]["detail"]
    registered = _cli("hub", "register", "--unit", "21484", "--public-key", identity.describe(a.store, a.paths)[
        "public_key"], "--data-dir", str(hub.paths.root))
    assert registered.returncode == 0, registered.stderr
    audit = json.loads(_cli("hub", "audit", "--json", "--data-dir", str(hub.paths.root)).stdout)["audit"]
    assert [r["target"] for r in audit if r["action"] == "register_unit" and r["via"] == "cli"] == ["21484"]
    add_rows(b, 1)
    after_revoke = outbox.cut_bundle(b.store, b.paths)
    with hub.store() as s:
        # Cut before the revocation: still delivered. Cut after it: refused.
        assert ingest.ingest_bytes(hub.paths, s, before_revoke.path.read_bytes(), via="usb").status == "applied"
        refused = ingest.ingest_bytes(hub.paths, s, after_revoke.path.read_bytes(), via="usb")
        # Refused as the unit's own PC still sending (its signature verified: core.hub.revoked_keys).
        assert refused.status == "rejected" and refused.reason == "revoked_key"
        assert fp_b.upper() in refused.message.upper() and "thu hồi" in refused.message
    a.close()
    b.close()


@pytest.mark.usefixtures("hub_database")
def test_ack_is_by_id_and_hash_never_inferred_from_a_range(tmp_path):
    """Two PCs whose change numbers overlap: one PC's upload acknowledges none of the other's bundles."""
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        a = make_commune(tmp_path / "a", "21484", hub, hub_url=url)
        b = make_commune(tmp_path / "b", "21484", hub, hub_url=url)
        add_rows(a, 3)
        add_rows(b, 3)
        waiting_b = outbox.cut_bundle(b.store, b.paths)
        assert service.sync_now(a.store, a.paths, retry=FAST, timeout=5).errors == []
        # B now asks for its acknowledgement: its bundle is not at the hub, so it is not confirmed.
        with service.make_client(b.store, b.paths, retry=FAST) as client:
            service._apply_signed_ack(b.store, client.ack(device.lineage(b.store)), service.SyncSummary())
        assert b.store.scalar("SELECT state FROM sync_outbox WHERE bundle_id = ?", (waiting_b.bundle_id,)) != "acked"
        summary = service.sync_now(b.store, b.paths, retry=FAST, timeout=5)
        assert summary.errors == [] and outbox.pending_bundle_count(b.store) == 0
        with hub.store() as s:
            assert s.scalar("SELECT count(*) FROM bundles WHERE bundle_id = ?", (waiting_b.bundle_id,)) == 1
        a.close()
        b.close()


@pytest.mark.usefixtures("hub_database")
def test_negative_a_range_inference_would_acknowledge_the_other_pcs_bundle(tmp_path):
    """Weaken: feed B the first format's acknowledgement (ids + applied_through from A's numbers).
    v2 confirms nothing from it; the old rule (seq_to <= applied_through) would have."""
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21484", hub)
    add_rows(a, 3)
    add_rows(b, 3)
    cut_a, cut_b = outbox.cut_bundle(a.store, a.paths), outbox.cut_bundle(b.store, b.paths)
    assert cut_b.seq_to <= cut_a.seq_to  # the overlap that made v1 lose B's bundle
    v1_ack = {"unit": "21484", "bundle_ids": [cut_a.bundle_id], "applied_through": cut_a.seq_to, "missing": []}
    assert outbox.apply_ack(b.store, v1_ack) == 0
    old_rule = b.store.scalar("SELECT count(*) FROM sync_outbox WHERE state != 'acked' AND seq_to <= ?",
                              (cut_a.seq_to,))
    assert old_rule == 1  # what v1 would have marked "tỉnh đã xác nhận" without the hub holding it
    a.close()
    b.close()


def _unpack_fixture(tmp_path) -> tuple[Path, Path]:
    with zipfile.ZipFile(FIXTURE) as zf:
        zf.extractall(tmp_path / "v1")
    return tmp_path / "v1" / "commune", tmp_path / "v1" / "hub"


@pytest.mark.usefixtures("hub_database")
@pytest.mark.sqlite_only("the first version's hub is an SQLite file (fixtures/sync_v1.zip)")
def test_upgrade_in_place_of_a_v1_workspace_and_hub(tmp_path):
    commune_dir, hub_dir = _unpack_fixture(tmp_path)
    old_key = (commune_dir / "keys" / "commune_ed25519.pem").read_bytes()
    hub = Hub(hubstore.HubPaths(hub_dir), hubstore.province_keypair(hubstore.HubPaths(hub_dir)).public_text)
    with hub.store() as s:  # the hub upgrades: the unit's key is its first device
        keys_before = s.query("SELECT fingerprint FROM device_keys WHERE unit = '21484'")
        assert len(keys_before) == 1
        rows_before = s.scalar("SELECT count(*) FROM rows WHERE unit = '21484'")
    with running_hub(hub) as url:
        paths = AppPaths(commune_dir)
        store = open_workspace(paths)  # the workspace upgrades: its key is its first device's key
        info = identity.describe(store, paths)
        assert info["fingerprint"] == keys_before[0]["fingerprint"]
        # The same key, not a new one (on Windows the file is now DPAPI-protected, so compare the key).
        from cryptography.hazmat.primitives import serialization

        from core.sync import keys

        kept = keys.load(commune_dir / "keys" / "commune_ed25519.pem").private.private_bytes_raw()
        assert kept == serialization.load_pem_private_key(old_key, password=None).private_bytes_raw()
        waiting = store.query("SELECT bundle_id, state, format_version FROM sync_outbox WHERE state != 'acked'")
        assert len(waiting) == 2 and all(w["format_version"] == 1 for w in waiting)
        identity.configure(store, paths, hub=url)
        store.insert("staff", {"full_name": "Sau nâng cấp", "active": 1})
        summary = service.sync_now(store, paths, retry=FAST, timeout=5)
        assert summary.errors == [], summary.errors
        assert outbox.pending_bundle_count(store) == 0  # the v1 bundles waiting were delivered and confirmed
        local = {r["id"]: r for r in store.query("SELECT * FROM staff")}
        with hub.store() as s:
            at_hub = {r["row_id"]: json.loads(r["state"])["row"] for r in s.query(
                "SELECT row_id, state FROM rows WHERE unit = '21484' AND table_name = 'staff'")}
            devices = hubstore.device_list(s, "21484")
        assert at_hub == local and len(at_hub) > rows_before
        assert len(devices) == 1 and devices[0]["device"] == info["device"]
        store.close()
