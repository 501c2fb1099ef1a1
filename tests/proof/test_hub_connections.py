"""The hub under idle and slow-header connections (issue 16), on loopback only, with bounded loops.

100 idle sockets and 100 sockets that sent half a request's headers are held open; a signed
sync and GET /api/v1/health from another client must still succeed, each request bounded by
a 5-second client timeout. Attackers bind other loopback addresses (127.0.0.2, 127.0.1.x) so
per-address limits can be told apart from the global ones.

Negative check: the previous serving configuration (uvicorn's `limit_concurrency=64`, no
header timeout) answers 503 under the same sockets.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from core.hub.app import create_app
from core.hub.server import ConnectionGuard, uvicorn_config
from core.sync import service
from core.sync.client import RetryPolicy
from tests.core.sync.harness import add_rows, free_port, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


ONCE = RetryPolicy(attempts=1, base=0.01, cap=0.05)
SLOW_HEADERS = b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nContent-Type: application/zip\r\nX-Slow: "


@contextlib.contextmanager
def serving(config: uvicorn.Config):
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "hub did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _guarded(hub, port, guard=None):
    config = uvicorn_config(create_app(hub.paths), "127.0.0.1", port, guard=guard, log_level="warning")
    return config


def _previous(hub, port):
    """How `hub serve` ran before this issue."""
    return uvicorn.Config(create_app(hub.paths), host="127.0.0.1", port=port, log_level="warning",
                          limit_concurrency=64, timeout_keep_alive=10, lifespan="off")


def _attack(port: int, sources: list[str], idle: int = 100, slow: int = 100) -> list[socket.socket]:
    socks = []
    for i in range(idle + slow):
        s = socket.socket()
        s.bind((sources[i % len(sources)], 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            if i >= idle:
                s.sendall(SLOW_HEADERS)
        except OSError:
            s.close()
            continue
        socks.append(s)
    return socks


def _close_all(socks):
    for s in socks:
        with contextlib.suppress(OSError):
            s.close()


def _sync_and_health(tmp_path, hub, url, code="21548"):
    commune = make_commune(tmp_path / f"xa{code}", code, hub, hub_url=url)
    try:
        add_rows(commune, 3)
        health = httpx.get(f"{url}/api/v1/health", timeout=5)
        summary = service.sync_now(commune.store, commune.paths, retry=ONCE, timeout=5)
        return health.status_code, summary
    finally:
        commune.close()


@pytest.mark.parametrize("spread", ["one_address", "many_addresses"])
def test_idle_and_slow_header_connections_do_not_stop_a_signed_sync(tmp_path, spread):
    hub = make_hub(tmp_path / "hub")
    port = free_port()
    sources = ["127.0.0.2"] if spread == "one_address" else [f"127.0.1.{i}" for i in range(1, 201)]
    with serving(_guarded(hub, port)) as url:
        socks = _attack(port, sources)
        try:
            status, summary = _sync_and_health(tmp_path, hub, url)
            assert status == 200
            assert summary.errors == [] and summary.sent == 1 and summary.acknowledged == 1
        finally:
            _close_all(socks)


def test_previous_configuration_fails_the_same_check(tmp_path):
    """Negative check: with `limit_concurrency=64` and no guard, the same sockets give 503."""
    hub = make_hub(tmp_path / "hub")
    port = free_port()
    with serving(_previous(hub, port)) as url:
        socks = _attack(port, [f"127.0.1.{i}" for i in range(1, 201)])
        try:
            assert httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 503
        finally:
            _close_all(socks)


def test_one_address_gets_at_most_its_share_of_connections(tmp_path):
    hub = make_hub(tmp_path / "hub")
    port = free_port()
    guard = ConnectionGuard(per_ip=8)
    with serving(_guarded(hub, port, guard)) as url:
        socks = _attack(port, ["127.0.0.3"], idle=30, slow=0)
        try:
            deadline = time.monotonic() + 5
            while guard.refused < 22 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert guard.refused == 22 and guard.by_ip.get("127.0.0.3") == 8
            assert httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200  # 127.0.0.1 unaffected
        finally:
            _close_all(socks)


def test_slow_headers_and_stalled_bodies_are_cut_off(tmp_path):
    hub = make_hub(tmp_path / "hub")
    port = free_port()
    guard = ConnectionGuard(header_timeout=1.0, body_timeout=1.0)
    with serving(_guarded(hub, port, guard)):
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        slow.sendall(SLOW_HEADERS)
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
        stalled.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nContent-Length: 100000\r\n\r\nPK\x03\x04")
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            assert slow.recv(1) == b""  # closed by the hub, well before the 10 s socket timeout
            assert idle.recv(1) == b""
            got = stalled.recv(4096)  # closed (b"") or answered after the body stalled; never left waiting
            assert got == b"" or got.startswith(b"HTTP/1.1")
            assert guard.timed_out >= 3
        finally:
            _close_all([slow, stalled, idle])


def test_behind_the_tls_proxy_the_session_cookie_is_secure(tmp_path):
    """`hub serve --behind-proxy`: X-Forwarded-Proto/-For from the proxy on 127.0.0.1 are believed, so the
    cookie is marked Secure (the browser reached the proxy over TLS)."""
    from core.hub import accounts
    from tests.core.hub.web_login import hidden_fields

    hub = make_hub(tmp_path / "hub")
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "xem", "viewer", "mat-khau-du-dai")
    port = free_port()
    config = uvicorn_config(create_app(hub.paths), "127.0.0.1", port, behind_proxy=True, log_level="warning")
    with serving(config) as url, httpx.Client(base_url=url) as proxy:
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        form = proxy.get("/login", headers=forwarded)
        assert "secure" in form.headers["set-cookie"].lower()
        # The browser sends its Secure cookie to the proxy over TLS; the proxy passes it on in plain HTTP.
        from core.hub.web.auth import LOGIN_COOKIE

        cookie = {"Cookie": f"{LOGIN_COOKIE}={form.cookies[LOGIN_COOKIE]}"}
        answer = proxy.post("/login", headers={**forwarded, **cookie},
                            data={**hidden_fields(form.text), "user": "xem", "password": "mat-khau-du-dai"})
        assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()
        plain = proxy.get("/login")  # the same hub reached without TLS: no Secure flag
        assert "secure" not in plain.headers["set-cookie"].lower()
