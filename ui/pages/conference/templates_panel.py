"""Checklist templates: view them, choose the one for new runs, import the province's file,
make a local copy and edit it, print a blank sheet."""

from __future__ import annotations

from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
                               QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt, Signal

from core.checklists import templates as tpl
from core.checklists.model import KIND_LABELS
from ui.errors import show_error, show_info
from ui.pages.conference.template_editor import TemplateEditorDialog
from core.listing import sort_rows
from core.textfold import vi_sort_key
from ui.style import GOOD
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel

# The list joins the shipped template (not a row of the database) with the province's and the
# commune's: a handful of rows, ordered on the database thread by core.listing.sort_rows.
TEMPLATE_SORTS = {
    "position": lambda r: r["position"],  # shipped, province versions (newest first), the commune's
    "name": lambda r: (vi_sort_key(r["name"]), r["position"]),
    "version": lambda r: (vi_sort_key(str(r["version"])), r["position"]),
    "origin": lambda r: (vi_sort_key(r["origin"]), r["position"]),
    "count": lambda r: (r["count"], r["position"]),
    "active": lambda r: (r["active"] == "", r["position"]),
}


def _template_rows(store, sort=None) -> list[dict]:
    active = tpl.active_template(store).ref
    rows = [{"ref": t.ref, "name": t.name, "version": t.version, "origin": t.origin_label, "position": n,
             "count": len(t.items), "active": "Đang dùng" if t.ref == active else "", "template": t}
            for n, t in enumerate(tpl.list_templates(store))]
    return sort_rows(rows, sort, TEMPLATE_SORTS, "position")


class TemplatesPanel(QWidget):
    templates_written = Signal()
    blank_requested = Signal(object)  # Template

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = RowsModel([
            Column("name", "Mẫu phiếu"), Column("version", "Phiên bản"), Column("origin", "Nguồn"),
            Column("count", "Số mục"), Column("active", "")], self,
            row_colour=lambda r: GOOD if r["active"] else None)
        self.view = ListTable(ctx, "templateTable", self.model, sortable=TEMPLATE_SORTS)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.sort_changed.connect(self.reload)
        self.view.selectionModel().currentRowChanged.connect(lambda current, _: self._preview(current.row()))
        split.addWidget(self.view)
        self.items_model = RowsModel([
            Column("category", "Nhóm"), Column("text", "Nội dung kiểm tra"),
            Column("kind", "Kiểu", lambda v, _r: KIND_LABELS.get(v, v)), Column("threshold", "Yêu cầu"),
            Column("critical", "Bắt buộc", lambda v, _r: "Có" if v else ""), Column("guidance", "Hướng dẫn")], self)
        self.items_view = QTableView()
        self.items_view.setModel(self.items_model)
        self.items_view.verticalHeader().setVisible(False)
        self.items_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.items_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 110), (2, 80), (3, 90), (4, 70), (5, 260)):
            self.items_view.setColumnWidth(column, width)
        split.addWidget(self.items_view)
        split.setSizes([180, 400])
        layout.addWidget(split, 1)
        self.note = QLabel("Tệp mẫu phiếu của tỉnh là CSV UTF-8 với các cột: "
                           + ", ".join(tpl.REQUIRED_COLUMNS) + ". Phiếu đã tạo luôn giữ đúng phiên bản mẫu đã dùng.")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.use_button = QPushButton("Dùng cho phiếu mới")
        self.import_button = QPushButton("Nhập tệp của tỉnh…")
        self.copy_button = QPushButton("Tạo bản sao để sửa…")
        self.edit_button = QPushButton("Sửa mẫu…")
        self.delete_button = QPushButton("Xóa mẫu")
        self.blank_button = QPushButton("Phiếu trống (PDF / Word)…")
        for button, slot in ((self.use_button, self.use_selected), (self.import_button, self.import_file),
                             (self.copy_button, self.copy_selected), (self.edit_button, self.edit_selected),
                             (self.delete_button, self.delete_selected), (self.blank_button, self._blank)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._update_buttons(None)

    def reload(self) -> None:
        sort = self.view.sort
        self.ctx.bg.read(lambda store: _template_rows(store, sort), self._show)

    def _show(self, rows: list[dict]) -> None:
        selected = self.selected()
        self.model.set_rows(rows)
        self.view.fit_columns_once()
        refs = [r["ref"] for r in rows]
        row = refs.index(selected.ref) if selected is not None and selected.ref in refs else \
            next((i for i, r in enumerate(rows) if r["active"]), 0)
        if rows:
            self.view.selectRow(row)
            self._preview(row)

    def selected(self) -> tpl.Template | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.row(index.row())["template"]

    def _preview(self, row: int) -> None:
        if row < 0 or row >= len(self.model.rows):
            return
        template = self.model.row(row)["template"]
        self.items_model.set_rows([{**i.to_json(), "threshold": i.threshold_label()} for i in template.items])
        self._update_buttons(template)

    def _update_buttons(self, template) -> None:
        for button in (self.use_button, self.copy_button, self.blank_button):
            button.setEnabled(template is not None)
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(template is not None and template.editable)

    def _run(self, work, done_text: str | None = None) -> None:
        def done(_):
            if done_text:
                show_info(self, done_text)
            self.reload()
            self.templates_written.emit()

        self.ctx.bg.db(work, done, lambda exc: show_error(self, exc))

    def use_selected(self) -> None:
        template = self.selected()
        if template is not None:
            self._run(lambda store: tpl.set_active_template(store, template.ref))

    def import_file(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Chọn tệp mẫu phiếu của tỉnh", "", "Tệp CSV (*.csv)")
        if not path:
            return

        def done(template):
            show_info(self, f"Đã nhập mẫu phiếu “{template.name}” phiên bản {template.version} "
                            f"({len(template.items)} mục). Phiếu mới sẽ dùng mẫu này.")
            self.reload()
            self.templates_written.emit()

        # A bad file raises before anything is written: the template in use stays in use.
        self.ctx.bg.db(lambda store: tpl.import_template_file(store, path), done, lambda exc: show_error(self, exc))

    def copy_selected(self) -> None:
        template = self.selected()
        if template is None:
            return
        name, ok = QInputDialog.getText(self, "Tạo bản sao", "Tên mẫu phiếu của xã:", text=f"{template.name} (bản của xã)")
        if ok:
            self._run(lambda store: tpl.make_local_copy(store, template.ref, name))

    def edit_selected(self) -> None:
        template = self.selected()
        if template is None or not template.editable:
            return
        dialog = TemplateEditorDialog(template, self)
        if dialog.exec() == TemplateEditorDialog.DialogCode.Accepted:
            items, name = dialog.result_items, dialog.name.text()
            self._run(lambda store: tpl.save_local_template(store, template.ref, items, name=name))

    def delete_selected(self) -> None:
        template = self.selected()
        if template is not None and template.editable:
            self._run(lambda store: tpl.delete_local_template(store, template.ref))

    def _blank(self) -> None:
        template = self.selected()
        if template is not None:
            self.blank_requested.emit(template)
