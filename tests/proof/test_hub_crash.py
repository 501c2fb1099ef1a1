"""The province's hub killed (SIGKILL) in the middle of concurrent uploads, 12 times.

After every kill: the hub's database passes the integrity check, and every bundle the hub
answered "applied" (or "duplicate") is in it. The communes then send whatever was not
confirmed again; at the end the hub holds every bundle once and every row once.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.hub_load import check_hub, make_units, start_hub_process
from core.hub import store as hubstore
from db.backup import integrity_problems

KILLS = 12

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"),
              pytest.mark.usefixtures("hub_database")]  # every test on both hub stores (tests/conftest.py)


def _upload_until_killed(url: str, pending: list[tuple[str, str, bytes]], confirmed: set[str],
                         stop: threading.Event) -> None:
    lock = threading.Lock()

    def one(item):
        _, bundle_id, data = item
        if stop.is_set():
            return
        try:
            answer = httpx.post(f"{url}/api/v1/bundles", content=data, timeout=10,
                                headers={"Content-Type": "application/zip"}).json()
        except (httpx.HTTPError, ValueError):
            return  # the hub died under this request: not confirmed, sent again later
        if answer.get("status") in ("applied", "duplicate"):
            with lock:
                confirmed.add(bundle_id)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(one, pending))


def test_hub_killed_mid_upload_keeps_everything_it_confirmed(tmp_path):
    units = make_units(tmp_path / "units", 8, 5, 400)
    hub_dir = tmp_path / "hub"
    hubstore.init_hub(hubstore.HubPaths(hub_dir))
    # Each commune's bundles in order, interleaved across communes.
    everything = [(u.code, bid, data) for i in range(5) for u in units
                  for bid, data in [(u.bundle_ids[i], u.bundles[i])]]
    confirmed: set[str] = set()
    rng = random.Random(12)
    registrations = [(u.code, u.key) for u in units]
    cut_short = 0  # kills that left bundles unconfirmed (the kill landed during the uploads)
    for kill in range(1, KILLS + 1):
        server, url = start_hub_process(hub_dir, registrations)
        stop = threading.Event()
        pending = [item for item in everything if item[1] not in confirmed]
        sender = threading.Thread(target=_upload_until_killed, args=(url, pending, confirmed, stop))
        sender.start()
        time.sleep(rng.uniform(0.02, 0.25))
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        stop.set()
        sender.join(timeout=60)
        if not hubstore.HubPaths(hub_dir).config().is_postgres:  # SQLite's file (PostgreSQL's server is not killed)
            assert integrity_problems(hub_dir / hubstore.HUB_DB) == [], f"hub database damaged after kill #{kill}"
        with hubstore.open_hub(hubstore.HubPaths(hub_dir)) as hub:
            held = {r["bundle_id"] for r in hub.query("SELECT bundle_id FROM bundles")}
        assert confirmed <= held, f"kill #{kill}: the hub confirmed bundles it does not hold"
        cut_short += len(confirmed) < len(everything)
    assert cut_short >= KILLS // 2, f"only {cut_short} kills landed during uploads"
    print(f"{KILLS} kills, {cut_short} during uploads; {len(confirmed)} of {len(everything)} bundles confirmed "
          "before the last restart")
    server, url = start_hub_process(hub_dir, registrations)
    try:
        stop = threading.Event()
        for _ in range(5):  # each commune's remaining bundles (in order; the hub accepts gaps, then fills them)
            _upload_until_killed(url, [i for i in everything if i[1] not in confirmed], confirmed, stop)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert confirmed == {bid for _, bid, _ in everything}
    assert check_hub(hubstore.HubPaths(hub_dir), units) == []
