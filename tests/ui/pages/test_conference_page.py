import datetime as dt

import pytest
from PySide6.QtCore import Qt

from core import clock
from core.checklists import runs
from core.workspace import open_workspace
from tests.ui.conftest import wait_idle
from tests.ui.helpers import press_key, save_as, type_text
from ui.pages import conference_page
from ui.pages.conference_page import ConferencePage
from tests.pdftools import pdftotext

NOW = dt.datetime(2026, 3, 10, 7, 45, tzinfo=clock.LOCAL_TZ)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def page(qtbot, ui_ctx, paths, frozen, monkeypatch):
    opened = []
    monkeypatch.setattr(conference_page, "open_pdf", opened.append)
    store = open_workspace(paths)
    run_id = runs.create_run(store, title="Hội nghị trực tuyến giao ban tháng 3", host="province",
                             meeting_date="10/03/2026", start_time="08:30")
    store.close()
    widget = ConferencePage(ui_ctx)
    widget.opened = opened
    widget.run_id = run_id
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    return widget


def _answers(paths, run_id):
    store = open_workspace(paths)
    try:
        return runs.load_run(store, run_id)
    finally:
        store.close()


def test_keyboard_walk_through_all_items_reaches_ready(qtbot, ui_ctx, paths, page):
    panel = page.panel
    assert page.history.rowCount() == 1 and panel.run.id == page.run_id
    assert len(panel.run.items) == 23 and panel.verdict_label.text().strip() == "CHƯA SẴN SÀNG"
    # meeting at 08:30, now 07:45: the hour-before reminder is up
    assert panel.reminder_banner.isVisibleTo(page) and "Còn 45 phút" in panel.reminder_banner.text()
    assert panel.countdown_label.text() == "Còn 45 phút đến giờ họp"
    view = panel.items_view
    for row, item in enumerate(panel.run.items):
        assert panel.current_row() == row
        if item.kind == "check":
            press_key(view, Qt.Key.Key_1, text="1")
        elif item.kind == "number":
            if item.unit == "Mbps":  # text typed into a measured value: refused on the spot, nothing saved
                press_key(view, Qt.Key.Key_Return)
                assert panel.value_edit.hasFocus()
                type_text(panel.value_edit, "nhanh")
                press_key(panel.value_edit, Qt.Key.Key_Return)
                wait_idle(qtbot, ui_ctx)
                assert "cần một con số" in panel.value_state.text()
                assert panel.current_row() == row and panel.run.answers.get(item.id) is None
                panel.value_edit.clear()
            type_text(view, "4")  # the first digit on the list starts the value
            assert panel.value_edit.hasFocus() and panel.value_edit.text() == "4"
            type_text(panel.value_edit, "5")
            assert "Đạt ngưỡng" in panel.value_state.text()
            press_key(panel.value_edit, Qt.Key.Key_Return)
        else:
            type_text(view, "Đ")
            type_text(panel.value_edit, "ã ghi nhật ký")
            press_key(panel.value_edit, Qt.Key.Key_Return)
        wait_idle(qtbot, ui_ctx)
    assert panel.verdict_label.text().strip() == "SẴN SÀNG"
    assert page.history.row(0)["verdict"] == "ready"
    saved = _answers(paths, page.run_id)
    assert saved.verdict.ready and saved.answered_count() == 23
    bandwidth = next(i for i in saved.items if i.unit == "Mbps")
    assert saved.answers[bandwidth.id].number_value == 45
    text_item = next(i for i in saved.items if i.kind == "text")
    assert saved.answers[text_item.id].text_value == "Đã ghi nhật ký"
    assert ui_ctx.errors == []


