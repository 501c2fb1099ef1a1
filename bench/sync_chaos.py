"""Sync chaos at scale (issue 9): 96 communes, each with a year of demo data, sync to one
`hub serve` on 127.0.0.1 through a proxy that drops, stalls, cuts answers and duplicates
requests (seeded, bounded). Afterwards the hub must hold every row of every commune exactly
once and every bundle once; the run fails otherwise.

    python -m bench.sync_chaos [--quick]     (--quick: 12 communes)

The proxy is tests/proof/chaos_proxy.py (the CI-sized test is tests/proof/test_sync_chaos.py).
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.common import report
from bench.hub_load import start_hub_process
from core import demo
from core.hub import store as hubstore
from core.paths import AppPaths
from core.sync import changes, identity, outbox, service
from core.sync.client import HubClient, RetryPolicy
from core.sync.errors import SyncError
from core.units import all_units
from core.workspace import initialise, open_workspace
from db.store import Store

MAX_ATTEMPTS = 40


def sync_until_settled(store: Store, paths: AppPaths, code: str, proxy_url: str, *, timeout: float = 1.0) -> int:
    """What the app's sync button does, again until nothing waits; returns the attempts used."""
    last = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        client = HubClient(proxy_url, unit=code, keypair=identity.commune_keypair(paths, store), timeout=timeout,
                           retry=RetryPolicy(attempts=3, base=0.01, cap=0.05),
                           transport=httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)))
        try:
            summary = service.sync_now(store, paths, client=client)
            if not summary.errors and outbox.pending_bundle_count(store) == 0:
                return attempt
            last = summary.errors
        except SyncError as exc:
            last = f"{exc.message} {exc.details}"
        finally:
            client.close()
    states = store.query("SELECT seq_from, seq_to, state, last_error FROM sync_outbox ORDER BY seq_from")
    raise AssertionError(f"{code}: not settled after {MAX_ATTEMPTS} attempts; last: {last}; outbox: {states}")


def _make_unit(args: tuple[str, str, int, str]) -> str:
    root, code, seed, province_key = args
    paths = AppPaths(Path(root) / code).ensure()
    store = open_workspace(paths)
    initialise(store, code, ["Cán bộ một cửa"])
    identity.configure(store, paths, province_key_text=province_key)
    demo.fill(store, seed=seed)
    key = identity.describe(store, paths)["public_key"]
    store.close()
    return json.dumps({"code": code, "key": key, "data_dir": str(paths.data_dir)})


def check_hub(hub_paths: hubstore.HubPaths, units: list[dict]) -> list[str]:
    problems = []
    with hubstore.open_hub(hub_paths) as hub:
        if hub.scalar("SELECT count(*) FROM rows") != hub.scalar(
                "SELECT count(*) FROM (SELECT DISTINCT table_name, row_id FROM rows) AS distinct_rows"):
            problems.append("a row is held twice")
        for unit in units:
            store = Store(Path(unit["data_dir"]) / "motcua.sqlite3", readonly=True)
            try:
                local_bundles = store.query("SELECT bundle_id FROM sync_outbox ORDER BY seq_from")
                hub_bundles = hub.query("SELECT bundle_id FROM bundles WHERE unit = ? ORDER BY seq_from",
                                        (unit["code"],))
                if local_bundles != hub_bundles:
                    problems.append(f"{unit['code']}: bundles differ")
                for table in changes.owned_tables(store.conn, "commune"):
                    local = {r["id"]: r["updated_at"] for r in store.query(f"SELECT id, updated_at FROM [{table}]")}
                    at_hub = {r["row_id"]: r["updated_at"] for r in hub.query(
                        "SELECT row_id, updated_at FROM rows WHERE unit = ? AND table_name = ?", (unit["code"], table))}
                    if local != at_hub:
                        problems.append(f"{unit['code']}/{table}: {len(local)} here, {len(at_hub)} at the hub")
            finally:
                store.close()
    return problems


def main(argv=None) -> None:
    from tests.proof.chaos_proxy import ChaosProxy

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    count = 12 if args.quick else 96
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hub_paths = hubstore.HubPaths(root / "hub")
        province = hubstore.init_hub(hub_paths)
        codes = [u.code for u in all_units()][:count]
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            units = [json.loads(m) for m in pool.map(
                _make_unit, [(str(root / "units"), c, i, province.public_text) for i, c in enumerate(codes)])]
        print(f"(setup: {count} communes with a year of demo data, made in {time.perf_counter() - start:.1f} s "
              "— not measured)", flush=True)
        server, url = start_hub_process(root / "hub", [(u["code"], u["key"]) for u in units])
        try:
            port = int(url.rsplit(":", 1)[1])
            with ChaosProxy(port, seed=2026, fault_rate=0.25, max_faults=40 + 2 * count, stall_seconds=1.2,
                            duplicate_rate=0.15) as proxy:
                proxy_url = f"http://127.0.0.1:{proxy.port}"

                def one(unit: dict) -> int:
                    paths = AppPaths(Path(unit["data_dir"]))
                    store = open_workspace(paths)
                    try:
                        return sync_until_settled(store, paths, unit["code"], proxy_url, timeout=5.0)
                    finally:
                        store.close()

                start = time.perf_counter()
                with ThreadPoolExecutor(max_workers=4) as pool:
                    attempts = list(pool.map(one, units))
                elapsed = time.perf_counter() - start
                faults = dict(proxy.faults)
        finally:
            server.terminate()
            server.wait(timeout=30)
        problems = check_hub(hub_paths, units)
        with hubstore.open_hub(hub_paths) as hub:
            rows = hub.scalar("SELECT count(*) FROM rows")
    print(f"faults injected: {json.dumps(faults)}; sync attempts: {sum(attempts)} (at most {max(attempts)} "
          f"for one commune)", flush=True)
    report(f"sync chaos: {count} communes (a year of demo data each, {rows:,} rows) settled through the "
           f"faulty proxy", elapsed, "s")
    if problems:
        print("HUB CHECK FAILED:", problems[:20], flush=True)
        raise SystemExit(1)
    print("hub check: every row of every commune exactly once, every bundle once", flush=True)


if __name__ == "__main__":
    main()
