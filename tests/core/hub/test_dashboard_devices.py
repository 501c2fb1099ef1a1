"""The dashboard with sync v2's devices (issue 13 × issue 16): a unit's state is decided per device
(`device_keys`, `bundles.device`, `device_coverage`), and the figures read the hub's rows with
13's added columns — a dossier typed at two counters and merged (`merged_into`) counts once."""

from __future__ import annotations

import pytest

from core.clock import today_local
from core.dossiers.periods import month_period
from core.dossiers.register import add_dossier
from core.hub import dashboard, ingest
from core.hub import store as hubstore
from core.sync import outbox, service
from core.sync.client import RetryPolicy
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


UNIT = "21484"
FAST = RetryPolicy(attempts=2, base=0.01, cap=0.02)


def _device(commune) -> str:
    from core.sync import identity

    return identity.describe(commune.store, commune.paths)["device"]


def test_a_gap_in_one_devices_bundles_marks_the_unit_and_names_that_device(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", UNIT, hub)
    b = make_commune(tmp_path / "b", UNIT, hub)  # a second PC of the same unit: a second key, added
    try:
        cuts = {}
        for pc in (a, b):
            add_rows(pc, 3)
            first = outbox.cut_bundle(pc.store, pc.paths)
            add_rows(pc, 2)
            cuts[pc.paths.data_dir] = (first, outbox.cut_bundle(pc.store, pc.paths))
        a1, a2 = cuts[a.paths.data_dir]
        b1, b2 = cuts[b.paths.data_dir]
        with hub.store() as store:
            conn = store.conn
            for cut in (a1, a2, b2):  # B's first bundle has not arrived
                assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
            state = dashboard.unit_states(conn, today_local())[UNIT]
            assert state["state"] == "missing"
            assert state["missing"] == [{"device": _device(b), "from": 1, "to": 1}]
            assert _device(b)[:12] in dashboard.missing_text(state)
            by_device = {d["device"]: d for d in state["devices"]}
            assert set(by_device) == {_device(a), _device(b)}
            assert by_device[_device(a)]["bundles_through"] == 2 and by_device[_device(a)]["missing"] == []
            assert by_device[_device(b)]["bundles"] == 1 and by_device[_device(b)]["bundles_through"] == 0
            assert all(d["last_sync"] and d["fingerprint"] for d in state["devices"])
            # Negative check: the unit-wide rule over change numbers (one log per unit, before sync v2)
            # sees no hole here — A's numbers cover B's — and would have called this unit "in sync".
            assert hubstore.seq_coverage(conn, UNIT)[1] == []
            assert ingest.ingest_bytes(hub.paths, store, b1.path.read_bytes(), via="usb").status == "applied"
            state = dashboard.unit_states(conn, today_local())[UNIT]
            assert state["state"] == "ok" and state["missing"] == []
            # A revoked key shows on its device; the data version moves so the cached page is rebuilt.
            before = dashboard.data_version(conn)
            fp = by_device[_device(b)]["fingerprint"]
            hubstore.revoke_key(store, UNIT, fp, by="test")
            assert dashboard.data_version(conn) != before
            revoked = {d["device"]: d for d in dashboard.unit_states(conn, today_local())[UNIT]["devices"]}
            assert revoked[_device(b)]["revoked_at"] and revoked[_device(a)]["revoked_at"] is None
    finally:
        a.close()
        b.close()


def test_a_dossier_typed_at_two_counters_and_merged_counts_once(tmp_path):
    hub = make_hub(tmp_path / "hub")
    today = today_local()
    code = f"000.00.53.H48-{today:%y%m%d}-0099"
    with running_hub(hub) as url:
        a = make_commune(tmp_path / "a", UNIT, hub, hub_url=url)
        b = make_commune(tmp_path / "b", UNIT, hub, hub_url=url)
        try:
            for pc in (a, b):  # the same citizen's dossier entered at both counters, offline
                add_dossier(pc.store, {"code": code, "field": "Hộ tịch", "received_on": today.isoformat()})
            add_dossier(a.store, {"code": f"000.00.53.H48-{today:%y%m%d}-0100", "field": "Hộ tịch",
                                  "received_on": today.isoformat()})
            for _ in range(2):
                for pc in (a, b):
                    client = service.make_client(pc.store, pc.paths, retry=FAST, timeout=10)
                    try:
                        assert service.sync_now(pc.store, pc.paths, client=client).errors == []
                    finally:
                        client.close()
            with hub.store() as store:
                held = store.query("SELECT deleted, state ->> '$.row.merged_into' AS merged_into, "
                                   "state ->> '$.row.deleted_at' AS deleted_at FROM rows "
                                   "WHERE unit = ? AND table_name = 'dossiers' AND state ->> '$.row.code' = ?",
                                   (UNIT, code))
                # The hub holds both entries of the code: one live, one tombstoned as merged into it.
                assert len(held) == 2
                assert sorted(bool(r["merged_into"]) for r in held) == [False, True]
                assert all(r["deleted_at"] for r in held if r["merged_into"])
                dashboard.refresh(store, hub.paths.db_file)
                period = month_period(f"{today:%Y-%m}")
                values = dashboard.unit_indicators(store, hub.paths.db_file, UNIT, period)
                assert dashboard.period_sums(store.conn, period)[UNIT].received == 2  # 0099 once, 0100
                assert any(v.denominator == 2 for v in values.values())
            # The same as each PC's own screen.
            from core.dossiers.indicators import compute_indicators

            for pc in (a, b):
                assert compute_indicators(pc.store, month_period(f"{today:%Y-%m}")).values.keys() == values.keys()
                ours = compute_indicators(pc.store, month_period(f"{today:%Y-%m}")).values
                assert {k: (v.numerator, v.denominator) for k, v in ours.items()} == \
                       {k: (v.numerator, v.denominator) for k, v in values.items()}
        finally:
            a.close()
            b.close()
