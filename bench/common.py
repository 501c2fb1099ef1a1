"""Shared helpers for benchmarks: timing, medians, ratio lines, child-process peak memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_time(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_child(args: list[str], env: dict | None = None, timeout: float = 300) -> tuple[float, float, int]:
    """Run a child process; returns (seconds, peak RSS in MB, exit code)."""
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    return elapsed, peak_mb, proc.returncode


def report(name: str, value: float, unit: str, baseline: float | None = None, baseline_name: str = "",
           budget: str = "") -> None:
    line = f"{name}: {value:.3f} {unit}"
    if baseline is not None:
        line += f" | baseline ({baseline_name}): {baseline:.3f} {unit} | ratio {value / baseline:.2f}x"
    if budget:
        line += f" | budget {budget}"
    print(line, flush=True)
    _record({"name": name, "value": value, "unit": unit, "baseline": baseline, "baseline_name": baseline_name,
             "ratio": (value / baseline) if baseline else None, "budget": budget})


def _record(figure: dict) -> None:
    """`python -m bench` sets BENCH_RESULTS: every figure is also appended there as a JSON line."""
    target = os.environ.get("BENCH_RESULTS")
    if target:
        figure = {"bench": os.environ.get("BENCH_NAME", ""), **figure}
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(figure, ensure_ascii=False) + "\n")


def python() -> str:
    return sys.executable
