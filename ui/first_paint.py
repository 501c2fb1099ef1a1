"""Run something once a widget has painted for the first time.

The first frame should carry only what the eye needs; whatever can wait (shortcuts, extra
fonts, the window icon, the smoke run's exit) goes after it. A zero-timer is not enough:
Qt may run it before the paint it was meant to follow.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

_PAINT_EVENTS = (QEvent.Type.Paint, QEvent.Type.UpdateRequest)


class FirstPaintWatch(QObject):
    """Calls `callback` once, on the next turn of the event loop after `widget`'s first paint."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]):
        super().__init__(widget)
        self._widget = widget
        self._callback = callback
        self.fired = False
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
        if not self.fired and event.type() in _PAINT_EVENTS:
            self.fired = True
            self._widget.removeEventFilter(self)  # no Python call for every later event
            QTimer.singleShot(0, self._callback)
        return False
