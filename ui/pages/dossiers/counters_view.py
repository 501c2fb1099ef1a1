"""Counters of a period per procedure field, and the indicators against their targets.

Tally rows (days recorded only as totals) are tinted and labelled on their own rows;
totals are bold. Each indicator shows its numerator, its denominator and what the
denominator counts, so staff can check every figure by hand.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.clock import today_local
from core.dossiers.indicators import COUNTER_COLUMNS, INDICATORS
from core.dossiers.periods import KINDS, Period, custom_period, period_for
from ui.save_file import ask_save_path
from ui.pages.dossiers.common import TALLY_COLOUR, TOTAL_COLOUR, number, percent, rag_colour, rag_text

INDICATOR_HEADERS = ["Chỉ số", "Tên chỉ số", "Tỷ lệ", "Tử số / Mẫu số", "Mẫu số là", "Chỉ tiêu", "Đánh giá"]

NO_TARGET_CELL = "—"
NO_TARGET_VERDICT = "Không có chỉ tiêu"
NO_TARGET_TIP = ("Tỉnh chưa giao chỉ tiêu cho chỉ số này trong kỳ: không so sánh được. "
                 "Chỉ tiêu được nhập ở thẻ “Chỉ tiêu và khóa tháng” hoặc nhận từ tỉnh khi đồng bộ.")


class PeriodPicker(QWidget):
    """Day / month / quarter / year around a date, or a custom range."""

    period_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Kỳ:"))
        self.kind = QComboBox()
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(1)  # month
        layout.addWidget(self.kind)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
            edit.setDate(QDate(today_local()))
        self.start_label = QLabel("Ngày trong kỳ:")
        self.end_label = QLabel("đến")
        layout.addWidget(self.start_label)
        layout.addWidget(self.start)
        layout.addWidget(self.end_label)
        layout.addWidget(self.end)
        self.label = QLabel()
        self.label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._changed)
        self.start.dateChanged.connect(self._changed)
        self.end.dateChanged.connect(self._changed)
        self._update_visibility()

    def period(self) -> Period:
        kind = self.kind.currentData()
        start = self.start.date().toPython()
        if kind == "custom":
            end = self.end.date().toPython()
            return custom_period(start, max(start, end))
        return period_for(kind, start)

    def set_period(self, kind: str, anchor: dt.date) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.start.setDate(QDate(anchor))

    def _update_visibility(self) -> None:
        custom = self.kind.currentData() == "custom"
        self.end.setVisible(custom)
        self.end_label.setVisible(custom)
        self.start_label.setText("Từ ngày:" if custom else "Ngày trong kỳ:")

    def _changed(self) -> None:
        self._update_visibility()
        period = self.period()
        self.label.setText(period.label().capitalize())
        self.period_changed.emit(period)


class CountersView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.picker = PeriodPicker()
        self.picker.period_changed.connect(lambda _p: self.reload())
        top.addWidget(self.picker, 1)
        self.export_button = QPushButton("Xuất Excel / CSV…")
        self.export_button.clicked.connect(self.export)
        self.pdf_button = QPushButton("Báo cáo tháng (PDF / Word)…")
        self.pdf_button.clicked.connect(self.print_report)
        top.addWidget(self.export_button)
        top.addWidget(self.pdf_button)
        layout.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.counters_table = QTableWidget(0, len(COUNTER_COLUMNS) + 1)
        self.counters_table.setObjectName("countersTable")
        self.counters_table.setHorizontalHeaderLabels(["Lĩnh vực", *(name for name, _ in COUNTER_COLUMNS)])
        for index, (_, tip) in enumerate(COUNTER_COLUMNS, start=1):
            self.counters_table.horizontalHeaderItem(index).setToolTip(tip)
        self.counters_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.counters_table.verticalHeader().setVisible(False)
        header = self.counters_table.horizontalHeader()
        for col in range(1, len(COUNTER_COLUMNS) + 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.counters_table.setColumnWidth(0, 300)
        self.counters_table.setWordWrap(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        header.setMinimumHeight(46)  # two lines: "Chưa số hóa / TPHS"
        self.counters_table.verticalHeader().setDefaultSectionSize(24)
        splitter.addWidget(self.counters_table)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.indicators_title = QLabel()
        self.indicators_title.setObjectName("sectionHeading")
        lower_layout.addWidget(self.indicators_title)
        self.indicators_table = QTableWidget(0, len(INDICATOR_HEADERS))
        self.indicators_table.setObjectName("indicatorsTable")
        self.indicators_table.setHorizontalHeaderLabels(INDICATOR_HEADERS)
        self.indicators_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.indicators_table.verticalHeader().setVisible(False)
        ih = self.indicators_table.horizontalHeader()
        for col in range(len(INDICATOR_HEADERS)):
            ih.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        ih.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ih.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.indicators_table.setWordWrap(True)
        lower_layout.addWidget(self.indicators_table)
        self.tally_note = QLabel()
        self.tally_note.setWordWrap(True)
        self.tally_note.setStyleSheet(f"background: {TALLY_COLOUR.name()}; padding: 4px;")
        lower_layout.addWidget(self.tally_note)
        splitter.addWidget(lower)
        splitter.setSizes([380, 260])
        layout.addWidget(splitter, 1)
        self.picker._changed()

    def reload(self) -> None:
        try:
            period = self.picker.period()
        except Exception as exc:  # a custom range the core refuses
            from ui.errors import show_error

            show_error(self, exc)
            return

        def load(store):
            from core.dossiers.overview import counters_snapshot

            return counters_snapshot(store, period)

        self.ctx.bg.read(load, self._show)

    def _show(self, snapshot) -> None:
        self.snapshot = snapshot
        rows = snapshot.rows
        table = self.counters_table
        table.setRowCount(len(rows))
        bold = QFont(table.font())
        bold.setBold(True)
        italic = QFont(table.font())
        italic.setItalic(True)
        for r, row in enumerate(rows):
            label = row.field
            if row.source == "tally":
                label = f"{row.field} — số liệu tổng hợp theo ngày"
            cells = [label, *(number(v) for v in row.values)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.source in ("tally", "total_tally"):
                    item.setBackground(QBrush(TALLY_COLOUR))
                    item.setFont(italic)
                    item.setToolTip("Số liệu tổng hợp theo ngày (không có trong sổ đăng ký hồ sơ)")
                elif row.source.startswith("total"):
                    item.setBackground(QBrush(TOTAL_COLOUR))
                    item.setFont(bold)
                table.setItem(r, c, item)
        report = snapshot.indicators
        total = report.total
        self.indicators_title.setText(
            f"Chỉ số {snapshot.period.label()}: tiếp nhận {number(total.received)} hồ sơ, "
            f"đã giải quyết {number(total.finished)} hồ sơ (chỉ tiêu áp dụng ngày "
            f"{snapshot.period.end.strftime('%d/%m/%Y')})")
        it = self.indicators_table
        it.setRowCount(len(report.values))
        for r, (key, value) in enumerate(report.values.items()):
            d = INDICATORS[key]
            # No target: a dash and "Không có chỉ tiêu" — "Chưa đặt" beside "Chưa đạt" read alike.
            target = percent(value.target.target) if value.target else NO_TARGET_CELL
            cells = [d.number, d.name, percent(value.value), f"{number(value.numerator)} / {number(value.denominator)}",
                     d.denominator, target, rag_text(value.rag) if value.target else NO_TARGET_VERDICT]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                colour = rag_colour(value.rag)
                if colour is not None and c in (2, 6):
                    item.setBackground(QBrush(colour))
                if value.target and c == 5:
                    item.setToolTip(value.target.source or "")
                elif not value.target and c in (5, 6):
                    item.setToolTip(NO_TARGET_TIP)
                    item.setForeground(QBrush(QColor("#57606a")))
                if c == 1:
                    item.setToolTip(f"Tử số: {d.numerator}.\nMẫu số: {d.denominator}.")
                it.setItem(r, c, item)
        it.resizeRowsToContents()
        tallies = report.tallies
        if tallies.received or tallies.finished:
            self.tally_note.setText(
                f"Trong các số trên có {number(tallies.received)} hồ sơ tiếp nhận và {number(tallies.finished)} "
                "hồ sơ giải quyết lấy từ số liệu tổng hợp theo ngày (dòng tô màu xanh nhạt), không có trong sổ.")
            self.tally_note.show()
        else:
            self.tally_note.hide()

    def export(self) -> None:
        period = self.picker.period()
        self.ctx.paths.reports_dir.mkdir(parents=True, exist_ok=True)
        suggested = str(self.ctx.paths.reports_dir / f"so-lieu-so-hoa-{period.start_iso}-{period.end_iso}.xlsx")
        ask_save_path(self, "Xuất bảng số liệu", suggested, (".xlsx", ".csv"), lambda path: self.export_to(str(path)))

    def export_to(self, path: str) -> None:
        period = self.picker.period()

        def work(store):
            from core.dossiers.export import export_counters

            return export_counters(store, period, path)

        self.ctx.bg.db(work, lambda out: self._said(f"Đã xuất {out}"))

    def print_report(self) -> None:
        from ui.pages.dossiers.report_action import ask_month_report

        ask_month_report(self, self.ctx, self.picker.period())

    def _said(self, text: str) -> None:
        self.tally_note.setText(text)
        self.tally_note.show()
