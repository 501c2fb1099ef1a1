"""Choose a quarter and a format, then write the task progress report off the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox

from core.clock import today_local
from core.tasks.report import ROMAN, collect, quarter_of, write_collected
from core.workspace import identity
from ui.errors import show_error, show_info


class TaskReportDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Báo cáo tiến độ nhiệm vụ theo quý")
        quarter, year = quarter_of(today_local())
        form = QFormLayout(self)
        self.quarter = QComboBox()
        for number in range(1, 5):
            self.quarter.addItem(f"Quý {ROMAN[number - 1]}", number)
        self.quarter.setCurrentIndex(quarter - 1)
        self.year = QSpinBox()
        self.year.setRange(2015, 2100)
        self.year.setValue(year)
        self.kind = QComboBox()
        self.kind.addItem("PDF (để in, ký)", ".pdf")
        self.kind.addItem("Excel (.xlsx, để chỉnh sửa)", ".xlsx")
        self.kind.addItem("Word (.docx, để sửa, ghi đề xuất trước khi ký)", ".docx")
        form.addRow("Quý:", self.quarter)
        form.addRow("Năm:", self.year)
        form.addRow("Định dạng:", self.kind)
        form.addRow(QLabel(f"Tệp được lưu vào thư mục báo cáo: {ctx.paths.reports_dir}"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Lập báo cáo")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.make)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.made: Path | None = None

    def target(self) -> Path:
        quarter, year = self.quarter.currentData(), self.year.value()
        return self.ctx.paths.reports_dir / f"bao-cao-nhiem-vu-quy-{quarter}-{year}{self.kind.currentData()}"

    def make(self) -> None:
        out = self.target()
        quarter, year = self.quarter.currentData(), self.year.value()
        out.parent.mkdir(parents=True, exist_ok=True)
        today = today_local()

        def done(path: Path) -> None:
            self.made = path
            self.accept()
            if path.suffix == ".pdf":
                from ui.pdf_output import open_pdf

                try:
                    open_pdf(path)
                except Exception as error:  # no PDF viewer: say where the file is
                    show_error(self.parent(), error)
            else:
                show_info(self.parent(), f"Đã lập báo cáo: {path}")

        def gathered(result) -> None:
            report, unit = result
            # Layout and file writing happen on the I/O pool, not the database thread.
            self.ctx.bg.io(lambda _progress: write_collected(report, unit, out, today=today), done,
                           lambda error: show_error(self, error))

        self.ctx.bg.db(lambda store: (collect(store, year=year, quarter=quarter, today=today),
                                      identity(store).unit), gathered, lambda error: show_error(self, error))
