"""Sending without anyone pressing a button: from start-up on, every few minutes and as soon
as the operating system says the network is back (a hint only: the hub's own health answer
decides, since captive portals answer too). One scheduler for the whole app; the Đồng bộ
page shows its progress and adds "Gửi ngay".
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

RETRY_CHECK_MS = 5 * 60 * 1000
FIRST_TRY_MS = 15_000  # after start-up has settled


class SyncScheduler(QObject):
    """Sends due bundles without anyone pressing a button: every few minutes and when the network returns."""

    sync_finished = Signal(object)  # SyncSummary
    sync_failed = Signal(object)  # exception
    running_changed = Signal(bool)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_CHECK_MS)
        self.timer.timeout.connect(lambda: self.start(force=False, automatic=True))
        self.timer.start()
        self.network = None
        # Child timers, not QTimer.singleShot(ms, lambda): those would still fire after this
        # scheduler is gone ("Signal source has been deleted"), as a window closed within the
        # first 15 s — or a slow test run under Wine — showed.
        self.first_try = self._single_shot(FIRST_TRY_MS, lambda: self.start(force=False, automatic=True))
        self.watch = self._single_shot(0, self._watch_network)
        # The runner closes when the app shuts down (or a test ends) while this object may live on:
        # its timers must not hand work to a closed runner ("background runner is closed").
        ctx.bg.shut_down.connect(self.stop)

    def stop(self) -> None:
        """No more automatic tries: every timer stopped (the network hint finds `start` refusing)."""
        for timer in (self.timer, self.first_try, self.watch):
            timer.stop()

    def _single_shot(self, ms: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        timer.start(ms)
        return timer

    def _watch_network(self) -> None:
        from ui.network_status import NetworkStatus

        self.network = NetworkStatus(self)
        self.network.came_back.connect(lambda: self.start(force=True, automatic=True))

    def start(self, *, force: bool, automatic: bool = False, on_progress=None) -> bool:
        """Start a sync unless one is running; False when it was not started."""
        if self.running or self.ctx.bg.is_closed:
            return False
        self.running = True
        self.running_changed.emit(True)
        paths = self.ctx.paths
        from core.sync import service

        self.ctx.bg.io(lambda report: service.run_sync(paths, force=force, report=report, automatic=automatic),
                       on_success=self._done, on_failure=self._failed, on_progress=on_progress)
        return True

    def _done(self, summary) -> None:
        self.running = False
        self.running_changed.emit(False)
        if summary is None:  # an automatic try with nothing to do
            return
        self.sync_finished.emit(summary)
        if summary.cut.path or summary.sent or summary.acknowledged or summary.received or summary.errors:
            for table in ("sync_outbox", *sorted(summary.changed_tables)):
                self.ctx.signals.data_changed.emit(table)

    def _failed(self, exc) -> None:
        self.running = False
        self.running_changed.emit(False)
        self.sync_failed.emit(exc)
        self.ctx.signals.data_changed.emit("sync_outbox")
