"""The table every list of the app uses: sorted by a click on a column (in SQL), column widths
remembered per table, a right-click menu on rows, Enter or a double-click opens a row.

Sorting: a click on a sortable column's header sets `sort` (column key, descending) and emits
`sort_changed`; the page asks the database again with that order (the model never sorts, so a
list of 20,000 rows is not sorted on the UI thread). A column the query cannot sort by keeps the
previous order.

Widths: when the person drags a column border, the widths are saved in the workspace's local
settings (`ui.table.<name>`, through the database thread) and put back when the table is built
again — after a restart too. Widths set by the program are not saved.
"""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ui.widgets.rows_model import RowsModel

SETTING_PREFIX = "ui.table."
SAVE_DELAY_MS = 400

MenuEntry = tuple[str, Callable[[], None]] | None  # None: a separator


class ListTable(QTableView):
    sort_changed = Signal()  # `sort` changed: query again
    row_opened = Signal(object)  # a row opened with Enter or a double-click

    def __init__(self, ctx, name: str, model: RowsModel, *, sortable: Iterable[str] = (),
                 default_sort: tuple[str, bool] | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.name = name
        self.setObjectName(name)
        self.setModel(model)
        self.rows_model = model
        self.sortable = set(sortable)
        self.sort: tuple[str, bool] | None = default_sort
        self.menu_builder: Callable[[dict], list[MenuEntry]] | None = None
        self.last_menu: QMenu | None = None
        self.saved_widths: dict[str, int] = {}
        self._user_resizing = False
        self._widths_dirty = False
        self._applying = False
        self._fitted = False

        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(bool(self.sortable))
        self._show_sort_indicator()
        header.sortIndicatorChanged.connect(self._sort_clicked)
        header.sectionResized.connect(self._section_resized)
        header.viewport().installEventFilter(self)
        # One signal for "open this row": `activated` fires on a double-click (or a single click
        # where the platform says so) and on Enter — never connect doubleClicked as well.
        self.activated.connect(lambda index: self.row_opened.emit(model.row(index.row())))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_widths)
        self.empty_state: Callable[[], tuple[str, list[tuple[str, Callable[[], None]]]]] | None = None
        self.empty_hint: EmptyHint | None = None
        model.modelReset.connect(self._refresh_empty_hint)
        model.rowsInserted.connect(self._refresh_empty_hint)
        self._load_widths()

    # -- rows ----------------------------------------------------------------------------
    def current_row(self) -> dict | None:
        index = self.currentIndex()
        return self.rows_model.row(index.row()) if index.isValid() else None

    # -- an empty list says what to do first ------------------------------------------------
    def _refresh_empty_hint(self, *_args) -> None:
        empty = self.rows_model.rowCount() == 0 and self.empty_state is not None
        if not empty:
            if self.empty_hint is not None:
                self.empty_hint.hide()
            return
        text, actions = self.empty_state()
        if self.empty_hint is None:
            self.empty_hint = EmptyHint(self.viewport())
        self.empty_hint.show_state(text, actions)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.empty_hint is not None:
            self.empty_hint.place()

    # -- sorting -------------------------------------------------------------------------
    def column_of(self, key: str) -> int:
        return next((i for i, c in enumerate(self.rows_model.columns) if c.key == key), -1)

    def _show_sort_indicator(self) -> None:
        header = self.horizontalHeader()
        header.blockSignals(True)
        if self.sort and self.column_of(self.sort[0]) >= 0:
            order = Qt.SortOrder.DescendingOrder if self.sort[1] else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(self.column_of(self.sort[0]), order)
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def _sort_clicked(self, section: int, order: Qt.SortOrder) -> None:
        key = self.rows_model.columns[section].key
        if key not in self.sortable:
            self._show_sort_indicator()  # this column has no order of its own: keep the old one
            return
        self.sort = (key, order == Qt.SortOrder.DescendingOrder)
        self.sort_changed.emit()

    # -- widths --------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self._user_resizing = True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._user_resizing = False
            if self._widths_dirty:
                self._save_timer.start()
        return super().eventFilter(watched, event)

    def _section_resized(self, section: int, _old: int, new: int) -> None:
        if self._applying or not self._user_resizing:
            return
        self._widths_dirty = True
        self.saved_widths[self.rows_model.columns[section].key] = new

    def _load_widths(self) -> None:
        key = SETTING_PREFIX + self.name

        def load(store):
            from db.settings import get_setting

            return get_setting(store, key) or {}

        self.ctx.bg.read(load, self.apply_widths)

    def apply_widths(self, saved: dict) -> None:
        widths = saved.get("widths", {}) if isinstance(saved, dict) else {}
        header = self.horizontalHeader()
        self._applying = True
        try:
            for column_key, width in widths.items():
                section = self.column_of(column_key)
                if section < 0 or not isinstance(width, int) or width < 20:
                    continue
                if header.sectionResizeMode(section) == QHeaderView.ResizeMode.Stretch:
                    continue  # the column that takes the spare width keeps doing so
                header.setSectionResizeMode(section, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(section, width)
                self.saved_widths[column_key] = width
        finally:
            self._applying = False

    def _save_widths(self) -> None:
        self._widths_dirty = False
        header = self.horizontalHeader()
        for section, column in enumerate(self.rows_model.columns):
            if header.sectionResizeMode(section) != QHeaderView.ResizeMode.Stretch:
                self.saved_widths.setdefault(column.key, header.sectionSize(section))
        key, value = SETTING_PREFIX + self.name, {"widths": dict(self.saved_widths)}

        def save(store):
            from db.settings import set_setting

            set_setting(store, key, value)

        # Not data_changed: widths are this PC's preference, no page needs to reload for them.
        self.ctx.bg.db(save)

    def fit_columns_once(self, max_width: int = 420) -> None:
        """Fit the columns to the rows first shown (once per table), except those whose width
        the person chose (remembered) and the one that stretches. Later pages or reloads do not
        make the columns jump."""
        if self._fitted:
            return
        # With no rows yet the headers are fitted (never cut off); the rows, once there, once more.
        self._fitted = bool(self.rows_model.rows)
        header = self.horizontalHeader()
        self._applying = True
        try:
            for section, column in enumerate(self.rows_model.columns):
                last = section == len(self.rows_model.columns) - 1 and header.stretchLastSection()
                if column.key in self.saved_widths or last or \
                        header.sectionResizeMode(section) == QHeaderView.ResizeMode.Stretch:
                    continue
                width = max(header.sectionSizeHint(section), self.sizeHintForColumn(section)) + 8
                header.resizeSection(section, min(width, max_width))
        finally:
            self._applying = False

    # -- context menu ----------------------------------------------------------------------
    def _context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        self.setCurrentIndex(index)
        row = self.rows_model.row(index.row())
        menu = QMenu(self)
        menu.setObjectName(f"{self.name}Menu")
        entries = list(self.menu_builder(row)) if self.menu_builder else []
        if entries and entries[-1] is not None:
            entries.append(None)
        entries.append(("Sao chép dòng", lambda: self.copy_row(index.row())))
        for entry in entries:
            if entry is None:
                menu.addSeparator()
            else:
                text, slot = entry
                menu.addAction(text).triggered.connect(lambda _=False, s=slot: s())
        self.last_menu = menu
        menu.popup(self.viewport().mapToGlobal(pos))

    def copy_row(self, row: int) -> None:
        """The row's cells as shown, separated by tabs (pastes into Excel as one row)."""
        model = self.rows_model
        cells = [model.data(model.index(row, c)) or "" for c in range(model.columnCount())]
        QApplication.clipboard().setText("\t".join(str(c) for c in cells))


class EmptyHint(QWidget):
    """Shown over an empty list: what the list is for and the first thing to do, as buttons."""

    def __init__(self, viewport: QWidget):
        super().__init__(viewport)
        self.setObjectName("emptyHint")
        layout = QVBoxLayout(self)
        self.label = QLabel()
        self.label.setObjectName("emptyHintText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #3d4a57; font-size: 11pt;")
        layout.addWidget(self.label)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        self.action_buttons: list[QPushButton] = []

    def show_state(self, text: str, actions) -> None:
        self.label.setText(text)
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.action_buttons = []
        self.buttons.addStretch(1)
        for caption, slot in actions:
            button = QPushButton(caption)
            button.clicked.connect(lambda _=False, s=slot: s())
            self.buttons.addWidget(button)
            self.action_buttons.append(button)
        self.buttons.addStretch(1)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        viewport = self.parentWidget()
        width = min(620, max(200, viewport.width() - 40))
        self.setFixedWidth(width)
        self.adjustSize()
        self.move((viewport.width() - width) // 2, max(10, viewport.height() // 3 - self.height() // 2))


def copy_text(text: str) -> None:
    QApplication.clipboard().setText(text)
