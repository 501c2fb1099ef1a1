"""One run: the meeting, a countdown, the live verdict, and a fast keyboard walk through the items.

Keys in the item list: 1 Đạt · 2 Không đạt · 3 Không áp dụng (then the next item),
Enter goes on (or into the value of a measured/text item), typing digits on a measured
item starts its value, F2 writes a note, Esc returns to the list. Measured values are
checked against the threshold while they are typed; a value that is not a number is
refused on the spot and never saved. The verdict is recomputed after every answer.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget)

from core.checklists import history, runs
from core.checklists.equipment import KIND_LABELS, describe
from core.checklists.model import Answer, Item, format_number, meets_threshold, parse_number
from core.clock import format_date, format_datetime_local
from core.errors import UserInputError
from ui.errors import show_error
from ui.pages.conference.items_model import ItemsModel
from ui.pages.conference.run_log import RunLog
from ui.personal_data import screen_text
from ui.style import DUE_SOON, GOOD, OVERDUE

STATUS_KEYS = {"1": "pass", "2": "fail", "3": "na"}
KEY_HINT = "Phím: 1 Đạt · 2 Không đạt · 3 Không áp dụng · Enter tiếp · F2 ghi chú"
# The item list's keys, for the F1 list (the hint and tooltip below say the same).
KEYS = [("1", "Đạt (rồi sang mục tiếp theo)"), ("2", "Không đạt"), ("3", "Không áp dụng"),
        ("Enter", "sang mục tiếp theo, hoặc vào ô giá trị của mục số đo / ghi chép"),
        ("Chữ số", "trên mục số đo: bắt đầu nhập giá trị; Enter để lưu"),
        ("F2", "ghi chú cho mục đang chọn"), ("Esc", "quay lại danh sách")]
KEY_HELP = ("1 Đạt · 2 Không đạt · 3 Không áp dụng (rồi sang mục tiếp theo)\n"
            "Enter: sang mục tiếp theo, hoặc vào ô giá trị của mục số đo / ghi chép\n"
            "Gõ chữ số trên mục số đo: bắt đầu nhập giá trị; Enter để lưu\n"
            "F2: ghi chú cho mục đang chọn · Esc: quay lại danh sách")


def _banner(colour) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"background: {colour.name()}; border-radius: 4px; padding: 6px 10px;")
    return label


class RunPanel(QWidget):
    run_written = Signal(str)  # table name, after this panel saved something

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.run = None
        self.equipment: dict[str, list[dict]] = {}
        self._reminded: set[str] = set()
        self._pending_advance = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel("Chọn một phiếu trong danh sách hoặc tạo phiếu mới (Ctrl+N).")
        self.title_label.setObjectName("sectionHeading")
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setStyleSheet("color: #333;")
        layout.addWidget(self.details_label)
        info = QHBoxLayout()
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("countdown")
        info.addWidget(self.countdown_label, 1)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdict")
        info.addWidget(self.verdict_label)
        layout.addLayout(info)
        self.reminder_banner = _banner(DUE_SOON)
        self.reminder_banner.hide()
        layout.addWidget(self.reminder_banner)
        self.failing_label = QLabel()
        self.failing_label.setWordWrap(True)
        layout.addWidget(self.failing_label)

        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_walk(), "Kiểm tra")
        self.log = RunLog(ctx)
        self.log.log_written.connect(self._on_log_written)
        self.tabs.addTab(self.log, "Sự cố và điểm danh")

        self.actions = actions = QHBoxLayout()
        self.edit_button = QPushButton("Sửa cuộc họp…")
        self.close_button = QPushButton("Khóa phiếu…")
        self.correct_button = QPushButton("Đính chính…")
        self.print_button = QPushButton("Lưu phiếu (PDF / Word)…")
        self.print_button.setToolTip("Lưu phiếu thành tệp PDF (mở để in, ký) hoặc Word (để sửa trước khi ký) (Ctrl+P)")
        self.correct_button.setToolTip("Ghi đính chính cho mục đang chọn của phiếu đã khóa (kèm lý do)")
        for button in (self.edit_button, self.close_button, self.correct_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        # Meeting titles, item texts and notes are typed by people: never read them as markup.
        for label in (self.title_label, self.details_label, self.failing_label, self.reminder_banner,
                      self.guidance_label, self.equipment_label, self.checked_label):
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.timer = QTimer(self)
        self.timer.setInterval(30_000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self._set_enabled(False)

    # -- building -------------------------------------------------------------------------
    def _build_walk(self) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = ItemsModel(self)
        self.items_view = QTableView()
        self.items_view.setObjectName("runItems")
        self.items_view.setModel(self.model)
        self.items_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items_view.verticalHeader().setVisible(False)
        self.items_view.setWordWrap(False)
        header = self.items_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 36), (2, 96), (3, 118), (4, 100)):
            self.items_view.setColumnWidth(column, width)
        self.items_view.installEventFilter(self)
        self.items_view.setToolTip(KEY_HELP)
        self.items_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        split.addWidget(self.items_view)

        editor = QFrame()
        editor.setObjectName("card")
        form = QVBoxLayout(editor)
        self.item_label = QLabel()
        self.item_label.setWordWrap(True)
        form.addWidget(self.item_label)
        self.guidance_label = QLabel()
        self.guidance_label.setWordWrap(True)
        self.guidance_label.setStyleSheet("color: #555;")
        form.addWidget(self.guidance_label)
        self.equipment_label = QLabel()
        self.equipment_label.setWordWrap(True)
        form.addWidget(self.equipment_label)
        buttons = QHBoxLayout()
        self.status_buttons = {}
        for key, status, text in (("1", "pass", "Đạt"), ("2", "fail", "Không đạt"), ("3", "na", "Không áp dụng")):
            button = QPushButton(f"{key}  {text}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, s=status: self.set_status(s))
            buttons.addWidget(button)
            self.status_buttons[status] = button
        form.addLayout(buttons)
        value_row = QHBoxLayout()
        self.value_caption = QLabel("Giá trị đo:")
        value_row.addWidget(self.value_caption)
        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("valueEdit")
        self.value_edit.textChanged.connect(self._check_value_as_typed)
        self.value_edit.returnPressed.connect(self._save_value)
        self.value_edit.installEventFilter(self)
        value_row.addWidget(self.value_edit, 1)
        self.value_state = QLabel()
        value_row.addWidget(self.value_state, 1)
        form.addLayout(value_row)
        note_row = QHBoxLayout()
        note_row.addWidget(QLabel("Ghi chú:"))
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("F2 để ghi chú; Enter để lưu")
        self.note_edit.returnPressed.connect(self._save_note)
        self.note_edit.installEventFilter(self)
        note_row.addWidget(self.note_edit, 1)
        form.addLayout(note_row)
        self.checked_label = QLabel()
        self.checked_label.setWordWrap(True)
        self.checked_label.setStyleSheet("color: #555;")
        form.addWidget(self.checked_label)
        hint = QLabel(KEY_HINT)
        hint.setToolTip(KEY_HELP)
        hint.setStyleSheet("color: #555;")
        form.addWidget(hint)
        # The item's text, guidance and related equipment wrap to as many lines as they need:
        # in a scroll area they are never cut off (a fixed maximum height clipped them).
        scroll = QScrollArea()
        scroll.setObjectName("itemEditorScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(editor)
        self.editor_scroll = scroll
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([330, 220])
        layout.addWidget(split)
        return host

    # -- showing --------------------------------------------------------------------------
    def show_run(self, run, equipment: dict[str, list[dict]] | None = None, *, keep_row: bool = True) -> None:
        """Show a RunView (loaded on the database thread)."""
        same = keep_row and self.run is not None and self.run.id == run.id
        row = self.current_row() if same else 0
        # A reload while something is being typed (another window saved, a bundle arrived)
        # must not wipe it: the typed text and the focus are put back afterwards.
        typing = [(edit, edit.text()) for edit in (self.value_edit, self.note_edit) if same and edit.hasFocus()]
        self.run = run
        if equipment is not None:
            self.equipment = equipment
        self.title_label.setText(run.meeting_title)
        state = "đã khóa" if run.closed else "đang kiểm tra"
        self.details_label.setText(
            f"Chủ trì: {run.host_label} · Bắt đầu {run.start_time} ngày {format_date(run.meeting_date)} · "
            f"Đường truyền: {run.connection_label} · Mẫu: {run.template_name} (phiên bản {run.template_version})"
            f" · Phiếu {state}")
        self.model.set_run(run.items, run.answers)
        self._set_enabled(True)
        self.log.show_run(run)
        if run.items:
            self.select_row(min(row, len(run.items) - 1))
        for edit, text in typing:
            edit.setText(text)
            edit.setFocus()
        self.refresh_verdict()
        self.tick()

    def clear(self) -> None:
        self.run = None
        self.model.set_run([], {})
        self.title_label.setText("Chọn một phiếu trong danh sách hoặc tạo phiếu mới (Ctrl+N).")
        for label in (self.details_label, self.countdown_label, self.verdict_label, self.failing_label):
            label.clear()
        self.reminder_banner.hide()
        self._set_enabled(False)

    def _set_enabled(self, has_run: bool) -> None:
        is_open = has_run and not self.run.closed
        for button in self.status_buttons.values():
            button.setEnabled(is_open)
        for widget in (self.value_edit, self.note_edit, self.close_button, self.edit_button):
            widget.setEnabled(is_open)
        self.correct_button.setEnabled(has_run and self.run.closed)
        self.print_button.setEnabled(has_run)
        self.tabs.setEnabled(has_run)

    def current_row(self) -> int:
        index = self.items_view.currentIndex()
        return index.row() if index.isValid() else 0

    def current_item(self) -> Item | None:
        if self.run is None or not self.run.items:
            return None
        return self.run.items[self.current_row()]

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.items_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.items_view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _show_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        answer = self.run.answers.get(item.id) or Answer()
        critical = " <b>(bắt buộc)</b>" if item.critical else ""
        number = self.current_row() + 1
        self.item_label.setText(f"<b>{number}.</b> [{escape(item.category)}] {escape(item.text)}{critical}")
        self.guidance_label.setText(f"Hướng dẫn: {item.guidance}" if item.guidance else "")
        pieces = self.equipment.get(item.equipment_kind or "", [])
        if item.equipment_kind:
            listed = "; ".join(describe(p) for p in pieces) or "chưa có trong danh sách thiết bị"
            self.equipment_label.setText(f"Thiết bị liên quan ({KIND_LABELS[item.equipment_kind]}): {listed}")
        else:
            self.equipment_label.clear()
        self.equipment_label.setVisible(bool(item.equipment_kind))
        self.guidance_label.setVisible(bool(item.guidance))
        for status, button in self.status_buttons.items():
            button.setChecked(answer.status == status)
            button.setVisible(item.kind != "number" or status == "na")
        self.value_caption.setVisible(item.kind != "check")
        self.value_edit.setVisible(item.kind != "check")
        self.value_state.setVisible(item.kind == "number")
        if item.kind == "number":
            self.value_caption.setText(f"Giá trị đo ({item.unit or ''}):")
            self.value_edit.setPlaceholderText(f"Yêu cầu {item.threshold_label()}" if item.threshold is not None else "")
            self.value_edit.setText(format_number(answer.number_value))
        elif item.kind == "text":
            self.value_caption.setText("Nội dung:")
            self.value_edit.setPlaceholderText("Ghi nội dung rồi nhấn Enter")
            self.value_edit.setText(answer.text_value or "")
        self.note_edit.setText(answer.note or "")
        who = self.run.staff_names.get(answer.checked_by or "", "")
        self.checked_label.setText(f"Kiểm tra bởi {who or 'không rõ'} lúc {format_datetime_local(answer.checked_at)}"
                                   if answer.checked_at else "Chưa kiểm tra mục này.")

    def refresh_verdict(self) -> None:
        if self.run is None:
            return
        verdict = self.run.verdict
        colour = GOOD if verdict.ready else OVERDUE
        self.verdict_label.setText(f"  {verdict.label}  ")
        self.verdict_label.setStyleSheet(f"background: {colour.name()}; font-weight: 600; font-size: 13pt; "
                                         "border-radius: 4px; padding: 4px 10px;")
        answered = self.run.answered_count()
        summary = f"Đã kiểm tra {answered}/{len(self.run.items)} mục."
        if verdict.failing:
            unchecked = len(verdict.unanswered_critical)
            summary += f" {len(verdict.failing)} mục bắt buộc chưa đạt"
            summary += f" ({unchecked} chưa kiểm tra)" if unchecked else ""
            failed = [f for f in verdict.failing if f.item not in verdict.unanswered_critical]
            if failed:
                names = "; ".join(f"{f.item.text} ({f.reason})" for f in failed[:2])
                summary += f": {names}" + (f" và {len(failed) - 2} mục khác" if len(failed) > 2 else "")
            summary += "."
        self.failing_label.setToolTip("\n".join(f"{f.item.text}: {f.reason}" for f in verdict.failing))
        if self.run.closed and self.run.verdict_at_close and self.run.verdict_at_close != verdict.code:
            summary += " (Kết luận đã thay đổi do đính chính sau khi khóa.)"
        self.failing_label.setText(summary)

    def tick(self) -> None:
        """Countdown to the meeting and the reminder an hour before (operating guide)."""
        if self.run is None:
            return
        starts = self.run.starts_at
        self.countdown_label.setText(history.countdown_text(starts))
        due = not self.run.closed and history.reminder_due(starts)
        if due:
            minutes = history.minutes_until(starts)
            self.reminder_banner.setText(
                f"Còn {minutes} phút đến giờ họp: bật toàn bộ hệ thống, kết nối thử với điểm cầu tỉnh và "
                f"hoàn thành phiếu kiểm tra (hướng dẫn vận hành yêu cầu trước 60 phút).")
            if self.run.id not in self._reminded:
                self._reminded.add(self.run.id)
                QApplication.alert(self.window(), 0)
        self.reminder_banner.setVisible(due)

    # -- keyboard walk ---------------------------------------------------------------------
    def eventFilter(self, obj, event):  # noqa: N802 (Qt API)
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(obj, event)
        key, text = event.key(), event.text()
        if obj in (self.value_edit, self.note_edit) and key == Qt.Key.Key_Escape:
            self._show_current()
            self.items_view.setFocus()
            return True
        if obj is not self.items_view or self.run is None:
            return super().eventFilter(obj, event)
        item = self.current_item()
        if item is None:
            return False
        if key == Qt.Key.Key_F2 and self.note_edit.isEnabled():
            self.note_edit.setFocus()
            self.note_edit.selectAll()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if item.kind != "check" and self.value_edit.isEnabled():
                self.value_edit.setFocus()
                self.value_edit.selectAll()
            else:
                self.advance()
            return True
        if self.run.closed:
            return super().eventFilter(obj, event)
        if item.kind in ("check", "text") and text in STATUS_KEYS:
            # On a text item too the keys mark it (its content is written after Enter), as the
            # buttons and the key hint say; they used to start the content with "1".
            self.set_status(STATUS_KEYS[text], advance=True)
            return True
        if item.kind == "number" and text and (text.isdigit() or text in ",."):
            self.value_edit.setFocus()
            self.value_edit.setText(text)
            return True
        if item.kind == "text" and text and text.isprintable() and not text.isspace():
            self.value_edit.setFocus()
            self.value_edit.setText(text)
            return True
        return super().eventFilter(obj, event)

    def advance(self) -> None:
        if self.run is None:
            return
        row = self.current_row()
        if row + 1 < len(self.run.items):
            self.select_row(row + 1)
        self.items_view.setFocus()

    # -- saving ----------------------------------------------------------------------------
    def set_status(self, status: str, *, advance: bool = False) -> None:
        item = self.current_item()
        if item is None or self.run.closed:
            return
        if item.kind == "number" and status != "na":
            self.value_edit.setFocus()
            return
        self._save(item, advance=advance, status=status)

    def _check_value_as_typed(self, text: str) -> None:
        item = self.current_item()
        if item is None or item.kind != "number":
            return
        try:
            value = parse_number(text, item=item)
        except UserInputError as exc:
            self._show_value_state(exc.message, OVERDUE)
            return
        if value is None:
            self._show_value_state(f"Yêu cầu {item.threshold_label()}" if item.threshold is not None else "", None)
        elif meets_threshold(item, value):
            self._show_value_state(f"Đạt ngưỡng {item.threshold_label()}".strip(), GOOD)
        else:
            self._show_value_state(f"Không đạt: yêu cầu {item.threshold_label()}", OVERDUE)

    def _show_value_state(self, text: str, colour) -> None:
        self.value_state.setText(text)
        self.value_state.setWordWrap(True)
        self.value_state.setStyleSheet(f"background: {colour.name()}; padding: 2px 6px; border-radius: 3px;"
                                       if colour is not None else "")

    def _save_value(self) -> None:
        item = self.current_item()
        if item is None or self.run.closed:
            return
        if item.kind == "number":
            try:
                parse_number(self.value_edit.text(), item=item)
            except UserInputError as exc:  # refused on the spot: nothing is sent, nothing is lost
                self._show_value_state(exc.message, OVERDUE)
                return
            self._save(item, advance=True, number=self.value_edit.text(), status=None)
        else:
            self._save(item, advance=True, text=self.value_edit.text())

    def _save_note(self) -> None:
        item = self.current_item()
        if item is not None and not self.run.closed:
            note = screen_text(self, self.note_edit.text(), "Ghi chú")
            if note is None:
                return
            self._save(item, advance=False, note=note)
            self.items_view.setFocus()

    def _save(self, item: Item, *, advance: bool, **changes) -> None:
        current = self.run.answers.get(item.id) or Answer()
        keep_status = current.status if (item.kind in ("check", "text") or current.status in ("na", "fail")) else None
        if item.kind == "number":
            keep_status = "na" if current.status == "na" else None
        args = {"status": keep_status, "number": current.number_value, "text": current.text_value,
                "note": current.note}
        args.update(changes)
        if item.kind == "text" and "text" in changes and changes.get("status") is None:
            args["status"] = None  # writing the text is the answer
        run_id, item_id, row = self.run.id, item.id, self.current_row()

        def saved(answer: Answer) -> None:
            if self.run is None or self.run.id != run_id:
                return
            self.run.answers[item_id] = answer
            self.model.answer_changed(row)
            self.refresh_verdict()
            if advance and self.current_row() == row:
                self.advance()
            else:
                self._show_current()
            self.run_written.emit("checklist_answers")

        self.ctx.bg.db(lambda store: runs.record_answer(store, run_id, item_id, **args), saved,
                       lambda exc: show_error(self, exc))

    def _on_log_written(self, table: str) -> None:
        self.run_written.emit(table)

