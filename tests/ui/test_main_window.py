import os
import subprocess
import sys
from pathlib import Path


from tests.ui.conftest import wait_idle
from tests.ui.helpers import type_text
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
SIDEBAR = ["Tổng quan", "Nhiệm vụ", "Số hóa hồ sơ", "Hội nghị truyền hình", "Đồng bộ", "Cài đặt"]


def test_sidebar_status_bar_and_navigation(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.refresh_identity()
    wait_idle(qtbot, ui_ctx)
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == SIDEBAR
    assert window.unit_status.text() == "Xã Ba Tơ (mã 21484)"
    assert window.staff_combo.currentText() == "Nguyễn Thị Hồng Nhung"
    assert window.pending_status.text().endswith("gói chờ gửi")
    window.open_page("settings")
    assert window.current_page().objectName() == "page_settings"
    wait_idle(qtbot, ui_ctx)
    assert ui_ctx.errors == []


def test_switching_staff_is_recorded_on_writes(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.show()
    window.refresh_identity()
    wait_idle(qtbot, ui_ctx)
    index = window.staff_combo.findText("Trần Văn Đức")
    window.staff_combo.setCurrentIndex(index)
    window.staff_combo.activated.emit(index)
    wait_idle(qtbot, ui_ctx)
    result = []
    ui_ctx.bg.db(lambda store: store.get("staff", store.insert("staff", {"full_name": "X", "active": 1})),
                 result.append)
    wait_idle(qtbot, ui_ctx)
    assert result[0]["created_by"] == window.staff_combo.itemData(index)


def test_settings_page_adds_staff_with_vietnamese_typing(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_page("settings")
    page = window.pages["settings"]
    wait_idle(qtbot, ui_ctx)
    type_text(page.new_staff, "Phạm Thị Ngọc Ánh")
    page._add_staff()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: "Phạm Thị Ngọc Ánh" in [r["full_name"] for r in page.staff_model.rows])
    # Sorted by given name: Ánh first.
    assert page.staff_model.rows[0]["full_name"] == "Phạm Thị Ngọc Ánh"


def test_backup_now_from_settings(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_page("settings")
    page = window.pages["settings"]
    wait_idle(qtbot, ui_ctx)
    page.backup_now()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: page.backup_model.rowCount() >= 1)
    assert list((ui_ctx.paths.backups_dir / "manual").glob("*.sqlite3"))


def test_ctrl_f_calls_the_page_hook(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.show()
    called = []
    window.current_page().focus_search = lambda: called.append(True)
    window._call_page_hook("focus_search")
    assert called == [True]
    window._call_page_hook("print_current")  # a page without it: a status message, no crash
    assert "không có" in window.statusBar().currentMessage()


def test_smoke_exits_zero(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "main.py", "init", "--unit", "21484", "--staff", "A",
                    "--data-dir", str(tmp_path)], cwd=ROOT, env=env, check=True, capture_output=True)
    result = subprocess.run([sys.executable, "main.py", "--smoke", "--data-dir", str(tmp_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_f1_lists_every_registered_shortcut(qtbot, ui_ctx):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence, QShortcut

    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.build_shortcuts()
    window.open_page("dossiers")  # builds the desk, which registers Ctrl+Z
    wait_idle(qtbot, ui_ctx)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "shortcuts_dialog", None) is not None
                    and window.shortcuts_dialog.isVisible())
    dialog = window.shortcuts_dialog
    listed = dialog.keys_listed()
    native = QKeySequence.SequenceFormat.NativeText
    for shortcut in window.findChildren(QShortcut):  # generated from what is registered, nothing missed
        assert shortcut.key().toString(native) in listed
    for keys in ("Ctrl+F", "Ctrl+N", "Ctrl+P", "Alt+1", "Alt+6", "F1", "Ctrl+Z", "T", "F2"):
        assert keys in listed, keys
    meanings = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "Mở trang “Số hóa hồ sơ”" in meanings and all(meanings)
    dialog.close()
    # The same list from the Trợ giúp menu.
    menu = next(a for a in window.menuBar().actions() if a.text() == "Trợ giúp").menu()
    assert [a.text() for a in menu.actions()] == ["Phím tắt…"]
    menu.actions()[0].trigger()
    assert window.shortcuts_dialog.isVisible()


def test_overview_figures_open_where_they_come_from(qtbot, ui_ctx):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from core.clock import today_local
    from core.dossiers.register import add_dossier
    from core.workspace import open_workspace

    today = today_local()
    store = open_workspace(ui_ctx.paths)
    add_dossier(store, {"code": f"000.00.53.H48-{today:%y%m%d}-0001", "field": "Hộ tịch",
                        "received_on": today.isoformat()})
    add_dossier(store, {"code": "000.00.53.H48-240102-0002", "field": "Hộ tịch", "received_on": "2024-01-02",
                        "finished_on": today.isoformat()})
    store.close()
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    wait_idle(qtbot, ui_ctx)
    overview = window.pages["overview"]

    def figure(label_start):
        """The clickable figure on the same line as the label starting with `label_start`."""
        from PySide6.QtWidgets import QHBoxLayout

        for row in overview.cards_host.findChildren(QHBoxLayout):
            label, value = row.itemAt(0).widget(), row.itemAt(1).widget()
            if label.text().startswith(label_start) and isinstance(value, QPushButton):
                return value
        raise AssertionError(label_start)

    qtbot.mouseClick(figure("Hồ sơ tiếp nhận hôm nay"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ui_ctx)
    register = window.pages["dossiers"].view("register")
    assert window.current_page() is window.pages["dossiers"] and register.isVisible()
    assert [r["received_on"] for r in register.model.rows] == [today.isoformat()]
    assert "tiếp nhận ngày" in register.day_filter_label.text()
    window.open_page("overview")
    qtbot.mouseClick(figure("Hồ sơ giải quyết hôm nay"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ui_ctx)
    assert [r["code"][-4:] for r in register.model.rows] == ["0002"]
    register.day_filter_clear.click()
    wait_idle(qtbot, ui_ctx)
    assert len(register.model.rows) == 2
    window.open_page("overview")
    qtbot.mouseClick(figure("Tỷ lệ hồ sơ trực tuyến tháng này"), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ui_ctx)
    counters = window.pages["dossiers"].view("counters")
    assert counters.isVisible() and counters.picker.kind.currentData() == "month"
    assert counters.picker.start.date().toPython().month == today.month
    window.open_page("overview")
    wait_idle(qtbot, ui_ctx)
    overview.facts_label.linkActivated.emit("settings")
    assert window.current_page() is window.pages["settings"]
