import datetime as dt

import pytest
from PySide6.QtCore import Qt

from core import clock
from core.directives.parser import parse_directive
from core.tasks.store import import_directive
from core.workspace import open_workspace
from tests.core.directives import samples_text as S
from tests.ui.conftest import wait_idle
from tests.ui.helpers import cell, double_click, type_text
from ui.pages.tasks_page import TasksPage

NOW = dt.datetime(2025, 8, 28, 9, 0, tzinfo=clock.LOCAL_TZ)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def page(qtbot, ui_ctx, paths, frozen):
    store = open_workspace(paths)
    import_directive(store, parse_directive(S.LETTER_DASHES_2025))
    import_directive(store, parse_directive(S.DECISION_MULTILEVEL))
    store.close()
    widget = TasksPage(ui_ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0)
    return widget


def shown(page):
    return [page.model.row(i) for i in range(page.model.rowCount())]


def test_lists_tasks_with_overdue_colour(page):
    rows = shown(page)
    assert len(rows) == 7
    overdue = [i for i, r in enumerate(rows) if r["overdue"]]
    assert overdue  # 25/8/2025 passed on 28/8/2025
    brush = page.model.data(page.model.index(overdue[0], 0), Qt.ItemDataRole.BackgroundRole)
    assert brush.color().name() == "#f8d7da"
    status = page.model.data(page.model.index(overdue[0], 4))
    assert "quá hạn" in status
    assert page.count_label.text().startswith("7 nhiệm vụ")


def test_search_without_accents(qtbot, page, ui_ctx):
    type_text(page.search, "hien trang tru so")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert shown(page)[0]["content"].startswith("Rà soát hiện trạng trụ sở")
    page.search.clear()
    type_text(page.search, "Sở Xây dựng")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1
                    and shown(page)[0]["content"].startswith("Phối hợp với Sở Xây dựng"), timeout=5000)


def test_filters_and_overview_link(qtbot, page, ui_ctx):
    page.open_with("overdue")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert shown(page)[0]["deadline"] == "2025-08-25"
    page.open_with("due_30")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and shown(page)[0]["deadline"] == "2025-09-05", timeout=5000)
    page.deadline_filter.setCurrentIndex(0)
    page.commune_only.setChecked(True)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: all(r["for_commune"] for r in shown(page)), timeout=5000)
    assert len(shown(page)) == 5


def test_progress_from_detail_dialog(qtbot, page, ui_ctx):
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    task = [r for r in shown(page) if r["overdue"]][0]
    dialog = TaskDetailDialog(ui_ctx, task["id"], page)
    qtbot.addWidget(dialog)
    dialog.progress_saved.connect(lambda: ui_ctx.signals.data_changed.emit("task_progress"))
    dialog.show()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.data is not None)
    assert "QUÁ HẠN" in dialog.header.text()
    type_text(dialog.note, "Đã rà soát xong toàn bộ trụ sở.")
    dialog.status.setCurrentIndex(dialog.status.findData("done"))
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.history.rows_model.rowCount() == 1, timeout=5000)
    assert cell(dialog.history, 0, 2) == "Đã rà soát xong toàn bộ trụ sở."
    assert cell(dialog.history, 0, 3) == "Hoàn thành"
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: not any(r["overdue"] for r in shown(page)), timeout=5000)
    dialog.grab().save(str(ui_ctx.paths.data_dir / "detail.png"))


def test_edit_local_task_from_detail(qtbot, page, ui_ctx):
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    task = [r for r in shown(page) if r["deadline"] == "2025-09-05"][0]
    dialog = TaskDetailDialog(ui_ctx, task["id"], page)
    qtbot.addWidget(dialog)
    dialog.task_saved.connect(lambda: ui_ctx.signals.data_changed.emit("local_tasks"))
    dialog.show()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.data is not None)
    assert dialog.edit_box.isVisible()  # the commune imported this directive itself
    dialog.edit_box.setChecked(True)
    dialog.edit_deadline.setText("trong Quý IV năm 2025")
    dialog.save_task_edit()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: dialog.data["task"]["deadline"] == "2025-12-31", timeout=5000)
    assert dialog.data["task"]["deadline_kind"] == "quarter"
    dialog.grab().save(str(ui_ctx.paths.data_dir / "edit.png"))


