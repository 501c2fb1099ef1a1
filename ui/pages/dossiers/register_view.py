"""The dossier register: search and filters in SQL, a list of loaded rows, the edit dialog."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from core.clock import format_date, today_local
from core.dossiers.model import CHANNELS, FEE_LABELS, RESULT_LABELS
from ui.pages.dossiers.common import ask_reason, number
from core.dossiers.register import DEFAULT_SORT, SORTS as REGISTER_SORTS
from ui.widgets.list_table import ListTable
from ui.widgets.paged_model import PagedRowsModel
from ui.widgets.rows_model import Column
from ui.widgets.search_box import SearchBox

PAGE_SIZE = 500


def _date(value, _row=None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else ""


COLUMNS = [
    Column("code", "Mã hồ sơ"),
    Column("field", "Lĩnh vực"),
    Column("procedure_name", "Thủ tục"),
    Column("received_on", "Tiếp nhận", _date),
    Column("promised_on", "Hẹn trả", _date),
    Column("finished_on", "Hoàn thành", _date),
    Column("channel", "Kênh", lambda v, _r: CHANNELS.get(v, "")),
    Column("components_digitised", "Số hóa TPHS", lambda v, _r: "Có" if v else "Không"),
    Column("result_digitised", "Số hóa KQ", lambda v, _r: RESULT_LABELS.get(v, "")),
    Column("data_reused", "Tái sử dụng", lambda v, _r: "Có" if v else "Không"),
    Column("vneid_identified", "VNeID", lambda v, _r: "Có" if v else "Không"),
    Column("fee", "Phí", lambda v, _r: FEE_LABELS.get(v, "")),
    Column("supplement_requests", "Bổ sung", lambda v, _r: f"{v} lần" if v else ""),
]


class OptionalDate(QWidget):
    """A date that may be empty: a check box beside a date editor."""

    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setDisplayFormat("dd/MM/yyyy")
        self.edit.setCalendarPopup(True)
        self.edit.setDate(QDate(today_local()))
        self.edit.setEnabled(False)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)

    def set_value(self, iso: str | None) -> None:
        self.enabled.setChecked(bool(iso))
        if iso:
            self.edit.setDate(QDate.fromString(iso, "yyyy-MM-dd"))

    def value(self) -> str | None:
        return self.edit.date().toPython().isoformat() if self.enabled.isChecked() else None


class DossierDialog(QDialog):
    """Add or edit one dossier with every column; the save runs on the database thread."""

    def __init__(self, ctx, fields: list[str], row: dict | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle("Sửa hồ sơ" if row else "Thêm hồ sơ")
        form = QFormLayout(self)
        self.code = QLineEdit()
        self.field = QComboBox()
        self.field.setEditable(True)
        self.field.addItems(fields)
        self.procedure_name = QLineEdit()
        self.procedure_code = QLineEdit()
        self.received = QDateEdit()
        self.received.setDisplayFormat("dd/MM/yyyy")
        self.received.setCalendarPopup(True)
        self.received.setDate(QDate(today_local()))
        self.promised = OptionalDate("Có hẹn trả")
        self.finished = OptionalDate("Đã hoàn thành")
        self.channel = QComboBox()
        for code, label in CHANNELS.items():
            self.channel.addItem(label, code)
        self.components = QCheckBox("Đã số hóa thành phần hồ sơ")
        self.result = QComboBox()
        for code, label in RESULT_LABELS.items():
            self.result.addItem(label, code)
        self.reused = QCheckBox("Có tái sử dụng dữ liệu số hóa")
        self.vneid = QCheckBox("Người nộp xác thực qua VNeID")
        self.fee = QComboBox()
        for code, label in FEE_LABELS.items():
            self.fee.addItem(label, code)
        self.fee.setCurrentIndex(self.fee.findData("no_fee"))
        self.supplement_requests = QSpinBox()
        self.supplement_requests.setRange(0, 20)
        self.supplement_requests.setToolTip("Yêu cầu bổ sung quá một lần: hồ sơ tính là trễ hạn (QĐ 766)")
        self.supplement_days = QSpinBox()
        self.supplement_days.setRange(0, 3650)
        self.supplement_days.setToolTip("Thời gian chờ công dân bổ sung không tính vào thời hạn giải quyết")
        for label, widget in (("Mã hồ sơ:", self.code), ("Lĩnh vực:", self.field), ("Thủ tục:", self.procedure_name),
                              ("Mã thủ tục:", self.procedure_code), ("Ngày tiếp nhận:", self.received),
                              ("Ngày hẹn trả:", self.promised), ("Ngày hoàn thành:", self.finished),
                              ("Kênh nộp:", self.channel), ("", self.components),
                              ("Số hóa kết quả:", self.result), ("", self.reused), ("", self.vneid),
                              ("Phí, lệ phí:", self.fee), ("Số lần yêu cầu bổ sung:", self.supplement_requests),
                              ("Số ngày chờ bổ sung:", self.supplement_days)):
            form.addRow(label, widget)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if row:
            self._fill(row)

    def _fill(self, row: dict) -> None:
        self.code.setText(row["code"])
        self.field.setCurrentText(row["field"])
        self.procedure_name.setText(row["procedure_name"] or "")
        self.procedure_code.setText(row["procedure_code"] or "")
        self.received.setDate(QDate.fromString(row["received_on"], "yyyy-MM-dd"))
        self.promised.set_value(row["promised_on"])
        self.finished.set_value(row["finished_on"])
        self.channel.setCurrentIndex(self.channel.findData(row["channel"]))
        self.components.setChecked(bool(row["components_digitised"]))
        self.result.setCurrentIndex(self.result.findData(row["result_digitised"]))
        self.reused.setChecked(bool(row["data_reused"]))
        self.vneid.setChecked(bool(row["vneid_identified"]))
        self.fee.setCurrentIndex(self.fee.findData(row["fee"]))
        self.supplement_requests.setValue(row["supplement_requests"])
        self.supplement_days.setValue(row["supplement_days"])

    def values(self) -> dict:
        return {
            "code": self.code.text(), "field": self.field.currentText(),
            "procedure_name": self.procedure_name.text(), "procedure_code": self.procedure_code.text(),
            "received_on": self.received.date().toPython().isoformat(), "promised_on": self.promised.value(),
            "finished_on": self.finished.value(), "channel": self.channel.currentData(),
            "components_digitised": int(self.components.isChecked()), "result_digitised": self.result.currentData(),
            "data_reused": int(self.reused.isChecked()), "vneid_identified": int(self.vneid.isChecked()),
            "fee": self.fee.currentData(), "supplement_requests": self.supplement_requests.value(),
            "supplement_days": self.supplement_days.value(),
        }

    def save(self, reason: str | None = None) -> None:
        values, row = self.values(), self.row

        def write(store):
            from core.dossiers.register import add_dossier, update_dossier

            if row is None:
                return add_dossier(store, values, reason=reason)
            update_dossier(store, row["id"], values, reason=reason)
            return row["id"]

        self.ctx.bg.db(write, lambda _id: self.accept(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        from core.dossiers.locks import LockedMonthError
        from core.errors import AppError

        if isinstance(exc, LockedMonthError):
            reason = ask_reason(self, exc.message)
            if reason:
                self.save(reason)
            return
        if isinstance(exc, AppError):
            self.error.setText(exc.message)
            return
        from ui.errors import show_error

        show_error(self, exc)


class RegisterView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.fields: list[str] = []
        self._shown_query = None  # (filter, order) of the list on screen
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.search = SearchBox("Tìm theo mã hồ sơ, lĩnh vực, thủ tục (gõ không dấu cũng được)…")
        self.search.search_changed.connect(lambda _t: self.reload())
        filters.addWidget(self.search, 2)
        self.field_filter = QComboBox()
        self.field_filter.addItem("Mọi lĩnh vực", None)
        self.channel_filter = QComboBox()
        self.channel_filter.addItem("Mọi kênh", None)
        for code, label in CHANNELS.items():
            self.channel_filter.addItem(label, code)
        self.status_filter = QComboBox()
        for label, key in (("Mọi trạng thái", None), ("Đang giải quyết", "open"), ("Đã giải quyết", "finished"),
                           ("Trễ hạn", "late")):
            self.status_filter.addItem(label, key)
        for combo in (self.field_filter, self.channel_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
            filters.addWidget(combo, 1)
        layout.addLayout(filters)
        # A day chosen from the overview ("hồ sơ tiếp nhận hôm nay"): said plainly, removable.
        self.day_filter: dict = {}
        day_row = QHBoxLayout()
        self.day_filter_label = QLabel()
        self.day_filter_label.setObjectName("dayFilterLabel")
        self.day_filter_label.setStyleSheet("background: #fff3cd; border-radius: 4px; padding: 3px 8px;")
        self.day_filter_clear = QPushButton("Bỏ lọc ngày")
        self.day_filter_clear.clicked.connect(lambda: self.show_day())
        day_row.addWidget(self.day_filter_label)
        day_row.addWidget(self.day_filter_clear)
        day_row.addStretch(1)
        layout.addLayout(day_row)
        self._show_day_filter()
        buttons = QHBoxLayout()
        for text, slot in (("Thêm hồ sơ…", self.add), ("Sửa…", self.edit_selected), ("Xóa", self.remove_selected),
                           ("Nhập từ Excel…", self.import_excel), ("Xuất Excel / CSV…", self.export)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)
        layout.addLayout(buttons)
        self.model = PagedRowsModel(COLUMNS, ctx.bg, self)
        self.model.page_loaded.connect(self._show_count)
        self.table = ListTable(ctx, "registerTable", self.model, sortable=REGISTER_SORTS, default_sort=DEFAULT_SORT)
        # Widths fit the first page once, then stay as the person drags them (and are remembered).
        # Thirteen columns do not fit a 1366-pixel screen: each is fitted to its text (long procedure
        # names capped), the list scrolls sideways as Excel does, the last column takes any spare width.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.sort_changed.connect(self.reload)
        self.table.row_opened.connect(lambda _row: self.edit_selected())
        self.table.menu_builder = self._row_menu
        self.table.empty_state = self._empty_state
        layout.addWidget(self.table, 1)

    def filter(self):
        from core.dossiers.register import RegisterFilter

        received, finished = self.day_filter.get("received_on"), self.day_filter.get("finished_on")
        return RegisterFilter(search=self.search.text(), field=self.field_filter.currentData(),
                              channel=self.channel_filter.currentData(), status=self.status_filter.currentData(),
                              received_from=received, received_to=received,
                              finished_from=finished, finished_to=finished)

    def show_day(self, *, received_on: str | None = None, finished_on: str | None = None) -> None:
        """Only the dossiers received (or finished) on that day; nothing given: every day again."""
        self.day_filter = {k: v for k, v in (("received_on", received_on), ("finished_on", finished_on)) if v}
        self._show_day_filter()
        self.reload()

    def _show_day_filter(self) -> None:
        parts = [f"{'tiếp nhận' if key == 'received_on' else 'giải quyết'} ngày {_date(value)}"
                 for key, value in self.day_filter.items()]
        self.day_filter_label.setText("Đang xem hồ sơ " + ", ".join(parts) if parts else "")
        self.day_filter_label.setVisible(bool(parts))
        self.day_filter_clear.setVisible(bool(parts))

    def reload(self) -> None:
        flt, sort = self.filter(), self.table.sort

        def load(store):
            from core.dossiers.fields import field_names
            from core.dossiers.register import list_dossiers

            rows, total = list_dossiers(store, flt, limit=PAGE_SIZE, sort=sort)
            return rows, total, field_names(store)

        def next_page(store, offset: int) -> list:
            from core.dossiers.register import list_dossiers

            return list_dossiers(store, flt, limit=PAGE_SIZE, offset=offset, sort=sort, count=False)[0]

        query = (flt, sort)
        self.ctx.bg.read(load, lambda result: self._show(result, next_page, query))

    def _show(self, result, next_page, query=None) -> None:
        rows, total, fields = result
        self.model.reset(rows, total, next_page)
        if query != self._shown_query:
            # A new order or filter starts again from its first page: show its top. Left where it
            # was, a list scrolled down past the new first page's length stays at the end of that
            # page, its scroll bar already at the bottom, and the wheel then loads nothing more
            # (the next page is asked for only when the bar reaches its end). Data refreshes of the
            # same query keep the place.
            self._shown_query = query
            self.table.scrollToTop()
        self._show_count()
        self.table.fit_columns_once(max_width=280)
        if fields != self.fields:
            self.fields = fields
            current = self.field_filter.currentData()
            self.field_filter.blockSignals(True)
            self.field_filter.clear()
            self.field_filter.addItem("Mọi lĩnh vực", None)
            for name in fields:
                self.field_filter.addItem(name, name)
            self.field_filter.setCurrentIndex(max(0, self.field_filter.findData(current)))
            self.field_filter.blockSignals(False)

    def _empty_state(self):
        flt = self.filter()
        if flt.search.strip() or flt.field or flt.channel or flt.status or self.day_filter:
            return "Không có hồ sơ nào khớp với tìm kiếm và bộ lọc đang chọn.", []
        return ("Sổ chưa có hồ sơ nào. Ghi hồ sơ ngay tại quầy khi tiếp nhận (quét mã, chọn bằng phím), "
                "thêm từng hồ sơ, hoặc nhập danh sách từ tệp Excel của hệ thống một cửa.",
                [("Nhập nhanh tại quầy", lambda: self.ctx.signals.navigation_requested.emit("dossiers", "quick")),
                 ("Thêm hồ sơ…", self.add), ("Nhập từ Excel…", self.import_excel)])

    def _show_count(self) -> None:
        loaded, total = len(self.model.rows), self.model.total
        self.count_label.setText(f"{number(total)} hồ sơ" if loaded >= total else
                                 f"{number(total)} hồ sơ · đã tải {number(loaded)} (cuộn xuống để xem tiếp)")

    def _row_menu(self, row) -> list:
        from ui.widgets.list_table import copy_text

        return [("Sửa hồ sơ…", self.edit_selected), ("Sao chép mã hồ sơ", lambda: copy_text(row["code"])),
                None, ("Xóa hồ sơ…", self.remove_selected)]

    def selected(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _open_dialog(self, row: dict | None) -> None:
        dialog = DossierDialog(self.ctx, self.fields, row, self)
        dialog.accepted.connect(lambda: self.ctx.signals.data_changed.emit("dossiers"))
        dialog.open()
        self.dialog = dialog

    def add(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        row = self.selected()
        if row:
            self._open_dialog(row)

    def remove_selected(self, reason: str | None = None) -> None:
        row = self.selected()
        if not row:
            return
        if reason is None and QMessageBox.question(
                self, "Xóa hồ sơ", f"Xóa hồ sơ {row['code']} khỏi sổ?") != QMessageBox.StandardButton.Yes:
            return

        def failed(exc):
            from core.dossiers.locks import LockedMonthError
            from ui.errors import show_error

            if isinstance(exc, LockedMonthError):
                given = ask_reason(self, exc.message)
                if given:
                    self.remove_selected(given)
                return
            show_error(self, exc)

        def work(store):
            from core.dossiers.register import remove_dossier

            remove_dossier(store, row["id"], reason=reason)

        self.ctx.bg.db(work, lambda _r: self.ctx.signals.data_changed.emit("dossiers"), failed)

    def import_excel(self) -> None:
        from ui.pages.dossiers.import_dialog import ImportDialog

        path, _ = QFileDialog.getOpenFileName(self, "Chọn tệp danh sách hồ sơ", "", "Excel (*.xlsx)")
        if path:
            self.import_dialog = ImportDialog(self.ctx, path, self)
            self.import_dialog.open()

    def export(self) -> None:
        from ui.save_file import ask_save_path

        self.ctx.paths.reports_dir.mkdir(parents=True, exist_ok=True)
        ask_save_path(self, "Xuất sổ hồ sơ", self.ctx.paths.reports_dir / "so-ho-so.xlsx", (".xlsx", ".csv"),
                      lambda path: self.export_to(str(path)))

    def export_to(self, path: str) -> None:
        flt = self.filter()

        def work(store):
            from core.dossiers.export import export_register

            return export_register(store, path, flt)

        self.ctx.bg.db(work, lambda out: self.count_label.setText(f"Đã xuất {out}"))
