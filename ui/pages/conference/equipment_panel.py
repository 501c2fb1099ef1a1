"""The meeting room's equipment: what there is, its state and when it was last checked."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFormLayout, QHBoxLayout,
                               QHeaderView, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from core.checklists import equipment
from core.clock import format_date, today_local
from ui.errors import show_error
from ui.style import DUE_SOON, OVERDUE
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel

STALE_DAYS = 90  # equipment not looked at for a quarter is shown amber


def _date(value, _row) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else "chưa kiểm tra"


def _colour(row: dict):
    if row["status"] != "ok":
        return OVERDUE
    checked = row.get("last_checked_on")
    if not checked or (today_local() - dt.date.fromisoformat(checked)).days > STALE_DAYS:
        return DUE_SOON
    return None


class EquipmentPanel(QWidget):
    equipment_written = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.editing_id: str | None = None
        layout = QVBoxLayout(self)
        self.model = RowsModel([
            Column("kind", "Loại", lambda v, _r: equipment.KIND_LABELS.get(v, v)),
            Column("name", "Tên thiết bị"),
            Column("model", "Mã hiệu"),
            Column("status", "Tình trạng", lambda v, _r: equipment.STATUS_LABELS.get(v, v)),
            Column("last_checked_on", "Kiểm tra lần cuối", _date),
            Column("note", "Ghi chú"),
        ], self, row_colour=_colour)
        self.view = ListTable(ctx, "equipmentTable", self.model, sortable=equipment.SORTS, default_sort=("kind", False))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 190), (2, 150), (3, 120), (4, 130), (5, 220)):
            self.view.setColumnWidth(column, width)
        self.view.sort_changed.connect(self.reload)
        self.view.empty_state = lambda: (
            "Chưa có thiết bị nào. Ghi từng thiết bị của phòng họp (camera, micro, màn hình…) ở biểu mẫu bên dưới: "
            "phiếu kiểm tra sẽ nhắc đúng thiết bị ở từng mục.", [])
        self.view.menu_builder = lambda row: [("Sửa thiết bị", lambda: self._edit_row(self.model.rows.index(row))),
                                              ("Xóa thiết bị", self.delete)]
        self.view.selectionModel().currentRowChanged.connect(lambda current, _: self._edit_row(current.row()))
        layout.addWidget(self.view, 1)

        form = QFormLayout()
        self.kind = QComboBox()
        for kind in equipment.KINDS:
            self.kind.addItem(equipment.KIND_LABELS[kind], kind)
        form.addRow("Loại thiết bị:", self.kind)
        self.name = QLineEdit()
        form.addRow("Tên thiết bị:", self.name)
        self.model_edit = QLineEdit()
        form.addRow("Mã hiệu, số máy:", self.model_edit)
        self.status = QComboBox()
        for status in equipment.STATUSES:
            self.status.addItem(equipment.STATUS_LABELS[status], status)
        form.addRow("Tình trạng:", self.status)
        checked_row = QHBoxLayout()
        self.checked = QDateEdit()
        self.checked.setDisplayFormat("dd/MM/yyyy")
        self.checked.setCalendarPopup(True)
        self.never_checked = QCheckBox("Chưa kiểm tra")
        self.never_checked.toggled.connect(lambda on: self.checked.setEnabled(not on))
        checked_row.addWidget(self.checked)
        checked_row.addWidget(self.never_checked)
        checked_row.addStretch(1)
        form.addRow("Kiểm tra lần cuối:", checked_row)
        self.note = QLineEdit()
        form.addRow("Ghi chú:", self.note)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("Thiết bị mới")
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton("Lưu thiết bị")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("Xóa thiết bị")
        self.delete_button.clicked.connect(self.delete)
        for button in (self.new_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.start_new()

    def reload(self) -> None:
        sort = self.view.sort
        self.ctx.bg.read(lambda store: equipment.list_equipment(store, sort=sort), self.model.set_rows)

    def start_new(self) -> None:
        self.editing_id = None
        self.view.clearSelection()
        self.name.clear()
        self.model_edit.clear()
        self.note.clear()
        self.status.setCurrentIndex(0)
        today = today_local()
        self.checked.setDate(QDate(today.year, today.month, today.day))
        self.never_checked.setChecked(False)
        self.delete_button.setEnabled(False)
        self.save_button.setText("Thêm thiết bị")

    def _edit_row(self, row: int) -> None:
        if row < 0 or row >= len(self.model.rows):
            return
        data = self.model.row(row)
        self.editing_id = data["id"]
        self.kind.setCurrentIndex(self.kind.findData(data["kind"]))
        self.name.setText(data["name"])
        self.model_edit.setText(data["model"] or "")
        self.status.setCurrentIndex(self.status.findData(data["status"]))
        self.note.setText(data["note"] or "")
        if data["last_checked_on"]:
            d = dt.date.fromisoformat(data["last_checked_on"])
            self.checked.setDate(QDate(d.year, d.month, d.day))
        self.never_checked.setChecked(not data["last_checked_on"])
        self.delete_button.setEnabled(True)
        self.save_button.setText("Lưu thiết bị")

    def save(self) -> None:
        d = self.checked.date()
        values = {"kind": self.kind.currentData(), "name": self.name.text(), "status": self.status.currentData(),
                  "model": self.model_edit.text(), "note": self.note.text(),
                  "last_checked_on": None if self.never_checked.isChecked() else dt.date(d.year(), d.month(), d.day())}
        editing = self.editing_id
        if editing:
            work = lambda store: equipment.update_equipment(store, editing, **values)  # noqa: E731
        else:
            work = lambda store: equipment.add_equipment(store, values.pop("kind"), values.pop("name"), **values)  # noqa: E731
        self.ctx.bg.db(work, lambda _: self._written(), lambda exc: show_error(self, exc))

    def delete(self) -> None:
        if self.editing_id:
            editing = self.editing_id
            self.ctx.bg.db(lambda store: equipment.delete_equipment(store, editing), lambda _: self._written(),
                           lambda exc: show_error(self, exc))

    def _written(self) -> None:
        self.start_new()
        self.reload()
        self.equipment_written.emit()
