"""Tổng quan: who and where we are, and the figures each capability wants seen first."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from core.clock import format_date, today_local
from ui.pages.base import Page
from ui.style import RAG


def _fmt_size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB".replace(".", ",")


class OverviewPage(Page):
    title = "Tổng quan"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        outer = QVBoxLayout(self)
        outer.addWidget(self.heading("Tổng quan"))
        self.identity_label = QLabel()
        self.identity_label.setObjectName("overviewIdentity")
        self.identity_label.setWordWrap(True)
        outer.addWidget(self.identity_label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_host = QWidget()
        self.cards = QGridLayout(self.cards_host)
        # Spare width goes to an empty third column, spare height below the cards (see _show).
        self.cards.setColumnStretch(2, 1)
        scroll.setWidget(self.cards_host)
        outer.addWidget(scroll, 1)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("overviewFacts")
        self.facts_label.setWordWrap(True)
        # The backup figure opens where backups are listed (Cài đặt), the staff count the staff list.
        self.facts_label.linkActivated.connect(lambda key: ctx.signals.navigation_requested.emit(key, None))
        outer.addWidget(self.facts_label)

    def reload(self) -> None:
        paths = self.ctx.paths
        today = today_local()

        def load(store):
            from core import overview

            return overview.collect(store, today), overview.workspace_facts(store, paths.backups_dir)

        self.ctx.bg.read(load, self._show)

    def _show(self, result) -> None:
        items, facts = result
        who = self.ctx.identity
        unit = who.unit.name if who.unit else "chưa thiết lập đơn vị"
        staff = who.staff_name or "chưa chọn cán bộ"
        self.identity_label.setText(f"<b>{unit}</b> — cán bộ đang làm việc: <b>{staff}</b> — "
                                    f"hôm nay {format_date(today_local())}")
        while self.cards.count():
            widget = self.cards.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        sections: OrderedDict[str, list] = OrderedDict()
        for item in items:
            sections.setdefault(item.section, []).append(item)
        for index, (section, section_items) in enumerate(sections.items()):
            self.cards.addWidget(self._card(section, section_items), index // 2, index % 2)
        for row in range(self.cards.rowCount()):
            self.cards.setRowStretch(row, 0)
        self.cards.setRowStretch((len(sections) + 1) // 2, 1)  # spare height goes below the cards
        if not sections:
            empty = QLabel("Chưa có số liệu nào để tổng hợp.")
            self.cards.addWidget(empty, 0, 0)
        last = facts["last_backup"]
        last_text = (f"{last.hour:02d}:{last.minute:02d} {format_date(last.date())}" if last else "chưa có")
        from html import escape

        self.facts_label.setText(
            f"Dữ liệu: {_fmt_size(facts['db_size'])} tại {escape(str(self.ctx.paths.data_dir))} · "
            f"<a href=\"settings\">Bản sao lưu gần nhất: {last_text} ({facts['backup_count']} bản)</a> · "
            f"<a href=\"settings\">{facts['staff_count']} cán bộ</a>")

    def _card(self, section: str, items) -> QFrame:
        # Loading the Qt namespace's enums costs ~10 ms: here, after the first paint, not at import.
        from PySide6.QtCore import Qt

        card = QFrame()
        card.setObjectName("card")
        card.setMinimumWidth(320)
        layout = QVBoxLayout(card)
        title = QLabel(section)
        title.setObjectName("sectionHeading")
        layout.addWidget(title)
        for item in items:
            row = QHBoxLayout()
            label = QLabel(item.label)
            label.setWordWrap(True)
            row.addWidget(label, 1)
            if item.page:
                value = QPushButton(item.value)
                value.setFlat(True)
                value.setCursor(Qt.CursorShape.PointingHandCursor)
                value.setToolTip("Xem số liệu này từ đâu ra (mở trang đã lọc sẵn)")
                value.clicked.connect(lambda _=False, i=item: self.ctx.signals.navigation_requested.emit(
                    i.page, i.argument))
            else:
                value = QLabel(item.value)
            value.setObjectName("bigNumber" if len(item.value) <= 8 else "")
            if item.level in RAG:
                value.setStyleSheet(f"background: {RAG[item.level].name()}; border-radius: 4px; padding: 2px 8px;")
            row.addWidget(value, 0, Qt.AlignmentFlag.AlignRight)
            layout.addLayout(row)
        layout.addStretch(1)  # a shorter card beside a taller one keeps its lines at the top
        return card
