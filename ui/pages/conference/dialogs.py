"""Dialogs of the conference page: a meeting's details, closing a run, a correction.

Dialogs only gather input; the caller sends it to core on the database thread, and a
refusal (UserInputError) is shown while the dialog stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QSpinBox, QTimeEdit, QVBoxLayout)

from core.checklists.model import STATUS_LABELS, Item, Verdict
from core.checklists.runs import CONNECTION_LABELS, CONNECTIONS, HOST_LABELS, HOSTS


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class MeetingDialog(QDialog):
    """Title, host, date and start time, connection, leader — and the template for a new run."""

    def __init__(self, parent=None, *, templates: list[tuple[str, str]] = (), active_ref: str | None = None,
                 values: dict | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("Thông tin cuộc họp" if values else "Phiếu kiểm tra cho cuộc họp mới")
        self.setMinimumWidth(560)
        form = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Ví dụ: Hội nghị trực tuyến giao ban tháng của UBND tỉnh")
        form.addRow("Tên cuộc họp:", self.title_edit)
        self.host_combo = QComboBox()
        for code in HOSTS:
            self.host_combo.addItem(HOST_LABELS[code], code)
        form.addRow("Đơn vị chủ trì:", self.host_combo)
        self.host_other = QLineEdit()
        self.host_other.setPlaceholderText("Khi chọn “Khác”: tên đơn vị chủ trì")
        form.addRow("", self.host_other)
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        day = today or dt.date.today()
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        form.addRow("Ngày họp:", self.date_edit)
        self.time_edit = QTimeEdit(QTime(8, 0))
        self.time_edit.setDisplayFormat("HH:mm")
        form.addRow("Giờ bắt đầu:", self.time_edit)
        self.connection_combo = QComboBox()
        for code in CONNECTIONS:
            self.connection_combo.addItem(CONNECTION_LABELS[code], code)
        form.addRow("Đường truyền:", self.connection_combo)
        self.leader_edit = QLineEdit()
        self.leader_edit.setPlaceholderText("Họ tên lãnh đạo UBND ký phiếu")
        form.addRow("Lãnh đạo ký phiếu:", self.leader_edit)
        self.template_combo = QComboBox()
        for ref, label in templates:
            self.template_combo.addItem(label, ref)
        if active_ref is not None:
            self.template_combo.setCurrentIndex(max(0, self.template_combo.findData(active_ref)))
        if templates:
            form.addRow("Mẫu phiếu:", self.template_combo)
        if values:
            self.title_edit.setText(values["meeting_title"])
            self.host_combo.setCurrentIndex(self.host_combo.findData(values["host"]))
            self.host_other.setText(values.get("host_other") or "")
            d = values["meeting_date"]
            self.date_edit.setDate(QDate(d.year, d.month, d.day))
            hour, minute = (int(p) for p in values["start_time"].split(":"))
            self.time_edit.setTime(QTime(hour, minute))
            self.connection_combo.setCurrentIndex(self.connection_combo.findData(values["connection"]))
            self.leader_edit.setText(values.get("leader_name") or "")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Lưu" if values else "Tạo phiếu"))

    def values(self) -> dict:
        d = self.date_edit.date()
        t = self.time_edit.time()
        return {"title": self.title_edit.text(), "host": self.host_combo.currentData(),
                "host_other": self.host_other.text(), "meeting_date": dt.date(d.year(), d.month(), d.day()),
                "start_time": f"{t.hour():02d}:{t.minute():02d}", "connection": self.connection_combo.currentData(),
                "leader_name": self.leader_edit.text()}

    def template_ref(self) -> str | None:
        return self.template_combo.currentData()


class CloseRunDialog(QDialog):
    """Shows the verdict about to be kept; asks the attendance and, when needed, a reason."""

    def __init__(self, verdict: Verdict, attendance: int | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Khóa phiếu kiểm tra")
        self.setMinimumWidth(560)
        self.setMaximumWidth(760)
        layout = QVBoxLayout(self)
        head = QLabel(f"Kết luận khi khóa: <b>{verdict.label}</b>")
        layout.addWidget(head)
        if verdict.failing:
            lines = "".join(f"<li>{escape(f.item.text)}: {escape(f.reason)}</li>" for f in verdict.failing[:8])
            more = f"<p>… và {len(verdict.failing) - 8} mục khác.</p>" if len(verdict.failing) > 8 else ""
            failing = QLabel(f"Mục bắt buộc chưa đạt ({len(verdict.failing)}):<ul>{lines}</ul>{more}")
            failing.setWordWrap(True)
            layout.addWidget(failing)
        explain = QLabel("Sau khi khóa, phiếu chỉ còn xem và in; sửa sai bằng cách ghi đính chính kèm lý do.")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.attendance = QSpinBox()
        self.attendance.setRange(0, 10_000)
        self.attendance.setValue(attendance or 0)
        form.addRow("Số người dự tại điểm cầu:", self.attendance)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(70)
        self.reason.setPlaceholderText("Bắt buộc khi còn mục bắt buộc chưa kiểm tra")
        form.addRow("Lý do:", self.reason)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Khóa phiếu"))

    def values(self) -> dict:
        return {"attendance": self.attendance.value(), "reason": self.reason.toPlainText()}


class CorrectionDialog(QDialog):
    """A correction of one item of a closed run: the new answer and why."""

    def __init__(self, item: Item, parent=None):
        super().__init__(parent)
        self.item = item
        self.setWindowTitle("Ghi đính chính")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        label = QLabel(f"Mục: <b>{escape(item.text)}</b>")
        label.setWordWrap(True)
        layout.addWidget(label)
        form = QFormLayout()
        self.status = QComboBox()
        if item.kind == "check":
            for code in ("pass", "fail", "na"):
                self.status.addItem(STATUS_LABELS[code], code)
            form.addRow("Kết quả đúng:", self.status)
        self.value = QLineEdit()
        if item.kind == "number":
            self.value.setPlaceholderText(f"Giá trị đo ({item.unit or ''}), yêu cầu {item.threshold_label()}")
            form.addRow("Giá trị đo đúng:", self.value)
        elif item.kind == "text":
            form.addRow("Nội dung đúng:", self.value)
        self.note = QLineEdit()
        form.addRow("Ghi chú:", self.note)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Vì sao phải đính chính (bắt buộc)")
        form.addRow("Lý do:", self.reason)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Ghi đính chính"))

    def values(self) -> dict:
        values = {"note": self.note.text(), "reason": self.reason.text()}
        if self.item.kind == "check":
            values["status"] = self.status.currentData()
        elif self.item.kind == "number":
            values["number"] = self.value.text()
        else:
            values["text"] = self.value.text()
        return values
