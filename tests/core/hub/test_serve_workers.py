"""hub serve --workers N on PostgreSQL: a real hub with 2 worker processes on 127.0.0.1 answers health,
applies concurrent uploads of different units, and every worker keeps the connection guard."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.hub import server as hubserver
from core.hub import store as hubstore
from core.hub.config import DATABASE_ENV
from core.sync import identity, outbox
from tests import pg_cluster
from tests.cli_env import scrubbed_env
from tests.core.sync import harness

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pg_hub(tmp_path, monkeypatch):
    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    monkeypatch.setenv(DATABASE_ENV, url)
    try:
        yield harness.make_hub(tmp_path / "hub")
    finally:
        pg_cluster.drop_database(url)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def start(hub: harness.Hub, workers: int) -> tuple[subprocess.Popen, str]:
    port = harness.free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "serve", "--data-dir", str(hub.paths.root),
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                            cwd=ROOT, env=scrubbed_env(PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode("utf-8", "replace"))
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("hub serve --workers did not answer")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the worker processes")
def test_two_workers_apply_concurrent_uploads_of_different_units(pg_hub, tmp_path):
    pytest.importorskip("core.hub.apply_pg", reason="the PostgreSQL write path (PG-B's branch) is not merged here yet")
    from core import demo

    communes = [harness.make_commune(tmp_path / code, code, pg_hub) for code in ("21484", "21025", "21289")]
    bundles = []
    for seed, commune in enumerate(communes):
        demo.fill(commune.store, seed=seed + 1)
        bundles.append(outbox.cut_bundle(commune.store, commune.paths).path.read_bytes())
    proc, url = start(pg_hub, 2)
    try:
        workers = children(proc.pid)
        assert len([p for p in workers if "multiprocessing" in Path(f"/proc/{p}/cmdline").read_text()]) >= 2

        def upload(data: bytes) -> dict:
            with httpx.Client(base_url=url, timeout=120) as client:
                answer = client.post("/api/v1/bundles", content=data, headers={"Content-Type": "application/zip"})
                return answer.json()

        with ThreadPoolExecutor(max_workers=3) as pool:
            answers = list(pool.map(upload, bundles))
        assert [a["status"] for a in answers] == ["applied"] * 3, answers
        assert httpx.get(f"{url}/api/v1/health", timeout=5).json()["service"] == "motcua-hub"
        # The same bundle again: a duplicate, whichever worker takes it.
        assert upload(bundles[0])["status"] == "duplicate"
    finally:
        stop(proc)
        for commune in communes:
            commune.close()
    with pg_hub.store() as db:
        for commune, data in zip(communes, bundles):
            assert db.scalar("SELECT count(*) FROM bundles WHERE unit = ?", (commune.code,)) == 1
        counts = {r["unit"]: r["n"] for r in db.query("SELECT unit, count(*) AS n FROM rows GROUP BY unit")}
    assert set(counts) == {"21484", "21025", "21289"} and min(counts.values()) > 1000


def test_every_worker_keeps_the_per_address_connection_cap(pg_hub):
    """Idle sockets from one address: each worker closes those past its cap (PER_IP_CONNECTIONS per
    worker), so at most workers x cap stay open; the rest are closed at once."""
    workers, extra = 2, 40
    proc, url = start(pg_hub, workers)
    port = int(url.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(workers * hubserver.PER_IP_CONNECTIONS + extra):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            held.append(s)
        time.sleep(1.5)
        readable, _, _ = select.select(held, [], [], 0.5)
        closed = 0
        for s in readable:
            try:
                closed += s.recv(1) == b""
            except ConnectionError:
                closed += 1
        assert closed >= extra, f"only {closed} of {len(held)} idle sockets were refused"
        assert closed <= len(held) - hubserver.PER_IP_CONNECTIONS
    finally:
        for s in held:
            s.close()
    try:
        assert httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200
    finally:
        stop(proc)


def test_worker_guard_shares_the_total_and_keeps_the_timeouts():
    guard = hubserver.worker_guard(4)
    assert guard.total == hubserver.MAX_CONNECTIONS // 4 and guard.per_ip == hubserver.PER_IP_CONNECTIONS
    assert (guard.header_timeout, guard.body_timeout) == (hubserver.HEADER_TIMEOUT, hubserver.BODY_TIMEOUT)
    code = ("import os; os.environ['MOTCUA_HUB_WORKERS'] = '3'; from core.hub import worker_app; "
            "print(worker_app.GuardedProtocol.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stdout.strip() == "GuardedH11Protocol", done.stderr
