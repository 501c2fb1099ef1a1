"""Sync chaos at scale (CI size): 96 communes sync through a loopback proxy that drops, stalls,
cuts answers and duplicates requests; afterwards the hub holds every row exactly once, in its
latest state, and every bundle once.

Each commune has a little data in three bundles (rows changed across bundles, one deleted), and
they sync four at a time. The year-of-demo-data version is `python -m bench.sync_chaos`.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.sync_chaos import sync_until_settled
from core.sync import outbox
from core.units import all_units
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub
from tests.proof.chaos_proxy import ChaosProxy

UNITS = int(os.environ.get("PROOF_CHAOS_UNITS", "96"))

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("hub_database")]


def _fill(commune) -> list[str]:
    ids = []
    for round_ in range(3):
        ids += add_rows(commune, 3)
        commune.store.update("staff", ids[round_], {"position": f"vòng {round_}"})
        outbox.cut_bundle(commune.store, commune.paths)
    commune.store.delete("staff", ids[-1])  # a tombstone waits in the change log for the first sync
    return ids


def test_96_units_through_a_chaotic_proxy_arrive_exactly_once(tmp_path):
    hub = make_hub(tmp_path / "hub")
    codes = [u.code for u in all_units()][:UNITS]
    communes = [make_commune(tmp_path / code, code, hub, staff=1) for code in codes]
    for c in communes:
        _fill(c)
    with running_hub(hub) as url:
        port = int(url.rsplit(":", 1)[1])
        with ChaosProxy(port, seed=96, fault_rate=0.25, max_faults=120, stall_seconds=1.2,
                        duplicate_rate=0.15) as proxy:
            proxy_url = f"http://127.0.0.1:{proxy.port}"
            with ThreadPoolExecutor(max_workers=4) as pool:
                attempts = list(pool.map(lambda c: sync_until_settled(c.store, c.paths, c.code, proxy_url), communes))
            faults = dict(proxy.faults)
    assert all(faults[kind] > 0 for kind in ("drop", "stall", "cut_answer", "duplicate")), faults
    with hub.store() as s:
        assert s.scalar("SELECT count(*) FROM rows") == s.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT table_name, row_id FROM rows) AS distinct_rows")
        for c in communes:
            hub_bundles = s.query("SELECT bundle_id, seq_from, seq_to FROM bundles WHERE unit = ? ORDER BY seq_from",
                                  (c.code,))
            local_bundles = c.store.query("SELECT bundle_id, seq_from, seq_to FROM sync_outbox ORDER BY seq_from")
            assert hub_bundles == local_bundles, f"{c.code}: a bundle lost or applied twice"
            for table in ("staff",):
                hub_rows = {r["row_id"]: json.loads(r["state"])["row"] for r in s.query(
                    "SELECT row_id, state FROM rows WHERE unit = ? AND table_name = ?", (c.code, table))}
                local = {r["id"]: r for r in c.store.query(f"SELECT * FROM [{table}]")}
                assert hub_rows == local, f"{c.code}: the hub's {table} differ from the commune's"
    for c in communes:
        c.close()
    print(f"{UNITS} units settled; attempts per unit max {max(attempts)}, total {sum(attempts)}; faults {faults}")


DEVICES = int(os.environ.get("PROOF_CHAOS_DEVICES", "3"))


def _fill_device(pc, unit_index: int, device_index: int) -> set[str]:
    """Staff rows in three bundles (one changed across bundles, one deleted), two dossiers of its own,
    and one dossier code that every PC of the unit types (the same citizen at each counter)."""
    import datetime as dt

    from core.clock import today_local
    from core.dossiers.register import add_dossier

    _fill(pc)
    day = today_local() - dt.timedelta(days=2)
    codes = set()
    for n in (1, 2, 99):
        number = 99 if n == 99 else 10 * device_index + n
        code = f"000.00.53.H48-{day:%y%m%d}-{unit_index % 100:02d}{number:02d}"
        add_dossier(pc.store, {"code": code, "field": "Hộ tịch", "received_on": day.isoformat()})
        codes.add(code)
    return codes


def test_96_units_of_3_devices_through_a_chaotic_proxy_converge(tmp_path):
    """Issue 13: every unit has three PCs. Each enters rows offline, then all sync (four at a
    time) through the faulty proxy until settled, three times round (so each PC receives what the
    others sent, including merges made in the second round). Then: nothing lost, nothing twice, nothing acknowledged that the hub does not hold, one
    live dossier per code, and the three PCs of a unit hold exactly the hub's rows of the unit."""
    hub = make_hub(tmp_path / "hub")
    codes = [u.code for u in all_units()][:UNITS]
    with running_hub(hub) as url:
        port = int(url.rsplit(":", 1)[1])
        with ChaosProxy(port, seed=13, fault_rate=0.2, max_faults=60 + UNITS, stall_seconds=1.0,
                        duplicate_rate=0.15) as proxy:
            proxy_url = f"http://127.0.0.1:{proxy.port}"
            units = {}
            for i, code in enumerate(codes):
                pcs = [make_commune(tmp_path / code / f"pc{d}", code, hub, hub_url=proxy_url, staff=1)
                       for d in range(DEVICES)]
                dossier_codes = set()
                for d, pc in enumerate(pcs):
                    dossier_codes |= _fill_device(pc, i, d)
                units[code] = (pcs, dossier_codes)
            everyone = [(code, pc) for code, (pcs, _) in units.items() for pc in pcs]
            attempts = []
            # PCs of one unit sync at the same moment (four at a time): a PC may first see a code
            # typed at another counter in the second round and merge it then; the third round
            # brings that merge to the others.
            for _ in range(3):
                with ThreadPoolExecutor(max_workers=4) as pool:
                    attempts += list(pool.map(lambda item: sync_until_settled(item[1].store, item[1].paths, item[0],
                                                                              proxy_url), everyone))
            faults = dict(proxy.faults)
    assert sum(faults.values()) > 0, faults
    with hub.store() as s:
        assert s.scalar("SELECT count(*) FROM rows") == s.scalar(
            "SELECT count(*) FROM (SELECT DISTINCT table_name, row_id FROM rows) AS distinct_rows")
        held = {(r["bundle_id"], r["file_sha256"]) for r in s.query("SELECT bundle_id, file_sha256 FROM bundles")}
        for code, (pcs, dossier_codes) in units.items():
            at_hub = {(r["table_name"], r["row_id"]): json.loads(r["state"])["row"] for r in s.query(
                "SELECT table_name, row_id, state FROM rows WHERE unit = ?", (code,))}
            live = s.scalar("SELECT count(*) FROM rows WHERE unit = ? AND table_name = 'dossiers' AND deleted = 0",
                            (code,))
            assert live == len(dossier_codes), f"{code}: {live} live dossiers at the hub, {len(dossier_codes)} codes"
            for pc in pcs:
                for row in pc.store.query("SELECT bundle_id, file_sha256, state FROM sync_outbox"):
                    assert (row["bundle_id"], row["file_sha256"]) in held, f"{code}: a bundle never reached the hub"
                local = {}
                for table in ("staff", "dossiers"):
                    for row in pc.store.query(f"SELECT * FROM [{table}]"):
                        local[(table, row["id"])] = row
                wanted = {k: v for k, v in at_hub.items() if k[0] in ("staff", "dossiers")}
                assert local == wanted, f"{code}/{pc.paths.data_dir.name}: differs from the hub"
                assert sorted(r["code"] for r in pc.store.query(
                    "SELECT code FROM dossiers WHERE deleted_at IS NULL")) == sorted(dossier_codes)
    for pcs, _ in units.values():
        for pc in pcs:
            pc.close()
    print(f"{UNITS} units x {DEVICES} devices settled; attempts max {max(attempts)}, total {sum(attempts)}; "
          f"faults {faults}")
