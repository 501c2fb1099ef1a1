"""Whether a window can be shown at all, decided before Qt is loaded.

Without a display (a server, an SSH session, a service) Qt's xcb plugin aborts the process
(SIGABRT) with an English message about libxcb-cursor0. The window path checks first and says
in one Vietnamese line what is missing instead. Windows and macOS always have a display.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = ("không tìm thấy màn hình để mở cửa sổ (không có DISPLAY hay WAYLAND_DISPLAY): "
              "hãy chạy trong phiên làm việc có giao diện đồ họa, hoặc dùng các lệnh dòng lệnh (--help).")


def missing_display(environ=None, platform: str | None = None) -> str | None:
    """The message to show when no window can be opened here, else None."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    if environ.get("QT_QPA_PLATFORM"):
        return None  # chosen on purpose (offscreen, vnc, wayland…): Qt decides
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY
