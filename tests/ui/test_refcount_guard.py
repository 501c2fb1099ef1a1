import subprocess
import sys

SCRIPT = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QLabel
from ui import refcount_guard
app = QApplication([])
calls = sys.getrefcount(None) + 1000  # enough to free None without the guard
refcount_guard.install()
label = QLabel()
for _ in range(calls):
    label.setText("x")
print("ok")
"""


def test_many_void_qt_calls_do_not_abort_the_process():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=root, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"
