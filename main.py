"""Một Cửa Xã — entry point. Wires the command line (core.cli) to the GUI (ui.app)."""

from __future__ import annotations

import sys


def _run_gui(args, *, end_process: bool = False) -> int:
    from core.opener import WorkspaceOpener
    from core.paths import resolve_paths

    # The database opens on its own thread while Qt loads (see core/opener.py).
    opener = WorkspaceOpener(resolve_paths(args.data_dir, demo=args.demo).ensure())
    from ui.app import end_gui_process, run_gui

    code = run_gui(args, opener=opener)
    if end_process:
        end_gui_process(code)  # does not return
    return code


def main(argv: list[str] | None = None, *, end_process: bool = False) -> int:
    """`end_process`: once the window has closed, end the process at once (see
    ui.app.end_gui_process) — for the real executable, not for callers that go on."""
    from core.cli import run

    return run(argv, gui=lambda args: _run_gui(args, end_process=end_process))


if __name__ == "__main__":
    sys.exit(main(end_process=True))
