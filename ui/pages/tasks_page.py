"""Nhiệm vụ: the tasks from directives — filters, instant search, colours for overdue / due soon.

Every filter and the search run in SQL on the database thread (core.tasks.queries); the
table only shows the rows that come back. A reply to an older keystroke is dropped, so
fast typing never shows a stale list.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QVBoxLayout)

from core.clock import format_date, today_local
from core.tasks import queries
from core.tasks.queries import TaskFilter
from core.tasks.status import OVERDUE_LABEL, STATUSES
from core.workspace import list_staff
from ui.pages.base import Page
from ui.style import DUE_SOON, GOOD, OVERDUE
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel
from ui.widgets.search_box import SearchBox

DEADLINE_FILTERS = [("", "Mọi thời hạn"), ("overdue", "Quá hạn"), ("due_7", "Đến hạn trong 7 ngày"),
                    ("due_30", "Đến hạn trong 30 ngày")]
TASK_TABLES = ("local_tasks", "tasks", "task_progress", "local_directives", "directives", "staff")


def deadline_cell(_value, row: dict) -> str:
    if row.get("deadline"):
        return format_date(dt.date.fromisoformat(row["deadline"]))
    if row.get("deadline_kind") == "recurring":
        return "Thường xuyên"
    return row.get("deadline_text") or "—"


def status_cell(value, row: dict) -> str:
    return STATUSES.get(value, value) + (f" — {OVERDUE_LABEL.lower()}" if row.get("overdue") else "")


def row_colour(row: dict):
    if row.get("overdue"):
        return OVERDUE
    if row.get("due_soon"):
        return DUE_SOON
    if row.get("status") == "done":
        return GOOD
    return None


class TasksPage(Page):
    title = "Nhiệm vụ"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self._generation = 0
        self.last_query_ms: float | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.heading("Nhiệm vụ từ văn bản chỉ đạo"), 1)
        self.import_button = QPushButton("Nhập văn bản chỉ đạo… (Ctrl+N)")
        self.import_button.clicked.connect(self.create_new)
        top.addWidget(self.import_button)
        self.report_button = QPushButton("Báo cáo quý… (Ctrl+P)")
        self.report_button.clicked.connect(self.print_current)
        top.addWidget(self.report_button)
        layout.addLayout(top)

        filters = QHBoxLayout()
        self.search = SearchBox("Tìm nhiệm vụ, số hiệu, cơ quan (gõ không dấu cũng được)…")
        self.search.search_changed.connect(lambda _text: self.refresh_list())
        filters.addWidget(self.search, 1)
        combos = QHBoxLayout()
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setMinimumContentsLength(14)
        self.status_filter.addItem("Mọi trạng thái", "")
        for code, label in STATUSES.items():
            self.status_filter.addItem(label, code)
        self.deadline_filter = QComboBox()
        self.deadline_filter.setObjectName("deadlineFilter")
        self.deadline_filter.setMinimumContentsLength(18)
        for code, label in DEADLINE_FILTERS:
            self.deadline_filter.addItem(label, code)
        self.directive_filter = QComboBox()
        self.directive_filter.addItem("Mọi văn bản", "")
        self.directive_filter.setMinimumContentsLength(18)
        self.lead_filter = QComboBox()
        self.lead_filter.addItem("Mọi cơ quan chủ trì", "")
        self.lead_filter.setMinimumContentsLength(16)
        self.assignee_filter = QComboBox()
        self.assignee_filter.addItem("Mọi cán bộ", "")
        self.commune_only = QCheckBox("Chỉ nhiệm vụ cấp xã")
        for combo in (self.status_filter, self.deadline_filter, self.directive_filter, self.lead_filter,
                      self.assignee_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(lambda _i: self.refresh_list())
            combos.addWidget(combo, 1)
        self.commune_only.toggled.connect(lambda _on: self.refresh_list())
        filters.addWidget(self.commune_only)
        layout.addLayout(filters)
        layout.addLayout(combos)

        self.model = RowsModel([
            Column("ref", "Mục"),
            Column("content", "Nội dung nhiệm vụ"),
            Column("lead_unit", "Cơ quan chủ trì"),
            Column("deadline", "Thời hạn", deadline_cell),
            Column("status", "Trạng thái", status_cell),
            Column("assignee_name", "Cán bộ thực hiện"),
            Column("directive_number", "Văn bản", lambda v, r: v or "(chưa có số)"),
        ], self, row_colour=row_colour)
        self.table = ListTable(ctx, "taskTable", self.model, sortable=queries.SORTS, default_sort=("deadline", False))
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 60), (2, 200), (3, 95), (4, 170), (5, 150), (6, 130)):
            self.table.setColumnWidth(column, width)
        self.table.sort_changed.connect(self.refresh_list)
        # Enter or a double-click: `row_opened` comes from `activated` alone (both `doubleClicked`
        # and `activated` were connected and every task opened twice).
        self.table.row_opened.connect(lambda row: self.open_task(row["id"]))
        self.table.menu_builder = self._row_menu
        self.table.empty_state = self._empty_state
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count_label = QLabel("")
        self.count_label.setObjectName("taskCount")
        bottom.addWidget(self.count_label, 1)
        legend = QLabel("Màu đỏ: quá hạn · màu vàng: đến hạn trong 7 ngày · màu xanh: hoàn thành. "
                        "Nhấn đúp để mở nhiệm vụ.")
        bottom.addWidget(legend)
        layout.addLayout(bottom)

    # -- page hooks ----------------------------------------------------------------------
    def watches(self, table: str) -> bool:
        return table in TASK_TABLES

    def reload(self) -> None:
        self.ctx.bg.read(_filter_choices, self._show_choices)
        self.refresh_list()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def open_with(self, argument) -> None:
        """"overdue" / "due_7" from the overview page: show exactly those tasks."""
        index = self.deadline_filter.findData(argument)
        if index >= 0:
            self.status_filter.setCurrentIndex(0)
            self.deadline_filter.setCurrentIndex(index)

    def create_new(self) -> None:
        from ui.dialogs.directive_import_dialog import DirectiveImportDialog

        dialog = DirectiveImportDialog(self.ctx, self)
        dialog.directive_saved.connect(lambda _id: self.ctx.signals.data_changed.emit("local_tasks"))
        dialog.open()

    def open_task(self, task_id: str) -> None:
        from ui.dialogs.task_detail_dialog import TaskDetailDialog

        # One window per task: asking again for a task already open brings that window forward
        # (a second copy would not show a note typed into the first).
        for open_dialog in self.findChildren(TaskDetailDialog):
            if open_dialog.task_id == task_id and open_dialog.isVisible():
                open_dialog.raise_()
                open_dialog.activateWindow()
                return
        dialog = TaskDetailDialog(self.ctx, task_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.progress_saved.connect(lambda: self.ctx.signals.data_changed.emit("task_progress"))
        dialog.task_saved.connect(lambda: self.ctx.signals.data_changed.emit("local_tasks"))
        dialog.open()

    def _filtered(self) -> bool:
        return bool(self.search.text().strip() or self.commune_only.isChecked() or any(
            combo.currentIndex() > 0 for combo in (self.status_filter, self.deadline_filter, self.directive_filter,
                                                   self.lead_filter, self.assignee_filter)))

    def _empty_state(self):
        if self._filtered():
            return "Không có nhiệm vụ nào khớp với tìm kiếm và bộ lọc đang chọn.", [("Bỏ lọc", self.clear_filters)]
        return ("Chưa có nhiệm vụ nào. Việc đầu tiên: nhập văn bản chỉ đạo của tỉnh (tệp Word, PDF hoặc văn bản); "
                "phần mềm tách từng nhiệm vụ, cơ quan chủ trì và thời hạn.",
                [("Nhập văn bản chỉ đạo… (Ctrl+N)", self.create_new)])

    def clear_filters(self) -> None:
        for combo in (self.status_filter, self.deadline_filter, self.directive_filter, self.lead_filter,
                      self.assignee_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.commune_only.blockSignals(True)
        self.commune_only.setChecked(False)
        self.commune_only.blockSignals(False)
        self.search.clear()
        self.refresh_list()

    def _row_menu(self, row) -> list:
        from ui.widgets.list_table import copy_text

        entries = [("Mở nhiệm vụ…", lambda: self.open_task(row["id"])),
                   ("Sao chép nội dung nhiệm vụ", lambda: copy_text(row["content"] or ""))]
        if row["directive_id"]:
            entries.append(("Chỉ xem nhiệm vụ của văn bản này",
                            lambda: self.directive_filter.setCurrentIndex(
                                max(0, self.directive_filter.findData(row["directive_id"])))))
        entries += [None, ("In báo cáo quý…", self.print_current)]
        return entries

    def print_current(self) -> None:
        from ui.dialogs.task_report_dialog import TaskReportDialog

        TaskReportDialog(self.ctx, self).open()

    # -- list ----------------------------------------------------------------------------
    def current_filter(self) -> TaskFilter:
        deadline = self.deadline_filter.currentData() or ""
        sort, descending = self.table.sort or ("deadline", False)
        return TaskFilter(
            search=self.search.text(),
            sort=sort, descending=descending,
            status=self.status_filter.currentData() or None,
            overdue=deadline == "overdue",
            due_within_days={"due_7": 7, "due_30": 30}.get(deadline),
            directive_id=self.directive_filter.currentData() or None,
            lead_unit=self.lead_filter.currentData() or None,
            assignee_id=self.assignee_filter.currentData() or None,
            commune_only=self.commune_only.isChecked(),
        )

    def refresh_list(self) -> None:
        self._generation += 1
        generation = self._generation
        flt = self.current_filter()
        today = today_local()
        self.ctx.bg.read(lambda store: queries.list_tasks(store, flt, today=today),
                         lambda rows: self._show_rows(generation, rows))

    def _show_rows(self, generation: int, rows: list[dict]) -> None:
        if generation != self._generation:
            return  # an answer to an older keystroke
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r["overdue"])
        soon = sum(1 for r in rows if r["due_soon"])
        if len(rows) >= queries.DEFAULT_LIMIT:
            self.count_label.setText(f"Hiển thị {len(rows):,} nhiệm vụ đầu tiên theo thời hạn".replace(",", ".")
                                     + " — gõ thêm từ tìm kiếm hoặc chọn bộ lọc để thu hẹp")
        else:
            self.count_label.setText(f"{len(rows)} nhiệm vụ · {overdue} quá hạn · {soon} đến hạn trong 7 ngày")

    def _show_choices(self, choices: dict) -> None:
        for combo, items in ((self.directive_filter, choices["directives"]), (self.lead_filter, choices["leads"]),
                             (self.assignee_filter, choices["staff"])):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in items:
                combo.addItem(label, value)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)


def _filter_choices(store) -> dict:
    directives = []
    for d in queries.directives(store):
        date = format_date(dt.date.fromisoformat(d["issued_on"])) if d["issued_on"] else ""
        label = f"{d['number'] or '(chưa có số)'}" + (f" ngày {date}" if date else "")
        if d["subject"]:
            label += f" — {d['subject'][:50]}"
        directives.append((d["id"], label))
    return {"directives": directives, "leads": [(u, u) for u in queries.lead_units(store)],
            "staff": [(s["id"], s["full_name"]) for s in list_staff(store)]}