def test_quarter_report_from_the_page(qtbot, page, ui_ctx, monkeypatch):
    from ui.dialogs.task_report_dialog import TaskReportDialog

    opened = []
    monkeypatch.setattr("ui.pdf_output.open_pdf", opened.append)
    dialog = TaskReportDialog(ui_ctx, page)
    qtbot.addWidget(dialog)
    dialog.quarter.setCurrentIndex(2)  # Quý III
    dialog.year.setValue(2025)
    dialog.make()
    qtbot.waitUntil(lambda: dialog.made is not None, timeout=10_000)
    assert dialog.made.name == "bao-cao-nhiem-vu-quy-3-2025.pdf" and dialog.made.stat().st_size > 1000
    assert opened == [dialog.made]


def _visible_detail_dialogs(page):
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    return [d for d in page.findChildren(TaskDetailDialog) if d.isVisible()]


def test_double_click_opens_one_dialog_and_enter_too(qtbot, page, ui_ctx):
    """A real double-click on a row opens the task once (doubleClicked and activated
    were both connected: two identical dialogs, the second without the note just typed)."""
    view = page.table
    rect = view.visualRect(page.model.index(0, 1))
    double_click(view.viewport(), rect.center())
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: len(_visible_detail_dialogs(page)) >= 1)
    qtbot.wait(50)
    assert len(_visible_detail_dialogs(page)) == 1
    for dialog in _visible_detail_dialogs(page):
        dialog.reject()
    qtbot.waitUntil(lambda: not _visible_detail_dialogs(page))
    view.setFocus()
    view.setCurrentIndex(page.model.index(1, 1))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    wait_idle(qtbot, ui_ctx)
    assert len(_visible_detail_dialogs(page)) == 1
    assert _visible_detail_dialogs(page)[0].task_id == page.model.row(1)["id"]


def _header_click(qtbot, table, column):
    from PySide6.QtCore import QPoint

    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_header_click_sorts_in_sql(qtbot, page, ui_ctx):
    """A click on "Cơ quan chủ trì" orders the list by it (the query's ORDER BY), a second click reverses."""
    from core.textfold import vi_sort_key

    _header_click(qtbot, page.table, 2)
    wait_idle(qtbot, ui_ctx)
    assert page.table.sort == ("lead_unit", False)
    leads = [r["lead_unit"] for r in shown(page) if r["lead_unit"]]
    assert leads == sorted(leads, key=vi_sort_key) and len(set(leads)) > 1
    _header_click(qtbot, page.table, 2)
    wait_idle(qtbot, ui_ctx)
    assert page.table.sort == ("lead_unit", True)
    leads = [r["lead_unit"] for r in shown(page) if r["lead_unit"]]
    assert leads == sorted(leads, key=vi_sort_key, reverse=True)
    _header_click(qtbot, page.table, 3)  # Thời hạn
    wait_idle(qtbot, ui_ctx)
    deadlines = [r["deadline"] for r in shown(page) if r["deadline"]]
    assert deadlines == sorted(deadlines)
    assert page.current_filter().sort == "deadline"


def test_column_width_remembered_across_restarts(qtbot, page, ui_ctx):
    from PySide6.QtCore import QPointF

    from tests.ui.helpers import drag

    header = page.table.horizontalHeader()
    before = header.sectionSize(2)
    edge = header.sectionViewportPosition(2) + before - 1
    y = header.height() / 2
    drag(header.viewport(), QPointF(edge, y), QPointF(edge + 90, y))
    assert header.sectionSize(2) > before + 60
    wanted = header.sectionSize(2)
    qtbot.waitUntil(lambda: not page.table._save_timer.isActive(), timeout=3000)
    wait_idle(qtbot, ui_ctx)
    again = TasksPage(ui_ctx)  # a new window on the same workspace: the widths come back
    qtbot.addWidget(again)
    again.resize(1366, 768)
    again.show()
    wait_idle(qtbot, ui_ctx)
    assert again.table.horizontalHeader().sectionSize(2) == wanted
    assert again.table.horizontalHeader().sectionSize(3) == header.sectionSize(3)


