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


def _scheduler_after_the_runner_closed(qtbot, ui_ctx, monkeypatch) -> tuple[SyncScheduler, list]:
    """A scheduler whose runner closes (the app shutting down, a test ending) before its first try,
    and what the Qt event loop raised in the next half second."""
    monkeypatch.setattr(sync_scheduler, "FIRST_TRY_MS", 50)
    scheduler = SyncScheduler(ui_ctx)
    with qtbot.captureExceptions() as raised:
        ui_ctx.bg.close()
        qtbot.wait(500)
    return scheduler, raised


def test_no_try_after_the_background_runner_has_closed(qtbot, ui_ctx, monkeypatch):
    # Before: the first try fired 15 s after start-up even when the runner had closed, and raised
    # "background runner is closed" into whatever ran the event loop next (another test, under xdist).
    scheduler, raised = _scheduler_after_the_runner_closed(qtbot, ui_ctx, monkeypatch)
    assert raised == [] and not scheduler.running
    assert not scheduler.timer.isActive() and not scheduler.first_try.isActive()
    assert scheduler.start(force=True) is False  # "Gửi ngay" too: nothing is handed to a closed runner


def test_negative_without_stopping_the_timers_the_first_try_hits_the_closed_runner(qtbot, ui_ctx, monkeypatch):
    from ui.background import Background

    monkeypatch.setattr(SyncScheduler, "stop", lambda self: None)
    monkeypatch.setattr(Background, "is_closed", property(lambda self: False))
    _scheduler, raised = _scheduler_after_the_runner_closed(qtbot, ui_ctx, monkeypatch)
    assert any("background runner is closed" in str(exc) for _type, exc, _tb in raised), raised
