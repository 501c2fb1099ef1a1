"""The items of one run as a table: number, text (critical ones bold with *), result, measured value, note."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from core.checklists.model import STATUS_LABELS, Answer, Item, format_number
from ui.style import GOOD, OVERDUE

NOT_APPLICABLE = QColor("#e9ecef")
COLUMNS = ["STT", "Nội dung kiểm tra", "Kết quả", "Giá trị đo", "Ghi chú"]
TEXT_COLUMN = 1


class ItemsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[Item] = []
        self.answers: dict[str, Answer] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def set_run(self, items: list[Item], answers: dict[str, Answer]) -> None:
        self.beginResetModel()
        self.items = items
        self.answers = answers
        self.endResetModel()

    def answer_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.items[index.row()]
        answer = self.answers.get(item.id) or Answer()
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(index.row() + 1)
            if column == 1:
                return ("* " if item.critical else "") + item.text
            if column == 2:
                return STATUS_LABELS[answer.status]
            if column == 3:
                if item.kind == "number":
                    measured = format_number(answer.number_value)
                    unit = f" {item.unit}" if item.unit and measured else ""
                    return f"{measured}{unit}" + (f"  ({item.threshold_label()})" if item.threshold is not None else "")
                return answer.text_value or ""
            if column == 4:
                return answer.note or ""
        if role == Qt.ItemDataRole.BackgroundRole and column == 2:
            colour = {"pass": GOOD, "fail": OVERDUE, "na": NOT_APPLICABLE}.get(answer.status)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and column == 1 and item.critical:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return f"[{item.category}] " + item.text + (f"\n{item.guidance}" if item.guidance else "") + \
                ("\nMục bắt buộc" if item.critical else "")
        return None