def test_right_click_menu_opens_and_copies(qtbot, page, ui_ctx):
    from PySide6.QtWidgets import QApplication

    from tests.ui.helpers import right_click

    view = page.table
    rect = view.visualRect(page.model.index(2, 1))
    right_click(view.viewport(), rect.center())
    menu = view.last_menu
    assert menu is not None and menu.isVisible() and view.currentIndex().row() == 2
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[0] == "Mở nhiệm vụ…" and "Sao chép dòng" in texts
    next(a for a in menu.actions() if a.text() == "Sao chép nội dung nhiệm vụ").trigger()
    assert QApplication.clipboard().text() == page.model.row(2)["content"]
    menu.close()
    next(a for a in menu.actions() if a.text() == "Mở nhiệm vụ…").trigger()
    wait_idle(qtbot, ui_ctx)
    assert [d.task_id for d in _visible_detail_dialogs(page)] == [page.model.row(2)["id"]]


def test_empty_list_says_what_to_do_first(qtbot, ui_ctx, frozen):
    from ui.dialogs.directive_import_dialog import DirectiveImportDialog

    widget = TasksPage(ui_ctx)  # a new workspace: no directive imported yet
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    wait_idle(qtbot, ui_ctx)
    hint = widget.table.empty_hint
    assert hint is not None and hint.isVisible() and "Chưa có nhiệm vụ nào" in hint.label.text()
    button = hint.action_buttons[0]
    assert button.text().startswith("Nhập văn bản chỉ đạo")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in widget.findChildren(DirectiveImportDialog)))
    for dialog in widget.findChildren(DirectiveImportDialog):
        dialog.reject()
    type_text(widget.search, "khong co gi")
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: "khớp" in hint.label.text())
    assert [b.text() for b in hint.action_buttons] == ["Bỏ lọc"]
    qtbot.mouseClick(hint.action_buttons[0], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ui_ctx)
    assert widget.search.text() == "" and "Chưa có nhiệm vụ nào" in hint.label.text()


def test_hint_goes_when_rows_come(qtbot, page):
    assert page.model.rowCount() > 0
    assert page.table.empty_hint is None or not page.table.empty_hint.isVisible()


def test_task_history_sorted_by_a_header_click(qtbot, page, ui_ctx, paths):
    """The status/progress history: a header click orders it in SQL, again reverses; widths kept."""
    from core.tasks.store import add_progress
    from tests.ui.helpers import click_header, drag_column_border
    from ui.dialogs.task_detail_dialog import TaskDetailDialog

    task_id = shown(page)[0]["id"]
    store = open_workspace(paths)
    for day, note, status in ((3, "Bắt đầu rà soát", "doing"), (1, "Đã giao phòng văn hóa", "todo"),
                              (5, "Xong phần hồ sơ", "done"), (4, "Ảnh hưởng mưa bão, tạm dừng", "paused")):
        add_progress(store, task_id, note=note, status=status, noted_on=dt.date(2025, 8, day))
    store.close()
    dialog = TaskDetailDialog(ui_ctx, task_id, page)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ui_ctx)
    model = dialog.history.rows_model
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    assert [r["noted_on"][-2:] for r in model.rows] == ["05", "04", "03", "01"]  # newest first
    click_header(dialog.history, 3)  # Trạng thái: in the order of the work
    wait_idle(qtbot, ui_ctx)
    assert [cell(dialog.history, r, 3) for r in range(4)] == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành",
                                                             "Tạm dừng"]
    click_header(dialog.history, 2)  # Nội dung, A→Z the Vietnamese way
    wait_idle(qtbot, ui_ctx)
    assert [r["note"] for r in model.rows] == ["Ảnh hưởng mưa bão, tạm dừng", "Bắt đầu rà soát",
                                               "Đã giao phòng văn hóa", "Xong phần hồ sơ"]
    click_header(dialog.history, 2)
    wait_idle(qtbot, ui_ctx)
    assert model.rows[0]["note"] == "Xong phần hồ sơ"
    wider = drag_column_border(dialog.history, 1, 70)
    qtbot.waitUntil(lambda: not dialog.history._save_timer.isActive(), timeout=3000)
    wait_idle(qtbot, ui_ctx)
    again = TaskDetailDialog(ui_ctx, task_id, page)
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, ui_ctx)
    assert again.history.horizontalHeader().sectionSize(1) == wider
    assert ui_ctx.errors == []
