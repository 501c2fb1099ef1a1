"""Hội nghị truyền hình: readiness checks before each video-conference meeting.

Tab "Phiếu kiểm tra": the history of runs with their verdicts and, beside it, the
selected run (keyboard walk, live verdict, countdown, incidents, closing, printing).
Tab "Thiết bị": the room's equipment. Tab "Mẫu phiếu": templates.
Everything is loaded and written on the database thread; PDFs are written on the I/O pool.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from core.checklists import history, runs, sheet
from core.checklists import templates as tpl
from core.checklists.equipment import equipment_by_kind
from core.checklists.model import VERDICT_LABELS
from core.clock import today_local
from core.workspace import require_initialised
from ui.errors import show_error
from ui import refcount_guard
from ui.pages.base import Page
from ui.pdf_output import open_pdf, print_pdf
from ui.pages.conference.dialogs import CloseRunDialog, CorrectionDialog, MeetingDialog
from ui.pages.conference.equipment_panel import EquipmentPanel
from ui.pages.conference.run_panel import RunPanel
from ui.pages.conference.templates_panel import TemplatesPanel
from ui.personal_data import screen_fields
from ui.style import GOOD, OVERDUE
from ui.widgets.list_table import ListTable
from ui.widgets.rows_model import Column, RowsModel

# Answers are saved by this page itself and applied in place; reloading on them would
# only move the keyboard walk back.
_OWN_ANSWER_TABLE = "checklist_answers"

# A sheet is saved as a PDF to print and sign, or as Word to edit first (the save dialog's type decides).
SHEET_SUFFIXES = (".pdf", ".docx")


class _HistoryModel(RowsModel):
    """Runs with the full meeting title as a tooltip (the column is often too narrow for it)."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            row = self.rows[index.row()]
            return f"{row['meeting_title']}\nChủ trì: {row['host_label']}"
        return super().data(index, role)


def _load_run(store, run_id: str):
    return runs.load_run(store, run_id), equipment_by_kind(store)


