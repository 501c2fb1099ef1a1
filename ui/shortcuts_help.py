"""F1 / Trợ giúp → Phím tắt: every keyboard shortcut of the app, in one table.

The window's own shortcuts are read from the QShortcut and QAction objects actually registered
on it (their key and `whatsThis` / text), so the list cannot drift from what the keys do. The
single keys a page handles itself (the counter desk, the checklist walk) come from the same
constants those pages use for their hints; the lists' keys from `ui.widgets.list_table`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

EVERYWHERE = "Mọi trang"
LISTS = "Mọi danh sách"
LIST_KEYS = [("Enter / nhấn đúp", "mở dòng đang chọn"),
             ("Nhấn chuột phải / phím Menu", "các thao tác với dòng (mở, sao chép mã, in…)"),
             ("Nhấn vào tiêu đề cột", "sắp xếp theo cột đó; nhấn lần nữa để đảo chiều"),
             ("Kéo mép tiêu đề cột", "đổi độ rộng cột (được ghi nhớ cho lần sau)")]


def _key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def registered_shortcuts(window) -> list[tuple[str, str, str]]:
    """(keys, what they do, where) for every QShortcut / QAction with keys on the window and
    the pages built so far."""
    rows = []
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.isEnabled() or shortcut.key().isEmpty():
            continue
        rows.append((_key_text(shortcut.key()), shortcut.whatsThis() or "", _where(window, shortcut.parent())))
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            text = action.whatsThis() or action.text().replace("&", "").rstrip("…").strip()
            rows.append((_key_text(sequence), text, _where(window, action.parent())))
    return rows


def page_keys() -> list[tuple[str, str, str]]:
    """The single keys pages handle themselves (from the constants their hints use)."""
    from ui.pages.conference.run_panel import KEYS as CHECKLIST_KEYS
    from ui.pages.dossiers.quick_entry import SHORTCUT_KEYS as DESK_KEYS

    rows = [(k, d, "Số hóa hồ sơ — Nhập nhanh tại quầy") for k, d in DESK_KEYS]
    rows += [(k, d, "Hội nghị truyền hình — danh sách mục của phiếu") for k, d in CHECKLIST_KEYS]
    rows += [(k, d, LISTS) for k, d in LIST_KEYS]
    return rows


def _where(window, owner) -> str:
    from ui.pages.base import Page

    widget = owner
    while widget is not None and widget is not window:
        if isinstance(widget, Page):
            return widget.title or EVERYWHERE
        widget = widget.parent()
    return EVERYWHERE


def all_shortcuts(window) -> list[tuple[str, str, str]]:
    seen, rows = set(), []
    for keys, meaning, where in registered_shortcuts(window) + page_keys():
        if (keys, where) in seen or not meaning:
            continue
        seen.add((keys, where))
        rows.append((keys, meaning, where))
    order = {EVERYWHERE: 0, LISTS: 2}
    return sorted(rows, key=lambda r: (order.get(r[2], 1), r[2]))  # stable: keeps each group's order


class ShortcutsDialog(QDialog):
    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Phím tắt")
        layout = QVBoxLayout(self)
        intro = QLabel("Các phím tắt của phần mềm. Trong ô nhập chữ, các phím sửa chữ thông thường "
                       "(Ctrl+C, Ctrl+V, Ctrl+Z…) vẫn dùng như mọi nơi.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        rows = all_shortcuts(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Phím", "Tác dụng", "Ở đâu"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text[:1].upper() + text[1:] if c == 1 else text)
                item.setToolTip(text)
                if c == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(860, 600)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def keys_listed(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]
