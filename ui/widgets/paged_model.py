"""A list model that loads its rows a page at a time as the person scrolls.

Qt asks `canFetchMore()` / `fetchMore()` when the view reaches the last loaded row; the next
page is read on the database thread (`ctx.bg.read`) and appended. A reload (new filter or
order) starts a new generation, so a page that arrives late for an old query is dropped.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QModelIndex, Signal

from ui.widgets.rows_model import RowsModel

PageLoader = Callable[[object, int], list]  # (store, offset) -> rows of the next page


class PagedRowsModel(RowsModel):
    page_loaded = Signal()

    def __init__(self, columns, bg, parent=None, **kwargs):
        super().__init__(columns, parent, **kwargs)
        self.bg = bg
        self.total = 0
        self._loader: PageLoader | None = None
        self._generation = 0
        self._loading = False

    def reset(self, rows: list, total: int, loader: PageLoader) -> None:
        """The first page of a new query, the number of rows it has, and how to read the next pages."""
        self._generation += 1
        self._loading = False
        self.total = total
        self._loader = loader
        self.set_rows(list(rows))

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 (Qt API)
        return not parent.isValid() and self._loader is not None and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 (Qt API)
        if parent.isValid() or self._loading or not self.canFetchMore():
            return
        self._loading = True
        generation, offset, loader = self._generation, len(self.rows), self._loader
        self.bg.read(lambda store: loader(store, offset), lambda rows: self._append(generation, rows))

    def _append(self, generation: int, rows: list) -> None:
        if generation != self._generation:
            return  # a page of an earlier query
        self._loading = False
        if not rows:
            self.total = len(self.rows)  # the table shrank meanwhile: stop asking
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()
        self.page_loaded.emit()
