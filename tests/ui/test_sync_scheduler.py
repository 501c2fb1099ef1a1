"""The scheduler's delayed first try dies with the scheduler (a closed window, a short test)."""

from __future__ import annotations

import shiboken6

from ui import sync_scheduler
from ui.sync_scheduler import SyncScheduler


def test_first_try_does_not_fire_after_the_scheduler_is_gone(qtbot, ui_ctx, monkeypatch):
    # Before: QTimer.singleShot(15 s, lambda) fired on a deleted scheduler and pytest-qt (or
    # the app's exception hook) saw "RuntimeError: Signal source has been deleted".
    monkeypatch.setattr(sync_scheduler, "FIRST_TRY_MS", 50)
    started = []
    monkeypatch.setattr(SyncScheduler, "start", lambda self, **kw: started.append(kw) or True)
    doomed = SyncScheduler(ui_ctx)
    shiboken6.delete(doomed)
    kept = SyncScheduler(ui_ctx)
    qtbot.waitUntil(lambda: len(started) == 1, timeout=5_000)
    qtbot.wait(200)
    assert started == [{"force": False, "automatic": True}]  # the living one only
    assert kept.first_try.isSingleShot()
