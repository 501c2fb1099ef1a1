"""A TCP proxy on loopback that misbehaves at random (seeded, bounded) for sync tests.

Per connection it either forwards faithfully, drops it at once, stalls then drops,
or forwards the request and drops the connection before the answer (the hub
applied the bundle but the commune never heard back). After `max_faults`
misbehaviours it forwards everything, so a test can wait for things to settle.
"""

from __future__ import annotations

import asyncio
import random
import threading


class FlakyProxy:
    def __init__(self, target_port: int, *, seed: int = 7, fault_rate: float = 0.5, max_faults: int = 25,
                 stall_seconds: float = 1.5):
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.max_faults = max_faults
        self.stall_seconds = stall_seconds
        self.faults: dict[str, int] = {"drop": 0, "stall": 0, "cut_answer": 0}
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "FlakyProxy":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def total_faults(self) -> int:
        return sum(self.faults.values())

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _choose(self) -> str:
        if self.total_faults >= self.max_faults or self.rng.random() >= self.fault_rate:
            return "forward"
        mode = self.rng.choice(["drop", "stall", "cut_answer"])
        self.faults[mode] += 1
        return mode

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self._choose()
        try:
            if mode == "drop":
                return
            if mode == "stall":
                await asyncio.sleep(self.stall_seconds)
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            try:
                if mode == "cut_answer":
                    await self._forward_one_request_then_cut(reader, up_reader, up_writer)
                    return
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                up_writer.close()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()

    async def _forward_one_request_then_cut(self, reader, up_reader, up_writer) -> None:
        # Forward the request; once the hub starts answering, it has applied it: cut the line.
        forward = asyncio.ensure_future(self._pipe(reader, up_writer))
        try:
            await asyncio.wait_for(up_reader.read(1), timeout=30)
        finally:
            forward.cancel()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await source.read(65536)
                if not data:
                    break
                sink.write(data)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            try:
                sink.close()
            except Exception:  # noqa: BLE001 - already closed
                pass
