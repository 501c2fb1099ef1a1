"""`python -m ui.screenshots` takes every page, every tab and every dialog at 1366x768."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_every_page_tab_and_dialog_is_taken(tmp_path):
    from PIL import Image

    from ui.main_window import page_factories
    from ui.screenshot_dialogs import screens

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, "-m", "ui.screenshots", "--data-dir", str(tmp_path / "data"),
                             "--out", str(out), "--settle-ms", "700"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = [key for key, _label, _factory in page_factories()] + [name for name, _p, _m in screens()]
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(expected)
    for key, _label, _factory in page_factories():
        assert Image.open(out / f"{key}.png").size == (1366, 768)
    for name, _p, _m in screens():
        width, height = Image.open(out / f"{name}.png").size
        assert width <= 1366 and height <= 768 and width > 300, name  # fits the screen, not an empty grab
