"""Một Cửa Xã — entry point. Wires the command line (core.cli) to the GUI (ui.app)."""

from __future__ import annotations

import sys


def _run_gui(args, *, end_process: bool = False) -> int:
    from core.display import missing_display

    problem = missing_display()
    if problem:  # before Qt, which would abort the process with its own English message
        print(f"Lỗi: {problem}", file=sys.stderr)
        return 2
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
    from core.console import make_standard_streams_safe
    from core.gui_args import parse_window_args

    make_standard_streams_safe()  # before anything prints: cp1252/cp1258 pipes cannot carry Vietnamese
    argv = sys.argv[1:] if argv is None else list(argv)
    window_args = parse_window_args(argv)
    if window_args is not None:  # just the window: no argparse, no command modules
        if end_process:
            from core import startup_tuning

            startup_tuning.begin()  # undone by the window once it has painted
        return _run_gui(window_args, end_process=end_process)
    from core.cli import run

    return run(argv, gui=lambda args: _run_gui(args, end_process=end_process))


if __name__ == "__main__":
    sys.exit(main(end_process=True))
