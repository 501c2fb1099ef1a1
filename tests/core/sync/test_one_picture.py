"""One commune, one picture (issue 13): several PCs of one unit, through a real hub on 127.0.0.1.

Three PCs enter dossiers, tasks and checklist runs offline and sync in several orders, with
uploads dropped on the way; the same dossier code is typed at two counters; a PC is restored
from a backup and edited; a data folder is cloned onto another PC; a key is rotated with a
backlog; an empty replacement PC bootstraps. Each time: nothing lost, nothing counted twice,
nothing acknowledged that the hub does not hold, and every PC shows the same register, tasks,
checklists and `indicators` figures (those of the union, one row per dossier code), and
`export-dossiers` on any PC lists every PC's dossiers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core import clock
from core.checklists.runs import create_run, load_run, record_answer
from core.clock import today_local
from core.directives.parser import parse_directive
from core.dossiers.register import add_dossier, update_dossier
from core.hub import apply as hubapply
from core.paths import AppPaths
from core.sync import changes, device, identity, outbox, pull, service
from core.sync.client import RetryPolicy
from core.sync.errors import HubUnreachable
from core.tasks.store import add_progress, import_directive
from core.workspace import open_workspace
from db import backup as backups
from tests.core.directives import samples_text as S
from tests.core.sync.harness import Commune, make_commune, make_hub, running_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


ROOT = Path(__file__).resolve().parents[3]
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.02)
UNIT = "21484"
DAY = today_local() - dt.timedelta(days=3)


def _code(n: int) -> str:
    return f"000.00.53.H48-{DAY:%y%m%d}-{n:04d}"


def _dossier(c: Commune, n: int, **extra) -> str:
    return add_dossier(c.store, {"code": _code(n), "field": "Hộ tịch", "received_on": DAY.isoformat(), **extra})


def _sync(c: Commune, *, drop_first_upload: bool = False, cut_answer: bool = False):
    """One `sync` of a PC; optionally the first upload never reaches the hub, or reaches it and
    the answer is lost (the hub stored the bundle, the PC never heard)."""
    client = service.make_client(c.store, c.paths, retry=FAST, timeout=10)
    real = client.upload
    state = {"n": 0}

    def flaky(data: bytes) -> dict:
        state["n"] += 1
        if state["n"] == 1 and drop_first_upload:
            raise HubUnreachable("mất mạng (thử nghiệm)")
        if state["n"] == 1 and cut_answer:
            real(data)
            raise HubUnreachable("mất câu trả lời (thử nghiệm)")
        return real(data)

    client.upload = flaky
    try:
        return service.sync_now(c.store, c.paths, client=client)
    finally:
        client.close()


def _cli(c: Commune, *args: str, machine: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if machine:
        env[device.MACHINE_ENV] = machine
    # The CLI prints UTF-8 on every platform (core.console); `text=True` would read it in Windows'
    # ANSI code page, turning every Vietnamese word into mojibake.
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(c.paths.data_dir)],
                            capture_output=True, encoding="utf-8", env=env, cwd=str(ROOT), timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def _picture(c: Commune) -> dict:
    """Every commune row this PC holds, by table (what must be the same on every PC)."""
    out = {}
    for table in changes.owned_tables(c.store.conn, "commune"):
        out[table] = c.store.query(f"SELECT * FROM [{table}] ORDER BY id")
        private = changes.PRIVATE_COLUMNS.get(table)
        for row in out[table] if private else ():
            if not row[private[1]]:  # a letter's text stays on the PC that imported it (not chosen to share)
                row[private[0]] = None
    out["task_state"] = c.store.query("SELECT task_id, status, assignee_id FROM task_state ORDER BY task_id")
    return out


def _settle(pcs: list[Commune]) -> None:
    """A round of `sync` on every PC (what each has is then at the hub), then a second (each
    receives what the others sent in the first)."""
    for _ in range(2):
        for c in pcs:
            assert _sync(c).errors == []


def _assert_one_picture(hub, pcs: list[Commune], codes: set[str], *, machine: dict | None = None) -> None:
    machine = machine or {}
    first = _picture(pcs[0])
    for c in pcs[1:]:
        other = _picture(c)
        for table in first:
            assert other[table] == first[table], f"{c.paths.data_dir.name}: {table} differs"
    live = pcs[0].store.query("SELECT code FROM dossiers WHERE deleted_at IS NULL")
    assert sorted(r["code"] for r in live) == sorted(codes)  # one row per code, none lost
    with hub.store() as s:
        at_hub = {(r["table_name"], r["row_id"]): json.loads(r["state"])["row"] for r in s.query(
            "SELECT table_name, row_id, state FROM rows WHERE unit = ?", (UNIT,))}
        held = {(r["bundle_id"], r["file_sha256"]) for r in s.query("SELECT bundle_id, file_sha256 FROM bundles")}
    for table, rows in first.items():
        if table == "task_state":
            continue
        for row in rows:
            assert at_hub.get((table, row["id"])) == row, f"the hub's {table} {row['id']} differs"
    for c in pcs:  # nothing acknowledged that the hub does not hold
        for row in c.store.query("SELECT bundle_id, file_sha256 FROM sync_outbox WHERE state = 'acked'"):
            assert (row["bundle_id"], row["file_sha256"]) in held
        assert outbox.pending_bundle_count(c.store) == 0
    figures = {json.dumps(json.loads(_cli(c, "indicators", "--from", DAY.isoformat(), "--to", DAY.isoformat(),
                                          "--json", machine=machine.get(id(c))).stdout), sort_keys=True)
               for c in pcs}
    assert len(figures) == 1
    assert json.loads(figures.pop())["received"] == len(codes)
    out = pcs[-1].paths.data_dir / "export.csv"
    _cli(pcs[-1], "export-dossiers", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--out", str(out),
         machine=machine.get(id(pcs[-1])))
    exported = out.read_text(encoding="utf-8-sig")
    assert all(code in exported for code in codes)


def _offline_work(a: Commune, b: Commune, c: Commune) -> set[str]:
    codes = set()
    for n in range(1, 6):
        _dossier(a, n)
        codes.add(_code(n))
    for n in range(11, 16):
        _dossier(b, n, channel=2)
        codes.add(_code(n))
    for n in range(21, 24):
        _dossier(c, n, components_digitised=1)
        codes.add(_code(n))
    # The same citizen's dossier typed at two counters: one dossier.
    _dossier(a, 99)
    _dossier(b, 99, finished_on=DAY.isoformat())
    codes.add(_code(99))
    plan = import_directive(a.store, parse_directive(S.PLAN_2024), source_name="kh77.txt")
    add_progress(a.store, plan.task_ids[0], note="Đã giao cán bộ", status="doing")
    run = create_run(c.store, title="Họp trực tuyến tỉnh", host="province", meeting_date=DAY, start_time="08:00")
    view = load_run(c.store, run)
    record_answer(c.store, run, view.items[0].id, status="na")
    return codes


@pytest.fixture
def unit(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        pcs = [make_commune(tmp_path / name, UNIT, hub, hub_url=url) for name in ("a", "b", "c")]
        yield hub, url, pcs
        for c in pcs:
            c.close()


def test_three_pcs_offline_then_every_order_with_dropped_uploads(unit):
    hub, url, (a, b, c) = unit
    codes = _offline_work(a, b, c)
    _sync(a, drop_first_upload=True)  # nothing reached the hub: kept, sent next time
    _sync(b, cut_answer=True)  # reached the hub, answer lost: "duplicate" next time, never twice
    _sync(c)
    for pc in (c, a, b, a, c):
        summary = _sync(pc)
        assert summary.errors == [], summary.errors
    _assert_one_picture(hub, [a, b, c], codes)
    # The merged case is shown to staff on every PC, naming both entries.
    for pc in (a, b, c):
        [merged] = pull.merged_dossiers(pc.store)
        assert merged["code"] == _code(99) and merged["kept_id"] != merged["merged_id"]
    listed = json.loads(_cli(b, "merged-dossiers", "--json").stdout)
    assert [m["code"] for m in listed] == [_code(99)]
    # Tasks entered at A are on C, with their progress and state; C's checklist run is on A.
    assert c.store.scalar("SELECT status FROM task_state LIMIT 1") == "doing"
    assert a.store.scalar("SELECT count(*) FROM checklist_runs") == 1
    with hub.store() as s:  # nothing counted twice at the province
        assert s.scalar("SELECT count(*) FROM rows WHERE unit = ? AND table_name = 'dossiers' AND deleted = 0",
                        (UNIT,)) == len(codes)


def test_negative_without_the_same_code_merge_the_pcs_do_not_converge(unit, monkeypatch):
    hub, url, (a, b, c) = unit
    _dossier(a, 99)
    _dossier(b, 99)
    monkeypatch.setattr(pull, "unique_keys", lambda conn, table: [])  # weaken: no merge rule
    _sync(a)
    with pytest.raises(Exception):
        _sync(b)  # the second live row with the same code cannot be written
    with hub.store() as s:
        live = s.scalar("SELECT count(*) FROM rows WHERE table_name = 'dossiers' AND deleted = 0")
    assert live == 2  # counted twice at the province: the failure the merge rule prevents


def test_an_older_edit_is_kept_as_a_visible_conflict_never_dropped_silently(unit):
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 7)
    _sync(a)
    _sync(b)
    # B's edit is made 10 ms before A's: with the real clock the two often fall in the same
    # millisecond, where neither is older (a tie of row versions: test_edits_in_the_same_millisecond…).
    start = clock.now_utc()
    try:
        clock.freeze(start)
        update_dossier(b.store, dossier_id, {"procedure_name": "Sửa ở quầy B (trước)"})  # earlier edit, not sent
        clock.freeze(start + dt.timedelta(milliseconds=10))
        update_dossier(a.store, dossier_id, {"procedure_name": "Sửa ở quầy A (sau)"})  # later edit
    finally:
        clock.freeze(None)
    _sync(a)
    summary = _sync(b)  # B's older edit arrives after A's newer one
    assert summary.errors == []
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
        lost = s.query("SELECT lost_state FROM conflicts WHERE row_id = ?", (dossier_id,))
    assert kept["procedure_name"] == "Sửa ở quầy A (sau)"
    assert len(lost) == 1 and "Sửa ở quầy B (trước)" in lost[0]["lost_state"]
    _sync(b)
    assert b.store.get("dossiers", dossier_id)["procedure_name"] == "Sửa ở quầy A (sau)"
    shown = json.loads(_cli(b, "sync-conflicts", "--json").stdout)
    assert any(x["row_id"] == dossier_id and "Sửa ở quầy B (trước)" in (x["lost_state"] or "") for x in shown)


def test_an_edit_made_on_top_of_the_version_seen_is_no_conflict(unit):
    """B edits a dossier after receiving A's version, then A edits it after receiving B's: each
    edit was made seeing the other's (its base), so the hub replaces the row without recording a
    conflict. A conflict here would show staff a clash that never happened, at every sync."""
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 7)
    _sync(a)
    _sync(b)  # B now holds A's version
    update_dossier(b.store, dossier_id, {"procedure_name": "Sửa ở quầy B"})
    _sync(b)
    _sync(a)  # A receives B's edit
    update_dossier(a.store, dossier_id, {"procedure_name": "Sửa ở quầy A, sau khi thấy bản của B"})
    assert _sync(a).errors == []
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
        conflicts = s.scalar("SELECT count(*) FROM conflicts")
    assert kept["procedure_name"] == "Sửa ở quầy A, sau khi thấy bản của B"
    assert conflicts == 0
    _sync(b)
    assert json.loads(_cli(b, "sync-conflicts", "--json").stdout) == []


@pytest.mark.sqlite_only("the negative weakens the SQLite apply (core.hub.apply); the PostgreSQL twin's ordering and conflicts are proven against it by tests/core/hub/test_store_parity.py")
def test_negative_without_the_base_version_a_seen_edit_is_a_false_conflict(unit, monkeypatch):
    """Weaken: canonical lines are staged without their base version (a look-up staging leaves
    out) and `_fill_bases` no longer fetches it for the lines that meet a held row: an edit made
    on top of the version it saw is then taken for a concurrent one."""
    monkeypatch.setattr(hubapply, "_fill_bases", lambda conn: None)
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 7)
    _sync(a)
    _sync(b)
    update_dossier(b.store, dossier_id, {"procedure_name": "Sửa ở quầy B"})
    _sync(b)
    with hub.store() as s:
        assert s.scalar("SELECT count(*) FROM conflicts WHERE row_id = ?", (dossier_id,)) == 1  # a false clash


@pytest.mark.sqlite_only("the negative weakens the SQLite apply (core.hub.apply); the PostgreSQL twin's ordering and conflicts are proven against it by tests/core/hub/test_store_parity.py")
def test_negative_without_versions_the_older_edit_overwrites(unit, monkeypatch):
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 7)
    _sync(a)
    _sync(b)
    update_dossier(b.store, dossier_id, {"procedure_name": "Sửa ở quầy B (trước)"})
    update_dossier(a.store, dossier_id, {"procedure_name": "Sửa ở quầy A (sau)"})
    _sync(a)
    real = hubapply.apply_lines

    def last_arrival_wins(conn, **kw):  # weaken: every incoming line counts as the newest
        conn.execute("UPDATE staging.incoming SET hlc = 9223372036854775000")
        return real(conn, **kw)

    monkeypatch.setattr(hubapply, "apply_lines", last_arrival_wins)
    _sync(b)
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
    assert kept["procedure_name"] != "Sửa ở quầy A (sau)"  # the newer edit was lost


def _edits_in_one_millisecond(unit) -> tuple[str, str]:
    """A and B edit the same dossier, neither having seen the other's edit, in the same
    millisecond: equal hybrid clocks (the physical part is the edit's `updated_at`, in ms),
    so only the device id orders them. Then both sync, twice."""
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 7)
    _sync(a)
    _sync(b)
    clock.freeze(clock.now_utc())
    try:
        update_dossier(b.store, dossier_id, {"procedure_name": "Sửa ở quầy B"})
        update_dossier(a.store, dossier_id, {"procedure_name": "Sửa ở quầy A"})
    finally:
        clock.freeze(None)
    at_a, at_b = (pc.store.query("SELECT hlc, device FROM change_log WHERE row_id = ? ORDER BY seq DESC LIMIT 1",
                                 (dossier_id,))[0] for pc in (a, b))
    assert at_a["hlc"] == at_b["hlc"]  # the tie this test is about
    for pc in (a, b, a, b):
        assert _sync(pc).errors == []
    return dossier_id, "Sửa ở quầy A" if at_a["device"] > at_b["device"] else "Sửa ở quầy B"


def test_edits_in_the_same_millisecond_one_kept_the_other_a_conflict_shown_on_both_pcs(unit):
    """Two PCs' edits of one row in the same millisecond are concurrent: neither is older. The
    larger device id wins (the hub and every PC order versions by (hlc, device) alike), and the
    other edit is never dropped: it is the hub's recorded conflict, shown by `sync-conflicts` on
    both PCs. (The real clock made this happen in ~1 run of 25 of the test above.)"""
    hub, url, (a, b, c) = unit
    dossier_id, winner = _edits_in_one_millisecond(unit)
    loser = ({"Sửa ở quầy A", "Sửa ở quầy B"} - {winner}).pop()
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
        lost = [json.loads(r["lost_state"])["row"]["procedure_name"] for r in s.query(
            "SELECT lost_state FROM conflicts WHERE row_id = ?", (dossier_id,))]
    assert kept["procedure_name"] == winner and lost == [loser]
    for pc in (a, b):
        assert pc.store.get("dossiers", dossier_id)["procedure_name"] == winner  # one picture
        shown = json.loads(_cli(pc, "sync-conflicts", "--json").stdout)
        assert [x["where_found"] for x in shown if loser in (x["lost_state"] or "")] == ["hub"], pc.paths.data_dir


@pytest.mark.sqlite_only("the negative weakens the SQLite apply (core.hub.apply); the PostgreSQL twin's ordering and conflicts are proven against it by tests/core/hub/test_store_parity.py")
def test_negative_a_tie_compared_without_the_device_drops_an_edit_silently(unit, monkeypatch):
    """Weaken: the hub compares only the clock (a tie looks like the version it holds). The
    incoming edit of the same millisecond is then neither applied nor recorded: lost unseen."""
    real = hubapply.apply_lines

    def clock_only(conn, **kw):
        conn.execute("UPDATE staging.incoming SET dev = (SELECT r.device FROM rows r WHERE r.table_name = "
                     "staging.incoming.t AND r.row_id = staging.incoming.id AND r.hlc = staging.incoming.hlc) "
                     "WHERE EXISTS (SELECT 1 FROM rows r WHERE r.table_name = staging.incoming.t "
                     "AND r.row_id = staging.incoming.id AND r.hlc = staging.incoming.hlc)")
        return real(conn, **kw)

    monkeypatch.setattr(hubapply, "apply_lines", clock_only)
    hub, url, (a, b, c) = unit
    dossier_id, _ = _edits_in_one_millisecond(unit)
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
        lost = s.query("SELECT lost_state FROM conflicts WHERE row_id = ?", (dossier_id,))
    assert kept["procedure_name"] == "Sửa ở quầy A" and lost == []  # B's edit vanished, nothing recorded


def test_restore_onto_a_new_pc_then_edits_reach_everyone(unit, tmp_path):
    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 1)
    _sync(a)
    saved = backups.backup_database(a.store.conn, tmp_path / "bk", "manual")
    update_dossier(a.store, dossier_id, {"procedure_name": "Sửa sau bản sao lưu"})
    _sync(a)
    a.close()
    # The old PC dies; a new PC restores the backup into an empty folder.
    from core.backups import restore_from

    new_paths = AppPaths(tmp_path / "new-pc").ensure()
    restore_from(new_paths, saved)
    d = Commune(UNIT, new_paths, open_workspace(new_paths))
    assert identity.describe(d.store, d.paths)["device"] != device.lineage(d.store)[0]
    hub.register(d)  # the restored workspace's new key
    update_dossier(d.store, dossier_id, {"finished_on": DAY.isoformat()})  # a correction after the restore
    summary = _sync(d)
    assert summary.errors == [], summary.errors
    _sync(b)
    _sync(d)
    for pc in (d, b):
        row = pc.store.get("dossiers", dossier_id)
        assert row["finished_on"] == DAY.isoformat()  # the correction was not dropped
    with hub.store() as s:
        kept = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
    assert kept["finished_on"] == DAY.isoformat()
    a.store = d.store  # the fixture closes it
    _settle([d, b, c])
    _assert_one_picture(hub, [d, b, c], {_code(1)})


def test_cloned_data_folder_on_a_second_pc(unit, tmp_path, monkeypatch):
    hub, url, (a, b, c) = unit
    codes = {_code(n) for n in (1, 2)}
    _dossier(a, 1)
    _dossier(a, 2)
    outbox.cut_bundle(a.store, a.paths)  # waiting in the outbox when the folder is copied
    a.store.close()
    shutil.copytree(a.paths.data_dir, tmp_path / "clone")
    a.store = open_workspace(a.paths)
    monkeypatch.setenv(device.MACHINE_ENV, "second-pc")
    clone = Commune(UNIT, AppPaths(tmp_path / "clone"), open_workspace(AppPaths(tmp_path / "clone")))
    monkeypatch.delenv(device.MACHINE_ENV)
    assert identity.describe(clone.store, clone.paths)["device"] != identity.describe(a.store, a.paths)["device"]
    hub.register(clone)
    _dossier(clone, 3)
    _dossier(a, 4)
    codes |= {_code(3), _code(4)}
    for pc in (clone, a, clone, a, b):
        assert _sync(pc).errors == []
    with hub.store() as s:
        devices = {r["device"] for r in s.query("SELECT DISTINCT device FROM bundles WHERE unit = ?", (UNIT,))}
    assert len(devices) == 3
    _settle([a, clone, b])
    _assert_one_picture(hub, [a, clone, b], codes, machine={id(clone): "second-pc"})
    clone.close()


def test_key_rotation_with_a_backlog_strands_nothing(unit):
    hub, url, (a, b, c) = unit
    codes = set()
    for n in (1, 2):
        _dossier(a, n)
        codes.add(_code(n))
        outbox.cut_bundle(a.store, a.paths)  # a backlog of bundles signed with the old key
    old = identity.describe(a.store, a.paths)
    rotated = json.loads(_cli(a, "keys", "rotate", "--json").stdout)
    assert set(rotated) == {"unit", "device", "public_key", "fingerprint"}
    a.store.close()
    a.store = open_workspace(a.paths)
    assert rotated["device"] == old["device"] and rotated["public_key"] != old["public_key"]
    assert identity.describe(a.store, a.paths)["public_key"] == rotated["public_key"]
    _dossier(a, 3)
    codes.add(_code(3))
    with hub.store() as s:
        from core.hub.store import register_unit, revoke_key

        register_unit(s, UNIT, rotated["public_key"])
        revoke_key(s, UNIT, old["fingerprint"], by="Sở KHCN")  # after the backlog was cut
    summary = _sync(a)
    assert summary.errors == [], summary.errors
    assert outbox.pending_bundle_count(a.store) == 0
    _settle([a, b, c])
    _assert_one_picture(hub, [a, b, c], codes)


def test_an_empty_replacement_pc_bootstraps_the_units_history(unit, tmp_path):
    hub, url, (a, b, c) = unit
    codes = _offline_work(a, b, c)
    for pc in (a, b, c, a, b):
        _sync(pc)
    d = make_commune(tmp_path / "replacement", UNIT, hub, hub_url=url, staff=0)
    summary = _sync(d)
    assert summary.errors == [] and summary.pulled > 0
    _settle([a, b, c, d])
    _assert_one_picture(hub, [a, b, c, d], codes)
    d.close()


def test_source_text_of_a_letter_the_commune_imported_is_not_sent_unless_chosen(unit):
    hub, url, (a, b, c) = unit
    plan = import_directive(a.store, parse_directive(S.PLAN_2024), source_name="kh77.txt")
    assert a.store.get("local_directives", plan.directive_id)["source_text"]
    _sync(a)
    with hub.store() as s:
        sent = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (plan.directive_id,)))["row"]
    assert sent["source_text"] is None and sent["subject"]
    _cli(a, "share-letter-text", plan.directive_id)  # staff chose to share
    _sync(a)
    with hub.store() as s:
        sent = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (plan.directive_id,)))["row"]
    assert sent["source_text"] == a.store.get("local_directives", plan.directive_id)["source_text"]



def test_a_pc_without_network_gets_the_units_rows_by_usb(unit, tmp_path):
    from core.hub import ingest
    from core.hub.unit_rows import rows_bundle
    from core.sync import inbox

    hub, url, (a, b, c) = unit
    codes = {_code(1), _code(2)}
    _dossier(a, 1)
    _sync(a)
    _dossier(b, 2)
    usb = tmp_path / "usb"
    outbox.cut_bundle(b.store, b.paths)
    [carried] = outbox.export_to_folder(b.store, b.paths, usb)
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, carried.read_bytes(), via="usb").status == "applied"
        path, manifest = rows_bundle(hub.paths, s, UNIT, usb)
    results = inbox.import_folder(b.store, b.paths, usb)
    assert [r.kind for _, r in results] == ["rows"]
    assert sorted(r["code"] for r in b.store.query("SELECT code FROM dossiers WHERE deleted_at IS NULL")) == \
        sorted(codes)
    assert inbox.import_folder(b.store, b.paths, usb)  # again: changes nothing
    assert b.store.scalar("SELECT count(*) FROM dossiers") == 2


def _two_pcs_one_folder_edit_the_same_row(unit, tmp_path, monkeypatch) -> tuple[set, str]:
    """A data folder copied onto a second PC; both PCs edit one dossier at the same instant.
    Returns (the edits the hub holds as its state or as recorded conflicts, the dossier id)."""
    from core import clock

    hub, url, (a, b, c) = unit
    dossier_id = _dossier(a, 5)
    _sync(a)
    a.store.close()
    shutil.copytree(a.paths.data_dir, tmp_path / "clone")
    a.store = open_workspace(a.paths)
    monkeypatch.setenv(device.MACHINE_ENV, "second-pc")
    clone = Commune(UNIT, AppPaths(tmp_path / "clone"), open_workspace(AppPaths(tmp_path / "clone")))
    monkeypatch.delenv(device.MACHINE_ENV)
    hub.register(clone)
    clock.freeze(clock.now_utc())
    try:
        update_dossier(a.store, dossier_id, {"procedure_name": "Sửa trên máy một"})
        update_dossier(clone.store, dossier_id, {"procedure_name": "Sửa trên máy hai"})
    finally:
        clock.freeze(None)
    _sync(a)
    _sync(clone)
    with hub.store() as s:
        state = json.loads(s.scalar("SELECT state FROM rows WHERE row_id = ?", (dossier_id,)))["row"]
        kept = {state["procedure_name"]} | {json.loads(r["lost_state"])["row"]["procedure_name"] for r in s.query(
            "SELECT lost_state FROM conflicts WHERE row_id = ?", (dossier_id,))}
    clone.close()
    return kept, dossier_id


def test_a_cloned_folder_never_makes_an_edit_vanish(unit, tmp_path, monkeypatch):
    kept, _ = _two_pcs_one_folder_edit_the_same_row(unit, tmp_path, monkeypatch)
    assert kept == {"Sửa trên máy một", "Sửa trên máy hai"}  # one is the state, the other a visible conflict


def test_negative_two_pcs_sharing_a_device_id_lose_an_edit_silently(unit, tmp_path, monkeypatch):
    """Weaken: the copied folder keeps the device id (no detection). Both PCs then stamp the same
    version on different edits, and the hub takes the second for the first: lost, unrecorded."""
    monkeypatch.setattr(device, "why_new_device", lambda *a, **k: None)
    kept, _ = _two_pcs_one_folder_edit_the_same_row(unit, tmp_path, monkeypatch)
    assert kept != {"Sửa trên máy một", "Sửa trên máy hai"}
