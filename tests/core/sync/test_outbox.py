"""The commune outbox: bundles cut from the change log, states, crash safety, retries, cleanup."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import clock
from core.sync import bundle as bundlemod
from core.sync import keys, outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def commune(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    yield c
    c.close()


def _records(c, path):
    pair = keys.load_or_create(c.paths.keys_dir)
    return bundlemod.open_bundle(path, lambda m: pair.public).records()


def test_a_row_changed_many_times_travels_once_with_its_latest_state(commune):
    c = commune
    [rid] = add_rows(c, 1)
    for n in range(5):
        c.store.update("staff", rid, {"position": f"lần {n}"})
    cut = outbox.cut_bundle(c.store, c.paths)
    mine = [r for r in _records(c, cut.path) if r["id"] == rid]
    assert len(mine) == 1 and mine[0]["row"]["position"] == "lần 4" and mine[0]["op"] == "update"
    assert mine[0]["seq"] == cut.seq_to


def test_tombstones_and_purges(commune):
    c = commune
    a, b = add_rows(c, 2)
    outbox.cut_bundle(c.store, c.paths)
    c.store.delete("staff", a)
    with c.store.transaction() as conn:
        conn.execute("DELETE FROM staff WHERE id = ?", (b,))
    cut = outbox.cut_bundle(c.store, c.paths)
    by_id = {r["id"]: r for r in _records(c, cut.path)}
    assert by_id[a]["op"] == "delete" and by_id[a]["row"]["deleted_at"]
    assert by_id[b]["op"] == "purge" and by_id[b]["row"] is None


def test_ranges_are_contiguous_and_province_tables_stay_home(commune):
    c = commune
    add_rows(c, 1)
    first = outbox.cut_bundle(c.store, c.paths)
    from tests.core.sync.harness import province_target_row

    with c.store.transaction() as conn:  # a province row arriving (as an import would write it)
        row = province_target_row()
        conn.execute(f"INSERT INTO dossier_targets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                     tuple(row.values()))
    assert outbox.cut_bundle(c.store, c.paths).path is None  # nothing of the commune's changed
    add_rows(c, 1)
    second = outbox.cut_bundle(c.store, c.paths)
    assert second.seq_from == first.seq_to + 1
    assert {r["t"] for r in _records(c, second.path)} == {"staff"}


def _ack(*cuts) -> dict:
    return {"unit": "21484", "bundles": [[cut.bundle_id, outbox.file_sha256(cut.path)] for cut in cuts]}


def test_states_and_pending_count(commune):
    c = commune
    add_rows(c, 1)
    cut = outbox.cut_bundle(c.store, c.paths)
    assert outbox.pending_bundle_count(c.store) == 1
    outbox.mark_sending(c.store, cut.bundle_id)
    assert outbox.list_outbox(c.store)[0]["state_label"] == "đang gửi"
    outbox.mark_error(c.store, cut.bundle_id, "Mất mạng", "unreachable", retry_in=600)
    row = outbox.list_outbox(c.store)[0]
    assert row["state_label"] == "lỗi" and row["last_error"] == "Mất mạng" and row["next_try_at"]
    assert outbox.bundles_to_send(c.store, force=False) == []  # waits for its next try
    assert len(outbox.bundles_to_send(c.store, force=True)) == 1  # "Gửi ngay"
    outbox.mark_sent(c.store, cut.bundle_id, "network")
    # Sync v2: an acknowledgement names the bundle and the SHA-256 of the file the hub stored;
    # an id alone (the first format) or another file's hash confirms nothing.
    assert outbox.apply_ack(c.store, {"unit": "21484", "bundle_ids": [cut.bundle_id], "applied_through": 99,
                                      "missing": []}) == 0
    assert outbox.apply_ack(c.store, {"unit": "21484", "bundles": [[cut.bundle_id, "0" * 64]]}) == 0
    assert outbox.apply_ack(c.store, _ack(cut)) == 1
    assert outbox.pending_bundle_count(c.store) == 0
    assert outbox.list_outbox(c.store)[0]["state_label"] == "tỉnh đã xác nhận"


def test_retry_delay_grows_with_jitter_and_a_cap():
    rng = random.Random(3)
    delays = [outbox.retry_delay(n, base=10, cap=300, rng=rng) for n in range(1, 12)]
    assert 5 <= delays[0] <= 10 and 40 <= delays[3] <= 80
    assert all(150 <= d <= 300 for d in delays[6:])
    assert len({round(d, 6) for d in delays}) == len(delays)


def test_files_deleted_only_after_ack_and_grace(commune):
    c = commune
    add_rows(c, 1)
    cut = outbox.cut_bundle(c.store, c.paths)
    assert outbox.sweep(c.store, c.paths) == 0 and cut.path.exists()
    outbox.apply_ack(c.store, _ack(cut))
    assert outbox.sweep(c.store, c.paths) == 0 and cut.path.exists()  # grace period
    clock.freeze(clock.now_utc() + dt.timedelta(days=outbox.GRACE_DAYS + 1))
    try:
        assert outbox.sweep(c.store, c.paths) == 1
    finally:
        clock.freeze(None)
    assert not cut.path.exists()
    assert outbox.list_outbox(c.store)[0]["file_deleted_at"]


def test_failed_cut_leaves_no_listed_half_bundle(commune, monkeypatch):
    c = commune
    add_rows(c, 3)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "set_setting", boom)
    with pytest.raises(OSError):
        outbox.cut_bundle(c.store, c.paths)
    monkeypatch.undo()
    assert outbox.list_outbox(c.store) == []
    assert list(c.paths.outbox_dir.iterdir()) == []
    again = outbox.cut_bundle(c.store, c.paths)
    assert again.seq_from == 1 and again.records == 5


def test_killed_between_file_and_commit(commune):
    """SIGKILL-like exit after the bundle file is in place but before COMMIT."""
    c = commune
    add_rows(c, 2)
    c.store.close()
    code = (
        "import os, sys; sys.path.insert(0, %r)\n"
        "from core.paths import AppPaths; from core.workspace import open_workspace\n"
        "from core.sync import outbox\n"
        "real = outbox.set_setting\n"
        "def die(*a, **k): os._exit(9)\n"
        "outbox.set_setting = die\n"
        "p = AppPaths(__import__('pathlib').Path(%r)); s = open_workspace(p)\n"
        "outbox.cut_bundle(s, p)\n" % (str(ROOT), str(c.paths.data_dir)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    from core.workspace import open_workspace

    c.store = open_workspace(c.paths)
    leftovers = [p for p in c.paths.outbox_dir.iterdir()]
    assert len(leftovers) == 1 and outbox.list_outbox(c.store) == []
    old = time.time() - 7200
    os.utime(leftovers[0], (old, old))
    assert outbox.sweep(c.store, c.paths) == 1
    cut = outbox.cut_bundle(c.store, c.paths)
    assert cut.seq_from == 1 and cut.records == 4


def test_export_to_folder_copies_unacknowledged_bundles(commune, tmp_path):
    c = commune
    add_rows(c, 1)
    first = outbox.cut_bundle(c.store, c.paths)
    add_rows(c, 1)
    second = outbox.cut_bundle(c.store, c.paths)
    outbox.apply_ack(c.store, _ack(first))
    written = outbox.export_to_folder(c.store, c.paths, tmp_path / "usb")
    assert [p.name for p in written] == [second.path.name]
    assert written[0].read_bytes() == second.path.read_bytes()
    assert not list((tmp_path / "usb").glob("*.tmp"))


def test_restored_backup_resends_its_state_with_fresh_change_numbers(tmp_path):
    """Restore an older backup after bundles were sent: the correction made after the restore
    reaches the province (v2: the restored database is a new device, whose key is registered,
    with its own bundle numbers from 1, so no hole is reported)."""
    import json as _json

    from core.hub import ingest
    from core.workspace import open_workspace
    from db import backup as backups

    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    [kept] = add_rows(c, 1)

    def send():
        cut = outbox.cut_bundle(c.store, c.paths)
        with hub.store() as s:
            result = ingest.ingest_bytes(hub.paths, s, cut.path.read_bytes(), via="usb")
        assert result.status == "applied", result
        return result

    send()
    saved = backups.backup_database(c.store.conn, tmp_path / "bk", "manual")
    c.store.update("staff", kept, {"position": "sau sao lưu"})  # a change the backup does not have
    send()
    c.store.close()
    backups.restore_database(c.paths.db_file, saved, tmp_path / "aside")
    c.store = open_workspace(c.paths)
    hub.register(c)  # the restored database is a new device: its new key is registered
    assert c.store.get("staff", kept)["position"] is None  # the restored state
    c.store.update("staff", kept, {"active": 0})  # a new change after the restore
    result = send()
    assert result.missing == []
    with hub.store() as s:
        at_hub = {r["row_id"]: _json.loads(r["state"])["row"] for r in s.query("SELECT row_id, state FROM rows")}
    local = {r["id"]: r for r in c.store.query("SELECT * FROM staff")}
    assert at_hub == local
    assert at_hub[kept]["active"] == 0 and at_hub[kept]["position"] is None
    c.close()


def test_a_backlog_is_cut_into_bundles_of_consecutive_ranges(tmp_path):
    from core.hub import ingest

    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    c.store.insert_many("staff", [{"full_name": f"Cán bộ {i}", "active": 1} for i in range(35)])
    cut = outbox.cut_pending(c.store, c.paths, max_changes=10)
    assert cut.bundles >= 4 and cut.records >= 35
    ranges = [(r["seq_from"], r["seq_to"]) for r in c.store.query(
        "SELECT seq_from, seq_to FROM sync_outbox ORDER BY seq_from")]
    assert all(later[0] == earlier[1] + 1 for earlier, later in zip(ranges, ranges[1:]))
    nothing_left = outbox.cut_pending(c.store, c.paths)
    assert (nothing_left.path, nothing_left.bundles) == (None, 0)
    with hub.store() as s:
        for row in c.store.query("SELECT file_name FROM sync_outbox ORDER BY seq_from"):
            result = ingest.ingest_bytes(hub.paths, s, (c.paths.outbox_dir / row["file_name"]).read_bytes(),
                                         via="usb")
            assert result.status == "applied" and not result.missing
        assert s.scalar("SELECT count(*) FROM rows WHERE table_name = 'staff'") == \
            c.store.scalar("SELECT count(*) FROM staff")
    c.close()
