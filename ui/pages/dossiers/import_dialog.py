"""Import a provincial dossier list: map the columns, run a dry check, then confirm.

Nothing is written until "Nhập" is pressed; the check lists every refused row with
its reason. Headers the automatic matching does not know are shown first (tinted) so
a person can say which column they are.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from core.dossiers.model import COLUMN_LABELS
from ui.pages.dossiers.common import number
from ui.style import DUE_SOON

IGNORE = "(bỏ qua cột này)"


class ImportDialog(QDialog):
    def __init__(self, ctx, path: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.path = Path(path)
        self.header = None
        self.plan = None
        self.combos: list[tuple[str, QComboBox]] = []
        self.setWindowTitle(f"Nhập hồ sơ từ {self.path.name}")
        self.resize(900, 640)
        layout = QVBoxLayout(self)
        self.status = QLabel("Đang đọc dòng tiêu đề…")
        self.status.setWordWrap(True)
        self.status.setObjectName("importStatus")
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Cột trong tệp → cột của sổ hồ sơ:"))
        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setObjectName("mappingTable")
        self.mapping_table.setHorizontalHeaderLabels(["Tiêu đề trong tệp", "Là cột"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        layout.addWidget(self.mapping_table, 1)
        reason_row = QHBoxLayout()
        reason_row.addWidget(QLabel("Lý do sửa tháng đã khóa (nếu tệp có hồ sơ của tháng đã báo cáo):"))
        self.reason = QLineEdit()
        reason_row.addWidget(self.reason, 1)
        layout.addLayout(reason_row)
        self.result_label = QLabel()
        self.result_label.setObjectName("importCounts")
        self.result_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.result_label)
        self.rejected_table = QTableWidget(0, 3)
        self.rejected_table.setObjectName("rejectedTable")
        self.rejected_table.setHorizontalHeaderLabels(["Dòng", "Mã hồ sơ", "Lý do không nhập"])
        self.rejected_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.rejected_table.verticalHeader().setVisible(False)
        layout.addWidget(self.rejected_table, 1)
        buttons = QHBoxLayout()
        self.check_button = QPushButton("Kiểm tra (chưa ghi)")
        self.check_button.clicked.connect(self.check)
        self.check_button.setEnabled(False)
        self.commit_button = QPushButton("Nhập")
        self.commit_button.clicked.connect(self.commit)
        self.commit_button.setEnabled(False)
        close = QPushButton("Đóng")
        close.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.commit_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._inspect()

    def _inspect(self) -> None:
        from core.dossiers.excel_import import inspect_headers

        path = self.path
        self.ctx.bg.io(lambda _report: inspect_headers(path), self._show_headers, self._file_failed)

    def _show_headers(self, header) -> None:
        self.header = header
        rows = [(col, text) for col, text in enumerate(header.headers) if text]
        unknown = {col for col, _ in header.unknown}
        # Unknown headers first: they are what a person has to look at.
        rows.sort(key=lambda item: (item[0] not in unknown, item[0]))
        self.mapping_table.setRowCount(len(rows))
        self.combos = []
        for r, (col, text) in enumerate(rows):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            combo = QComboBox()
            combo.addItem(IGNORE, None)
            for key, label in COLUMN_LABELS.items():
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(header.mapping.get(col))))
            if col in unknown:
                item.setBackground(QBrush(DUE_SOON))
                item.setToolTip("Không nhận ra tiêu đề này: chọn cột tương ứng hoặc bỏ qua")
            self.mapping_table.setItem(r, 0, item)
            self.mapping_table.setCellWidget(r, 1, combo)
            self.combos.append((text, combo))
        self.check_button.setEnabled(True)
        note = f"Dòng tiêu đề: dòng {header.row}."
        if header.unknown:
            note += f" {len(header.unknown)} tiêu đề chưa nhận ra (tô vàng)."
        if header.missing:
            missing = ", ".join(COLUMN_LABELS[k] for k in header.missing)
            note += f" Chưa có cột bắt buộc: {missing} — hãy chọn."
        self.status.setText(note + " Nhấn “Kiểm tra” để xem trước, chưa có gì được ghi.")

    def mapping(self) -> dict[str, str | None]:
        return {text: combo.currentData() for text, combo in self.combos}

    def check(self) -> None:
        from core.dossiers.excel_import import plan_import

        path, mapping, reason = self.path, self.mapping(), self.reason.text().strip() or None
        db_file = self.ctx.paths.db_file
        self.commit_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.status.setText("Đang kiểm tra tệp… (tệp lớn có thể mất vài chục giây)")

        def work(report):
            # Its own read-only connection on the I/O lane: reading 100,000 rows takes a while
            # and must not hold up the database thread every other screen uses.
            from db.store import Store

            store = Store(db_file, readonly=True)
            try:
                return plan_import(store, path, mapping=mapping, reason=reason, report=report)
            finally:
                store.close()

        self.ctx.bg.io(work, self._show_plan, self._file_failed, self._progress)

    def _progress(self, done: int, total: int, _text: str) -> None:
        of = f"/{number(total)}" if total else ""
        self.status.setText(f"Đang kiểm tra tệp… đã đọc {number(done)}{of} dòng")

    def _show_plan(self, plan) -> None:
        self.plan = plan
        c = plan.counts()
        self.result_label.setText(
            f"Kiểm tra {number(plan.rows_read)} dòng: {number(c['new'])} hồ sơ mới, {number(c['updated'])} cập nhật, "
            f"{number(c['unchanged'])} không đổi, {number(c['rejected'])} bị từ chối.")
        shown = plan.rejected[:2000]
        self.rejected_table.setRowCount(len(shown))
        for r, rejection in enumerate(shown):
            for col, text in enumerate((str(rejection.row), rejection.code, rejection.reason)):
                self.rejected_table.setItem(r, col, QTableWidgetItem(text))
        writes = c["new"] + c["updated"]
        self.commit_button.setText(f"Nhập {number(writes)} hồ sơ")
        self.commit_button.setEnabled(writes > 0)
        self.check_button.setEnabled(True)
        more = f" (hiển thị 2.000 dòng đầu)" if len(plan.rejected) > 2000 else ""
        self.status.setText("Chưa ghi gì. Xem các dòng bị từ chối bên dưới" + more +
                            "; nhấn “Nhập” để ghi các dòng hợp lệ (cùng một lần, lỗi thì không ghi gì).")

    def commit(self) -> None:
        from core.dossiers.excel_import import commit_import

        plan = self.plan
        if plan is None:
            return
        self.commit_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.ctx.bg.db(lambda store: commit_import(store, plan), self._committed, self._file_failed)

    def _committed(self, counts) -> None:
        self.status.setText(f"Đã nhập: {number(counts['new'])} hồ sơ mới, {number(counts['updated'])} cập nhật.")
        self.plan = None
        self.ctx.signals.data_changed.emit("dossiers")

    def _file_failed(self, exc: BaseException) -> None:
        from core.errors import AppError

        self.check_button.setEnabled(self.header is not None)
        if isinstance(exc, AppError):
            self.status.setText(exc.message)
            self.status.setStyleSheet("color: #cf222e; font-weight: 600;")
            return
        from ui.errors import show_error

        show_error(self, exc)
