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


def _next_enabled(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_nothing_typed_nothing_chosen(qtbot):
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.unit_page
    assert page.selected_code() is None and page.list.currentItem() is None
    assert not _next_enabled(wizard)  # used to pre-select Đặc khu Lý Sơn with "Tiếp" enabled
    assert page.count.text().startswith("96 /")


def test_the_hint_ba_to_chooses_ba_to_21484_and_warns_of_the_namesake(qtbot):
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.unit_page
    type_text(page.filter, "ba to")
    assert page.selected_code() == "21484"  # Xã Ba Tơ, as the hint says (not Xã Ba Tô, 21523)
    assert _next_enabled(wizard)
    assert "Xã Ba Tô (mã 21523)" in page.namesake.text() and page.namesake.isVisible()
    # Typed with accents, or the way Telex / VNI keys spell it without an input method:
    for typed, code in (("Ba Tô", "21523"), ("ba too", "21523"), ("ba tow", "21484"), ("ba to7", "21484"),
                        ("Sơn Hạ", "21292"), ("son ha", "21289"), ("21523", "21523")):
        page.filter.clear()
        type_text(page.filter, typed)
        assert page.selected_code() == code, typed
    # ↓ in the search field moves to the next match.
    page.filter.clear()
    type_text(page.filter, "ba to")
    press_key(page.filter, Qt.Key.Key_Down)
    assert page.selected_code() == "21523"
    page.filter.clear()
    assert page.selected_code() is None and not _next_enabled(wizard)
