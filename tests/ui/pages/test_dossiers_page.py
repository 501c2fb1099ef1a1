"""The Số hóa hồ sơ page with real widgets: quick entry at the desk (typed with QKeyEvents),
duplicates offered for editing, undo, locked months, counters, import with manual mapping."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt

from core import clock
from core.workspace import open_workspace
from tests.ui.conftest import wait_idle
from tests.ui.helpers import press_key, save_as, type_text
from ui.pages.dossiers_page import DossiersPage

CODE = "000.00.53.H48-250630-0001"


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(dt.datetime(2025, 6, 30, 9, 0, tzinfo=clock.LOCAL_TZ))
    yield
    clock.freeze(None)


@pytest.fixture
def page(qtbot, ui_ctx):
    widget = DossiersPage(ui_ctx)
    qtbot.addWidget(widget)
    widget.resize(1156, 708)
    widget.show()
    wait_idle(qtbot, ui_ctx)
    return widget


def _rows(ui_ctx):
    store = open_workspace(ui_ctx.paths)
    try:
        return store.query("SELECT * FROM dossiers WHERE deleted_at IS NULL ORDER BY code")
    finally:
        store.close()


def _enter(widget):
    press_key(widget, Qt.Key.Key_Return)


def test_quick_entry_types_code_toggles_and_counts(qtbot, ui_ctx, page):
    quick = page.view("quick")
    type_text(quick.code_edit, " 000.00.53.h48-250630-0001 ")
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    assert "Hồ sơ mới" in quick.message.text()
    assert quick.flags.hasFocus()
    for key in "2tvps":
        type_text(quick.flags, key)
    type_text(quick.flags, "k")
    type_text(quick.flags, "bb")
    assert quick.flag_labels["supplement_requests"].text() == "2 lần (tính trễ hạn)"
    type_text(quick.flags, "bb")  # wraps round to none, then one
    assert quick.flag_labels["channel"].text() == "Trực tuyến"
    assert quick.flag_labels["result_digitised"].text() == "Có"
    press_key(quick.flags, Qt.Key.Key_Down)
    assert quick.field_combo.currentText() == "Chứng thực"
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    rows = _rows(ui_ctx)
    assert len(rows) == 1
    row = rows[0]
    assert (row["code"], row["channel"], row["components_digitised"], row["vneid_identified"], row["fee"],
            row["data_reused"], row["result_digitised"], row["field"]) == (
        CODE, 2, 1, 1, "paid_online", 1, "yes", "Chứng thực")
    assert row["received_on"] == "2025-06-30" and row["supplement_requests"] == 1
    assert quick.count_labels["received"].text() == "1"
    assert quick.count_labels["online"].text() == "1"
    assert quick.code_edit.text() == "" and "Đã lưu" in quick.message.text()
    assert ui_ctx.errors == []


def test_same_code_twice_offered_for_editing_then_undo(qtbot, ui_ctx, page):
    quick = page.view("quick")
    type_text(quick.code_edit, CODE)
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    # The citizen comes back for the result: the scan finds the dossier, H marks it finished today.
    type_text(quick.code_edit, CODE)
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    assert "đã có trong sổ" in quick.message.text() and "không đếm lần hai" in quick.message.text()
    assert quick.editing is not None
    type_text(quick.flags, "h")
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    rows = _rows(ui_ctx)
    assert len(rows) == 1 and rows[0]["finished_on"] == "2025-06-30"
    assert quick.count_labels["received"].text() == "1"
    assert quick.count_labels["finished"].text() == "1"
    quick.undo_last()  # undoes the edit
    wait_idle(qtbot, ui_ctx)
    assert _rows(ui_ctx)[0]["finished_on"] is None
    assert quick.count_labels["finished"].text() == "0"
    quick.undo_last()  # undoes the entry itself
    wait_idle(qtbot, ui_ctx)
    assert _rows(ui_ctx) == []
    assert quick.count_labels["received"].text() == "0"
    assert not quick.undo_button.isEnabled()


def test_bad_code_refused_and_nothing_written(qtbot, ui_ctx, page):
    quick = page.view("quick")
    type_text(quick.code_edit, "mã linh tinh")
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    assert "không đúng dạng" in quick.message.text()
    assert quick.code_edit.hasFocus()
    _enter(quick.flags)  # Enter without a valid code never saves
    wait_idle(qtbot, ui_ctx)
    assert _rows(ui_ctx) == []


def test_locked_month_asks_reason(qtbot, ui_ctx, page, monkeypatch):
    from core.dossiers import locks
    from ui.pages.dossiers import quick_entry

    store = open_workspace(ui_ctx.paths)
    locks.lock_month(store, "2025-06")
    store.close()
    asked = []
    monkeypatch.setattr(quick_entry, "ask_reason", lambda _parent, message: asked.append(message) or None)
    quick = page.view("quick")
    type_text(quick.code_edit, CODE)
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    assert asked and "06/2025 đã khóa" in asked[0]
    assert _rows(ui_ctx) == []  # cancelled: nothing written
    monkeypatch.setattr(quick_entry, "ask_reason", lambda _parent, _message: "Nhập bù hồ sơ ngày 30/6")
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    assert len(_rows(ui_ctx)) == 1
    store = open_workspace(ui_ctx.paths)
    assert locks.changes_in(store, "2025-06")[0]["reason"] == "Nhập bù hồ sơ ngày 30/6"
    store.close()


def test_counters_tab_shows_rows_indicators_and_exports(qtbot, ui_ctx, page, tmp_path):
    from core.dossiers.register import add_dossier
    from core.dossiers.tallies import save_tally

    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": CODE, "field": "Hộ tịch", "received_on": "2025-06-02", "channel": 2,
                        "components_digitised": 1, "result_digitised": "not_applicable"})
    save_tally(store, {"day": "2025-06-03", "field": "Đất đai", "channel": 1, "received": 3})
    store.close()
    counters = page.open_tab("counters")
    counters.picker.set_period("month", dt.date(2025, 6, 1))
    wait_idle(qtbot, ui_ctx)
    table = counters.counters_table
    labels = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert labels == ["Hộ tịch", "Đất đai — số liệu tổng hợp theo ngày", "Cộng sổ đăng ký hồ sơ",
                      "Cộng số liệu tổng hợp theo ngày", "Tổng cộng"]
    assert table.item(4, 1).text() == "4"
    assert "3 hồ sơ tiếp nhận" in counters.tally_note.text()
    ind = counters.indicators_table
    assert ind.item(0, 0).text() == "3.3" and ind.item(0, 2).text() == "25,0%"
    assert ind.item(0, 3).text() == "1 / 4" and ind.item(0, 6).text() == "Chưa đạt"
    # An indicator without a target says so unmistakably (not "Chưa đặt" beside "Chưa đạt").
    cells = [ind.item(r, c).text() for r in range(ind.rowCount()) for c in range(ind.columnCount())]
    assert "Chưa đặt" not in cells
    untargeted = [r for r in range(ind.rowCount()) if ind.item(r, 6).text() == "Không có chỉ tiêu"]
    assert untargeted and all(ind.item(r, 5).text() == "—" and "chưa giao chỉ tiêu" in ind.item(r, 5).toolTip()
                              for r in untargeted)
    out = tmp_path / "so-lieu.csv"
    counters.export_to(str(out))
    wait_idle(qtbot, ui_ctx)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    page.open_tab("trend")
    wait_idle(qtbot, ui_ctx)
    trend = page.view("trend")
    trend.year.setValue(2025)
    wait_idle(qtbot, ui_ctx)
    assert "T6: 25,0%" in trend.rates_shown()
    # The axes carry their values (they were drawn without any).
    for chart in (trend.trend_chart, trend.field_chart):  # (the chart lays itself out on a later event)
        qtbot.waitUntil(lambda c=chart: {"0%", "60%", "100%"} <= set(trend.axis_labels(c)), timeout=3000)
    assert ui_ctx.errors == []


def test_import_dialog_manual_mapping_dry_run_then_commit(qtbot, ui_ctx, page, tmp_path):
    from ui.pages.dossiers.import_dialog import ImportDialog

    wb = Workbook()
    ws = wb.active
    ws.append(["Số biên nhận", "Lĩnh vực", "Ngày nộp"])
    ws.append([CODE, "Hộ tịch", "30/06/2025"])
    ws.append(["000.00.53.H48-250630-0002", "Hộ tịch", "31/02/2025"])
    wb.save(tmp_path / "ds.xlsx")
    dialog = ImportDialog(ui_ctx, str(tmp_path / "ds.xlsx"), page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.combos), timeout=10_000)
    assert "chưa nhận ra" in dialog.status.text()
    combos = dict(dialog.combos)
    combos["Số biên nhận"].setCurrentIndex(combos["Số biên nhận"].findData("code"))
    combos["Ngày nộp"].setCurrentIndex(combos["Ngày nộp"].findData("received_on"))
    dialog.check()
    wait_idle(qtbot, ui_ctx)
    assert "1 hồ sơ mới" in dialog.result_label.text() and "1 bị từ chối" in dialog.result_label.text()
    assert dialog.rejected_table.item(0, 0).text() == "3"
    assert "31/02/2025" in dialog.rejected_table.item(0, 2).text()
    assert _rows(ui_ctx) == []  # the check writes nothing
    dialog.commit()
    wait_idle(qtbot, ui_ctx)
    assert [r["code"] for r in _rows(ui_ctx)] == [CODE]
    assert "Đã nhập: 1 hồ sơ mới" in dialog.status.text()


def test_import_dialog_corrupt_file_says_why(qtbot, ui_ctx, page, tmp_path):
    from ui.pages.dossiers.import_dialog import ImportDialog

    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    dialog = ImportDialog(ui_ctx, str(bad), page)
    qtbot.addWidget(dialog)
    wait_idle(qtbot, ui_ctx)
    assert "đã bị hỏng" in dialog.status.text()
    assert not dialog.commit_button.isEnabled()


def test_register_search_in_sql(qtbot, ui_ctx, page):
    from core.dossiers.register import add_dossier

    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": CODE, "field": "Chứng thực", "received_on": "2025-06-02",
                        "procedure_name": "Chứng thực bản sao"})
    add_dossier(store, {"code": "000.00.53.H48-250630-0002", "field": "Hộ tịch", "received_on": "2025-06-02"})
    store.close()
    register = page.open_tab("register")
    wait_idle(qtbot, ui_ctx)
    assert register.model.rowCount() == 2
    type_text(register.search, "chung thuc ban sao")
    register.search._emit_now()
    wait_idle(qtbot, ui_ctx)
    assert [r["code"] for r in register.model.rows] == [CODE]
    assert register.count_label.text() == "1 hồ sơ"


def test_tally_tab_saves_and_refuses_impossible_totals(qtbot, ui_ctx, page):
    tallies = page.open_tab("tallies")
    wait_idle(qtbot, ui_ctx)
    tallies.field.setCurrentText("Chứng thực")
    tallies.counts["received"].setValue(4)
    tallies.counts["components_digitised"].setValue(6)  # more than received
    tallies.save()
    wait_idle(qtbot, ui_ctx)
    assert "không thể lớn hơn" in tallies.message.text()
    tallies.counts["components_digitised"].setValue(3)
    tallies.save()
    wait_idle(qtbot, ui_ctx)
    assert tallies.message.text().startswith("Đã lưu số liệu tổng hợp ngày 30/06/2025")
    assert tallies.model.rowCount() == 1 and tallies.model.row(0)["received"] == 4


def test_settings_tab_target_changes_the_verdict_and_locks(qtbot, ui_ctx, page, monkeypatch):
    from core.dossiers.register import add_dossier
    from ui.pages.dossiers import settings_view

    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": CODE, "field": "Hộ tịch", "received_on": "2025-06-02", "channel": 1,
                        "finished_on": "2025-06-02"})
    store.close()
    settings = page.open_tab("settings")
    wait_idle(qtbot, ui_ctx)
    assert settings.targets_model.rowCount() == 5
    settings.indicator.setCurrentIndex(settings.indicator.findData("on_time_rate"))
    settings.effective.setDate(dt.date(2025, 1, 1))
    settings.target.setValue(90)
    settings.save_target()
    wait_idle(qtbot, ui_ctx)
    assert settings.targets_model.rowCount() == 6
    counters = page.open_tab("counters")
    counters.picker.set_period("month", dt.date(2025, 6, 1))
    wait_idle(qtbot, ui_ctx)
    on_time_row = [r for r in range(7) if counters.indicators_table.item(r, 0).text() == "2.1"][0]
    assert counters.indicators_table.item(on_time_row, 5).text() == "90,0%"
    assert counters.indicators_table.item(on_time_row, 6).text() == "Đạt"
    settings = page.open_tab("settings")
    settings.lock_month_edit.setDate(dt.date(2025, 6, 1))
    settings.lock()
    wait_idle(qtbot, ui_ctx)
    assert [r["month"] for r in settings.locks_model.rows] == ["2025-06"]
    settings.locks_view.setCurrentIndex(settings.locks_model.index(0, 0))
    monkeypatch.setattr(settings_view, "ask_reason", lambda _p, _m: "Tỉnh yêu cầu báo cáo lại")
    settings.unlock()
    wait_idle(qtbot, ui_ctx)
    assert settings.locks_model.rows == []
    assert settings.changes_model.rows[0]["reason"] == "Tỉnh yêu cầu báo cáo lại"


def test_register_edit_dialog_saves_and_shows_refusals(qtbot, ui_ctx, page):
    from core.dossiers.register import add_dossier

    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": CODE, "field": "Hộ tịch", "received_on": "2025-06-02"})
    store.close()
    register = page.open_tab("register")
    wait_idle(qtbot, ui_ctx)
    register.table.setCurrentIndex(register.model.index(0, 0))
    register.edit_selected()
    dialog = register.dialog
    qtbot.addWidget(dialog)
    dialog.finished.set_value("2025-06-01")  # before the received date
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    assert "trước ngày tiếp nhận" in dialog.error.text()
    assert _rows(ui_ctx)[0]["finished_on"] is None
    dialog.finished.set_value("2025-06-04")
    dialog.channel.setCurrentIndex(dialog.channel.findData(3))
    type_text(dialog.procedure_name, "Đăng ký khai sinh")
    dialog.save()
    wait_idle(qtbot, ui_ctx)
    row = _rows(ui_ctx)[0]
    assert (row["finished_on"], row["channel"], row["procedure_name"]) == ("2025-06-04", 3, "Đăng ký khai sinh")
    wait_idle(qtbot, ui_ctx)
    assert register.model.row(0)["channel"] == 3  # the list re-read after the save


def test_month_report_built_from_the_counters_tab(qtbot, ui_ctx, page):
    from ui.pages.dossiers.report_action import print_month_report, report_path

    counters = page.open_tab("counters")
    counters.picker.set_period("month", dt.date(2025, 6, 1))
    wait_idle(qtbot, ui_ctx)
    print_month_report(counters, ui_ctx, counters.picker.period(), open_when_done=False)
    wait_idle(qtbot, ui_ctx)
    out = report_path(ui_ctx, "2025-06")
    assert out.read_bytes().startswith(b"%PDF")
    assert "Đã tạo báo cáo tháng 06/2025" in counters.tally_note.text()
    assert ui_ctx.errors == []


def test_month_report_saved_as_word_from_the_save_dialog(qtbot, ui_ctx, page, tmp_path):
    """The button's save dialog offers Word; a name typed without extension takes the chosen type's."""
    from docx import Document

    counters = page.open_tab("counters")
    counters.picker.set_period("month", dt.date(2025, 6, 1))
    wait_idle(qtbot, ui_ctx)
    qtbot.mouseClick(counters.pdf_button, Qt.MouseButton.LeftButton)
    dialog = counters.save_dialog
    assert dialog.isVisible() and dialog.nameFilters()[1].startswith("Word")
    save_as(dialog, str(tmp_path / "báo cáo tháng sáu"), file_types_down=1)
    wait_idle(qtbot, ui_ctx)
    out = tmp_path / "báo cáo tháng sáu.docx"
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "BÁO CÁO" in text.upper() and "06/2025" in text
    assert "Đã tạo báo cáo tháng 06/2025" in counters.tally_note.text()
    assert ui_ctx.errors == []


def test_register_and_counters_exports_take_the_chosen_types_extension(qtbot, ui_ctx, page, tmp_path):
    from core.dossiers.register import add_dossier

    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": CODE, "field": "Hộ tịch", "received_on": "2025-06-02", "channel": 2})
    store.close()
    register = page.open_tab("register")
    wait_idle(qtbot, ui_ctx)
    from PySide6.QtWidgets import QPushButton

    button = next(b for b in register.findChildren(QPushButton) if b.text() == "Xuất Excel / CSV…")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    save_as(register.save_dialog, str(tmp_path / "sổ hồ sơ"), file_types_down=1)  # CSV
    wait_idle(qtbot, ui_ctx)
    assert (tmp_path / "sổ hồ sơ.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    counters = page.open_tab("counters")
    wait_idle(qtbot, ui_ctx)
    qtbot.mouseClick(counters.export_button, Qt.MouseButton.LeftButton)
    save_as(counters.save_dialog, str(tmp_path / "số liệu"))  # the first type offered: Excel
    wait_idle(qtbot, ui_ctx)
    assert (tmp_path / "số liệu.xlsx").read_bytes().startswith(b"PK")
    assert ui_ctx.errors == []


def test_quick_entry_keeps_a_chosen_received_date(qtbot, ui_ctx, page):
    quick = page.view("quick")
    quick.received_edit.setDate(dt.date(2025, 6, 27))  # entering Friday's pile on Monday
    for seq in (1, 2):
        type_text(quick.code_edit, f"000.00.53.H48-250627-000{seq}")
        _enter(quick.code_edit)
        wait_idle(qtbot, ui_ctx)
        _enter(quick.flags)
        wait_idle(qtbot, ui_ctx)
    assert [r["received_on"] for r in _rows(ui_ctx)] == ["2025-06-27", "2025-06-27"]
    assert quick.received_edit.date().toPython() == dt.date(2025, 6, 27)
    assert "fff3cd" in quick.received_edit.styleSheet()


def test_ctrl_z_at_the_desk_undoes_the_last_save(qtbot, ui_ctx, page):
    """The real key: after a save the focus is in the (cleared) code field, whose own text undo
    used to take Ctrl+Z and bring the code back instead of undoing the save."""
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    quick = page.view("quick")
    type_text(quick.code_edit, CODE)
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    assert len(_rows(ui_ctx)) == 1 and quick.code_edit.hasFocus() and quick.code_edit.text() == ""
    qtbot.keyClick(quick.code_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ui_ctx)
    assert _rows(ui_ctx) == []
    assert quick.code_edit.text() == ""
    assert "Đã bỏ hồ sơ vừa nhập" in quick.message.text()
    # With a code half typed, Ctrl+Z is the field's own undo and the register is left alone.
    type_text(quick.code_edit, CODE)
    _enter(quick.code_edit)
    wait_idle(qtbot, ui_ctx)
    _enter(quick.flags)
    wait_idle(qtbot, ui_ctx)
    type_text(quick.code_edit, "000.00")
    qtbot.keyClick(quick.code_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ui_ctx)
    assert len(_rows(ui_ctx)) == 1


def _add_many(ui_ctx, count: int) -> None:
    from core.dossiers.register import add_dossier

    store = open_workspace(ui_ctx.paths)
    with store.transaction():
        for n in range(1, count + 1):
            add_dossier(store, {"code": f"000.00.53.H48-2506{n % 28 + 1:02d}-{n:04d}", "field": "Hộ tịch",
                                "received_on": f"2025-06-{n % 28 + 1:02d}"})
    store.close()


def test_register_loads_more_as_the_list_is_scrolled(qtbot, ui_ctx, page, monkeypatch):
    """Past the first page: the next rows come as the view reaches the end, with the total shown."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from ui.pages.dossiers import register_view

    monkeypatch.setattr(register_view, "PAGE_SIZE", 50)
    _add_many(ui_ctx, 130)
    register = page.open_tab("register")
    wait_idle(qtbot, ui_ctx)
    assert len(register.model.rows) == 50 and register.model.total == 130
    assert "130 hồ sơ" in register.count_label.text() and "đã tải 50" in register.count_label.text()
    view = register.table
    view.setFocus()
    for _ in range(10):  # Ctrl+End, as a person would, until everything is there
        qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, ui_ctx)
        if len(register.model.rows) == 130:
            break
    assert len(register.model.rows) == 130 and register.count_label.text() == "130 hồ sơ"
    codes = [r["code"] for r in register.model.rows]
    assert len(set(codes)) == 130  # no page overlaps another
    keys = [(r["received_on"], r["code"]) for r in register.model.rows]
    assert keys == sorted(keys, reverse=True)  # newest first across pages
    # A new order starts again from the first page, ordered in SQL; the wheel loads the rest.
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    wait_idle(qtbot, ui_ctx)
    assert view.sort[0] == "code" and register.model.rows[0]["code"] in (min(codes), max(codes))
    for _ in range(20):
        centre = view.viewport().rect().center()
        QApplication.sendEvent(view.viewport(), QWheelEvent(
            centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, -1200),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
        wait_idle(qtbot, ui_ctx)
        if len(register.model.rows) == 130:
            break
    codes = [r["code"] for r in register.model.rows]
    assert len(codes) == 130 and codes == sorted(codes, reverse=view.sort[1])
