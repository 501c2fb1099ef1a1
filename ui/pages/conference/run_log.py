"""During and after the meeting: incidents, attendance, and corrections of a closed run."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.checklists import runs
from core.checklists.model import STATUS_LABELS, format_number
from core.clock import format_datetime_local, now_local
from ui.errors import show_error
from ui.personal_data import screen_fields, screen_text


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    return table


class RunLog(QWidget):
    log_written = Signal(str)  # table name, after an incident, attendance or correction was saved

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.run = None
        layout = QVBoxLayout(self)

        attendance_box = QGroupBox("Điểm danh")
        row = QHBoxLayout(attendance_box)
        row.addWidget(QLabel("Số người dự tại điểm cầu:"))
        self.attendance = QSpinBox()
        self.attendance.setRange(0, 10_000)
        row.addWidget(self.attendance)
        self.attendance_reason = QLineEdit()
        self.attendance_reason.setPlaceholderText("Lý do đính chính (phiếu đã khóa)")
        row.addWidget(self.attendance_reason, 1)
        self.save_attendance = QPushButton("Lưu số người dự")
        self.save_attendance.clicked.connect(self._save_attendance)
        row.addWidget(self.save_attendance)
        layout.addWidget(attendance_box)

        incidents_box = QGroupBox("Nhật ký sự cố")
        box = QVBoxLayout(incidents_box)
        self.incidents = _table(["Thời gian", "Sự cố", "Cách khắc phục"])
        box.addWidget(self.incidents, 1)
        form = QFormLayout()
        self.incident_time = QLineEdit()
        self.incident_time.setPlaceholderText("giờ:phút, ví dụ 09:15")
        self.incident_time.setMaximumWidth(120)
        form.addRow("Thời gian:", self.incident_time)
        self.incident_what = QLineEdit()
        self.incident_what.setPlaceholderText("Điều gì đã xảy ra (mất hình, mất tiếng, mất kết nối…)")
        form.addRow("Sự cố:", self.incident_what)
        self.incident_fix = QLineEdit()
        self.incident_fix.setPlaceholderText("Đã khắc phục thế nào")
        self.incident_fix.returnPressed.connect(self._add_incident)
        form.addRow("Khắc phục:", self.incident_fix)
        box.addLayout(form)
        self.add_incident_button = QPushButton("Ghi sự cố")
        self.add_incident_button.clicked.connect(self._add_incident)
        box.addWidget(self.add_incident_button)
        layout.addWidget(incidents_box, 2)

        self.corrections_box = corrections_box = QGroupBox("Đính chính sau khi khóa phiếu")
        cbox = QVBoxLayout(corrections_box)
        self.corrections = _table(["Lần", "Thời điểm", "Nội dung", "Lý do", "Người ghi"])
        cbox.addWidget(self.corrections)
        layout.addWidget(corrections_box, 1)

    def show_run(self, run) -> None:
        self.run = run
        self.attendance.setValue(run.attendance or 0)
        self.attendance_reason.setVisible(run.closed)
        self.save_attendance.setText("Đính chính số người dự" if run.closed else "Lưu số người dự")
        if not self.incident_time.text():
            now = now_local()
            self.incident_time.setText(f"{now.hour:02d}:{now.minute:02d}")
        self.incidents.setRowCount(len(run.incidents))
        for r, incident in enumerate(run.incidents):
            when = runs.incident_time_label(incident["occurred_at"]) + (" (sau khi khóa)" if incident["after_close"] else "")
            for c, text in enumerate([when, incident["what"], incident["fix"] or ""]):
                self.incidents.setItem(r, c, QTableWidgetItem(text))
        self.corrections_box.setVisible(run.closed)
        self.corrections.setRowCount(len(run.corrections))
        for r, corr in enumerate(run.corrections):
            if corr["target"] == "attendance":
                what = f"Số người dự: {corr['attendance']}"
            else:
                item = run.item(corr["run_item_id"])
                value = format_number(corr["number_value"]) if corr["number_value"] is not None else (corr["text_value"] or "")
                what = f"{item.text}: {STATUS_LABELS.get(corr['status'])}" + (f" ({value})" if value else "")
            cells = [str(corr["seq"]), format_datetime_local(corr["made_at"]), what, corr["reason"],
                     run.staff_names.get(corr["made_by"] or "", "")]
            for c, text in enumerate(cells):
                self.corrections.setItem(r, c, QTableWidgetItem(text))

    def _save_attendance(self) -> None:
        if self.run is None:
            return
        run_id, value = self.run.id, self.attendance.value()
        if self.run.closed:
            reason = screen_text(self, self.attendance_reason.text(), "Lý do đính chính")
            if reason is None:
                return
            work = lambda store: runs.correct_attendance(store, run_id, value, reason=reason)  # noqa: E731
            table = "checklist_corrections"
        else:
            work = lambda store: runs.set_attendance(store, run_id, value)  # noqa: E731
            table = "checklist_runs"
        self.ctx.bg.db(work, lambda _: (self.attendance_reason.clear(), self.log_written.emit(table)),
                       lambda exc: show_error(self, exc))

    def _add_incident(self) -> None:
        if self.run is None:
            return
        run_id = self.run.id
        time_text, what, fix = self.incident_time.text(), self.incident_what.text(), self.incident_fix.text()
        screened = screen_fields(self, {"what": what, "fix": fix}, {"what": "Sự cố", "fix": "Cách khắc phục"})
        if screened is None:
            return
        what, fix = screened["what"], screened["fix"]

        def done(_):
            self.incident_what.clear()
            self.incident_fix.clear()
            self.incident_time.clear()
            self.log_written.emit("checklist_incidents")

        self.ctx.bg.db(lambda store: runs.add_incident(store, run_id, time_text=time_text, what=what, fix=fix),
                       done, lambda exc: show_error(self, exc))
