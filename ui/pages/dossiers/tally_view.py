"""Daily tallies: a day recorded only as totals per field and channel, kept apart from the register."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFormLayout, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from core.clock import format_date, today_local
from core.dossiers.model import CHANNELS
from core.dossiers.tallies import SORTS as TALLY_SORTS, TALLY_COUNTS
from ui.pages.dossiers.common import TALLY_COLOUR, ask_reason
from ui.widgets.list_table import ListTable
from ui.personal_data import screen_text
from ui.widgets.rows_model import Column, RowsModel

COLUMNS = [
    Column("day", "Ngày", lambda v, _r: format_date(dt.date.fromisoformat(v))),
    Column("field", "Lĩnh vực"),
    Column("channel", "Kênh", lambda v, _r: CHANNELS.get(v, "")),
    *(Column(key, label) for key, label in TALLY_COUNTS.items()),
    Column("note", "Ghi chú"),
]


class TallyView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        intro = QLabel("Dùng cho những ngày chỉ có số liệu tổng hợp (ví dụ hệ thống một cửa gián đoạn). "
                       "Số liệu này được tính vào các chỉ số nhưng luôn ghi rõ là “số liệu tổng hợp”, "
                       "không trộn vào sổ hồ sơ. Lưu lại cùng ngày, lĩnh vực, kênh sẽ thay số cũ.")
        intro.setWordWrap(True)
        intro.setStyleSheet(f"background: {TALLY_COLOUR.name()}; padding: 6px;")
        layout.addWidget(intro)
        form = QFormLayout()
        self.day = QDateEdit()
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        self.day.setDate(QDate(today_local()))
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.field = QComboBox()
        self.channel = QComboBox()
        for code, label in CHANNELS.items():
            self.channel.addItem(label, code)
        top = QHBoxLayout()
        for label, widget in (("Ngày:", self.day), ("Lĩnh vực:", self.field), ("Kênh:", self.channel)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addStretch(1)
        form.addRow(top)
        grid = QGridLayout()
        self.counts: dict[str, QSpinBox] = {}
        for index, (key, label) in enumerate(TALLY_COUNTS.items()):
            spin = QSpinBox()
            spin.setRange(0, 100_000)
            spin.setObjectName(f"tally_{key}")
            grid.addWidget(QLabel(label + ":"), index // 3, (index % 3) * 2)
            grid.addWidget(spin, index // 3, (index % 3) * 2 + 1)
            self.counts[key] = spin
        form.addRow(grid)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Vì sao chỉ có số tổng hợp (không bắt buộc)")
        form.addRow("Ghi chú:", self.note)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        save = QPushButton("Lưu số liệu tổng hợp")
        save.clicked.connect(lambda: self.save())
        buttons.addWidget(save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        layout.addLayout(buttons)
        self.month_label = QLabel()
        self.month_label.setObjectName("sectionHeading")
        layout.addWidget(self.month_label)
        self.model = RowsModel(COLUMNS, self)
        self.table = ListTable(ctx, "tallyTable", self.model, sortable=TALLY_SORTS, default_sort=("day", True))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.sort_changed.connect(self.reload)
        self.table.row_opened.connect(self._load_row)
        self.table.menu_builder = lambda row: [("Mở để sửa", lambda: self._load_row(row))]
        self.table.empty_state = lambda: (
            "Chưa có số liệu tổng hợp theo ngày trong tháng này. Dùng khi chỉ có số đếm trong ngày (không có "
            "mã từng hồ sơ): chọn ngày, lĩnh vực, kênh, ghi các số rồi bấm Lưu ở biểu mẫu phía trên.", [])
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        day = self.day.date().toPython()
        sort = self.table.sort
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

        def load(store):
            from core.dossiers.fields import field_names
            from core.dossiers.tallies import list_tallies

            return field_names(store), list_tallies(store, start.isoformat(), end.isoformat(), sort=sort)

        self.ctx.bg.read(load, lambda result: self._show(result, start))

    def _show(self, result, start: dt.date) -> None:
        fields, rows = result
        current = self.field.currentText()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.addItems(fields)
        if current:
            self.field.setCurrentText(current)
        self.field.blockSignals(False)
        self.month_label.setText(f"Số liệu tổng hợp tháng {start.month:02d}/{start.year} "
                                 f"({len(rows)} dòng; nhấn đúp để sửa)")
        self.model.set_rows(rows)
        self.table.fit_columns_once()

    def _load_row(self, row: dict) -> None:
        self.day.setDate(QDate.fromString(row["day"], "yyyy-MM-dd"))
        self.field.setCurrentText(row["field"])
        self.channel.setCurrentIndex(self.channel.findData(row["channel"]))
        for key, spin in self.counts.items():
            spin.setValue(row[key])
        self.note.setText(row["note"] or "")

    def values(self) -> dict:
        return {"day": self.day.date().toPython().isoformat(), "field": self.field.currentText(),
                "channel": self.channel.currentData(), "note": self.note.text(),
                **{key: spin.value() for key, spin in self.counts.items()}}

    def save(self, reason: str | None = None) -> None:
        values = self.values()
        note = screen_text(self, values["note"], "Ghi chú")
        if note is None:
            return
        values["note"] = note

        def write(store):
            from core.dossiers.tallies import save_tally

            return save_tally(store, values, reason=reason)

        def failed(exc):
            from core.dossiers.locks import LockedMonthError
            from core.errors import AppError

            if isinstance(exc, LockedMonthError):
                given = ask_reason(self, exc.message)
                if given:
                    self.save(given)
            elif isinstance(exc, AppError):
                self.message.setStyleSheet("color: #cf222e;")
                self.message.setText(exc.message)
            else:
                from ui.errors import show_error

                show_error(self, exc)

        def done(_id):
            self.message.setStyleSheet("color: #1a7f37;")
            self.message.setText(f"Đã lưu số liệu tổng hợp ngày {format_date(dt.date.fromisoformat(values['day']))}, "
                                 f"{values['field']}, {CHANNELS[values['channel']].lower()}.")
            self.ctx.signals.data_changed.emit("dossier_tallies")

        self.ctx.bg.db(write, done, failed)
