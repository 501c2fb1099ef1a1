"""Online/offline as a hint from the operating system (QNetworkInformation).

It is only a hint: a captive portal looks "online". Sync confirms with a health
request to the hub before it counts the province as reachable.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation


def running_under_wine() -> bool:
    """True inside Wine (the Windows build's test bed on Linux): ntdll exports wine_get_version."""
    if sys.platform != "win32":
        return False
    try:
        import ctypes

        return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")
    except (OSError, AttributeError):
        return False


class NetworkStatus(QObject):
    changed = Signal(str)  # "online" / "offline" / "unknown"
    came_back = Signal()  # offline -> online: a good moment to try sending

    def __init__(self, parent=None):
        super().__init__(parent)
        self._info = None
        self._last = "unknown"
        try:
            # Qt's only Windows backend (Network List Manager, COM) never returns under Wine 8:
            # loadDefaultBackend() spins holding the GIL and freezes the window. Real Windows
            # answers at once; under Wine the hint simply stays "unknown".
            if not running_under_wine() and QNetworkInformation.loadDefaultBackend():
                self._info = QNetworkInformation.instance()
        except Exception:  # no backend on this platform: stay "unknown"
            self._info = None
        if self._info is not None:
            self._info.reachabilityChanged.connect(lambda *_: self._update())
            self._last = self.state()

    def state(self) -> str:
        if self._info is None:
            return "unknown"
        reach = self._info.reachability()
        if reach == QNetworkInformation.Reachability.Online:
            return "online"
        if reach in (QNetworkInformation.Reachability.Disconnected, QNetworkInformation.Reachability.Local):
            return "offline"
        return "unknown"

    def _update(self) -> None:
        state = self.state()
        if state != self._last:
            if state == "online" and self._last != "online":
                self.came_back.emit()
            self._last = state
            self.changed.emit(state)
