"""The personal-data guard on screen: real widgets, real key events, the dialog's buttons clicked."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from core.privacy import MASK
from tests.ui.conftest import wait_idle
from tests.ui.helpers import cell, type_text
from ui.personal_data import PersonalDataDialog, screen_text


def _answer_dialog(qtbot, button: str, seen: list) -> None:
    """When the guard's dialog shows, note what it offers and click `button`."""
    def click():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PersonalDataDialog):
            QTimer.singleShot(20, click)
            return
        seen.append({"keep": dialog.findChild(QPushButton, "keepNumbersButton") is not None,
                     "message": dialog.findChild(QLabel, "personalDataMessage").text()})
        qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)
    QTimer.singleShot(0, click)


def test_nothing_personal_passes_without_a_dialog(qtbot):
    assert screen_text(None, "Hồ sơ H48.53-250919-0001 theo Công văn 4685/UBND-KGVX", "Ghi chú") \
        == "Hồ sơ H48.53-250919-0001 theo Công văn 4685/UBND-KGVX"
    assert QApplication.activeModalWidget() is None


def test_a_phone_number_is_pointed_out_and_removed(qtbot):
    seen = []
    _answer_dialog(qtbot, "remove_button", seen)
    result = screen_text(None, "Đã gọi bà B 0905 123 456 để bổ sung", "Ghi chú tiến độ")
    assert result == f"Đã gọi bà B {MASK} để bổ sung"
    assert seen[0]["keep"] is False  # clearly personal: no "Vẫn lưu"
    assert "0905 123 456" in seen[0]["message"] and "điện thoại di động" in seen[0]["message"]


def test_an_unclear_number_may_be_kept_or_the_person_goes_back(qtbot):
    seen = []
    _answer_dialog(qtbot, "keep_button", seen)
    assert screen_text(None, "Máy bàn 0255 3822 123", "Ghi chú") == "Máy bàn 0255 3822 123"
    assert seen[0]["keep"] is True
    _answer_dialog(qtbot, "edit_button", seen)
    assert screen_text(None, "Giấy hẹn 212345678", "Ghi chú") is None


def test_progress_note_with_an_id_number_is_saved_without_it(qtbot, ui_ctx, paths):
    from core.tasks.store import create_manual_task
    from core.workspace import open_workspace
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    store = open_workspace(paths)
    directive = store.insert("local_directives", {"number": "3/KH-UBND", "subject": "Thử"})
    task_id = create_manual_task(store, directive_id=directive, content="Hướng dẫn công dân")
    store.close()
    dialog = TaskDetailDialog(ui_ctx, task_id, None)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.data is not None)
    type_text(dialog.note, "Đã hướng dẫn ông A, CCCD 051234567890, nộp bổ sung")
    seen = []
    _answer_dialog(qtbot, "remove_button", seen)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.history.rows_model.rowCount() == 1, timeout=5000)
    assert seen and "căn cước" in seen[0]["message"]
    assert cell(dialog.history, 0, 2) == f"Đã hướng dẫn ông A, CCCD {MASK}, nộp bổ sung"
    store = open_workspace(paths)
    assert "051234567890" not in " ".join(r["note"] or "" for r in store.query("SELECT note FROM task_progress"))
    store.close()
