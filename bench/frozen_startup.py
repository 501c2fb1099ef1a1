"""Start-up budget of the frozen app: `MotCuaXa --smoke` at most 1.3x a frozen bare PySide6 window.

Both are frozen by build/build.py with the same spec and excludes (the baseline is
bench/bare_window.py: a QMainWindow that shows and quits after its first paint), then run
alternately in the same session, Qt offscreen; the medians are compared. The app runs on
the demo workspace (made by the frozen app itself), so the figure includes opening a real
database.

    python -m bench.frozen_startup [--quick] [--app-dir dist/MotCuaXa] [--bare-dir DIR]

Without --app-dir / --bare-dir both are built into a temporary folder first (2–4 minutes).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, report, run_child

BUDGET = 1.3


def _build_module():
    spec = importlib.util.spec_from_file_location("motcua_build_script", ROOT / "build" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 9")
    parser.add_argument("--app-dir", type=Path, help="an existing one-folder build of the app")
    parser.add_argument("--bare-dir", type=Path, help="an existing one-folder build of bench/bare_window.py")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 9
    build = _build_module()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app_dir = args.app_dir or build.build(tmp / "dist", tmp / "work-app", make_zips=False)["folder"]
        bare_dir = args.bare_dir or build.build(tmp / "dist", tmp / "work-bare", make_zips=False,
                                               entry="bench/bare_window.py", name="BareWindow")["folder"]
        app = app_dir / build.executable_name()
        cli = app_dir / build.cli_executable_name()
        bare = bare_dir / build.executable_name("BareWindow")
        demo = tmp / "demo"
        subprocess.run([str(cli), "demo-data", "--data-dir", str(demo)], check=True, capture_output=True)
        # One untimed run each: the first start pays for the disk cache, not for the app.
        run_child([str(bare)])
        run_child([str(app), "--smoke", "--data-dir", str(demo)])
        app_times, bare_times = [], []
        for _ in range(rounds):
            seconds, _, code = run_child([str(bare)])
            assert code == 0, "frozen bare window failed"
            bare_times.append(seconds)
            seconds, _, code = run_child([str(app), "--smoke", "--data-dir", str(demo)])
            assert code == 0, "frozen smoke run failed"
            app_times.append(seconds)
        report(f"startup: frozen MotCuaXa --smoke (demo workspace), median of {rounds}",
               statistics.median(app_times), "s", statistics.median(bare_times), "frozen bare PySide6 window",
               f"<= {BUDGET}x")
        print(f"app runs: {', '.join(f'{t:.3f}' for t in app_times)}")
        print(f"bare runs: {', '.join(f'{t:.3f}' for t in bare_times)}")
        size = build.mb(build.folder_size(app_dir))
        report("size: frozen one-folder build (Linux)", size, "MB", budget=f"< {build.FOLDER_BUDGET_MB} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
