"""Editing the commune's own copy of a checklist template, row by row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from core.checklists.model import COMPARISON_SIGNS, COMPARISONS, KIND_LABELS, KINDS, Item, format_number, parse_number
from core.checklists.templates import Template, validate_items
from core.errors import UserInputError
from ui.errors import show_error

HEADERS = ["Nhóm", "Nội dung kiểm tra", "Kiểu", "Ngưỡng", "Đơn vị", "So sánh", "Bắt buộc", "Hướng dẫn"]
CATEGORY, TEXT, KIND, THRESHOLD, UNIT, COMPARISON, CRITICAL, GUIDANCE = range(8)


class TemplateEditorDialog(QDialog):
    def __init__(self, template: Template, parent=None):
        super().__init__(parent)
        self.template = template
        self.setWindowTitle(f"Sửa mẫu phiếu: {template.name}")
        self.resize(1100, 600)
        layout = QVBoxLayout(self)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Tên mẫu phiếu:"))
        self.name = QLineEdit(template.name)
        name_row.addWidget(self.name, 1)
        layout.addLayout(name_row)
        note = QLabel(f"Phiên bản hiện tại: {template.version}. Lưu sẽ tạo phiên bản {template.version + 1}; "
                      "các phiếu đã tạo vẫn giữ đúng mẫu đã dùng.")
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((CATEGORY, 120), (KIND, 100), (THRESHOLD, 70), (UNIT, 70), (COMPARISON, 60),
                              (CRITICAL, 75), (GUIDANCE, 180)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        for item in template.items:
            self._append(item)
        buttons = QHBoxLayout()
        for text, slot in (("Thêm mục", self.add_row), ("Xóa mục", self.remove_row),
                           ("Lên", lambda: self.move(-1)), ("Xuống", lambda: self.move(1))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Lưu thành phiên bản mới")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.result_items: list[Item] = []

    def _append(self, item: Item, at: int | None = None) -> None:
        row = self.table.rowCount() if at is None else at
        self.table.insertRow(row)
        self.table.setItem(row, CATEGORY, QTableWidgetItem(item.category))
        self.table.setItem(row, TEXT, QTableWidgetItem(item.text))
        kind = QComboBox()
        for code in KINDS:
            kind.addItem(KIND_LABELS[code], code)
        kind.setCurrentIndex(KINDS.index(item.kind))
        self.table.setCellWidget(row, KIND, kind)
        self.table.setItem(row, THRESHOLD, QTableWidgetItem(format_number(item.threshold)))
        self.table.setItem(row, UNIT, QTableWidgetItem(item.unit or ""))
        comparison = QComboBox()
        for code in COMPARISONS:
            comparison.addItem(COMPARISON_SIGNS[code], code)
        comparison.setCurrentIndex(COMPARISONS.index(item.comparison))
        self.table.setCellWidget(row, COMPARISON, comparison)
        critical = QTableWidgetItem()
        critical.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        critical.setCheckState(Qt.CheckState.Checked if item.critical else Qt.CheckState.Unchecked)
        self.table.setItem(row, CRITICAL, critical)
        self.table.setItem(row, GUIDANCE, QTableWidgetItem(item.guidance or ""))

    def _row_item(self, row: int) -> Item:
        def text(column):
            cell = self.table.item(row, column)
            return cell.text().strip() if cell is not None else ""

        kind = self.table.cellWidget(row, KIND).currentData()
        threshold_text = text(THRESHOLD)
        try:
            threshold = parse_number(threshold_text) if threshold_text else None
        except UserInputError:
            raise UserInputError(f"Mục {row + 1}: ngưỡng “{threshold_text}” không phải là số.") from None
        return Item(category=text(CATEGORY), text=text(TEXT), kind=kind, threshold=threshold,
                    unit=text(UNIT) or None, comparison=self.table.cellWidget(row, COMPARISON).currentData(),
                    critical=self.table.item(row, CRITICAL).checkState() == Qt.CheckState.Checked,
                    guidance=text(GUIDANCE) or None)

    def items(self) -> list[Item]:
        return validate_items([self._row_item(row) for row in range(self.table.rowCount())])

    def _accept(self) -> None:
        try:
            self.result_items = self.items()
        except UserInputError as exc:
            show_error(self, exc)
            return
        self.accept()

    def add_row(self) -> None:
        row = self.table.currentRow()
        category = self.table.item(row, CATEGORY).text() if row >= 0 and self.table.item(row, CATEGORY) else ""
        self._append(Item(category, ""), at=row + 1 if row >= 0 else None)

    def remove_row(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        item = self._row_item_loose(row)
        self.table.removeRow(row)
        self._append(item, at=target)
        self.table.setCurrentCell(target, TEXT)

    def _row_item_loose(self, row: int) -> Item:
        """The row as it is, even half-typed (moving a row must not refuse it)."""
        try:
            return self._row_item(row)
        except UserInputError:
            return Item(self.table.item(row, CATEGORY).text(), self.table.item(row, TEXT).text())
