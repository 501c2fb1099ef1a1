"""Targets, month locks and the procedure-field list: the data behind the verdicts.

Targets from the province (arrived in a bundle) are shown but not editable here; a
province target replaces the commune's own for the same date. Unlocking a month and
every change to a locked month ask for a reason, listed under the locks.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDoubleSpinBox, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from core.clock import format_date, format_datetime_local, today_local
from core.dossiers.indicators import INDICATORS
from core.dossiers.locks import month_label
from ui.pages.dossiers.common import ask_reason, percent
from core.dossiers.locks import CHANGE_SORTS, LOCK_SORTS
from core.dossiers.targets import TARGET_SORTS
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel

TARGET_COLUMNS = [
    Column("indicator", "Chỉ số", lambda v, _r: f"{INDICATORS[v].number} {INDICATORS[v].name}" if v in INDICATORS else v),
    Column("effective_from", "Áp dụng từ", lambda v, _r: format_date(dt.date.fromisoformat(v))),
    Column("target", "Chỉ tiêu", lambda v, _r: percent(v)),
    Column("amber_margin", "Gần đạt trong khoảng", lambda v, _r: percent(v)),
    Column("from_province", "Nguồn", lambda v, _r: "Tỉnh gửi" if v else "Xã"),
    Column("source", "Căn cứ"),
]
LOCK_COLUMNS = [
    Column("month", "Tháng", lambda v, _r: month_label(v)),
    Column("note", "Ghi chú"),
    Column("created_at", "Khóa lúc", lambda v, _r: format_datetime_local(v)),
]
CHANGE_COLUMNS = [
    Column("month", "Tháng", lambda v, _r: month_label(v)),
    Column("subject", "Nội dung"),
    Column("action", "Thao tác"),
    Column("reason", "Lý do"),
    Column("created_at", "Lúc", lambda v, _r: format_datetime_local(v)),
]


def _table(ctx, name: str, model, sorts: dict, default_sort) -> ListTable:
    view = ListTable(ctx, name, model, sortable=sorts, default_sort=default_sort)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class DossierSettingsView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QGridLayout(self)

        targets = QGroupBox("Chỉ tiêu (tỉnh gửi sẽ thay chỉ tiêu xã đặt cùng ngày áp dụng)")
        t_layout = QVBoxLayout(targets)
        self.targets_model = RowsModel(TARGET_COLUMNS, self)
        self.targets_view = _table(ctx, "targetsTable", self.targets_model, TARGET_SORTS, None)
        self.targets_view.clicked.connect(self._target_picked)
        t_layout.addWidget(self.targets_view, 1)
        form = QHBoxLayout()
        self.indicator = QComboBox()
        for key, d in INDICATORS.items():
            self.indicator.addItem(f"{d.number} {d.name}", key)
        self.effective = QDateEdit()
        self.effective.setDisplayFormat("dd/MM/yyyy")
        self.effective.setCalendarPopup(True)
        self.effective.setDate(QDate(today_local().year, 1, 1))
        self.target = QDoubleSpinBox()
        self.target.setRange(0, 100)
        self.target.setSuffix(" %")
        self.target.setDecimals(1)
        self.target.setValue(80)
        self.margin = QDoubleSpinBox()
        self.margin.setRange(0, 100)
        self.margin.setSuffix(" %")
        self.margin.setDecimals(1)
        self.margin.setValue(10)
        for spin in (self.target, self.margin):
            spin.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))  # 80,0 %
        self.source = QLineEdit()
        self.source.setPlaceholderText("Căn cứ (số văn bản)")
        for label, widget in (("", self.indicator), ("từ", self.effective), ("chỉ tiêu", self.target),
                              ("gần đạt trong", self.margin)):
            if label:
                form.addWidget(QLabel(label))
            form.addWidget(widget)
        t_layout.addLayout(form)
        row2 = QHBoxLayout()
        row2.addWidget(self.source, 1)
        save = QPushButton("Lưu chỉ tiêu")
        save.clicked.connect(self.save_target)
        delete = QPushButton("Xóa chỉ tiêu của xã đang chọn")
        delete.clicked.connect(self.delete_target)
        row2.addWidget(save)
        row2.addWidget(delete)
        t_layout.addLayout(row2)
        self.message = QLabel()
        self.message.setWordWrap(True)
        t_layout.addWidget(self.message)
        layout.addWidget(targets, 0, 0, 1, 2)

        locks_box = QGroupBox("Khóa số liệu tháng đã báo cáo")
        l_layout = QVBoxLayout(locks_box)
        self.locks_model = RowsModel(LOCK_COLUMNS, self)
        self.locks_view = _table(ctx, "locksTable", self.locks_model, LOCK_SORTS, ("month", True))
        l_layout.addWidget(self.locks_view, 1)
        lock_row = QHBoxLayout()
        self.lock_month_edit = QDateEdit()
        self.lock_month_edit.setDisplayFormat("MM/yyyy")
        self.lock_month_edit.setDate(QDate(today_local()).addMonths(-1))
        lock = QPushButton("Khóa tháng")
        lock.clicked.connect(self.lock)
        unlock = QPushButton("Mở khóa tháng đang chọn…")
        unlock.clicked.connect(self.unlock)
        lock_row.addWidget(self.lock_month_edit)
        lock_row.addWidget(lock)
        lock_row.addWidget(unlock)
        lock_row.addStretch(1)
        l_layout.addLayout(lock_row)
        layout.addWidget(locks_box, 1, 0)

        changes_box = QGroupBox("Các thay đổi sau khi khóa (kèm lý do)")
        c_layout = QVBoxLayout(changes_box)
        self.changes_model = RowsModel(CHANGE_COLUMNS, self)
        self.changes_view = _table(ctx, "lockedChangesTable", self.changes_model, CHANGE_SORTS, ("created_at", True))
        c_layout.addWidget(self.changes_view)
        for view in (self.targets_view, self.locks_view, self.changes_view):
            view.sort_changed.connect(self.reload)
        self.targets_view.empty_state = lambda: (
            "Chưa có chỉ tiêu nào: nhập chỉ tiêu tỉnh giao ở biểu mẫu bên cạnh, hoặc nhận từ tỉnh khi đồng bộ.", [])
        self.locks_view.empty_state = lambda: ("Chưa khóa tháng nào. Khóa tháng sau khi đã báo cáo số liệu "
                                               "để không ai sửa nhầm.", [])
        self.changes_view.empty_state = lambda: ("Chưa có sửa đổi nào trên tháng đã khóa.", [])
        layout.addWidget(changes_box, 1, 1)

        fields_box = QGroupBox("Danh sách lĩnh vực")
        f_layout = QHBoxLayout(fields_box)
        self.new_field = QLineEdit()
        self.new_field.setPlaceholderText("Tên lĩnh vực mới")
        add = QPushButton("Thêm lĩnh vực")
        add.clicked.connect(self.add_field)
        self.hide_field_combo = QComboBox()
        hide = QPushButton("Ẩn lĩnh vực")
        hide.clicked.connect(self.hide_field)
        for widget in (self.new_field, add, self.hide_field_combo, hide):
            f_layout.addWidget(widget)
        layout.addWidget(fields_box, 2, 0, 1, 2)
        layout.setRowStretch(0, 3)
        layout.setRowStretch(1, 2)

    # -- loading ---------------------------------------------------------------------
    def reload(self) -> None:
        sorts = self.targets_view.sort, self.locks_view.sort, self.changes_view.sort

        def load(store):
            from core.dossiers.fields import field_names
            from core.dossiers.locks import changes_in, list_locks
            from core.dossiers.targets import all_targets

            return (all_targets(store, sort=sorts[0]), list_locks(store, sort=sorts[1]),
                    changes_in(store, sort=sorts[2], limit=200), field_names(store))

        self.ctx.bg.read(load, self._show)

    def _show(self, result) -> None:
        targets, locks, changes, fields = result
        self.targets_model.set_rows(targets)
        self.locks_model.set_rows(locks)
        self.changes_model.set_rows(changes)
        for view in (self.targets_view, self.locks_view, self.changes_view):
            view.fit_columns_once()
        self.hide_field_combo.clear()
        self.hide_field_combo.addItems(fields)

    def _run(self, work, done_text: str, table: str) -> None:
        def failed(exc):
            from core.errors import AppError

            if isinstance(exc, AppError):
                self._say(exc.message, error=True)
            else:
                from ui.errors import show_error

                show_error(self, exc)

        def done(_result):
            self._say(done_text)
            self.ctx.signals.data_changed.emit(table)

        self.ctx.bg.db(work, done, failed)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #cf222e;" if error else "color: #1a7f37;")
        self.message.setText(text)

    # -- targets ---------------------------------------------------------------------
    def _target_picked(self, index) -> None:
        row = self.targets_model.row(index.row())
        self.indicator.setCurrentIndex(self.indicator.findData(row["indicator"]))
        self.effective.setDate(QDate.fromString(row["effective_from"], "yyyy-MM-dd"))
        self.target.setValue(row["target"] * 100)
        self.margin.setValue(row["amber_margin"] * 100)
        self.source.setText(row["source"] or "")

    def save_target(self) -> None:
        from core.dossiers.targets import set_local_target

        key, day = self.indicator.currentData(), self.effective.date().toPython().isoformat()
        target, margin, source = self.target.value() / 100, self.margin.value() / 100, self.source.text()
        self._run(lambda store: set_local_target(store, key, day, target, margin, source),
                  "Đã lưu chỉ tiêu.", "dossier_targets")

    def delete_target(self) -> None:
        from core.dossiers.targets import delete_local_target

        index = self.targets_view.currentIndex()
        if not index.isValid():
            self._say("Hãy chọn một chỉ tiêu của xã trong bảng.", error=True)
            return
        row = self.targets_model.row(index.row())
        if row["from_province"]:
            self._say("Chỉ tiêu do tỉnh gửi không xóa được tại xã.", error=True)
            return
        self._run(lambda store: delete_local_target(store, row["indicator"], row["effective_from"]),
                  "Đã xóa chỉ tiêu.", "dossier_targets")

    # -- locks -----------------------------------------------------------------------
    def lock(self) -> None:
        from core.dossiers.locks import lock_month

        month = self.lock_month_edit.date().toPython().strftime("%Y-%m")
        self._run(lambda store: lock_month(store, month, "Đã báo cáo tỉnh"), f"Đã khóa tháng {month_label(month)}.",
                  "dossier_month_locks")

    def unlock(self) -> None:
        from core.dossiers.locks import unlock_month

        index = self.locks_view.currentIndex()
        if not index.isValid():
            self._say("Hãy chọn tháng cần mở khóa trong bảng.", error=True)
            return
        month = self.locks_model.row(index.row())["month"]
        reason = ask_reason(self, f"Mở khóa tháng {month_label(month)} (đã báo cáo tỉnh).")
        if reason:
            self._run(lambda store: unlock_month(store, month, reason), f"Đã mở khóa tháng {month_label(month)}.",
                      "dossier_month_locks")

    # -- fields ----------------------------------------------------------------------
    def add_field(self) -> None:
        from core.dossiers.fields import add_field

        name = self.new_field.text()
        self._run(lambda store: add_field(store, name), f"Đã thêm lĩnh vực “{name.strip()}”.", "procedure_fields")
        self.new_field.clear()

    def hide_field(self) -> None:
        from core.dossiers.fields import set_field_active

        name = self.hide_field_combo.currentText()
        if name:
            self._run(lambda store: set_field_active(store, name, False),
                      f"Đã ẩn lĩnh vực “{name}” (hồ sơ cũ vẫn giữ lĩnh vực này).", "procedure_fields")
