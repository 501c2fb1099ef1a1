"""During and after the meeting: incidents, attendance, and corrections of a closed run.

Both logs are ListTables: a click on a column header orders them in SQL (core.checklists.run_lists),
their column widths are remembered."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from core.checklists import run_lists, runs
from core.checklists.model import STATUS_LABELS, format_number
from core.clock import format_datetime_local, now_local
from ui.errors import show_error
from ui.personal_data import screen_fields, screen_text
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel


def _incident_time(value, row) -> str:
    return runs.incident_time_label(value) + (" (sau khi khóa)" if row["after_close"] else "")


def _corrected(_value, row) -> str:
    if row["target"] == "attendance":
        return f"Số người dự: {row['attendance']}"
    value = format_number(row["number_value"]) if row["number_value"] is not None else (row["text_value"] or "")
    return f"{row['item_text'] or ''}: {STATUS_LABELS.get(row['status'])}" + (f" ({value})" if value else "")


def _table(ctx, name: str, columns: list[Column], sorts, default_sort) -> ListTable:
    table = ListTable(ctx, name, RowsModel(columns), sortable=sorts, default_sort=default_sort)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
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
        self.incidents = _table(ctx, "incidentLog", [
            Column("occurred_at", "Thời gian", _incident_time), Column("what", "Sự cố"),
            Column("fix", "Cách khắc phục")], run_lists.INCIDENT_SORTS, ("occurred_at", False))
        self.incidents.sort_changed.connect(self._load_lists)
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
        self.corrections = _table(ctx, "correctionLog", [
            Column("seq", "Lần"), Column("made_at", "Thời điểm", lambda v, _r: format_datetime_local(v)),
            Column("what", "Nội dung", _corrected), Column("reason", "Lý do"),
            Column("made_by_name", "Người ghi")], run_lists.CORRECTION_SORTS, ("seq", False))
        self.corrections.sort_changed.connect(self._load_lists)
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
        self.corrections_box.setVisible(run.closed)
        self._load_lists()

    def _load_lists(self) -> None:
        """Both logs of the run shown, in the order of the column last clicked (in SQL)."""
        if self.run is None:
            return
        run_id, incident_sort, correction_sort = self.run.id, self.incidents.sort, self.corrections.sort

        def load(store):
            return (run_lists.list_incidents(store, run_id, sort=incident_sort),
                    run_lists.list_corrections(store, run_id, sort=correction_sort))

        def show(lists) -> None:
            if self.run is None or self.run.id != run_id:
                return  # another run was opened meanwhile
            incidents, corrections = lists
            self.incidents.rows_model.set_rows(incidents)
            self.corrections.rows_model.set_rows(corrections)
            self.incidents.fit_columns_once()
            self.corrections.fit_columns_once()

        self.ctx.bg.read(load, show)

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