def test_fail_key_note_and_live_verdict(qtbot, ui_ctx, paths, page):
    panel = page.panel
    view = panel.items_view
    press_key(view, Qt.Key.Key_2, text="2")  # first item (critical) fails
    wait_idle(qtbot, ui_ctx)
    assert panel.current_row() == 1
    panel.select_row(0)
    press_key(view, Qt.Key.Key_F2)
    assert panel.note_edit.hasFocus()
    type_text(panel.note_edit, "Cán bộ kỹ thuật đi công tác")
    press_key(panel.note_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ui_ctx)
    saved = _answers(paths, page.run_id)
    first = saved.items[0]
    assert saved.answers[first.id].status == "fail" and saved.answers[first.id].note == "Cán bộ kỹ thuật đi công tác"
    assert "Cán bộ kỹ thuật có mặt" in panel.failing_label.text()


def test_incident_close_and_print(qtbot, ui_ctx, paths, page, monkeypatch):
    panel = page.panel
    log = panel.log
    log.incident_time.setText("09:05")
    type_text(log.incident_what, "Mất tiếng từ điểm cầu tỉnh")
    type_text(log.incident_fix, "Khởi động lại âm ly")
    log.add_incident_button.click()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: log.incidents.rows_model.rowCount() == 1)
    assert log.incidents.rows_model.row(0)["what"] == "Mất tiếng từ điểm cầu tỉnh"
    # closing with unanswered critical items and no reason is refused; the run stays open
    from ui.pages.conference import dialogs

    calls = []

    def fake_exec(dialog):
        calls.append(dialog)
        if len(calls) == 2:
            dialog.reason.setPlainText("Điểm cầu tỉnh báo hoãn kiểm tra")
        return dialogs.CloseRunDialog.DialogCode.Accepted if len(calls) <= 2 else dialogs.CloseRunDialog.DialogCode.Rejected

    monkeypatch.setattr(dialogs.CloseRunDialog, "exec", fake_exec)
    monkeypatch.setattr(conference_page, "show_error", lambda parent, exc: ui_ctx.errors.append(exc))
    page.close_run()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    assert "mục bắt buộc chưa kiểm tra" in ui_ctx.errors[0].message
    assert len(calls) == 2  # asked again, with the reason this time
    wait_idle(qtbot, ui_ctx)
    saved = _answers(paths, page.run_id)
    assert saved.closed and saved.close_reason == "Điểm cầu tỉnh báo hoãn kiểm tra"
    qtbot.waitUntil(lambda: panel.run.closed)
    assert not panel.status_buttons["pass"].isEnabled() and panel.correct_button.isEnabled()
    page.print_current()
    save_as(page.save_dialog)  # the suggested name, PDF: Enter
    qtbot.waitUntil(lambda: bool(page.opened), timeout=10_000)
    text = pdftotext(page.opened[0])
    assert "Hội nghị trực tuyến giao ban tháng 3" in text and "Mất tiếng từ điểm cầu tỉnh" in text
    assert "CHƯA SẴN SÀNG" in text


def test_reload_while_typing_keeps_the_typed_value(qtbot, ui_ctx, paths, page):
    panel = page.panel
    bandwidth_row = next(n for n, i in enumerate(panel.run.items) if i.unit == "Mbps")
    panel.select_row(bandwidth_row)
    type_text(panel.items_view, "3")
    type_text(panel.value_edit, ",5")
    ui_ctx.signals.data_changed.emit("checklist_templates")  # e.g. a bundle brought a new template
    ui_ctx.signals.data_changed.emit("dossiers")  # not shown here: no reload at all
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    assert panel.current_row() == bandwidth_row
    assert panel.value_edit.text() == "3,5" and panel.value_edit.hasFocus()


