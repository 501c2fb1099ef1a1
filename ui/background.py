"""Work off the UI thread, reported back by signal — after Anki's `operations/`.

Two lanes:
- `db`: one dedicated thread owning the workspace's Store. Every database call
  goes here, so writes are serialised and the connection is never shared.
- `io`: a small pool for files, PDF rendering and network calls.

Callbacks always run on the UI thread. A failure without its own handler opens
the error dialog; nothing is swallowed.
"""

from __future__ import annotations

import itertools
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

if TYPE_CHECKING:  # the database modules load on the database thread, not at start-up
    from db.store import Store

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]
Progress = Callable[[int, int, str], None]


class _JobSignals(QObject):
    finished = Signal(int, object, object)  # job id, result, error
    progress = Signal(int, int, int, str)  # job id, done, total, text


class _Job(QRunnable):
    def __init__(self, job_id: int, work: Callable[[], Any], signals: _JobSignals):
        super().__init__()
        self.job_id = job_id
        self.work = work
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # reported to the UI thread, never lost
            self.signals.finished.emit(self.job_id, None, exc)
        else:
            self.signals.finished.emit(self.job_id, result, None)


class Background(QObject):
    busy_changed = Signal(bool)
    shut_down = Signal()  # close() was called: nothing more is taken (timers that submit work stop)

    def __init__(self, open_store: Callable[[], Store], parent: QObject | None = None,
                 default_failure: Failure | None = None):
        super().__init__(parent)
        self._open_store = open_store
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self._db_pool = QThreadPool(self)
        self._db_pool.setMaxThreadCount(1)
        self._db_pool.setExpiryTimeout(-1)
        self._io_pool = QThreadPool(self)
        self._io_pool.setMaxThreadCount(3)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Success | None, Failure | None, Progress | None]] = {}
        self._cancellable: dict[int, _Job] = {}
        self._signals = _JobSignals()
        self._signals.finished.connect(self._on_finished)
        self._signals.progress.connect(self._on_progress)
        self.default_failure = default_failure
        self._closed = False

    # -- public API ----------------------------------------------------------------
    def db(self, fn: Callable[["Store"], Any], on_success: Success | None = None,
           on_failure: Failure | None = None) -> int:
        """Run `fn(store)` on the database thread."""
        return self._submit(self._db_pool, lambda: fn(self._thread_store()), on_success, on_failure, None)

    def read(self, fn: Callable[["Store"], Any], on_success: Success | None = None,
             on_failure: Failure | None = None) -> int:
        """Like `db`, for a query that only refreshes what is shown: dropped if the app
        quits before it starts. Never use it for a write."""
        return self._submit(self._db_pool, lambda: fn(self._thread_store()), on_success, on_failure, None,
                            cancellable=True)

    def io(self, fn: Callable[[Callable[[int, int, str], None]], Any], on_success: Success | None = None,
           on_failure: Failure | None = None, on_progress: Progress | None = None) -> int:
        """Run `fn(report)` on the I/O pool; `report(done, total, text)` sends progress."""
        job_id = next(self._ids)

        def report(done: int, total: int, text: str = "") -> None:
            self._signals.progress.emit(job_id, done, total, text)

        return self._submit(self._io_pool, lambda: fn(report), on_success, on_failure, on_progress, job_id)

    def db_exclusive(self, fn: Callable[[], Any], on_success: Success | None = None,
                     on_failure: Failure | None = None) -> int:
        """Close the database, run `fn()` (e.g. a restore that replaces the file), reopen lazily."""

        def work():
            with self._store_lock:
                if self._store is not None:
                    self._store.close()
                    self._store = None
            return fn()

        return self._submit(self._db_pool, work, on_success, on_failure, None)

    def pending(self) -> int:
        return len(self._callbacks)

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until both lanes are empty (shutdown and tests only)."""
        return self._db_pool.waitForDone(timeout_ms) and self._io_pool.waitForDone(timeout_ms)

    @property
    def is_closed(self) -> bool:
        return self._closed

    def close(self, timeout_ms: int = 30_000) -> None:
        """Finish queued work, then close the database on its own thread."""
        if self._closed:
            return
        self._closed = True
        self.shut_down.emit()
        for job_id, job in list(self._cancellable.items()):
            if self._db_pool.tryTake(job):
                self._callbacks.pop(job_id, None)
        self._cancellable.clear()
        self._io_pool.waitForDone(timeout_ms)

        def close_store():
            with self._store_lock:
                if self._store is not None:
                    self._store.close()
                    self._store = None

        self._db_pool.start(_Job(0, close_store, self._signals))
        self._db_pool.waitForDone(timeout_ms)

    # -- internals -----------------------------------------------------------------
    def _thread_store(self) -> Store:
        with self._store_lock:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def _submit(self, pool: QThreadPool, work, on_success, on_failure, on_progress, job_id=None,
                cancellable: bool = False) -> int:
        if self._closed:
            raise RuntimeError("background runner is closed")
        job_id = job_id or next(self._ids)
        was_idle = not self._callbacks
        self._callbacks[job_id] = (on_success, on_failure, on_progress)
        if was_idle:
            self.busy_changed.emit(True)
        job = _Job(job_id, work, self._signals)
        if cancellable:
            job.setAutoDelete(False)  # kept alive here so close() can take it back from the queue
            self._cancellable[job_id] = job
        pool.start(job)
        return job_id

    @Slot(int, object, object)
    def _on_finished(self, job_id: int, result: Any, error: BaseException | None) -> None:
        if job_id == 0:
            return
        self._cancellable.pop(job_id, None)
        on_success, on_failure, _ = self._callbacks.pop(job_id, (None, None, None))
        if not self._callbacks:
            self.busy_changed.emit(False)
        try:
            if error is None:
                if on_success is not None:
                    on_success(result)
            elif on_failure is not None:
                on_failure(error)
            elif self.default_failure is not None:
                self.default_failure(error)
            else:
                log.error("background job failed", exc_info=(type(error), error, error.__traceback__))
        except Exception as callback_error:  # a broken callback must not kill the event loop
            if self.default_failure is not None:
                self.default_failure(callback_error)
            else:
                raise

    @Slot(int, int, int, str)
    def _on_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        _, _, on_progress = self._callbacks.get(job_id, (None, None, None))
        if on_progress is not None:
            on_progress(done, total, text)
