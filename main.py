"""Một Cửa Xã — entry point. Wires the command line (core.cli) to the GUI (ui.app)."""

from __future__ import annotations

import sys


def _run_gui(args) -> int:
    from core.opener import WorkspaceOpener
    from core.paths import resolve_paths

    # The database opens on its own thread while Qt loads (see core/opener.py).
    opener = WorkspaceOpener(resolve_paths(args.data_dir, demo=args.demo).ensure())
    from ui.app import run_gui

    return run_gui(args, opener=opener)


def main(argv: list[str] | None = None) -> int:
    from core.cli import run

    return run(argv, gui=_run_gui)


if __name__ == "__main__":
    sys.exit(main())
