"""Run the app's writer on the power-cut file system, cut at one operation, hand back what survived."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def available() -> str | None:
    """None when this machine can mount the test file system, else why not."""
    if sys.platform != "linux":
        return "FUSE power-cut file system runs on Linux"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    try:
        import mfusepy  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"mfusepy/libfuse3 missing: {exc}"
    if os.geteuid() != 0 and not shutil.which("fusermount3"):
        return "not root and no fusermount3"
    return None


@dataclass
class CutRun:
    survived: Path  # the workspace folder as the power cut left it
    reported: list[tuple[str, str]]  # (kind, value) the app reported before the cut
    cut_at: int | None  # the operation number the cut came at; None: the writer finished first
    ops: int  # mutating operations counted (at the cut, or in the whole run)
    writer_finished: bool


def _env(extra: dict | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def _mounted(mnt: Path) -> bool:
    try:
        os.stat(mnt)
    except OSError:
        return True  # ENOTCONN: a mount whose file system process has gone
    return os.path.ismount(mnt)


def _unmount(mnt: Path) -> None:
    for command in (["fusermount3", "-u", str(mnt)], ["umount", str(mnt)], ["umount", "-l", str(mnt)]):
        if not _mounted(mnt):
            return
        if shutil.which(command[0]):
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_cut(baseline: Path, work: Path, mode: str, cut_at: int | None, *, extra: str | None = None,
            env: dict | None = None, timeout: float = 120, eager_names: bool = False) -> CutRun:
    """Mount `baseline` (a folder holding `ws/`), run the writer in `ws`, cut before operation `cut_at`."""
    if work.exists():
        _unmount(work / "mnt")
        shutil.rmtree(work)
    mnt, out, scratch = work / "mnt", work / "out", work / "scratch"
    for folder in (mnt, scratch):
        folder.mkdir(parents=True)
    command = [sys.executable, "-m", "tests.proof.powercut.memfs", str(mnt), str(baseline), str(out)]
    if cut_at is not None:
        command += ["--cut-at-op", str(cut_at)]
    if eager_names:
        command.append("--eager-names")
    fs = subprocess.Popen(command, cwd=ROOT, env=_env(None), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not os.path.ismount(mnt):
            if fs.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the power-cut file system did not mount: {fs.stderr.read().decode()}")
            time.sleep(0.02)
        args = [sys.executable, "-m", "tests.proof.powercut.writer", mode, str(mnt / "ws")] + ([extra] if extra else [])
        writer = subprocess.Popen(args, cwd=ROOT, env=_env({"POWERCUT_SCRATCH": str(scratch), **(env or {})}),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cut_marker = Path(str(out) + ".cut")
        deadline = time.monotonic() + timeout
        while writer.poll() is None and not cut_marker.exists():
            if time.monotonic() > deadline:
                writer.kill()
                raise RuntimeError("the writer neither finished nor reached the cut")
            time.sleep(0.005)
        if writer.poll() is None:
            writer.send_signal(signal.SIGKILL)  # the power is off: the program stops here
        stdout, stderr = writer.communicate()
        finished = "done " + mode in stdout
        if not cut_marker.exists() and not finished:
            raise RuntimeError(f"the writer failed before any cut:\n{stderr[-3000:]}")
    finally:
        _unmount(mnt)
        try:
            fs.wait(timeout=20)
        except subprocess.TimeoutExpired:
            fs.kill()
            fs.wait()
    info_file = cut_marker if cut_marker.exists() else Path(str(out) + ".ops")
    info = json.loads(info_file.read_text())
    reported = [tuple(line.split(" ", 1)) for line in stdout.splitlines() if " " in line]
    reported = [r for r in reported if r[0] not in ("ready", "done")]
    return CutRun(out / "ws", reported, info["op"] if cut_marker.exists() else None, info["op"], finished)