def test_status_keys_mark_a_text_item(qtbot, ui_ctx, paths, page):
    """"1" on a text item marks it Đạt (it used to type "1" into its content)."""
    panel = page.panel
    view = panel.items_view
    row = next(r for r, item in enumerate(panel.run.items) if item.kind == "text")
    item = panel.run.items[row]
    panel.select_row(row)
    view.setFocus()
    press_key(view, Qt.Key.Key_1, text="1")
    wait_idle(qtbot, ui_ctx)
    assert panel.value_edit.text() != "1" and not panel.value_edit.hasFocus()
    saved = _answers(paths, page.run_id)
    assert saved.answers[item.id].status == "pass" and not saved.answers[item.id].text_value
    assert panel.current_row() == row + 1  # and goes on, as on a check item
    panel.select_row(row)
    view.setFocus()
    press_key(view, Qt.Key.Key_2, text="2")
    wait_idle(qtbot, ui_ctx)
    assert _answers(paths, page.run_id).answers[item.id].status == "fail"
    # Other text still starts the content.
    panel.select_row(row)
    view.setFocus()
    type_text(view, "Đ")
    assert panel.value_edit.hasFocus() and panel.value_edit.text() == "Đ"


def test_related_equipment_is_never_cut_off(qtbot, ui_ctx, paths, page):
    from core.checklists.equipment import add_equipment

    store = open_workspace(paths)
    add_equipment(store, "switch", "Switch TP-Link 8 cổng đặt trong tủ mạng phòng họp tầng hai, cạnh bộ lưu điện")
    add_equipment(store, "switch", "Bộ chuyển đổi quang Việt Nam Post dự phòng, cất trong tủ thiết bị của văn phòng")
    store.close()
    ui_ctx.signals.data_changed.emit("conference_equipment")
    wait_idle(qtbot, ui_ctx)
    panel = page.panel
    row = next(r for r, item in enumerate(panel.run.items) if item.equipment_kind == "switch")
    panel.select_row(row)
    qtbot.wait(50)
    label = panel.equipment_label
    assert "Switch TP-Link" in label.text() and label.isVisible()
    # Every wrapped line of it gets its height (it was squeezed into a fixed-height card).
    assert label.height() >= label.heightForWidth(label.width())


def test_history_and_equipment_sort_by_header_click(qtbot, ui_ctx, paths, page):
    from PySide6.QtCore import QPoint

    from core.checklists.equipment import add_equipment
    from core.textfold import vi_sort_key

    store = open_workspace(paths)
    runs.create_run(store, title="Giao ban an ninh trật tự", host="province", meeting_date="02/03/2026",
                    start_time="14:00")
    add_equipment(store, "camera", "Camera phòng họp")
    add_equipment(store, "display", "Màn hình chính")
    add_equipment(store, "switch", "Bộ chuyển mạch")
    store.close()
    ui_ctx.signals.data_changed.emit("checklist_runs")
    wait_idle(qtbot, ui_ctx)

    def click(view, column):
        header = view.horizontalHeader()
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        wait_idle(qtbot, ui_ctx)

    click(page.history_view, 1)  # Cuộc họp
    titles = [r["meeting_title"] for r in page.history.rows]
    assert len(titles) == 2 and titles == sorted(titles, key=vi_sort_key)
    click(page.history_view, 2)  # Kết luận: worked out in Python, not an order of the query — unchanged
    assert [r["meeting_title"] for r in page.history.rows] == titles and page.history_view.sort[0] == "meeting_title"
    page.tabs.setCurrentIndex(1)
    wait_idle(qtbot, ui_ctx)
    click(page.equipment.view, 1)  # Tên thiết bị
    names = [r["name"] for r in page.equipment.model.rows]
    assert names == sorted(names, key=vi_sort_key) and len(names) == 3
    click(page.equipment.view, 1)
    assert [r["name"] for r in page.equipment.model.rows] == sorted(names, key=vi_sort_key, reverse=True)


