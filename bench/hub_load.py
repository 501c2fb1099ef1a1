"""The hub under load (issue 9): many communes upload at once to one `hub serve` on 127.0.0.1.

A local load generator (threads, one httpx client each, bounded in count and time) uploads
signed bundles from many communes concurrently; each commune sends its own bundles in order,
and one upload in ten is sent a second time (a retry after a lost answer). Reported: uploads
per second and latency percentiles (p50/p95/p99), beside the same figures for the hub's bare
`GET /health` at the same concurrency (the HTTP stack alone, in-run baseline). Then the hub is
checked: every bundle once, every row once, nothing missing.

    python -m bench.hub_load [--quick]     (full: 96 communes x 8 bundles, 32 at a time; --quick: 16 x 4, 8 at a time)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import ROOT, report
from core.hub import store as hubstore
from core.paths import AppPaths
from core.sync import identity, outbox
from core.units import all_units
from core.workspace import initialise, open_workspace

API = "/api/v1"


@dataclass
class Unit:
    code: str
    key: str
    bundles: list[bytes]
    bundle_ids: list[str]
    staff_ids: set[str]


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def make_units(root: Path, count: int, bundles: int, rows: int) -> list[Unit]:
    """Communes with `bundles` bundles of `rows` new staff rows each (plus one update per bundle)."""
    made = []
    for code in [u.code for u in all_units()][:count]:
        paths = AppPaths(root / code).ensure()
        store = open_workspace(paths)
        initialise(store, code, ["Cán bộ một cửa"])
        identity.configure(store, paths)
        data, ids, staff = [], [], set()
        for b in range(bundles):
            new = store.insert_many("staff", [{"full_name": f"Cán bộ {code} {b}-{i}", "position": "công chức",
                                               "active": 1} for i in range(rows)])
            store.update("staff", new[0], {"position": f"đợt {b}"})
            staff.update(new)
            cut = outbox.cut_bundle(store, paths)
            data.append(cut.path.read_bytes())
            ids.append(cut.bundle_id)
        staff |= {r["id"] for r in store.query("SELECT id FROM staff")}
        made.append(Unit(code, identity.describe(store, paths)["public_key"], data, ids, staff))
        store.close()
    return made


def start_hub(root: Path, units: list[Unit]) -> tuple[subprocess.Popen, str, hubstore.HubPaths]:
    hub_paths = hubstore.HubPaths(root / "hub")
    hubstore.init_hub(hub_paths)
    server, url = start_hub_process(root / "hub", [(u.code, u.key) for u in units])
    return server, url, hub_paths


def start_hub_process(hub_dir: Path, registrations: list[tuple[str, str]]) -> tuple[subprocess.Popen, str]:
    """Register the communes' keys in an initialised hub folder and run `hub serve` on it (127.0.0.1)."""
    with hubstore.open_hub(hubstore.HubPaths(hub_dir)) as hub:
        for code, key in registrations:
            hubstore.register_unit(hub, code, key)
    port = _free_port()
    # Every client here is 127.0.0.1: the per-address request rate (20/s, for a real province's
    # many addresses) would answer most of this load 429. Lifted, as an operator may
    # (core.hub.server.RATE_ENV), so that the figures are the hub's capacity.
    from core.hub.server import RATE_ENV

    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "serve", "--data-dir", str(hub_dir),
                               "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, RATE_ENV: "0"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}{API}/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("hub did not start")


def upload_all(url: str, units: list[Unit], concurrency: int, *, repeat_every: int = 10,
               time_limit: float = 600) -> LoadResult:
    """Each commune's bundles in order, communes `concurrency` at a time; every Nth upload twice."""
    result = LoadResult()
    lock = threading.Lock()
    local = threading.local()
    stop_at = time.monotonic() + time_limit
    counter = iter(range(10**9))

    def client() -> httpx.Client:
        if getattr(local, "client", None) is None:
            local.client = httpx.Client(base_url=url, timeout=120)
        return local.client

    def send(data: bytes) -> None:
        start = time.perf_counter()
        try:
            answer = client().post(f"{API}/bundles", content=data, headers={"Content-Type": "application/zip"})
            status = answer.json().get("status", f"http {answer.status_code}")
        except (httpx.HTTPError, ValueError) as exc:
            status = "error"
            with lock:
                result.errors.append(repr(exc))
        elapsed = time.perf_counter() - start
        with lock:
            result.latencies.append(elapsed)
            result.statuses[status] = result.statuses.get(status, 0) + 1

    def commune(unit: Unit) -> None:
        for data in unit.bundles:
            if time.monotonic() > stop_at:
                return
            send(data)
            if next(counter) % repeat_every == repeat_every - 1:
                send(data)  # the answer was "lost": the commune sends the same bundle again

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(commune, units))
    result.seconds = time.perf_counter() - start
    return result


