import pytest
from PySide6.QtCore import Qt

from core.workspace import open_workspace
from tests.core.directives import samples_text as S
from tests.ui.conftest import wait_idle
from ui.dialogs.directive_import_dialog import COL_CONTENT, COL_DEADLINE, COL_DUE, COL_KEEP, DirectiveImportDialog


@pytest.fixture
def dialog(qtbot, ui_ctx):
    widget = DirectiveImportDialog(ui_ctx)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def counts(paths):
    store = open_workspace(paths)
    try:
        return (store.scalar("SELECT count(*) FROM local_directives"), store.scalar("SELECT count(*) FROM local_tasks"))
    finally:
        store.close()


def test_paste_untick_edit_save(qtbot, dialog, ui_ctx, paths):
    saved = []
    dialog.directive_saved.connect(saved.append)
    dialog.text.setPlainText(S.PLAN_2024)
    dialog.parse_now()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=5000)
    assert dialog.number.text() == "77/KH-UBND" and dialog.date.text() == "05/04/2024"
    ticked = [r for r in range(5) if dialog.table.item(r, COL_KEEP).checkState() == Qt.CheckState.Checked]
    assert ticked  # tasks of the commune level come pre-ticked
    # untick all but the first ticked one, and change its deadline words
    for r in ticked[1:]:
        dialog.table.item(r, COL_KEEP).setCheckState(Qt.CheckState.Unchecked)
    keep = ticked[0]
    dialog.table.item(keep, COL_DEADLINE).setText("trong Quý IV năm 2024")
    assert dialog.table.item(keep, COL_DUE).text() == "31/12/2024"
    dialog.table.item(keep, COL_CONTENT).setText("Nội dung đã sửa")
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert counts(paths) == (1, 1)
    store = open_workspace(paths)
    row = store.query("SELECT content, deadline, deadline_kind FROM local_tasks")[0]
    store.close()
    assert row == {"content": "Nội dung đã sửa", "deadline": "2024-12-31", "deadline_kind": "quarter"}


def test_bad_file_shows_message_and_saves_nothing(qtbot, dialog, ui_ctx, paths, tmp_path):
    bad = tmp_path / "anh.txt"
    bad.write_bytes(bytes(range(256)) * 20)
    dialog.load_file(bad)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: "nhị phân" in dialog.status.text(), timeout=5000)
    assert not dialog.save_button.isEnabled()
    assert counts(paths) == (0, 0)


def test_no_items_and_manual_task(qtbot, dialog, ui_ctx, paths):
    dialog.text.setPlainText(S.NO_ITEMS)
    dialog.parse_now()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: "Không tìm thấy nhiệm vụ" in dialog.status.text(), timeout=5000)
    assert not dialog.save_button.isEnabled()
    dialog.add_empty_row()
    dialog.table.item(0, COL_CONTENT).setText("Cử lãnh đạo dự họp ngày 05/6/2025")
    assert dialog.save_button.isEnabled()
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: counts(paths) == (1, 1), timeout=5000)


def test_duplicate_is_refused(qtbot, ui_ctx, paths):
    for attempt in range(2):
        dialog = DirectiveImportDialog(ui_ctx)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.text.setPlainText(S.LETTER_DASHES_2025)
        dialog.parse_now()
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=5000)
        dialog.save()
        wait_idle(qtbot, ui_ctx)
    assert counts(paths) == (1, 3)


def test_report_is_flagged_and_a_pdf_reads(qtbot, dialog, ui_ctx, paths):
    """Issue 14: a report gets its warning; a LibreOffice PDF with a fallback font reads like its text."""
    from pathlib import Path

    dialog.text.setPlainText("UBND TỈNH QUẢNG NGÃI\nSố: 78/BC-UBND\nQuảng Ngãi, ngày 25 tháng 4 năm 2023\nBÁO CÁO\n"
                             "Kết quả chuyển đổi số\nII. KIẾN NGHỊ\n1. Đề nghị Bộ Thông tin và Truyền thông hỗ trợ.\n")
    dialog.parse_now()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: "BÁO CÁO" in dialog.status.text(), timeout=5000)
    pdf = Path(__file__).resolve().parents[2] / "data" / "directives" / "pdf" / "4685_docx_fallback-font.pdf"
    dialog.load_file(pdf)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.number.text() == "4685/UBND-KGVX" and dialog.table.rowCount() == 9, timeout=10000)
    assert dialog.date.text() == "19/09/2022"


@pytest.mark.parametrize("tick", [False, True])
def test_full_text_travels_only_when_ticked(qtbot, dialog, ui_ctx, paths, tick):
    """The letter's full text stays on this PC unless the person ticks the box (and it then travels)."""
    saved = []
    dialog.directive_saved.connect(saved.append)
    assert not dialog.share_text.isChecked()  # the default keeps the text here
    dialog.text.setPlainText(S.PLAN_2024)
    dialog.parse_now()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5, timeout=5000)
    if tick:
        from PySide6.QtCore import QPoint

        qtbot.mouseClick(dialog.share_text, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, dialog.share_text.height() // 2))  # on the box itself
        qtbot.waitUntil(dialog.share_text.isChecked, timeout=2000)
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    store = open_workspace(paths)
    try:
        assert store.scalar("SELECT share_source_text FROM local_directives") == (1 if tick else 0)
    finally:
        store.close()
