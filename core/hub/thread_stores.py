"""One hub connection per request thread, handed on to the next thread when its thread ends.

The server runs each request of a synchronous route on a thread of its pool; a connection (an
SQLite handle, a PostgreSQL session) is used by one thread at a time. Each thread keeps its own,
reused across its requests. The pool retires threads idle for a while and starts new ones under
load; a thread that ends leaves its connection here for the next new thread instead of that
thread opening one (measured on PostgreSQL under uploads, issue 19: 0.3–0.6 s inside a page view,
with the schema check `open_hub` makes).
"""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class _Holder:
    """Lives in a thread's `threading.local` exactly as long as the thread does."""


class ThreadStores(Generic[T]):
    def __init__(self, open_store: Callable[[], T]):
        self._open = open_store
        self._local = threading.local()
        self._idle: list[T] = []
        self._lock = threading.Lock()

    def __call__(self) -> T:
        store = getattr(self._local, "store", None)
        if store is None:
            with self._lock:
                store = self._idle.pop() if self._idle else None
            if store is None:
                store = self._open()
            self._local.store = store
            # The thread's `local` is dropped when it ends: the finalizer gives the store back then,
            # so a store is never in the hands of two live threads.
            self._local.holder = _Holder()
            weakref.finalize(self._local.holder, self._give_back, store)
        return store

    def _give_back(self, store: T) -> None:
        with self._lock:
            self._idle.append(store)

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)
