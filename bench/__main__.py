"""Run every benchmark in bench/ and write one machine-readable summary.

    python -m bench [--quick] [--only NAME ...] [--skip NAME ...] [--out FILE]

Each benchmark module (`bench/<name>.py` with a `main()`) runs in its own child process
(`python -m bench.<name> [--quick]`), so one that fails or runs out of time does not stop the
rest. Figures go to the console as the benchmarks print them (figure, in-run baseline, ratio,
budget) and, through `bench.common.report`, into a JSON summary with the machine they ran on.
`python bench/report.py` turns the summary into the table at the top of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import ROOT
from bench.machine import machine_info

BENCH_DIR = Path(__file__).resolve().parent
# Helpers and child scripts that are not benchmarks of their own.
NOT_BENCHMARKS = {"__main__", "__init__", "common", "machine", "report", "bare_window", "idle_window"}
# Run last and only in full mode: builds the frozen app twice (~3 minutes), needs PyInstaller.
FULL_ONLY = {"frozen_startup"}
# A benchmark that has not finished by then is stopped and reported as such.
TIME_LIMIT = {"quick": 150, "full": 1800}


def discover() -> list[str]:
    names = []
    for path in sorted(BENCH_DIR.glob("*.py")):
        name = path.stem
        if name in NOT_BENCHMARKS:
            continue
        if "def main(" in path.read_text(encoding="utf-8"):
            names.append(name)
    # Frozen start-up last: it is the longest and depends on PyInstaller.
    return sorted(names, key=lambda n: (n in FULL_ONLY, n))


def _pyinstaller_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("PyInstaller") is not None


def run_one(name: str, quick: bool, results_file: Path) -> dict:
    mode = "quick" if quick else "full"
    args = [sys.executable, "-m", f"bench.{name}"] + (["--quick"] if quick else [])
    env = {**os.environ, "BENCH_RESULTS": str(results_file), "BENCH_NAME": name,
           "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    print(f"\n=== bench.{name} ({mode}) ===", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    tail: list[str] = []
    timed_out = threading.Event()

    def stop() -> None:  # a benchmark that hangs silently must not hold the whole run
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(TIME_LIMIT[mode], stop)
    timer.start()
    try:
        for line in proc.stdout:  # echo as it comes, keep the end for the summary
            print(line, end="", flush=True)
            tail = (tail + [line.rstrip()])[-15:]
        proc.wait()
    finally:
        timer.cancel()
    status = "timeout" if timed_out.is_set() else "ok"
    if status == "ok" and proc.returncode != 0:
        status = f"failed (exit {proc.returncode})"
    seconds = time.perf_counter() - start
    print(f"--- bench.{name}: {status} in {seconds:.1f} s", flush=True)
    return {"name": name, "status": status, "seconds": round(seconds, 1),
            "output_tail": tail if status != "ok" else []}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (whole run under 3 minutes)")
    parser.add_argument("--only", nargs="*", default=[], help="run only these benchmarks")
    parser.add_argument("--skip", nargs="*", default=[], help="leave these benchmarks out")
    parser.add_argument("--out", type=Path, help="summary JSON (default bench/results/<quick|full>.json)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    out = args.out or BENCH_DIR / "results" / f"{mode}.json"
    names = [n for n in discover() if (not args.only or n in args.only) and n not in args.skip]
    started = dt.datetime.now(dt.timezone.utc)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        results_file = Path(tmp) / "figures.jsonl"
        results_file.touch()
        for name in names:
            if name in FULL_ONLY and args.quick:
                runs.append({"name": name, "status": "skipped (full mode only)", "seconds": 0, "output_tail": []})
                continue
            if name == "frozen_startup" and not _pyinstaller_available():
                runs.append({"name": name, "status": "skipped (PyInstaller not installed)", "seconds": 0,
                             "output_tail": []})
                continue
            runs.append(run_one(name, args.quick, results_file))
        figures = [json.loads(line) for line in results_file.read_text(encoding="utf-8").splitlines() if line]
    summary = {"mode": mode, "started_at": started.isoformat(timespec="seconds"),
               "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1),
               "machine": machine_info(), "runs": runs, "figures": figures}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n=== {len(runs)} benchmarks in {summary['seconds']:.0f} s; summary: {out}", flush=True)
    for run in runs:
        print(f"  {run['name']:<16} {run['status']:<28} {run['seconds']:>7.1f} s")
    print("Table for docs/PERFORMANCE.md: python bench/report.py " + str(out))
    return 0 if all(r["status"] == "ok" or r["status"].startswith("skipped") for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
