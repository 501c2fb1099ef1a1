"""Take a screenshot of every page of the main window, every tab and every dialog (for docs and for
looking at changes); the tabs and dialogs are listed in ui/screenshot_dialogs.py.

    python -m ui.screenshots --data-dir DIR --out docs/screenshots [--size 1366x768] [--pages tasks,sync]

Uses the demo workspace when DIR is empty; runs offscreen unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chụp màn hình các trang của cửa sổ chính")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--pages", default="")
    parser.add_argument("--settle-ms", type=int, default=1500)
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QTimer

    from core.paths import resolve_paths
    from ui.app import Startup, make_application

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))
    app = make_application()
    startup = Startup(app, resolve_paths(args.data_dir).ensure(), demo_mode=True, smoke=False)
    startup.window.resize(width, height)
    startup.start()
    from ui.screenshot_dialogs import screens

    pages = [p for p in args.pages.split(",") if p] or list(startup.window._slots)
    # Sidebar pages first, then every tab and dialog (ui/screenshot_dialogs.py) unless pages were chosen.
    wanted: list[tuple[str, object, object]] = [
        (key, (lambda window, k=key: window.open_page(k)), (lambda window: None)) for key in pages]
    if not args.pages:
        wanted += screens()
    saved: list[Path] = []
    failed: list[str] = []

    def shoot(index: int = 0) -> None:
        if not startup.ready:
            QTimer.singleShot(200, lambda: shoot(index))
            return
        if index >= len(wanted):
            app.quit()
            return
        name, prepare, make = wanted[index]
        try:
            prepare(startup.window)
        except Exception as exc:  # one screen that cannot be made must not stop the others
            failed.append(f"{name}: {exc!r}")
            QTimer.singleShot(0, lambda: shoot(index + 1))
            return

        def show() -> None:
            try:
                shown = make(startup.window)
            except Exception as exc:
                failed.append(f"{name}: {exc!r}")
                shoot(index + 1)
                return
            QTimer.singleShot(args.settle_ms if shown is not None else 0, lambda: grab(shown))

        def grab(shown) -> None:
            path = out / f"{name}.png"
            (shown if shown is not None else startup.window).grab().save(str(path))
            saved.append(path)
            if shown is not None:
                shown.close()
            shoot(index + 1)

        QTimer.singleShot(args.settle_ms, show)

    QTimer.singleShot(0, shoot)
    app.exec()
    startup.bg.close()
    for path in saved:
        print(path)
    for problem in failed:
        print(f"Không chụp được {problem}", file=sys.stderr)
    return 0 if len(saved) == len(wanted) else 1


if __name__ == "__main__":
    sys.exit(main())
