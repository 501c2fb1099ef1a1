"""A search field that waits for a pause in typing before asking the database."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit

DEBOUNCE_MS = 200


class SearchBox(QLineEdit):
    search_changed = Signal(str)

    def __init__(self, placeholder: str = "Tìm kiếm (gõ không dấu cũng được)…", parent=None,
                 debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(lambda _text: self._timer.start())
        self.returnPressed.connect(self._emit_now)

    def _emit(self) -> None:
        self.search_changed.emit(self.text())

    def _emit_now(self) -> None:
        self._timer.stop()
        self._emit()
