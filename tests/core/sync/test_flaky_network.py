"""Uploads through a proxy that drops and stalls connections at random: every change arrives exactly once."""

from __future__ import annotations

import json

import httpx
import pytest

from core.sync import outbox, service
from core.sync.client import HubClient, RetryPolicy
from core.sync.errors import HubUnreachable
from core.sync.identity import commune_keypair
from tests.core.sync.flaky_proxy import FlakyProxy
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub


pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


def test_every_change_reaches_the_hub_exactly_once(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    # Eight bundles, some rows changed across bundles (the latest state must win).
    ids = []
    for round_ in range(8):
        ids += add_rows(c, 5)
        c.store.update("staff", ids[round_], {"position": f"vòng {round_}"})
        outbox.cut_bundle(c.store, c.paths)
    with running_hub(hub) as url:
        port = int(url.rsplit(":", 1)[1])
        with FlakyProxy(port, seed=11, fault_rate=0.6, max_faults=30, stall_seconds=1.2) as proxy:
            runs = 0
            while outbox.pending_bundle_count(c.store) and runs < 60:
                runs += 1
                # A fresh connection per request, so the proxy gets a say on every upload.
                client = HubClient(f"http://127.0.0.1:{proxy.port}", unit=c.code, keypair=commune_keypair(c.paths),
                                   timeout=0.8, retry=RetryPolicy(attempts=3, base=0.01, cap=0.05),
                                   transport=httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)))
                try:
                    service.sync_now(c.store, c.paths, client=client)
                except HubUnreachable:
                    pass
                finally:
                    client.close()
            assert proxy.total_faults > 5, proxy.faults
            assert proxy.faults["cut_answer"] > 0, proxy.faults
    assert outbox.pending_bundle_count(c.store) == 0, f"not settled after {runs} runs"
    with hub.store() as s:
        bundles = s.query("SELECT bundle_id, seq_from, seq_to FROM bundles ORDER BY seq_from")
        hub_rows = {r["row_id"]: json.loads(r["state"])["row"] for r in s.query("SELECT row_id, state FROM rows")}
    local_bundles = c.store.query("SELECT bundle_id, seq_from, seq_to FROM sync_outbox ORDER BY seq_from")
    assert bundles == local_bundles  # each bundle applied once, none lost, none extra
    local = {r["id"]: r for r in c.store.query("SELECT * FROM staff")}
    assert hub_rows == local
    assert hub_rows[ids[3]]["position"] == "vòng 3"
    c.close()
