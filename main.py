"""Một Cửa Xã — entry point. Wires the command line (core.cli) to the GUI (ui.app)."""

from __future__ import annotations

import sys


def _run_gui(args) -> int:
    from ui.app import run_gui

    return run_gui(args)


def main(argv: list[str] | None = None) -> int:
    from core.cli import run

    return run(argv, gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
