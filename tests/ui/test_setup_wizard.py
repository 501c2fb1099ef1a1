from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.ui.helpers import press_key, type_text
from ui.setup_wizard import SetupWizard


def test_wizard_picks_unit_staff_and_current(qtbot):
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    results = []
    wizard.setup_completed.connect(lambda *a: results.append(a))

    type_text(wizard.unit_page.filter, "ly son")  # no diacritics typed
    assert wizard.unit_page.selected_code() == "21548"
    assert wizard.unit_page.count.text().startswith("1 /")
    wizard.next()

    page = wizard.staff_page
    assert not page.isComplete()
    type_text(page.name, "Nguyễn Thị Hồng Nhung")
    press_key(page.name, Qt.Key.Key_Return)
    type_text(page.name, "Đỗ Văn Hùng")
    press_key(page.name, Qt.Key.Key_Return)
    assert page.names() == ["Nguyễn Thị Hồng Nhung", "Đỗ Văn Hùng"]
    wizard.next()

    wizard.current_page.combo.setCurrentIndex(1)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert results == [("21548", ["Nguyễn Thị Hồng Nhung", "Đỗ Văn Hùng"], "Đỗ Văn Hùng")]


def test_wizard_cannot_finish_without_a_unit_match(qtbot):
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    type_text(wizard.unit_page.filter, "khong co xa nay")
    assert wizard.unit_page.selected_code() is None
    assert not wizard.unit_page.isComplete()
