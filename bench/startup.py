"""Start-up and idle-memory budgets of the foundation.

- `main.py --smoke` on the demo workspace vs a bare PySide6 window that shows and quits
  (budget: at most 1.5x), medians of alternating runs in the same session.
- Peak memory of the idle main window with the demo data, every page visited (budget: < 250 MB).

Both are timed as installed: the app's modules compiled to bytecode first (pip and PyInstaller
compile them; PySide6's already are). Without it, a shell with PYTHONDONTWRITEBYTECODE=1 makes
every start compile ~25 of our modules from source (~6 ms), a cost no installed copy pays.
One untimed run of each comes first: the first start pays for the disk cache, not for the app.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.common import ROOT, python, report, run_child


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 9
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = Path(tmp) / "demo"
        subprocess.run([python(), "main.py", "demo-data", "--data-dir", str(demo_dir)], cwd=ROOT, check=True,
                       capture_output=True)
        compileall.compile_file(str(ROOT / "main.py"), quiet=1)
        for package in ("core", "db", "ui"):
            compileall.compile_dir(str(ROOT / package), quiet=1)
        run_child([python(), "bench/bare_window.py"])
        run_child([python(), "main.py", "--smoke", "--data-dir", str(demo_dir)])
        app_times, bare_times = [], []
        for _ in range(rounds):
            seconds, _, code = run_child([python(), "bench/bare_window.py"])
            assert code == 0
            bare_times.append(seconds)
            seconds, _, code = run_child([python(), "main.py", "--smoke", "--data-dir", str(demo_dir)])
            assert code == 0, "smoke run failed"
            app_times.append(seconds)
        report("startup: main.py --smoke (demo workspace), median", statistics.median(app_times), "s",
               statistics.median(bare_times), "bare PySide6 window", "<= 1.5x")

        out = subprocess.run([python(), "bench/idle_window.py", str(demo_dir)], cwd=ROOT, capture_output=True,
                             text=True, env={"QT_QPA_PLATFORM": "offscreen", **dict(__import__("os").environ)})
        idle_mb = float(out.stdout.strip().splitlines()[-1])
        _, bare_mb, _ = run_child([python(), "bench/bare_window.py"])
        report("memory: idle main window, demo data, all pages visited (peak RSS)", idle_mb, "MB",
               bare_mb, "bare PySide6 window", "< 250 MB")


if __name__ == "__main__":
    main()
