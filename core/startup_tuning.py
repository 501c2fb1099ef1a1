"""Interpreter settings for the few hundred milliseconds between launch and the first frame.

- The cyclic garbage collector stays off: start-up allocates many objects that all live on
  (modules, Qt wrappers), and collecting would only walk them again and again.
- Threads take turns on the GIL every 0.5 ms instead of 5 ms: the workspace opens on its
  own thread while the UI thread loads Qt, and with the default interval the UI thread keeps
  the GIL so long that the database is still opening after the window has painted.

`begin()` is called by main.py when it starts the window; `end()` by the window once it has
painted (ui.app), and it restores what was there before. Both are idempotent.
"""

from __future__ import annotations

import gc
import sys

STARTUP_SWITCH_INTERVAL = 0.0005
_saved: tuple[bool, float] | None = None


def begin() -> None:
    global _saved
    if _saved is None:
        _saved = (gc.isenabled(), sys.getswitchinterval())
        gc.disable()
        sys.setswitchinterval(STARTUP_SWITCH_INTERVAL)


def end() -> None:
    global _saved
    if _saved is not None:
        gc_was_enabled, interval = _saved
        _saved = None
        sys.setswitchinterval(interval)
        if gc_was_enabled:
            gc.enable()


def active() -> bool:
    return _saved is not None
