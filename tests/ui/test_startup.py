import os

from PySide6.QtWidgets import QMessageBox

from core.workspace import open_workspace
from db import backup
from ui.app import Startup, make_application


def test_damaged_database_offers_the_newest_good_backup(qtbot, paths, commune_store):
    for i in range(200):
        commune_store.insert("staff", {"full_name": f"Cán bộ {i}", "position": "y" * 200, "active": 1})
    backup.backup_database(commune_store.conn, paths.backups_dir / "daily", "daily")
    commune_store.close()
    with open(paths.db_file, "r+b") as f:
        f.seek(8192)
        f.write(os.urandom(8192))

    app = make_application()
    startup = Startup(app, paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    startup.start()
    qtbot.waitUntil(lambda: getattr(startup, "damaged_dialog", None) is not None, timeout=10_000)
    dialog = startup.damaged_dialog
    assert "bị hỏng" in dialog.text()
    dialog.done(QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: startup.ready, timeout=10_000)
    assert startup.ctx.identity.unit.code == "21484"
    startup.bg.close()
    store = open_workspace(paths)
    assert store.scalar("SELECT count(*) FROM staff WHERE full_name LIKE 'Cán bộ %'") == 200
    store.close()


def test_first_run_opens_the_wizard(qtbot, paths):
    app = make_application()
    startup = Startup(app, paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    startup.start()
    qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible(), timeout=10_000)
    startup._setup_chosen("21484", ["Nguyễn Văn An"], "Nguyễn Văn An")
    qtbot.waitUntil(lambda: startup.window.unit_status.text().startswith("Xã Ba Tơ"), timeout=10_000)
    startup.bg.close()


def test_full_integrity_check_runs_after_start_and_offers_restore(qtbot, paths, commune_store, monkeypatch):
    """Start-up opens with quick_check; the full check follows in the background."""
    from core import workspace
    from core.errors import DatabaseDamagedError

    backup.backup_database(commune_store.conn, paths.backups_dir / "daily", "daily")
    commune_store.close()
    checked = []

    def failing_check(p):
        checked.append(p)
        raise DatabaseDamagedError("Cơ sở dữ liệu bị hỏng.", details="row 12 missing from index")

    monkeypatch.setattr(workspace, "full_integrity_check", failing_check)
    app = make_application()
    startup = Startup(app, paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    startup.start()
    qtbot.waitUntil(lambda: getattr(startup, "damaged_dialog", None) is not None, timeout=10_000)
    assert checked == [paths]
    assert "row 12" in startup.damaged_dialog.detailedText()
    startup.damaged_dialog.done(QMessageBox.StandardButton.No)
    startup.bg.close()


def test_sending_and_the_meeting_reminder_start_with_the_app(qtbot, paths, commune_store):
    commune_store.close()
    app = make_application()
    startup = Startup(app, paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    startup.start()
    qtbot.waitUntil(lambda: startup.ready, timeout=10_000)
    assert startup.ctx.sync_scheduler is not None and startup.ctx.sync_scheduler.timer.isActive()
    assert startup.reminder.timer.isActive()
    # The Đồng bộ page shows the same scheduler rather than starting its own.
    startup.window.open_page("sync")
    assert startup.window.pages["sync"].scheduler is startup.ctx.sync_scheduler
    startup.bg.close()


def test_after_the_first_paint_the_deferred_set_up_runs(qtbot, paths, commune_store):
    """Shortcuts, the window icon and the bundled fonts wait for the first paint and the open
    workspace; the overview then loads once, not with a query queued behind the opening."""
    from PySide6.QtGui import QShortcut

    commune_store.close()
    app = make_application()
    app.setWindowIcon(__import__("PySide6.QtGui", fromlist=["QIcon"]).QIcon())
    startup = Startup(app, paths, demo_mode=False, smoke=False)
    qtbot.addWidget(startup.window)
    loads = []
    overview = startup.window.page("overview")
    original_reload = overview.reload
    overview.reload = lambda: (loads.append(startup.ctx.workspace_open), original_reload())
    assert not startup.window.findChildren(QShortcut)
    import gc
    import sys

    from core import startup_tuning

    interval = sys.getswitchinterval()
    startup_tuning.begin()  # as main.py does for the executable
    assert not gc.isenabled() and sys.getswitchinterval() < interval
    startup.start()
    qtbot.waitUntil(lambda: startup.finished, timeout=10_000)
    assert startup.painted and startup.ready
    assert gc.isenabled() and sys.getswitchinterval() == interval  # restored once the window painted
    assert not app.windowIcon().isNull()
    keys = {s.key().toString() for s in startup.window.findChildren(QShortcut)}
    assert {"Ctrl+F", "Ctrl+N", "Ctrl+P", "Ctrl+S", "Alt+1", "Alt+6"} <= keys
    qtbot.waitUntil(lambda: startup.window.unit_status.text().startswith("Xã Ba Tơ"), timeout=10_000)
    assert loads == [True]  # one load, after the workspace opened

    focused = []
    page = startup.window.current_page()
    page.focus_search = lambda: focused.append(True)
    startup.window.activateWindow()
    shortcut = next(s for s in startup.window.findChildren(QShortcut) if s.key().toString() == "Ctrl+F")
    shortcut.activated.emit()
    assert focused == [True]
    startup.bg.close()
