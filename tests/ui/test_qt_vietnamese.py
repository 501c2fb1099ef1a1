"""Qt's own words (standard buttons, details, text menus) appear in Vietnamese."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox, QPushButton

from core.errors import DatabaseDamagedError
from ui.app import make_application
from ui.errors import show_error
from ui.qt_vietnamese import QT_VIETNAMESE, VietnameseQtTranslator


def test_error_dialog_buttons_are_vietnamese(qtbot):
    app = make_application()
    make_application()  # a second call does not stack a second translator
    assert len(app.findChildren(VietnameseQtTranslator)) == 1
    box = show_error(None, DatabaseDamagedError("Cơ sở dữ liệu bị hỏng.", details="row 12 missing"))
    qtbot.addWidget(box)
    texts = {b.text() for b in box.findChildren(QPushButton)}
    assert "Đồng ý" in texts and "Xem chi tiết…" in texts
    assert not texts & {"OK", "Show Details..."}
    details = next(b for b in box.findChildren(QPushButton) if b.text() == "Xem chi tiết…")
    details.click()
    assert details.text() == "Ẩn chi tiết"


def test_standard_buttons_and_text_menu(qtbot):
    make_application()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Save).text() == "Lưu"
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Hủy"
    question = QMessageBox(QMessageBox.Icon.Question, "Hỏi", "Xóa?",
                           QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(question)
    assert question.button(QMessageBox.StandardButton.Yes).text().replace("&", "") == "Có"
    field = QLineEdit("Hồ sơ")
    qtbot.addWidget(field)
    menu = field.createStandardContextMenu()
    words = [a.text().split("\t")[0].replace("&", "") for a in menu.actions() if a.text()]
    assert {"Hoàn tác", "Sao chép", "Dán", "Chọn tất cả"} <= set(words)
    assert not {"Copy", "Paste", "Select All"} & set(words)
    assert all(value.strip() for value in QT_VIETNAMESE.values())
    # What the table does not hold keeps Qt's own text (not an empty string: page sizes,
    # for one, are looked up by their names when printing)
    assert QCoreApplication.translate("QPageSize", "A4") == "A4"

