"""Templates, equipment, new runs and corrections through the conference page's widgets."""


import pytest
from PySide6.QtWidgets import QApplication

from core.checklists import equipment, runs, templates
from core.workspace import open_workspace
from tests.ui.conftest import wait_idle
from tests.ui.helpers import type_text
from ui.pages import conference_page
from ui.pages.conference import dialogs, templates_panel
from ui.pages.conference.template_editor import TemplateEditorDialog
from ui.pages.conference_page import ConferencePage


def _error_boxes():
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog" and w.isVisible()]


@pytest.fixture
def page(qtbot, ui_ctx, monkeypatch):
    monkeypatch.setattr(conference_page, "open_pdf", lambda path: None)
    monkeypatch.setattr(templates_panel, "show_info", lambda parent, text: None)
    widget = ConferencePage(ui_ctx)
    qtbot.addWidget(widget)
    widget.resize(1156, 740)
    widget.show()
    wait_idle(qtbot, ui_ctx)
    yield widget
    for box in _error_boxes():
        box.close()


def _store(paths):
    return open_workspace(paths)


def test_import_bad_template_file_keeps_the_one_in_use(qtbot, ui_ctx, paths, page, tmp_path):
    page.tabs.setCurrentIndex(2)
    wait_idle(qtbot, ui_ctx)
    assert page.templates.model.rowCount() == 1 and page.templates.model.row(0)["active"] == "Đang dùng"
    bad = tmp_path / "mau_loi.csv"
    bad.write_text("category,item,kind,threshold,unit,critical,guidance\nA,Camera,checkbox,,,yes,\n", encoding="utf-8")
    page.templates.import_file(str(bad))
    wait_idle(qtbot, ui_ctx)
    boxes = _error_boxes()
    assert boxes and "kiểu mục “checkbox” không hợp lệ" in boxes[-1].text()
    boxes[-1].close()
    assert page.templates.model.rowCount() == 1
    good = tmp_path / "mau_tinh.csv"
    good.write_text("category,item,kind,threshold,unit,critical,guidance\nĐường truyền,Băng thông,number,3,Mbps,yes,\n",
                    encoding="utf-8")
    page.templates.import_file(str(good))
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    rows = page.templates.model.rows
    assert len(rows) == 2 and [r["name"] for r in rows if r["active"]] == ["Mẫu của tỉnh (mau_tinh)"]


def test_local_copy_edit_with_text_threshold_is_refused(qtbot, ui_ctx, paths, page):
    store = _store(paths)
    copy = templates.make_local_copy(store, templates.BUILTIN_REF, "Phiếu của xã")
    store.close()
    dialog = TemplateEditorDialog(copy)
    qtbot.addWidget(dialog)
    bandwidth_row = next(n for n, i in enumerate(copy.items) if i.unit == "Mbps")
    dialog.table.item(bandwidth_row, 3).setText("hai")
    dialog._accept()
    assert "ngưỡng “hai” không phải là số" in _error_boxes()[-1].text()
    assert dialog.result() == 0
    _error_boxes()[-1].close()
    dialog.table.item(bandwidth_row, 3).setText("3")
    dialog.table.setCurrentCell(0, 1)
    dialog.remove_row()
    dialog._accept()
    assert len(dialog.result_items) == 22
    assert next(i for i in dialog.result_items if i.unit == "Mbps").threshold == 3


def test_equipment_added_with_vietnamese_name_and_empty_name_refused(qtbot, ui_ctx, paths, page):
    panel = page.equipment
    page.tabs.setCurrentIndex(1)
    panel.kind.setCurrentIndex(panel.kind.findData("ups"))
    panel.save()
    wait_idle(qtbot, ui_ctx)
    assert "Tên thiết bị không được để trống" in _error_boxes()[-1].text()
    _error_boxes()[-1].close()
    type_text(panel.name, "Bộ lưu điện Santak 2 kVA")
    panel.status.setCurrentIndex(panel.status.findData("repairing"))
    panel.save()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    assert [r["name"] for r in panel.model.rows] == ["Bộ lưu điện Santak 2 kVA"]
    store = _store(paths)
    assert equipment.list_equipment(store)[0]["status"] == "repairing"
    store.close()


def test_new_run_from_dialog_and_correction_after_closing(qtbot, ui_ctx, paths, page, monkeypatch):
    def fill_and_accept(dialog):
        type_text(dialog.title_edit, "Hội nghị trực tuyến sơ kết quý I")
        dialog.host_combo.setCurrentIndex(dialog.host_combo.findData("government"))
        return dialogs.MeetingDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.MeetingDialog, "exec", fill_and_accept)
    page.create_new()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: page.panel.run is not None)
    run = page.panel.run
    assert run.meeting_title == "Hội nghị trực tuyến sơ kết quý I" and run.host == "government"
    assert page.history.rowCount() == 1
    # answer everything in the store, close, then correct the camera through the page
    store = _store(paths)
    for item in run.items:
        if item.kind == "number":
            runs.record_answer(store, run.id, item.id, number="50")
        elif item.kind == "text":
            runs.record_answer(store, run.id, item.id, text="Đã ghi")
        else:
            runs.record_answer(store, run.id, item.id, status="pass")
    runs.close_run(store, run.id)
    store.close()
    ui_ctx.signals.data_changed.emit("checklist_runs")
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: page.panel.run.closed)
    assert page.panel.verdict_label.text().strip() == "SẴN SÀNG"
    camera_row = next(n for n, i in enumerate(page.panel.run.items) if i.text.startswith("Camera"))
    page.panel.select_row(camera_row)

    def correct(dialog):
        dialog.status.setCurrentIndex(dialog.status.findData("fail"))
        type_text(dialog.reason, "Camera mất nét giữa buổi")
        return dialogs.CorrectionDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.CorrectionDialog, "exec", correct)
    page.correct_item()
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: bool(page.panel.run.corrections))
    assert page.panel.verdict_label.text().strip() == "CHƯA SẴN SÀNG"
    assert "thay đổi do đính chính" in page.panel.failing_label.text()
    assert page.history.row(0)["verdict"] == "not_ready"
    qtbot.waitUntil(lambda: page.panel.log.corrections.rows_model.rowCount() == 1)
    from core.checklists.model import STATUS_LABELS

    model = page.panel.log.corrections.rows_model
    assert model.row(0)["reason"] == "Camera mất nét giữa buổi"
    shown = model.data(model.index(0, 2))
    assert shown.startswith("Camera") and STATUS_LABELS["fail"] in shown


def test_overview_navigation_opens_the_run(qtbot, ui_ctx, paths):
    from ui.main_window import MainWindow

    store = _store(paths)
    first = runs.create_run(store, title="Họp A", host="province", meeting_date="01/03/2026", start_time="08:00")
    second = runs.create_run(store, title="Họp B", host="province", meeting_date="02/03/2026", start_time="08:00")
    store.close()
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ui_ctx)
    ui_ctx.signals.navigation_requested.emit("conference", first)
    wait_idle(qtbot, ui_ctx)
    wait_idle(qtbot, ui_ctx)
    page = window.pages["conference"]
    qtbot.waitUntil(lambda: page.panel.run is not None and page.panel.run.id == first)
    assert page.history.rowCount() == 2 and second