def health_load(url: str, requests: int, concurrency: int) -> LoadResult:
    """The bare HTTP stack under the same concurrency: GET /health."""
    result = LoadResult()
    lock = threading.Lock()
    local = threading.local()

    def one(_):
        if getattr(local, "client", None) is None:
            local.client = httpx.Client(base_url=url, timeout=60)
        start = time.perf_counter()
        local.client.get(f"{API}/health").raise_for_status()
        with lock:
            result.latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    result.seconds = time.perf_counter() - start
    return result


def check_hub(hub_paths: hubstore.HubPaths, units: list[Unit]) -> list[str]:
    """Every bundle once, every row once, each commune's rows exactly the ones it has."""
    problems = []
    with hubstore.open_hub(hub_paths) as hub:
        for unit in units:
            bundles = [r["bundle_id"] for r in hub.query("SELECT bundle_id FROM bundles WHERE unit = ? "
                                                         "ORDER BY seq_from", (unit.code,))]
            if bundles != unit.bundle_ids:
                problems.append(f"{unit.code}: bundles at the hub {len(bundles)} != sent {len(unit.bundle_ids)}")
            rows = hub.query("SELECT row_id FROM rows WHERE unit = ? AND table_name = 'staff'", (unit.code,))
            ids = [r["row_id"] for r in rows]
            if len(ids) != len(set(ids)) or set(ids) != unit.staff_ids:
                problems.append(f"{unit.code}: staff rows at the hub {len(ids)} != {len(unit.staff_ids)}")
        from core.hub.database import json_path

        states = hub.query(f"SELECT state FROM rows WHERE table_name = 'staff' "
                           f"AND {json_path(hub, 'state', 'row.position')} LIKE 'đợt %'")
        if len(states) != sum(len(u.bundles) for u in units):
            problems.append(f"latest states: {len(states)} updated rows at the hub")
    return problems


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    units_n, bundles, rows, concurrency = (16, 4, 50, 8) if args.quick else (96, 8, 200, 32)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        units = make_units(root / "units", units_n, bundles, rows)
        print(f"(setup: {units_n} communes x {bundles} bundles of {rows} rows, made in "
              f"{time.perf_counter() - start:.1f} s — not measured)", flush=True)
        server, url, hub_paths = start_hub(root, units)
        try:
            bare = health_load(url, 400, concurrency)
            load = upload_all(url, units, concurrency)
        finally:
            server.terminate()
            server.wait(timeout=30)
        problems = check_hub(hub_paths, units)
    total = len(load.latencies)
    print(f"uploads: {total} in {load.seconds:.1f} s from {units_n} communes, {concurrency} at a time; "
          f"answers {json.dumps(load.statuses)}; errors {len(load.errors)}", flush=True)
    report(f"hub: uploads per second ({concurrency} concurrent, {rows}-row bundles)", load.per_second, "req/s",
           bare.per_second, "GET /health at the same concurrency")
    for p in (50, 95, 99):
        report(f"hub: upload latency p{p}", load.percentile(p) * 1000, "ms", bare.percentile(p) * 1000,
               f"GET /health p{p}")
    if problems or load.errors or load.statuses.get("applied", 0) != sum(len(u.bundles) for u in units):
        print("LOST OR DUPLICATED:", problems, load.errors[:5], load.statuses, flush=True)
        raise SystemExit(1)
    print("hub check: every bundle once, every row once, nothing missing", flush=True)


if __name__ == "__main__":
    main()
