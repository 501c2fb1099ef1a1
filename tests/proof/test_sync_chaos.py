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

pytestmark = pytest.mark.slow


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
            "SELECT count(*) FROM (SELECT DISTINCT table_name, row_id FROM rows)")
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
