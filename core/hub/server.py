"""Serving the hub on an untrusted network: connection and request limits under uvicorn.

uvicorn's h11 server waits for a request's headers and body for ever, and its only guard,
`limit_concurrency`, counts idle connections too — 64 idle sockets made it answer 503 to
everyone. Here instead (`GuardedH11Protocol`, uvicorn's own protocol with these checks):

- **per-address connections**: at most `per_ip_connections` open sockets from one address; one
  more is closed as it opens (others are not affected);
- **all connections**: at most `max_connections`; beyond it a new socket is closed at once;
- **header timeout**: a connection must deliver a request's complete headers within
  `header_timeout` seconds of its first byte (or of opening), else it is closed — so slow-header
  ("slowloris") and idle sockets are dropped, and the keep-alive timeout covers the time between
  requests;
- **body timeout**: while a request's body is still arriving, `body_timeout` seconds without a
  byte closes the connection;
- headers are capped at 16 KiB (`h11_max_incomplete_event_size`).

`RateLimitMiddleware` bounds requests per second from one address (token bucket, 429 +
Retry-After). No `limit_concurrency` is set: idle sockets no longer count against anyone.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
PER_IP_CONNECTIONS = 32
MAX_CONNECTIONS = 2000
MAX_HEADER_BYTES = 16 * 1024
REQUESTS_PER_SECOND = 20.0
REQUEST_BURST = 80
# Where every commune reaches the hub through one shared address (a provincial network behind one
# NAT), the operator raises the per-address rate, or lifts it with 0.
RATE_ENV = "MOTCUA_HUB_REQUESTS_PER_SECOND"


def requests_per_second() -> float:
    """Requests per second allowed from one client address: `MOTCUA_HUB_REQUESTS_PER_SECOND` when
    set (0: no limit), else REQUESTS_PER_SECOND. Raises UserInputError for anything else."""
    from core.errors import UserInputError

    text = os.environ.get(RATE_ENV, "").strip()
    if not text:
        return REQUESTS_PER_SECOND
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e6:  # also NaN
        raise UserInputError(f"{RATE_ENV} phải là một số không âm (số yêu cầu mỗi giây từ một địa chỉ; 0 là không "
                             f"giới hạn), không phải “{text[:20]}”.")
    return value


class ConnectionGuard:
    """Counts shared by every connection of one server."""

    def __init__(self, *, per_ip: int = PER_IP_CONNECTIONS, total: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT):
        self.per_ip, self.total = per_ip, total
        self.header_timeout, self.body_timeout = header_timeout, body_timeout
        self.by_ip: dict[str, int] = defaultdict(int)
        self.open = 0
        self.refused = 0
        self.timed_out = 0


def guarded_protocol(guard: ConnectionGuard) -> type:
    class GuardedH11Protocol(H11Protocol):
        _guard_ip: str | None = None
        _header_timer: asyncio.TimerHandle | None = None
        _body_timer: asyncio.TimerHandle | None = None
        _last_data = 0.0
        _awaiting_headers_since_cycle = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            ip = self.client[0] if self.client else "?"
            if guard.by_ip[ip] >= guard.per_ip or guard.open >= guard.total:
                guard.refused += 1
                transport.abort()
                return
            self._guard_ip = ip
            guard.by_ip[ip] += 1
            guard.open += 1
            self._arm_header_timer()

        def connection_lost(self, exc) -> None:
            if self._guard_ip is not None:
                guard.by_ip[self._guard_ip] -= 1
                if guard.by_ip[self._guard_ip] <= 0:
                    del guard.by_ip[self._guard_ip]
                guard.open -= 1
                self._guard_ip = None
            self._cancel_timers()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            self._last_data = time.monotonic()
            cycle_before = self.cycle
            super().data_received(data)
            if self.cycle is not cycle_before:  # a request's headers are complete
                if self._header_timer is not None:
                    self._header_timer.cancel()
                    self._header_timer = None
                if self.cycle is not None and self.cycle.more_body:
                    self._arm_body_timer()
            elif self.conn.their_state is h11.IDLE and self._header_timer is None:
                # Bytes of the next request's headers on a kept-alive connection: the clock starts now.
                self._arm_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Idle until the next request: uvicorn's keep-alive timeout applies.

        # -- timers ---------------------------------------------------------------------------
        def _arm_header_timer(self) -> None:
            self._header_timer = self.loop.call_later(guard.header_timeout, self._header_deadline, self.cycle)

        def _header_deadline(self, cycle_then) -> None:
            self._header_timer = None
            if self.cycle is cycle_then and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                guard.timed_out += 1
                self.transport.close()

        def _arm_body_timer(self) -> None:
            self._body_timer = self.loop.call_later(guard.body_timeout, self._body_deadline)

        def _body_deadline(self) -> None:
            self._body_timer = None
            cycle = self.cycle
            if cycle is None or not cycle.more_body or self.transport.is_closing():
                return
            idle = time.monotonic() - self._last_data
            if idle >= guard.body_timeout and not self.flow.read_paused:
                guard.timed_out += 1
                self.transport.close()
            else:
                self._body_timer = self.loop.call_later(max(guard.body_timeout - idle, 1.0), self._body_deadline)

        def _cancel_timers(self) -> None:
            for timer in (self._header_timer, self._body_timer):
                if timer is not None:
                    timer.cancel()
            self._header_timer = self._body_timer = None

    return GuardedH11Protocol


class RateLimitMiddleware:
    """Requests per second from one client address (token bucket); over it: 429 with Retry-After."""

    def __init__(self, app, rate: float = REQUESTS_PER_SECOND, burst: int = REQUEST_BURST):
        self.app, self.rate, self.burst = app, rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ip = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        tokens, last = self.buckets.get(ip, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self.buckets[ip] = (tokens, now)
            body = json.dumps({"reason": "rate_limited", "message": "Quá nhiều yêu cầu; hãy thử lại sau ít giây."},
                              ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", b"2"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.buckets[ip] = (tokens - 1.0, now)
        if len(self.buckets) > 10_000:  # forget the quiet ones
            for key in [k for k, (_t, at) in self.buckets.items() if now - at > 60][:5000]:
                del self.buckets[key]
        return await self.app(scope, receive, send)


def worker_guard(workers: int, *, behind_proxy: bool = False) -> ConnectionGuard:
    """The guard of one of `workers` worker processes (core.hub.serving): the same timeouts and header
    cap; the total connection cap divided among the workers (the machine-wide total stays
    MAX_CONNECTIONS); the per-address cap counted on this worker's own sockets."""
    total = max(1, MAX_CONNECTIONS // max(1, workers))
    return ConnectionGuard(per_ip=total if behind_proxy else PER_IP_CONNECTIONS, total=total)


def uvicorn_config(app, host: str, port: int, *, guard: ConnectionGuard | None = None, ssl_certfile=None,
                   ssl_keyfile=None, behind_proxy: bool = False, log_level: str = "info", http=None, **extra):
    """uvicorn's settings for the hub. `app` is the app, or an import string for worker processes;
    `http` then names the guarded protocol class to import in each worker (core.hub.worker_app)."""
    import uvicorn

    if http is None:
        if guard is None:
            # Behind the reverse proxy every socket comes from the proxy's own address: the per-address
            # connection cap is the proxy's job there (docs/DEPLOY_HUB.md: limit_conn), the total stays.
            guard = ConnectionGuard(per_ip=MAX_CONNECTIONS) if behind_proxy else ConnectionGuard()
        http = guarded_protocol(guard)
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http=http,
                          h11_max_incomplete_event_size=MAX_HEADER_BYTES, timeout_keep_alive=10,
                          proxy_headers=behind_proxy, forwarded_allow_ips="127.0.0.1,::1" if behind_proxy else None,
                          ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile, lifespan="off", **extra)
