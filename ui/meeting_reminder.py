"""The hour-before reminder for the next video-conference meeting, wherever the user is.

The province's operating guide asks for the whole system to be on 60 minutes before a
meeting. The conference page shows a banner when it is open; this reminder works from
start-up on, whatever page is shown: a message with a button that opens the checklist.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

CHECK_INTERVAL_MS = 60_000


def _next_meeting(store):
    from core.checklists import history

    return history.next_meeting(store)


class MeetingReminder(QObject):
    reminder_shown = Signal(str)  # run id

    def __init__(self, ctx, window: QWidget, parent=None):
        super().__init__(parent or window)
        self.ctx = ctx
        self.window = window
        self.reminded: set[str] = set()
        self.box: QMessageBox | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        # A child timer (it dies with this object), stopped with the other when the runner closes
        # at shut-down: a check then would hand work to a closed runner.
        self.first_check = QTimer(self)
        self.first_check.setSingleShot(True)
        self.first_check.timeout.connect(self.check)
        ctx.bg.shut_down.connect(self.stop)

    def start(self, first_check_ms: int = 5_000) -> None:
        self.first_check.start(first_check_ms)
        self.timer.start()

    def stop(self) -> None:
        self.first_check.stop()
        self.timer.stop()

    def check(self) -> None:
        if self.ctx.bg.is_closed:
            return
        self.ctx.bg.read(_next_meeting, self._maybe_remind, on_failure=lambda _error: None)

    def _maybe_remind(self, meeting: dict | None) -> None:
        from core.checklists.history import REMINDER_MINUTES

        if not meeting or meeting["id"] in self.reminded:
            return
        if not 0 <= meeting["minutes_until"] <= REMINDER_MINUTES:
            return
        self.reminded.add(meeting["id"])
        verdict = meeting.get("verdict") or ""
        box = QMessageBox(QMessageBox.Icon.Information, "Sắp đến giờ họp trực tuyến",
                          f"Còn {meeting['minutes_until']} phút đến cuộc họp “{meeting['meeting_title']}” "
                          f"({meeting['start_time']} ngày {meeting['date_label']}).\n\n"
                          "Hãy bật toàn bộ hệ thống, kết nối thử với điểm cầu tỉnh và hoàn thành phiếu kiểm tra "
                          "sẵn sàng điểm cầu." + (f"\nPhiếu hiện tại: {verdict}." if verdict else ""),
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("meetingReminder")
        open_button = box.addButton("Mở phiếu kiểm tra", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Để sau", QMessageBox.ButtonRole.RejectRole)
        run_id = meeting["id"]
        open_button.clicked.connect(
            lambda: self.ctx.signals.navigation_requested.emit("conference", run_id))
        box.setModal(False)
        box.show()
        self.box = box
        QApplication.alert(self.window, 0)
        self.reminder_shown.emit(run_id)
