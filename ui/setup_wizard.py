"""First-run setup: which unit this PC serves, who uses it, who is working now."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWizard, QWizardPage)

from core.units import all_units, find_unit, namesakes, rank_units


class UnitPage(QWizardPage):
    """Type a name (accents optional, Telex / VNI keys understood) or a code; the best match is
    chosen and the list shows the matches best first. Nothing typed: nothing chosen, "Tiếp" off."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle("Chọn đơn vị")
        self.setSubTitle("Máy này phục vụ xã, phường hay đặc khu nào? Gõ tên (không dấu cũng được) hoặc mã, "
                         "rồi kiểm tra tên được chọn trong danh sách.")
        self.filter = QLineEdit()
        self.filter.setObjectName("unitFilter")
        self.filter.setPlaceholderText("Ví dụ: ba tơ (hoặc ba tow), Lý Sơn, 21484")
        self.filter.installEventFilter(self)
        self.list = QListWidget()
        self.list.setObjectName("unitList")
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.namesake = QLabel()
        self.namesake.setObjectName("unitNamesake")
        self.namesake.setWordWrap(True)
        self.namesake.setStyleSheet("color: #9a6700;")
        layout.addWidget(self.namesake)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.filter.textChanged.connect(self._apply_filter)
        self.list.currentItemChanged.connect(lambda *_: self._current_changed())
        self._apply_filter("")

    def _apply_filter(self, text: str) -> None:
        # 96 fixed units from the shipped list: ranking them in memory is instant.
        ranked = rank_units(text) if text.strip() else list(all_units())
        self.list.blockSignals(True)
        self.list.clear()
        for unit in ranked:
            item = QListWidgetItem(f"{unit.name}  —  mã {unit.code}")
            item.setData(Qt.ItemDataRole.UserRole, unit.code)
            self.list.addItem(item)
        # Only a typed query chooses: an untouched list must not hand the first unit to "Tiếp".
        self.list.setCurrentRow(0 if text.strip() and ranked else -1)
        self.list.blockSignals(False)
        self.count.setText(f"{len(ranked)} / {len(all_units())} đơn vị")
        self._current_changed()

    def _current_changed(self) -> None:
        code = self.selected_code()
        others = namesakes(find_unit(code)) if code else []
        self.namesake.setText("Lưu ý: " + ", ".join(f"{u.name} (mã {u.code})" for u in others)
                              + " có tên giống khi gõ không dấu. Kiểm tra đúng đơn vị của mình."
                              if others else "")
        self.namesake.setVisible(bool(others))
        self.completeChanged.emit()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        # ↑ ↓ in the search field move through the matches, so the hands stay on the keyboard.
        if watched is self.filter and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.list.count():
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = self.list.currentRow()
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, (row + step) if row >= 0 else 0)))
            return True
        return super().eventFilter(watched, event)

    def selected_code(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return self.selected_code() is not None


class StaffPage(QWizardPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle("Cán bộ dùng máy này")
        self.setSubTitle("Nhập họ tên từng cán bộ, công chức làm việc trên máy này rồi bấm “Thêm”.")
        self.name = QLineEdit()
        self.name.setObjectName("staffName")
        self.name.setPlaceholderText("Họ và tên, ví dụ: Nguyễn Thị Hồng Nhung")
        add = QPushButton("Thêm")
        add.setObjectName("addStaff")
        remove = QPushButton("Bỏ người đã chọn")
        self.list = QListWidget()
        self.list.setObjectName("staffList")
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)
        add.clicked.connect(self.add_current)
        # Enter with a name typed adds it; Enter on an empty field moves on (the wizard's default).
        self.name.installEventFilter(self)
        remove.clicked.connect(self._remove_selected)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if (watched is self.name and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.name.text().strip()):
            self.add_current()
            return True
        return super().eventFilter(watched, event)

    def add_current(self) -> None:
        name = " ".join(self.name.text().split())
        if name and name not in self.names():
            self.list.addItem(name)
            self.completeChanged.emit()
        self.name.clear()

    def _remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.completeChanged.emit()

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.names())

    def validatePage(self) -> bool:  # noqa: N802 - a name typed but not added is added
        if self.name.text().strip():
            self.add_current()
        return bool(self.names())


class CurrentStaffPage(QWizardPage):
    def __init__(self, staff_page: StaffPage, parent=None):
        super().__init__(parent)
        self.staff_page = staff_page
        self.setTitle("Ai đang làm việc?")
        self.setSubTitle("Người được chọn sẽ được ghi nhận trên mọi dữ liệu tạo hoặc sửa. "
                         "Có thể đổi bất cứ lúc nào ở thanh trạng thái hoặc trang Cài đặt.")
        self.combo = QComboBox()
        self.combo.setObjectName("currentStaff")
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        self.combo.clear()
        self.combo.addItems(self.staff_page.names())


class SetupWizard(QWizard):
    """Emits `setup_completed(unit_code, staff_names, current_name)` when finished."""

    setup_completed = Signal(str, list, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Thiết lập Một Cửa Xã")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "Tiếp theo >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Quay lại")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Hoàn tất")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Hủy")
        self.unit_page = UnitPage()
        self.staff_page = StaffPage()
        self.current_page = CurrentStaffPage(self.staff_page)
        for page in (self.unit_page, self.staff_page, self.current_page):
            self.addPage(page)
        self.resize(640, 520)
        self.accepted.connect(self._emit_result)

    def _emit_result(self) -> None:
        self.setup_completed.emit(self.unit_page.selected_code() or "", self.staff_page.names(),
                                  self.current_page.combo.currentText())
