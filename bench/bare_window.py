"""Baseline for start-up: a bare PySide6 window that shows and quits after its first paint."""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            QTimer.singleShot(0, QApplication.instance().quit)
        return False


app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 720)
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
sys.exit(app.exec())
