"""The sync tests' flaky loopback proxy, plus duplicated requests.

`tests/core/sync/flaky_proxy.FlakyProxy` drops connections, stalls them, or forwards a request
and cuts the line before the answer. `ChaosProxy` adds `duplicate`: the whole request is sent
to the hub twice at the same moment over two connections (a retrying middlebox, a double
click), and the commune gets the first answer. Still seeded, bounded (`max_faults` counts all
four kinds) and on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio

from tests.core.sync.flaky_proxy import FlakyProxy


class ChaosProxy(FlakyProxy):
    def __init__(self, target_port: int, *, duplicate_rate: float = 0.2, **kwargs):
        super().__init__(target_port, **kwargs)
        self.duplicate_rate = duplicate_rate
        self.faults["duplicate"] = 0
        self.forwarded = 0
        self._next: str | None = None

    def _choose(self) -> str:
        if self._next is not None:  # decided in _handle below, before the parent asks
            mode, self._next = self._next, None
            return mode
        mode = super()._choose()
        if mode == "forward" and self.total_faults < self.max_faults and self.rng.random() < self.duplicate_rate:
            self.faults["duplicate"] += 1
            return "duplicate"
        if mode == "forward":
            self.forwarded += 1
        return mode

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self._choose()
        if mode == "duplicate":
            await self._duplicate(reader, writer)
            return
        self._next = mode  # the parent's _handle calls _choose first thing, before any await
        await super()._handle(reader, writer)

    async def _duplicate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_message(reader)
            answers = await asyncio.gather(self._send(request), self._send(request), return_exceptions=True)
            first = next((a for a in answers if isinstance(a, bytes)), None)
            if first:
                writer.write(first)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ValueError):
            pass
        finally:
            writer.close()

    async def _send(self, request: bytes) -> bytes:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        try:
            up_writer.write(request)
            await up_writer.drain()
            return await asyncio.wait_for(_read_message(up_reader), timeout=60)
        finally:
            up_writer.close()


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    """One HTTP/1.1 request or response with a Content-Length body (what httpx and uvicorn send here)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            raise ValueError("chunked bodies are not duplicated")
    body = await reader.readexactly(length) if length else b""
    return head + body
