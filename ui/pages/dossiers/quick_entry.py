"""Quick entry for the counter desk: scan or type the code, Enter, single-key toggles, Enter.

The scanner acts as a keyboard and ends with Enter. A code already in the register is
caught and opened for editing (so a dossier is never counted twice); that is also how
a result handed back is recorded: scan, press H (đã trả kết quả hôm nay), Enter.
The day's counters come back with the save, so they change the moment Enter is pressed.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from core.clock import format_date, today_local
from core.dossiers.codes import InvalidCodeError, normalise_code
from core.dossiers.model import (CHANNELS, EDITABLE_COLUMNS, FEE_LABELS, FEE_NONE, FEE_ONLINE, FEE_OTHER,
                                 RESULT_LABELS, RESULT_NO, RESULT_NOT_APPLICABLE, RESULT_YES)
from ui.pages.dossiers.common import ask_reason, number

RESULT_CYCLE = [RESULT_NO, RESULT_YES, RESULT_NOT_APPLICABLE]
FEE_CYCLE = [FEE_NONE, FEE_ONLINE, FEE_OTHER]
# The desk's single keys (one list: the hint under the form and the F1 list are made from it).
KEYS = [("1", "Trực tiếp"), ("2", "Trực tuyến"), ("3", "Bưu chính"), ("T", "số hóa TPHS"), ("K", "kết quả số hóa"),
        ("S", "tái sử dụng"), ("V", "VNeID"), ("P", "phí"), ("H", "đã trả kết quả hôm nay"),
        ("B", "thêm một lần yêu cầu bổ sung"), ("↑↓", "lĩnh vực"), ("Enter", "lưu"), ("Esc", "bỏ")]
KEY_HELP = "Phím: " + " · ".join(f"{key} {meaning}" for key, meaning in KEYS)
SHORTCUT_KEYS = KEYS + [("Ctrl+Z", "hoàn tác lần lưu trước (khi ô mã hồ sơ đang trống)")]


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


class FlagsPanel(QFrame):
    """Holds the focus while toggles are typed; every key acts at once."""

    key_typed = Signal(str)
    confirmed = Signal()
    cancelled = Signal()
    field_step = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("card")

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirmed.emit()
        elif key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.field_step.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif event.text():
            self.key_typed.emit(event.text().lower())
        else:
            super().keyPressEvent(event)


class QuickEntryPanel(QWidget):
    dossier_saved = Signal(str)  # the table written, for AppSignals.data_changed

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.fields: list[str] = []
        self.values: dict = {}
        self.editing: dict | None = None  # the existing row when a code was already in the register
        self.undo_stack: list[tuple[str, str, dict | None]] = []  # (action, dossier id, previous values)
        # The received date of new entries stays as chosen (entering yesterday's pile), while an
        # edited dossier shows its own date.
        self.entry_date = today_local()
        self._build()
        self._reset_form()

    # -- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Mã hồ sơ:"))
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("quickCode")
        self.code_edit.setPlaceholderText("Quét mã vạch hoặc gõ mã hồ sơ rồi nhấn Enter")
        big = QFont(self.code_edit.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        self.code_edit.setFont(big)
        self.code_edit.returnPressed.connect(self.code_entered)
        # Ctrl+Z in the (empty) code field undoes the last save, not the field's own typing:
        # after a save the field is cleared, and its text undo would only bring the code back.
        self.code_edit.installEventFilter(self)
        top.addWidget(self.code_edit, 1)
        top.addWidget(QLabel("Ngày tiếp nhận:"))
        self.received_edit = QDateEdit()
        self.received_edit.setDisplayFormat("dd/MM/yyyy")
        self.received_edit.setCalendarPopup(True)
        self.received_edit.dateChanged.connect(self._received_changed)
        top.addWidget(self.received_edit)
        top.addWidget(QLabel("Hẹn trả sau (ngày làm việc):"))
        self.promise_days = QSpinBox()
        self.promise_days.setRange(0, 90)
        self.promise_days.setToolTip("0 = trả trong ngày")
        top.addWidget(self.promise_days)
        layout.addLayout(top)

        self.message = QLabel()
        self.message.setObjectName("quickMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.flags = FlagsPanel()
        self.flags.key_typed.connect(self.toggle)
        self.flags.confirmed.connect(self.save)
        self.flags.cancelled.connect(self.cancel)
        self.flags.field_step.connect(self._step_field)
        grid = QGridLayout(self.flags)
        self.flag_labels: dict[str, QLabel] = {}
        self.field_combo = QComboBox()
        self.field_combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        grid.addWidget(QLabel("Lĩnh vực (↑↓):"), 0, 0)
        grid.addWidget(self.field_combo, 0, 1, 1, 3)
        names = [("channel", "Kênh nộp (1/2/3)"), ("components_digitised", "Số hóa TPHS (T)"),
                 ("result_digitised", "Kết quả số hóa (K)"), ("data_reused", "Tái sử dụng (S)"),
                 ("vneid_identified", "Định danh VNeID (V)"), ("fee", "Phí, lệ phí (P)"),
                 ("finished_on", "Đã trả kết quả (H)"), ("supplement_requests", "Yêu cầu bổ sung (B)")]
        for index, (key, title) in enumerate(names):
            row, col = 1 + index // 2, (index % 2) * 2
            grid.addWidget(QLabel(title + ":"), row, col)
            value = QLabel()
            value.setObjectName(f"flag_{key}")
            grid.addWidget(value, row, col + 1)
            self.flag_labels[key] = value
        help_label = QLabel(KEY_HELP)
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: #57606a;")
        grid.addWidget(help_label, 6, 0, 1, 4)
        layout.addWidget(self.flags)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Lưu (Enter)")
        self.save_button.clicked.connect(self.save)
        self.undo_button = QPushButton("Hoàn tác lần lưu trước (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_last)
        self.undo_button.setEnabled(False)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.setWhatsThis("Hoàn tác lần lưu trước")
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_last)

        self.counts_title = QLabel()
        self.counts_title.setObjectName("sectionHeading")
        layout.addWidget(self.counts_title)
        counts = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for index, (key, title) in enumerate([
                ("received", "Tiếp nhận"), ("online", "Trực tuyến"), ("components", "Có số hóa TPHS"),
                ("reused", "Tái sử dụng"), ("vneid", "Định danh VNeID"), ("finished", "Đã giải quyết"),
                ("on_time", "Đúng hạn")]):
            box = QFrame()
            box.setObjectName("card")
            inner = QVBoxLayout(box)
            value = QLabel("0")
            value.setObjectName("bigNumber")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(title)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(value)
            inner.addWidget(caption)
            counts.addWidget(box, 0, index)
            self.count_labels[key] = value
        layout.addLayout(counts)
        layout.addStretch(1)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if watched is self.code_edit and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.matches(QKeySequence.StandardKey.Undo) and self._undo_takes_key():
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # deliver it as a key press to this filter, before any shortcut
            else:
                self.undo_last()
            return True
        return super().eventFilter(watched, event)

    def _undo_takes_key(self) -> bool:
        """Ctrl+Z means "undo the last save" while nothing is typed in the code field; with a
        code half typed it undoes the typing, as in any text field."""
        return bool(self.undo_stack) and not self.code_edit.text()

    # -- data ------------------------------------------------------------------------
    def reload(self) -> None:
        today = today_local()

        def load(store):
            from core.dossiers.fields import field_names
            from core.dossiers.indicators import day_counts

            return field_names(store), day_counts(store, today)

        self.ctx.bg.read(load, self._loaded)

    def _loaded(self, result) -> None:
        fields, counts = result
        current = self.field_combo.currentText()
        self.fields = fields
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        self.field_combo.addItems(fields)
        if current in fields:
            self.field_combo.setCurrentText(current)
        self.field_combo.blockSignals(False)
        self.show_counts(counts)

    def show_counts(self, counts) -> None:
        self.counts_title.setText(f"Số liệu hôm nay {format_date(today_local())}")
        for key, label in self.count_labels.items():
            label.setText(number(getattr(counts, key)))

    def focus_code(self) -> None:
        self.code_edit.setFocus()
        self.code_edit.selectAll()

    # -- the flow --------------------------------------------------------------------
    def code_entered(self) -> None:
        try:
            code = normalise_code(self.code_edit.text())
        except InvalidCodeError as exc:
            self._say(exc.message, error=True)
            self.code_edit.selectAll()
            return
        self.code_edit.setText(code)

        def find(store):
            from core.dossiers.register import find_by_code

            return find_by_code(store, code)

        self.ctx.bg.read(find, lambda row: self._code_checked(code, row))

    def _code_checked(self, code: str, row: dict | None) -> None:
        if row is None:
            self.editing = None
            self._reset_form(keep_code=True)
            self._say(f"Hồ sơ mới {code}: chọn các mục bằng phím rồi nhấn Enter để lưu.")
        else:
            self.editing = row
            self.values = {k: row[k] for k in EDITABLE_COLUMNS}
            self.field_combo.setCurrentText(row["field"])
            self.received_edit.setDate(QDate.fromString(row["received_on"], "yyyy-MM-dd"))
            self._say(f"Hồ sơ {code} đã có trong sổ (tiếp nhận ngày "
                      f"{format_date(dt.date.fromisoformat(row['received_on']))}), không đếm lần hai. "
                      "Đang mở để sửa: đổi các mục rồi nhấn Enter, hoặc Esc để bỏ.", warning=True)
            self._show_flags()
        self.flags.setFocus()

    def toggle(self, key: str) -> None:
        v = self.values
        if key in ("1", "2", "3"):
            v["channel"] = int(key)
        elif key == "t":
            v["components_digitised"] = 1 - v["components_digitised"]
        elif key == "k":
            v["result_digitised"] = RESULT_CYCLE[(RESULT_CYCLE.index(v["result_digitised"]) + 1) % 3]
        elif key == "s":
            v["data_reused"] = 1 - v["data_reused"]
        elif key == "v":
            v["vneid_identified"] = 1 - v["vneid_identified"]
        elif key == "p":
            v["fee"] = FEE_CYCLE[(FEE_CYCLE.index(v["fee"]) + 1) % 3]
        elif key == "b":
            v["supplement_requests"] = (v.get("supplement_requests", 0) + 1) % 3
        elif key == "h":
            original = (self.editing or {}).get("finished_on")
            v["finished_on"] = None if v.get("finished_on") else (original or today_local().isoformat())
        self._show_flags()

    def _received_changed(self, date: QDate) -> None:
        if self.editing is None:
            self.entry_date = date.toPython()
        past = self.editing is None and self.entry_date != today_local()
        # A received date other than today is easy to forget: make it stand out.
        self.received_edit.setStyleSheet("background: #fff3cd;" if past else "")

    def _step_field(self, step: int) -> None:
        count = self.field_combo.count()
        if count:
            self.field_combo.setCurrentIndex((self.field_combo.currentIndex() + step) % count)

    def _show_flags(self) -> None:
        v = self.values
        self.flag_labels["channel"].setText(CHANNELS[v["channel"]])
        self.flag_labels["components_digitised"].setText("Có" if v["components_digitised"] else "Không")
        self.flag_labels["result_digitised"].setText(RESULT_LABELS[v["result_digitised"]])
        self.flag_labels["data_reused"].setText("Có" if v["data_reused"] else "Không")
        self.flag_labels["vneid_identified"].setText("Có" if v["vneid_identified"] else "Không")
        self.flag_labels["fee"].setText(FEE_LABELS[v["fee"]])
        finished = v.get("finished_on")
        self.flag_labels["finished_on"].setText(
            f"Ngày {format_date(dt.date.fromisoformat(finished))}" if finished else "Chưa")
        requests = v.get("supplement_requests", 0)
        self.flag_labels["supplement_requests"].setText(
            "Không" if not requests else f"{requests} lần" + (" (tính trễ hạn)" if requests > 1 else ""))
        positive = {"supplement_requests": requests == 0, "channel": v["channel"] == 2, "components_digitised": v["components_digitised"],
                    "result_digitised": v["result_digitised"] == RESULT_YES, "data_reused": v["data_reused"],
                    "vneid_identified": v["vneid_identified"], "fee": v["fee"] == FEE_ONLINE,
                    "finished_on": bool(finished)}
        for key, label in self.flag_labels.items():
            # Green chip for what counts towards an indicator, grey otherwise: readable at a glance.
            background = "#d1e7dd" if positive[key] else "#eef1f4"
            label.setStyleSheet(f"font-weight: 600; background: {background}; border-radius: 4px; padding: 2px 8px;")

    def _collect(self) -> dict:
        received = self.received_edit.date().toPython()
        values = dict(self.values, code=self.code_edit.text(), field=self.field_combo.currentText(),
                      received_on=received.isoformat())
        if self.editing is None:
            days = self.promise_days.value()
            values["promised_on"] = add_working_days(received, days).isoformat()
        return values

    def save(self, reason: str | None = None) -> None:
        if not self.code_edit.text().strip():
            self._say("Chưa có mã hồ sơ.", error=True)
            self.focus_code()
            return
        values = self._collect()
        editing = self.editing
        today = today_local()

        def write(store):
            from core.dossiers.indicators import day_counts
            from core.dossiers.register import add_dossier, update_dossier

            if editing is None:
                dossier_id, previous = add_dossier(store, values, reason=reason), None
            else:
                dossier_id, previous = editing["id"], {k: editing[k] for k in EDITABLE_COLUMNS}
                update_dossier(store, dossier_id, values, reason=reason)
            return dossier_id, previous, day_counts(store, today)

        self.ctx.bg.db(write, lambda result: self._saved(values, result), self._save_failed)

    def _saved(self, values: dict, result) -> None:
        dossier_id, previous, counts = result
        self.show_counts(counts)
        self.undo_stack.append(("update" if previous else "add", dossier_id, previous))
        self.undo_button.setEnabled(True)
        verb = "Đã cập nhật" if previous else "Đã lưu"
        self._say(f"{verb} hồ sơ {values['code']}. Quét hoặc gõ mã tiếp theo.", ok=True)
        self.editing = None
        self._reset_form()
        self.dossier_saved.emit("dossiers")

    def _save_failed(self, exc: BaseException) -> None:
        from core.dossiers.locks import LockedMonthError
        from core.dossiers.register import DuplicateCodeError
        from core.errors import AppError

        if isinstance(exc, LockedMonthError):
            reason = ask_reason(self, exc.message)
            if reason:
                self.save(reason)
            return
        if isinstance(exc, DuplicateCodeError):
            self._code_checked(exc.existing["code"], exc.existing)
            return
        if isinstance(exc, AppError):
            self._say(exc.message, error=True)
            self.flags.setFocus()
            return
        from ui.errors import show_error

        show_error(self, exc)

    def cancel(self) -> None:
        self.editing = None
        self._reset_form()
        self._say("Đã bỏ. Quét hoặc gõ mã hồ sơ.")

    def undo_last(self) -> None:
        if not self.undo_stack:
            return
        action, dossier_id, previous = self.undo_stack.pop()
        today = today_local()

        def work(store, reason=None):
            from core.dossiers.indicators import day_counts
            from core.dossiers.register import remove_dossier, update_dossier

            if action == "add":
                remove_dossier(store, dossier_id, reason=reason)
            else:
                update_dossier(store, dossier_id, previous, reason=reason)
            return day_counts(store, today)

        def failed(exc):
            self.undo_stack.append((action, dossier_id, previous))
            from core.dossiers.locks import LockedMonthError

            if isinstance(exc, LockedMonthError):
                reason = ask_reason(self, exc.message)
                if reason:
                    self.undo_stack.pop()
                    self.ctx.bg.db(lambda store: work(store, reason), done, failed)
                return
            from ui.errors import show_error

            show_error(self, exc)

        def done(counts):
            self.show_counts(counts)
            self.undo_button.setEnabled(bool(self.undo_stack))
            self._say("Đã hoàn tác lần lưu trước." if action == "update" else "Đã bỏ hồ sơ vừa nhập.", ok=True)
            self.dossier_saved.emit("dossiers")
            self.focus_code()

        self.ctx.bg.db(work, done, failed)

    # -- helpers ---------------------------------------------------------------------
    def _reset_form(self, keep_code: bool = False) -> None:
        self.values = {"channel": 1, "components_digitised": 0, "result_digitised": RESULT_NO,
                       "data_reused": 0, "vneid_identified": 0, "fee": FEE_NONE, "finished_on": None,
                       "supplement_requests": 0}
        self.received_edit.setDate(QDate(self.entry_date))
        if not keep_code:
            self.code_edit.clear()
            self.focus_code()
        self._show_flags()

    def _say(self, text: str, *, error: bool = False, warning: bool = False, ok: bool = False) -> None:
        colour = "#cf222e" if error else "#9a6700" if warning else "#1a7f37" if ok else "#24292f"
        self.message.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.message.setText(text)