def test_sheets_saved_as_word_from_the_save_dialog(qtbot, ui_ctx, paths, page, tmp_path):
    """Completed and blank sheets: the save dialog offers Word; a bare name takes the chosen type's
    extension and the Word renderer writes it (nothing opened as a PDF)."""
    from docx import Document

    qtbot.mouseClick(page.panel.print_button, Qt.MouseButton.LeftButton)
    assert [f.split(" ")[0] for f in page.save_dialog.nameFilters()] == ["PDF", "Word"]
    save_as(page.save_dialog, str(tmp_path / "phiếu giao ban"), file_types_down=1)
    qtbot.waitUntil(lambda: (tmp_path / "phiếu giao ban.docx").exists(), timeout=10_000)
    wait_idle(qtbot, ui_ctx)
    text = "\n".join(p.text for p in Document(str(tmp_path / "phiếu giao ban.docx")).paragraphs)
    assert "Hội nghị trực tuyến giao ban tháng 3" in text
    qtbot.waitUntil(lambda: "Word" in page.status.text())
    assert page.opened == [] and not page.print_paper_button.isEnabled()

    page.tabs.setCurrentWidget(page.templates)
    wait_idle(qtbot, ui_ctx)
    page.templates.view.selectRow(0)
    qtbot.mouseClick(page.templates.blank_button, Qt.MouseButton.LeftButton)
    save_as(page.save_dialog, str(tmp_path / "phiếu trống"), file_types_down=1)
    qtbot.waitUntil(lambda: (tmp_path / "phiếu trống.docx").exists(), timeout=10_000)
    wait_idle(qtbot, ui_ctx)
    tables = Document(str(tmp_path / "phiếu trống.docx")).tables
    assert max(len(t.rows) for t in tables) > 10  # the items, to fill in by hand
    assert page.opened == [] and ui_ctx.errors == []


def test_incident_and_template_lists_sorted_by_a_header_click(qtbot, ui_ctx, paths, page):
    """Incidents, corrections and templates: a click on a header orders the list (the logs in SQL),
    a second click reverses it, and a column widened by hand keeps its width in a new window."""
    from core.checklists import templates as tpl
    from core.textfold import vi_sort_key
    from tests.ui.helpers import click_header, drag_column_border

    store = open_workspace(paths)
    for time_text, what in (("09:10", "Mất tiếng"), ("08:40", "Ảnh bị nhòe"), ("09:30", "Đứt kết nối")):
        runs.add_incident(store, page.run_id, time_text=time_text, what=what, fix="Đã xử lý")
    tpl.make_local_copy(store, tpl.builtin_template().ref, "Bản sao của xã")
    store.close()
    ui_ctx.signals.data_changed.emit("checklist_incidents")
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    log = page.panel.log
    model = log.incidents.rows_model
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    assert [r["what"] for r in model.rows] == ["Ảnh bị nhòe", "Mất tiếng", "Đứt kết nối"]  # by time
    click_header(log.incidents, 1)  # Sự cố
    wait_idle(qtbot, ui_ctx)
    whats = [r["what"] for r in model.rows]
    assert whats == sorted(whats, key=vi_sort_key) == ["Ảnh bị nhòe", "Đứt kết nối", "Mất tiếng"]
    click_header(log.incidents, 1)
    wait_idle(qtbot, ui_ctx)
    assert [r["what"] for r in model.rows] == list(reversed(whats))
    wider = drag_column_border(log.incidents, 0, 80)
    qtbot.waitUntil(lambda: not log.incidents._save_timer.isActive(), timeout=3000)
    wait_idle(qtbot, ui_ctx)

    page.tabs.setCurrentWidget(page.templates)
    wait_idle(qtbot, ui_ctx)
    templates = page.templates
    assert templates.model.rowCount() == 2
    click_header(templates.view, 2)  # Nguồn
    wait_idle(qtbot, ui_ctx)
    origins = [r["origin"] for r in templates.model.rows]
    click_header(templates.view, 2)
    wait_idle(qtbot, ui_ctx)
    assert [r["origin"] for r in templates.model.rows] == list(reversed(origins)) != origins

    again = ConferencePage(ui_ctx)  # a new window on the same workspace: the width comes back
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    assert again.panel.log.incidents.horizontalHeader().sectionSize(0) == wider
    assert ui_ctx.errors == []
