"""The machine a benchmark run measured: CPU, cores, memory, OS, Python, Qt and SQLite versions."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _qt_versions() -> str:
    # In a child: the runner itself stays free of Qt.
    code = "import PySide6, PySide6.QtCore as c; print(f'PySide6 {PySide6.__version__}, Qt {c.qVersion()}')"
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_info() -> dict:
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "ram_gib": _ram_gib(),
            "os": platform.platform(), "python": platform.python_version(), "qt": _qt_versions(),
            "sqlite": sqlite3.sqlite_version, "load_at_start": load}


def describe(info: dict) -> str:
    ram = f"{info['ram_gib']} GiB RAM" if info.get("ram_gib") else "RAM unknown"
    return (f"{info['cpu']}, {info['cores']} cores, {ram}; {info['os']}; Python {info['python']}; "
            f"{info['qt']}; SQLite {info['sqlite']}")
