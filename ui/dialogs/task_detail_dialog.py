"""One task: where it came from, its history, and a form for the next progress note.

The history lists every progress note, status change and assignment (dated, with the
staff member who wrote it and any attached files). A recurring task shows which of its
reporting periods (months or quarters) still have no progress note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QPlainTextEdit, QPushButton, QVBoxLayout)

from core.clock import format_date, today_local
from core.tasks import queries
from core.tasks.status import DEADLINE_KINDS, STATUSES
from core.tasks.store import add_progress, update_local_task
from core.workspace import list_staff
from ui.errors import show_error
from ui.personal_data import screen_text
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel


def _load(store, task_id: str, today: dt.date, sort=None) -> dict:
    task = queries.get_task(store, task_id, today=today)
    return {"task": task, "history": queries.task_history(store, task_id, sort=sort),
            "periods": queries.recurring_periods(store, task, today), "staff": list_staff(store)}


class TaskDetailDialog(QDialog):
    progress_saved = Signal()
    task_saved = Signal()  # the task's own words were edited (a task the commune imported)

    def __init__(self, ctx, task_id: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.task_id = task_id
        self.attachments: list[Path] = []
        self.data: dict | None = None
        self.setWindowTitle("Nhiệm vụ")
        self.resize(1000, 700)
        layout = QVBoxLayout(self)
        self.header = QLabel("Đang tải…")
        self.header.setObjectName("taskHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.header)
        self.periods_label = QLabel("")
        self.periods_label.setObjectName("missingPeriods")
        self.periods_label.setWordWrap(True)
        layout.addWidget(self.periods_label)

        layout.addWidget(QLabel("Lịch sử cập nhật tiến độ, trạng thái, giao việc (mới nhất trên cùng; "
                                "bấm tên cột để sắp xếp, bấm đúp một dòng để mở tệp đính kèm):"))
        history_model = RowsModel([
            Column("noted_on", "Ngày", lambda v, _r: format_date(dt.date.fromisoformat(v))),
            Column("author_name", "Cán bộ ghi"),
            Column("note", "Nội dung", lambda v, r: (v or "") + (f" [{r['period_label']}]" if r["period_label"] else "")),
            Column("status_label", "Trạng thái"), Column("assignee_name", "Giao cho"),
            Column("attachments", "Tệp", lambda v, _r: ", ".join(Path(a).name for a in v or []))], self)
        # Sorted in SQL (core.tasks.queries.HISTORY_SORTS); widths remembered like every list.
        self.history = ListTable(ctx, "taskHistory", history_model, sortable=queries.HISTORY_SORTS,
                                 default_sort=("noted_on", True))
        self.history.setWordWrap(True)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.sort_changed.connect(self.reload_history)
        self.history.row_opened.connect(self._open_attachments)
        layout.addWidget(self.history, 1)

        box = QGroupBox("Cập nhật tiến độ")
        form = QFormLayout(box)
        self.note = QPlainTextEdit()
        self.note.setObjectName("progressNote")
        self.note.setPlaceholderText("Kết quả thực hiện, khó khăn, đề xuất…")
        self.note.setFixedHeight(80)
        form.addRow("Nội dung:", self.note)
        row = QHBoxLayout()
        self.status = QComboBox()
        self.status.setObjectName("statusChoice")
        for code, label in STATUSES.items():
            self.status.addItem(label, code)
        row.addWidget(self.status)
        row.addWidget(QLabel("Giao cho:"))
        self.assignee = QComboBox()
        self.assignee.addItem("(chưa giao)", "")
        row.addWidget(self.assignee, 1)
        row.addWidget(QLabel("Ngày:"))
        self.noted_on = QDateEdit()
        self.noted_on.setDisplayFormat("dd/MM/yyyy")
        self.noted_on.setCalendarPopup(True)
        today = today_local()
        self.noted_on.setDate(QDate(today.year, today.month, today.day))
        row.addWidget(self.noted_on)
        row.addWidget(QLabel("Kỳ báo cáo:"))
        self.period = QComboBox()
        self.period.setObjectName("periodChoice")
        self.period.addItem("(không theo kỳ)", "")
        self.period.setMinimumContentsLength(22)
        row.addWidget(self.period)
        form.addRow("Trạng thái:", row)
        files = QHBoxLayout()
        self.files = QListWidget()
        self.files.setFixedHeight(48)
        files.addWidget(self.files, 1)
        attach = QPushButton("Đính kèm tệp…")
        attach.clicked.connect(self.choose_attachments)
        files.addWidget(attach)
        form.addRow("Tệp đính kèm:", files)
        layout.addWidget(box)

        # Tasks the commune imported itself can be corrected; the province's are read-only here.
        self.edit_box = QGroupBox("Sửa nhiệm vụ (văn bản xã tự nhập)")
        self.edit_box.setCheckable(True)
        self.edit_box.setChecked(False)
        edit_form = QFormLayout(self.edit_box)
        self.edit_ref = QLineEdit()
        self.edit_content = QPlainTextEdit()
        self.edit_content.setFixedHeight(60)
        self.edit_lead = QLineEdit()
        self.edit_deadline = QLineEdit()
        self.edit_deadline.setPlaceholderText("ví dụ: trước ngày 30/9/2025, trong Quý IV/2025, Nhiệm vụ thường xuyên")
        edit_form.addRow("Mục:", self.edit_ref)
        edit_form.addRow("Nội dung:", self.edit_content)
        edit_form.addRow("Cơ quan chủ trì:", self.edit_lead)
        edit_form.addRow("Thời hạn:", self.edit_deadline)
        self.edit_button = QPushButton("Lưu sửa đổi nhiệm vụ")
        self.edit_button.clicked.connect(self.save_task_edit)
        edit_form.addRow(self.edit_button)
        self.edit_box.toggled.connect(lambda on: [w.setVisible(on) for w in (
            self.edit_ref, self.edit_content, self.edit_lead, self.edit_deadline, self.edit_button)])
        self.edit_box.toggled.emit(False)
        self.edit_box.setVisible(False)
        layout.addWidget(self.edit_box)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Lưu cập nhật", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        today, sort = today_local(), self.history.sort
        self.ctx.bg.read(lambda store: _load(store, self.task_id, today, sort), self._show)

    def reload_history(self) -> None:
        task_id, sort = self.task_id, self.history.sort
        self.ctx.bg.read(lambda store: queries.task_history(store, task_id, sort=sort), self._show_history)

    def _show_history(self, rows: list[dict]) -> None:
        self.history.rows_model.set_rows(rows)
        self.history.fit_columns_once()
        self.history.resizeRowsToContents()

    def _show(self, data: dict) -> None:
        self.data = data
        task = data["task"]
        self.setWindowTitle(f"Nhiệm vụ {task['ref']}")
        directive = task["directive_number"] or "(chưa có số)"
        if task["directive_date"]:
            directive += f" ngày {format_date(dt.date.fromisoformat(task['directive_date']))}"
        if task["directive_subject"]:
            directive += f" — {task['directive_subject']}"
        if task["deadline"]:
            deadline = format_date(dt.date.fromisoformat(task["deadline"]))
        else:
            deadline = DEADLINE_KINDS.get(task["deadline_kind"], "")
        if task["deadline_text"]:
            deadline += f" (“{task['deadline_text']}”)"
        state = task["status_label"] + (" — QUÁ HẠN" if task["overdue"] else "")
        origin = "văn bản của tỉnh (qua đồng bộ)" if task["source"] == "province" else "văn bản xã tự nhập"
        self.header.setText(
            f"<b>Mục {_esc(task['ref'])}</b> của văn bản {_esc(directive)} <i>({origin})</i><br>"
            f"{_esc(task['content'])}<br>"
            f"<b>Chủ trì:</b> {_esc(task['lead_unit'] or '—')} · <b>Phối hợp:</b> {_esc(task['coordinating_units'] or '—')}<br>"
            f"<b>Thời hạn:</b> {_esc(deadline)} · <b>Trạng thái:</b> {_esc(state)}"
            + (f" · <b>Cán bộ thực hiện:</b> {_esc(task['assignee_name'])}" if task["assignee_name"] else ""))
        missing = [p["label"] for p in data["periods"] if not p["reported"]]
        if data["periods"]:
            self.periods_label.setText(
                ("Nhiệm vụ thường xuyên — các kỳ chưa có báo cáo tiến độ: " + ", ".join(missing)) if missing
                else "Nhiệm vụ thường xuyên — đã cập nhật tiến độ đủ các kỳ.")
            self.periods_label.setStyleSheet("color: #b00020; font-weight: 600;" if missing else "color: #146c43;")
        else:
            self.periods_label.setText("")
        self.period.clear()
        self.period.addItem("(không theo kỳ)", "")
        for p in reversed(data["periods"]):
            self.period.addItem(p["label"] + ("" if p["reported"] else " (còn thiếu)"), p["period"])
        if missing:
            self.period.setCurrentIndex(self.period.findData(next(p["period"] for p in reversed(data["periods"])
                                                                  if not p["reported"])))
        self.edit_box.setVisible(task["source"] == "local")
        self.edit_ref.setText(task["ref"])
        self.edit_content.setPlainText(task["content"])
        self.edit_lead.setText(task["lead_unit"] or "")
        self.edit_deadline.setText(task["deadline_text"] or "")
        self.status.setCurrentIndex(max(0, self.status.findData(task["status"])))
        self.assignee.clear()
        self.assignee.addItem("(chưa giao)", "")
        for person in data["staff"]:
            self.assignee.addItem(person["full_name"], person["id"])
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(task["assignee_id"] or "")))
        self._show_history(data["history"])

    def choose_attachments(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Chọn tệp đính kèm", str(Path.home()))
        for name in names:
            self.add_attachment(Path(name))

    def add_attachment(self, path: Path) -> None:
        self.attachments.append(path)
        self.files.addItem(path.name)

    def save(self) -> None:
        if self.data is None:
            return
        task = self.data["task"]
        status = self.status.currentData()
        assignee = self.assignee.currentData() or ""
        note = screen_text(self, self.note.toPlainText(), "Ghi chú tiến độ")
        if note is None:
            return
        if note != self.note.toPlainText():
            self.note.setPlainText(note)
        kwargs = {
            "note": note,
            "status": status if status != task["status"] else None,
            "assignee_id": assignee if assignee != (task["assignee_id"] or "") else None,
            "noted_on": self.noted_on.date().toPython(),
            "period": self.period.currentData() or None,
            "attachments": list(self.attachments),
            "attachments_dir": self.ctx.paths.attachments_dir,
        }
        self.save_button.setEnabled(False)

        def saved(_progress_id) -> None:
            self.save_button.setEnabled(True)
            self.note.clear()
            self.attachments.clear()
            self.files.clear()
            self.progress_saved.emit()
            self.reload()

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            show_error(self, error)

        self.ctx.bg.db(lambda store: add_progress(store, self.task_id, **kwargs), saved, failed)

    def save_task_edit(self) -> None:
        changes = {"ref": self.edit_ref.text().strip() or (self.data or {}).get("task", {}).get("ref"),
                   "content": " ".join(self.edit_content.toPlainText().split()),
                   "lead_unit": self.edit_lead.text().strip() or None,
                   "deadline_text": self.edit_deadline.text().strip() or None}

        def saved(_result) -> None:
            self.task_saved.emit()
            self.reload()

        self.ctx.bg.db(lambda store: update_local_task(store, self.task_id, changes), saved,
                       lambda error: show_error(self, error))

    def _open_attachments(self, row: dict) -> None:
        for relative in row["attachments"] or []:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.paths.attachments_dir / relative)))


def _esc(text) -> str:
    return (str(text or "")).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
