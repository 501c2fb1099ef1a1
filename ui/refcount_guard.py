"""Work around a reference-count bug of PySide6 6.12 on CPython 3.11.

Measured here: every call from Python of a Qt method returning void drops one reference
to `None` (QLabel.setText, QWidget.setVisible, processEvents…), and `Signal.emit` drops one
to `True`. On 3.11 these objects are not immortal (they are from 3.12, PEP 683): after some
thousands of calls their count reaches zero and the process aborts with
"Fatal Python error: none_dealloc" (or bool_dealloc) — in a long session, or at exit.

Reproduce: call `QLabel().setText("x")` in a loop and watch `sys.getrefcount(None)` fall by one
per call. `install()` lifts the counts of None, True and False far out of reach (2**40 calls),
which is what immortality does on 3.12. Call it once, first thing after QApplication exists
(ui.app.make_application does). pyproject.toml keeps PySide6 below 6.12 for the same reason;
the guard stays as a second line of defence for an installation that has 6.12 anyway.
"""

from __future__ import annotations

import sys

_MARGIN = 1 << 40
_installed = False


def affected() -> bool:
    """Whether the PySide6 in use has the bug (6.12 on; 6.11.x and earlier do not)."""
    import PySide6

    return tuple(PySide6.__version_info__[:2]) >= (6, 12)


def install() -> None:
    global _installed
    if _installed or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if not affected():
        return
    import ctypes

    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += _MARGIN
    _installed = True
