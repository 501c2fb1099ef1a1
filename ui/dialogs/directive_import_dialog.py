"""Import a directive: open a file or paste the text, check the extracted tasks, save.

Left: the directive's text (opened files are read on the I/O pool; pasted text is read
again after a pause in typing). Right: its number, date, issuer and subject, and one row
per task — ticked when it falls to the commune — all editable. Selecting a task finds
its words in the text on the left, so the person can compare them side by side.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.clock import format_date, parse_date_vn, today_local
from core.directives.deadlines import parse_deadline
from core.directives.metadata import DocumentInfo
from core.directives.parser import ParsedDirective, TaskItem, parse_directive
from core.directives.readers import read_directive_file
from core.errors import AppError, UserInputError
from core.tasks.store import import_directive
from ui.errors import show_error

PARSE_DELAY_MS = 400
COL_KEEP, COL_REF, COL_CONTENT, COL_LEAD, COL_DEADLINE, COL_DUE = range(6)
HEADERS = ["Lưu", "Mục", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời hạn (như văn bản)", "Hạn cuối"]


class DirectiveImportDialog(QDialog):
    directive_saved = Signal(str)  # the new directive's id

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Nhập văn bản chỉ đạo")
        self.resize(1300, 720)
        self.parsed: ParsedDirective | None = None
        self.source_name: str | None = None
        self._generation = 0
        self._filling = False

        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.open_button = QPushButton("Mở tệp (.docx, .pdf, .txt)…")
        self.open_button.clicked.connect(self.choose_file)
        row.addWidget(self.open_button)
        row.addWidget(QLabel("hoặc dán nội dung văn bản vào ô dưới đây"), 1)
        left_layout.addLayout(row)
        self.text = QPlainTextEdit()
        self.text.setObjectName("directiveText")
        self.text.setPlaceholderText("Dán toàn bộ nội dung công văn, kế hoạch… vào đây")
        self.text.textChanged.connect(self._text_edited)
        left_layout.addWidget(self.text, 1)
        split.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.number = QLineEdit()
        self.date = QLineEdit()
        self.date.setPlaceholderText("dd/mm/yyyy")
        self.issuer = QLineEdit()
        self.subject = QLineEdit()
        form.addRow("Số, ký hiệu:", self.number)
        form.addRow("Ngày ban hành:", self.date)
        form.addRow("Cơ quan ban hành:", self.issuer)
        form.addRow("Trích yếu:", self.subject)
        right_layout.addLayout(form)
        self.status = QLabel("Chưa có văn bản.")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        right_layout.addWidget(self.status)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("extractedTasks")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        # Three lines of each task are enough to recognise it; the full text is in the cell editor.
        self.table.verticalHeader().setDefaultSectionSize(58)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_CONTENT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_KEEP, 40), (COL_REF, 55), (COL_LEAD, 150), (COL_DEADLINE, 150), (COL_DUE, 85)):
            self.table.setColumnWidth(column, width)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_in_text(row))
        self.table.itemChanged.connect(self._cell_edited)
        right_layout.addWidget(self.table, 1)
        buttons_row = QHBoxLayout()
        self.add_row_button = QPushButton("Thêm nhiệm vụ")
        self.add_row_button.clicked.connect(self.add_empty_row)
        buttons_row.addWidget(self.add_row_button)
        self.allow_duplicate = QCheckBox("Vẫn lưu nếu đã có văn bản cùng số và ngày")
        buttons_row.addWidget(self.allow_duplicate, 1)
        right_layout.addLayout(buttons_row)
        # Off by default: the province receives the tasks and their progress, not the letter's text.
        self.share_text = QCheckBox("Gửi cả toàn văn văn bản lên tỉnh khi đồng bộ")
        self.share_text.setObjectName("shareSourceText")
        self.share_text.setToolTip("Mặc định chỉ gửi số, ngày, trích yếu và các nhiệm vụ; toàn văn văn bản "
                                   "ở lại máy này trừ khi đánh dấu ô này.")
        right_layout.addWidget(self.share_text)
        split.addWidget(right)
        split.setSizes([520, 780])
        layout.addWidget(split, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Lưu các nhiệm vụ đã chọn", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._parse_timer.setInterval(PARSE_DELAY_MS)
        self._parse_timer.timeout.connect(self.parse_now)

    # -- getting the text ------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Chọn văn bản chỉ đạo", str(Path.home()),
                                              "Văn bản (*.docx *.pdf *.txt);;Tất cả tệp (*)")
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        self.status.setText(f"Đang đọc “{path.name}”…")
        self.open_button.setEnabled(False)

        def done(text: str) -> None:
            self.open_button.setEnabled(True)
            self.source_name = path.name
            self.text.setPlainText(text)  # parsed after the usual pause
            self.parse_now()

        def failed(error: BaseException) -> None:
            self.open_button.setEnabled(True)
            self.status.setText("Không đọc được tệp: " + (error.message if isinstance(error, AppError) else str(error)))
            show_error(self, error)

        self.ctx.bg.io(lambda _report: read_directive_file(path), done, failed)

    def _text_edited(self) -> None:
        if not self._filling:
            self._parse_timer.start()

    def parse_now(self) -> None:
        self._parse_timer.stop()
        text = self.text.toPlainText()
        self._generation += 1
        generation = self._generation
        if not text.strip():
            self._show_parsed(generation, None, "Chưa có văn bản.")
            return
        self.ctx.bg.io(lambda _report: parse_directive(text, require_tasks=False),
                       lambda parsed: self._show_parsed(generation, parsed, None),
                       lambda error: self._show_parsed(generation, None,
                                                       error.message if isinstance(error, AppError) else str(error)))

    # -- showing what was found ------------------------------------------------------
    def _show_parsed(self, generation: int, parsed: ParsedDirective | None, problem: str | None) -> None:
        if generation != self._generation:
            return
        self.parsed = parsed
        self._filling = True
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        if parsed is not None:
            doc = parsed.document
            self.number.setText(doc.number or "")
            self.date.setText(format_date(doc.date))
            self.issuer.setText(doc.issuer or "")
            self.subject.setText(doc.subject or "")
            for task in parsed.tasks:
                self._append_row(task)
        self.table.blockSignals(False)
        self._filling = False
        if problem:
            self.status.setText(problem)
        elif parsed is not None and not parsed.tasks:
            self.status.setText(" ".join(parsed.warnings) or "Không tìm thấy nhiệm vụ nào. Có thể thêm nhiệm vụ bằng tay.")
        elif parsed is not None:
            kept = sum(1 for t in parsed.tasks if t.for_commune)
            # A report (not a directive) is said first: its "tasks" may be results or recommendations.
            self.status.setText(" ".join(parsed.warnings + [
                f"Tìm thấy {len(parsed.tasks)} nhiệm vụ, {kept} nhiệm vụ của cấp xã đã được đánh dấu. "
                "Bỏ dấu những nhiệm vụ không liên quan; có thể sửa trực tiếp trong bảng."]))
        self._update_save_button()

    def _append_row(self, task: TaskItem | None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        keep = QTableWidgetItem()
        keep.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        keep.setCheckState(Qt.CheckState.Checked if task is None or task.for_commune else Qt.CheckState.Unchecked)
        self.table.setItem(row, COL_KEEP, keep)
        values = {COL_REF: task.ref if task else str(row + 1), COL_CONTENT: task.content if task else "",
                  COL_LEAD: (task.lead_unit or "") if task else "",
                  COL_DEADLINE: (task.deadline.text or "") if task else ""}
        for column, value in values.items():
            self.table.setItem(row, column, QTableWidgetItem(value))
        due = QTableWidgetItem(_due_text(task.deadline) if task else "")
        due.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)  # computed from the words
        self.table.setItem(row, COL_DUE, due)
        self.table.item(row, COL_CONTENT).setData(Qt.ItemDataRole.UserRole, task)
        return row

    def add_empty_row(self) -> None:
        row = self._append_row(None)
        self.table.setCurrentCell(row, COL_CONTENT)
        self.table.editItem(self.table.item(row, COL_CONTENT))
        self._update_save_button()

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == COL_DEADLINE:
            due = self.table.item(item.row(), COL_DUE)
            if due is not None:
                due.setText(_due_text(parse_deadline(item.text(), default_year=self._default_year())))
        self._update_save_button()

    def _show_in_text(self, row: int) -> None:
        item = self.table.item(row, COL_CONTENT) if row >= 0 else None
        if item is None or not item.text():
            return
        words = item.text()[:40]
        document: QTextDocument = self.text.document()
        found = document.find(words) or document.find(words[:20])
        if not found.isNull():
            self.text.setTextCursor(found)
            self.text.centerCursor()
        else:
            self.text.moveCursor(QTextCursor.MoveOperation.Start)

    # -- saving ----------------------------------------------------------------------
    def chosen_tasks(self) -> list[TaskItem]:
        tasks = []
        year = self._default_year()
        for row in range(self.table.rowCount()):
            if self.table.item(row, COL_KEEP).checkState() != Qt.CheckState.Checked:
                continue
            content = " ".join(self.table.item(row, COL_CONTENT).text().split())
            original: TaskItem | None = self.table.item(row, COL_CONTENT).data(Qt.ItemDataRole.UserRole)
            deadline_words = self.table.item(row, COL_DEADLINE).text().strip()
            deadline = parse_deadline(deadline_words, default_year=year)
            if original is not None and deadline_words == (original.deadline.text or ""):
                deadline = original.deadline
            lead = self.table.item(row, COL_LEAD).text().strip() or None
            tasks.append(TaskItem(self.table.item(row, COL_REF).text().strip() or str(row + 1), content, lead,
                                  list(original.coordinating_units) if original else [], True, deadline))
        return tasks

    def document_info(self) -> DocumentInfo:
        date_text = self.date.text().strip()
        try:
            date = parse_date_vn(date_text) if date_text else None
        except ValueError:
            raise UserInputError(f"Ngày ban hành “{date_text}” không hợp lệ; ghi theo dạng dd/mm/yyyy.") from None
        return DocumentInfo(self.number.text().strip() or None, date, self.issuer.text().strip() or None,
                            self.subject.text().strip() or None)

    def save(self) -> None:
        try:
            document = self.document_info()
            tasks = self.chosen_tasks()
            empty = [t.ref for t in tasks if not t.content]
            if empty:
                raise UserInputError(f"Nhiệm vụ {', '.join(empty)} chưa có nội dung.")
        except AppError as error:
            show_error(self, error)
            return
        parsed = ParsedDirective(document, tasks, self.text.toPlainText())
        allow = self.allow_duplicate.isChecked()
        share = self.share_text.isChecked()
        source = self.source_name
        self.save_button.setEnabled(False)

        def saved(result) -> None:
            self.directive_saved.emit(result.directive_id)
            self.accept()

        def failed(error: BaseException) -> None:
            self._update_save_button()
            show_error(self, error)

        self.ctx.bg.db(lambda store: import_directive(store, parsed, source_name=source, tasks=tasks,
                                                      allow_duplicate=allow, share_source_text=share),
                     saved, failed)

    def _update_save_button(self) -> None:
        ticked = any(self.table.item(r, COL_KEEP).checkState() == Qt.CheckState.Checked
                     for r in range(self.table.rowCount()) if self.table.item(r, COL_KEEP))
        self.save_button.setEnabled(ticked)

    def _default_year(self) -> int | None:
        try:
            return parse_date_vn(self.date.text()).year
        except ValueError:
            if self.parsed and self.parsed.document.date:
                return self.parsed.document.date.year
            return today_local().year


def _due_text(deadline) -> str:
    if deadline.due is not None:
        return format_date(deadline.due)
    return "thường xuyên" if deadline.kind == "recurring" else "—"