class ConferencePage(Page):
    title = "Hội nghị truyền hình"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        # The keyboard walk makes thousands of Qt calls: without this PySide6 6.12 on
        # Python 3.11 aborts the app once None's reference count runs out (see the module).
        refcount_guard.install()
        self._wanted_run: str | None = None
        self.last_pdf = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading("Hội nghị truyền hình trực tuyến — kiểm tra sẵn sàng điểm cầu"))
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        runs_tab = QWidget()
        runs_layout = QHBoxLayout(runs_tab)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.history = _HistoryModel([
            Column("date_label", "Ngày họp", lambda v, r: f"{v} {r['start_time']}"),
            Column("meeting_title", "Cuộc họp"),
            Column("verdict", "Kết luận", lambda v, r: VERDICT_LABELS[v] + ("" if r["status"] == "closed" else " *")),
            Column("incident_count", "Sự cố", lambda v, _r: str(v) if v else ""),
        ], self, row_colour=lambda r: GOOD if r["verdict"] == "ready" else OVERDUE)
        self.history_view = ListTable(ctx, "runHistory", self.history, sortable=history.SORTS,
                                      default_sort=("date_label", True))
        self.history_view.sort_changed.connect(self._reload_history)
        self.history_view.menu_builder = self._history_menu
        self.history_view.empty_state = lambda: (
            "Chưa có phiếu kiểm tra nào. Trước mỗi cuộc họp trực tuyến của tỉnh, tạo một phiếu rồi kiểm tra "
            "từng mục (phím 1, 2, 3).", [("Phiếu mới cho cuộc họp… (Ctrl+N)", self.create_new)])
        header = self.history_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 112), (2, 138), (3, 44)):
            self.history_view.setColumnWidth(column, width)
        left.setMinimumWidth(430)
        self.history_view.selectionModel().currentRowChanged.connect(lambda cur, _: self._history_selected(cur.row()))
        left_layout.addWidget(self.history_view, 1)
        legend = QLabel("* phiếu đang mở (chưa khóa)")
        legend.setStyleSheet("color: #555;")
        left_layout.addWidget(legend)
        self.new_button = QPushButton("Phiếu mới cho cuộc họp… (Ctrl+N)")
        self.new_button.clicked.connect(self.create_new)
        left_layout.addWidget(self.new_button)
        split.addWidget(left)
        self.panel = RunPanel(ctx)
        self.panel.run_written.connect(self._run_written)
        self.panel.log.log_written.connect(lambda _t: self._reload_run())
        self.panel.close_button.clicked.connect(lambda: self.close_run())
        self.panel.correct_button.clicked.connect(self.correct_item)
        self.panel.edit_button.clicked.connect(self.edit_meeting)
        self.panel.print_button.clicked.connect(self.print_current)
        split.addWidget(self.panel)
        split.setSizes([470, 680])
        runs_layout.addWidget(split)
        self.tabs.addTab(runs_tab, "Phiếu kiểm tra")

        self.equipment = EquipmentPanel(ctx)
        self.equipment.equipment_written.connect(lambda: self.ctx.signals.data_changed.emit("conference_equipment"))
        self.tabs.addTab(self.equipment, "Thiết bị")
        self.templates = TemplatesPanel(ctx)
        self.templates.templates_written.connect(
            lambda: self.ctx.signals.data_changed.emit("checklist_local_templates"))
        self.templates.blank_requested.connect(self.print_blank)
        self.tabs.addTab(self.templates, "Mẫu phiếu")
        self.status = QLabel()
        self.status.setObjectName("conferenceStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_paper_button = QPushButton("In ra giấy…")
        self.print_paper_button.setToolTip("In trực tiếp tệp PDF vừa tạo")
        self.print_paper_button.setEnabled(False)
        self.print_paper_button.clicked.connect(self.print_on_paper)
        self.panel.actions.insertWidget(self.panel.actions.count() - 1, self.print_paper_button)
        self.panel.actions.addWidget(self.status, 1)

    # -- Page hooks ---------------------------------------------------------------------
    def watches(self, table: str) -> bool:
        # Only what this page shows; its own answers are applied in place.
        if table == _OWN_ANSWER_TABLE:
            return False
        return table.startswith("checklist") or table in ("conference_equipment", "staff", "settings", "*")

    def _reload_history(self) -> None:
        sort = self.history_view.sort
        self.ctx.bg.read(lambda store: history.list_runs(store, sort=sort), self._show_history)

    def _history_menu(self, row) -> list:
        return [("Mở phiếu", lambda: self._select_history(row["id"])),
                ("Lưu phiếu (PDF / Word)…", lambda: (self._select_history(row["id"]), self.print_current())),
                None, ("Phiếu mới cho cuộc họp…", self.create_new)]

    def reload(self) -> None:
        self._reload_history()
        self.equipment.reload()
        self.templates.reload()

    def open_with(self, argument) -> None:
        """Navigation from the overview: a run id to open."""
        if isinstance(argument, str):
            self.tabs.setCurrentIndex(0)
            self._wanted_run = argument
            self._select_history(argument)

    def create_new(self) -> None:
        self.ctx.bg.read(lambda store: ([(t.ref, f"{t.name} — phiên bản {t.version} ({t.origin_label})")
                                         for t in tpl.list_templates(store)], tpl.active_template(store).ref),
                         lambda result: self._ask_new_meeting(*result))

    def print_current(self) -> None:
        """The save dialog (PDF to print, Word to edit first; the type chosen decides), then the sheet."""
        if self.panel.run is None:
            return
        run = self.panel.run
        suggested = self.ctx.paths.reports_dir / f"phieu-kiem-tra-{run.meeting_date:%Y%m%d}-{run.id[:8]}.pdf"
        self._ask_sheet_path("Lưu phiếu kiểm tra", suggested, lambda out: self._write_run_sheet(run.id, out))

    def _write_run_sheet(self, run_id: str, out: Path) -> None:
        self.status.setText("Đang tạo phiếu kiểm tra…")

        def write(loaded):
            unit, run = loaded
            self.ctx.bg.io(lambda report: sheet.write_run_sheet(unit, run, out), self._pdf_ready,
                           lambda exc: self._pdf_failed(exc))

        self.ctx.bg.db(lambda store: (require_initialised(store), runs.load_run(store, run_id)), write,
                       lambda exc: self._pdf_failed(exc))

    def print_blank(self, template) -> None:
        suggested = self.ctx.paths.reports_dir / f"phieu-kiem-tra-trong-{today_local():%Y%m%d}.pdf"
        self._ask_sheet_path("Lưu phiếu trống", suggested, lambda out: self._write_blank_sheet(template, out))

    def _write_blank_sheet(self, template, out: Path) -> None:
        self.status.setText("Đang tạo phiếu trống…")
        self.ctx.bg.db(require_initialised, lambda unit: self.ctx.bg.io(
            lambda report: sheet.write_blank_sheet(unit, template, out), self._pdf_ready,
            lambda exc: self._pdf_failed(exc)), lambda exc: self._pdf_failed(exc))

    def _ask_sheet_path(self, title: str, suggested: Path, on_chosen) -> None:
        from ui.save_file import ask_save_path

        suggested.parent.mkdir(parents=True, exist_ok=True)
        ask_save_path(self, title, suggested, SHEET_SUFFIXES, on_chosen)

    # -- history ------------------------------------------------------------------------
    def _show_history(self, rows: list[dict]) -> None:
        current = self._wanted_run or (self.panel.run.id if self.panel.run else None)
        self.history.set_rows(rows)
        if not rows:
            self.panel.clear()
            return
        self._select_history(current or rows[0]["id"])

    def _select_history(self, run_id: str) -> None:
        for row, data in enumerate(self.history.rows):
            if data["id"] == run_id:
                self._wanted_run = None
                if self.history_view.currentIndex().row() == row:
                    self._history_selected(row)
                else:
                    self.history_view.selectRow(row)
                return

    def _history_selected(self, row: int) -> None:
        if 0 <= row < len(self.history.rows):
            self._reload_run(self.history.row(row)["id"])

    def _reload_run(self, run_id: str | None = None) -> None:
        run_id = run_id or (self.panel.run.id if self.panel.run else None)
        if run_id:
            self.ctx.bg.read(lambda store: _load_run(store, run_id), lambda loaded: self.panel.show_run(*loaded))

    def _run_written(self, table: str) -> None:
        self.ctx.signals.data_changed.emit(table)
        if table == _OWN_ANSWER_TABLE and self.panel.run is not None:
            self._update_history_verdict()

    def _update_history_verdict(self) -> None:
        verdict = self.panel.run.verdict.code
        for row, data in enumerate(self.history.rows):
            if data["id"] == self.panel.run.id and data["verdict"] != verdict:
                data["verdict"] = verdict
                self.history.dataChanged.emit(self.history.index(row, 0),
                                              self.history.index(row, len(self.history.columns) - 1))

    # -- dialogs ------------------------------------------------------------------------
    def _ask_new_meeting(self, templates, active_ref, values=None) -> None:
        dialog = MeetingDialog(self, templates=templates, active_ref=active_ref, today=today_local())
        if values:
            dialog.title_edit.setText(values["title"])
        if dialog.exec() != MeetingDialog.DialogCode.Accepted:
            return
        values, ref = dialog.values(), dialog.template_ref()

        def created(run_id):
            self._wanted_run = run_id
            self.ctx.signals.data_changed.emit("checklist_runs")
            self._reload_history()
            self.panel.items_view.setFocus()

        self.ctx.bg.db(lambda store: runs.create_run(store, template_ref=ref, **values), created,
                       lambda exc: self._retry(exc, lambda: self._ask_new_meeting(templates, active_ref, values)))

    def _retry(self, exc, again) -> None:
        show_error(self, exc)
        again()

    def edit_meeting(self) -> None:
        run = self.panel.run
        if run is None or run.closed:
            return
        dialog = MeetingDialog(self, values={"meeting_title": run.meeting_title, "host": run.host,
                                             "host_other": run.host_other, "meeting_date": run.meeting_date,
                                             "start_time": run.start_time, "connection": run.connection,
                                             "leader_name": run.leader_name})
        if dialog.exec() != MeetingDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        self.ctx.bg.db(lambda store: runs.update_meeting(store, run.id, **values),
                       lambda _: self._written("checklist_runs"), lambda exc: show_error(self, exc))

    def close_run(self, prefill: dict | None = None) -> None:
        run = self.panel.run
        if run is None or run.closed:
            return
        dialog = CloseRunDialog(run.verdict, run.attendance, self)
        if prefill:
            dialog.reason.setPlainText(prefill["reason"])
            dialog.attendance.setValue(prefill["attendance"])
        if dialog.exec() != CloseRunDialog.DialogCode.Accepted:
            return
        values = screen_fields(self, dialog.values(), {"reason": "Lý do"})
        if values is None:
            return
        self.ctx.bg.db(lambda store: runs.close_run(store, run.id, **values),
                       lambda _: self._written("checklist_runs"),
                       lambda exc: self._retry(exc, lambda: self.close_run(values)))

    def correct_item(self) -> None:
        run, item = self.panel.run, self.panel.current_item()
        if run is None or item is None or not run.closed:
            return
        dialog = CorrectionDialog(item, self)
        if dialog.exec() != CorrectionDialog.DialogCode.Accepted:
            return
        values = screen_fields(self, dialog.values(), {"reason": "Lý do đính chính", "note": "Ghi chú"})
        if values is None:
            return
        self.ctx.bg.db(lambda store: runs.add_correction(store, run.id, item.id, **values),
                       lambda _: self._written("checklist_corrections"), lambda exc: show_error(self, exc))

    def _written(self, table: str) -> None:
        self.ctx.signals.data_changed.emit(table)  # visible: this page reloads itself through watches()

    # -- PDF ----------------------------------------------------------------------------
    def _pdf_ready(self, built) -> None:
        if built.path.suffix.lower() != ".pdf":  # a Word file to edit: nothing to print from here
            self.status.setText("Đã lưu tệp Word để chỉnh sửa.")
            self.status.setToolTip(str(built.path))
            return
        self.last_pdf = built.path
        self.print_paper_button.setEnabled(True)
        self.status.setText(f"Đã tạo tệp PDF ({built.pages} trang).")
        self.status.setToolTip(str(built.path))
        try:
            open_pdf(built.path)
        except Exception as exc:  # no viewer on this PC: the file is there, printing still works
            show_error(self, exc)

    def print_on_paper(self) -> None:
        if self.last_pdf is not None:
            print_pdf(self, self.last_pdf, self.ctx.bg,
                      on_done=lambda pages: self.status.setText(f"Đã gửi {pages} trang tới máy in."))

    def _pdf_failed(self, exc) -> None:
        self.status.setText("Không tạo được tệp PDF.")
        show_error(self, exc)
