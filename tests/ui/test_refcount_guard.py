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


def test_guard_lifts_counts_only_where_pyside_has_the_bug(monkeypatch):
    import PySide6

    from ui import refcount_guard

    monkeypatch.setattr(refcount_guard, "_installed", False)
    monkeypatch.setattr(PySide6, "__version_info__", (6, 11, 3, "", ""))
    before = sys.getrefcount(None)
    refcount_guard.install()
    assert not refcount_guard._installed and sys.getrefcount(None) < before + 1000
    monkeypatch.setattr(PySide6, "__version_info__", (6, 12, 0, "", ""))
    if sys.version_info < (3, 12):
        refcount_guard.install()
        assert refcount_guard._installed
        assert sys.getrefcount(None) > before + (1 << 39)
