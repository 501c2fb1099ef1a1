"""Uploads in flight are on disk, not in the hub's memory (issue 16: 8 held 60 MB uploads took the
hub from 82 to 646 MB). A real `hub serve` in a child process; 8 clients each declare 60 MB, send
24 MB and hold; the hub's resident memory is read from /proc before and while they hold.

Negative check (run by hand when this was written): with `core.hub.limits.spool` also keeping each
chunk in a list, the same test fails — the hub's RSS rose from 97 to 311 MB."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.core.sync.harness import free_port, make_hub

ROOT = Path(__file__).resolve().parents[2]
# Linux only: under Wine a Windows Python sees the host's /proc (drive Z:), but not its own pids in it.
pytestmark = [pytest.mark.skipif(sys.platform != "linux" or not Path("/proc/self/status").exists(),
                                reason="reads the hub's resident memory from Linux's /proc"),
              pytest.mark.usefixtures("hub_database")]  # every test on both hub stores (tests/conftest.py)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_eight_held_uploads_stay_on_disk(tmp_path):
    hub = make_hub(tmp_path / "hub")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "serve", "--data-dir",
                               str(hub.paths.root), "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socks = []
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        before = _rss_mb(server.pid)
        chunk = b"PK\x03\x04" + os.urandom(1024 * 1024 - 4)
        for i in range(8):
            s = socket.socket()
            s.bind((f"127.0.2.{i + 1}", 0))  # one client per address, as eight communes would be
            s.connect(("127.0.0.1", port))
            s.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nContent-Type: application/zip\r\n"
                      + f"Content-Length: {60 * 1024 * 1024}\r\n\r\n".encode())
            for _ in range(24):
                s.sendall(chunk)
            socks.append(s)
        time.sleep(1.0)  # the hub has read what was sent (the kernel buffers are small beside 24 MB)
        spooled = sum(p.stat().st_size for p in (hub.paths.tmp_dir).glob("upload-*.zip"))
        during = _rss_mb(server.pid)
        assert spooled >= 8 * 20 * 1024 * 1024  # the bytes are in the temporary files…
        assert during - before < 60, (before, during)  # …not in memory (held whole, 8 x 24 MB = 192 MB)
        assert httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200
    finally:
        for s in socks:
            s.close()
        server.terminate()
        server.wait(timeout=30)
