"""Start the GUI: application object, fonts, error hook, database start-up, wizard, smoke mode."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import traceback

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from core import APP_ID, APP_NAME, startup_tuning
from core.errors import DatabaseDamagedError
from core.paths import AppPaths, network_share_warning, resolve_paths
from core.resources import resource
from ui import qt_vietnamese, refcount_guard
from ui.background import Background
from ui.errors import show_error
from ui.fonts import apply_app_font, load_bundled_fonts
from ui.main_window import MainWindow
from ui.pages.base import AppSignals, UiContext
from ui.style import STYLESHEET

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    refcount_guard.install()
    qt_vietnamese.install(app)  # before any widget (see ui/qt_vietnamese.py); once per application
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("motcua-xa")
    apply_app_font(app)
    app.setStyleSheet(STYLESHEET)
    return app


def set_window_icon(app: QApplication) -> None:
    """Title bar, taskbar and Alt+Tab. Until it is set (right after the first paint) Windows
    shows the .ico built into the .exe; QIcon's class and enums are not loaded before then."""
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(resource("icons", "app.png"))))


def install_exception_hook(parent_getter) -> None:
    """Unexpected exceptions: logged with traceback, then shown — never swallowed."""

    def hook(exc_type, exc, tb):
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        try:
            show_error(parent_getter(), exc)
        except Exception:  # the dialog itself failed: at least keep it on stderr
            traceback.print_exception(exc_type, exc, tb)

    sys.excepthook = hook


class Startup(QObject):
    """Opens the workspace off the UI thread, then runs the wizard or fills the window."""

    def __init__(self, app: QApplication, paths: AppPaths, *, demo_mode: bool, smoke: bool, opener=None):
        super().__init__()
        self.opener = opener
        self.app = app
        self.paths = paths
        self.demo_mode = demo_mode
        self.smoke = smoke
        self.signals = AppSignals()
        self.bg = Background(self._open_store, default_failure=self._failed)
        self.ctx = UiContext(self.bg, paths, self.signals, workspace_open=False)
        self.window = MainWindow(self.ctx)
        self.ready = False
        self.painted = False
        self.finished = False
        self.exit_code = 0
        self.wizard = None
        self.provision = None  # core.provision.ProvisionResult once the workspace is open
        self.provision_error = None

    def _open_store(self):
        # Runs on the database thread: the database modules load there, while the
        # UI thread shows the window. The first time, the early opener's Store is taken over.
        if self.opener is not None:
            opener, self.opener = self.opener, None
            return opener.take()
        from core.workspace import open_workspace

        return open_workspace(self.paths, quick=True)

    # -- flow ---------------------------------------------------------------------------
    def start(self) -> None:
        warning = network_share_warning(self.paths.data_dir)
        if warning and not self.smoke:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self.window, "Thư mục dữ liệu trên ổ mạng", warning)
        self.window.first_painted.connect(self._painted)
        self.bg.db(self._open, self._opened, self._open_failed)
        self.window.show()

    def _finish_start(self) -> None:
        """What the first frame does not need: once the window is on screen and the
        workspace is open (a smoke run has quit by then)."""
        if self.finished or not (self.painted and self.ready):
            return
        self.finished = True
        load_bundled_fonts()
        set_window_icon(self.app)

    def _open(self, store):
        from core.logging_setup import setup_logging
        from core.workspace import identity, is_initialised
        from db import backup as db_backup

        setup_logging(self.paths.logs_dir)
        self.provision, self.provision_error = _apply_provision(store, self.paths)
        made_demo = False
        if self.demo_mode and not is_initialised(store):
            from core import demo

            demo.fill(store, seed=1)
            made_demo = True
        backup = None
        if not self.smoke and is_initialised(store):
            backup = db_backup.auto_backup_if_due(store.conn, self.paths.backups_dir, self.paths.attachments_dir)
        return identity(store), made_demo, backup

    def _opened(self, result) -> None:
        who, _made_demo, _backup = result
        self.ctx.identity = who
        self.ctx.workspace_open = True
        self.ready = True
        if self._maybe_quit():
            return  # smoke run: painted and the workspace is healthy; nothing more to load
        if self.provision_error is not None and not self.smoke:
            show_error(self.window, self.provision_error, title="Tệp thiết lập của tỉnh")
        if who.unit is None and not self.smoke:
            self._run_wizard()
        self.signals.workspace_replaced.emit()  # the window and the visible page load what they show
        if not self.smoke:
            self._check_integrity_in_background()
            if who.unit is not None:
                self._start_services()
        self._finish_start()

    def _start_services(self) -> None:
        """What runs in the background for a set-up workspace: the meeting reminder and sending."""
        if self.ctx.sync_scheduler is not None:
            return
        from ui.meeting_reminder import MeetingReminder
        from ui.sync_scheduler import SyncScheduler

        self.reminder = MeetingReminder(self.ctx, self.window)
        self.reminder.start()
        self.ctx.sync_scheduler = SyncScheduler(self.ctx, self.window)

    def _check_integrity_in_background(self) -> None:
        """The full PRAGMA integrity_check, on its own connection, after the window is up."""
        from core.workspace import full_integrity_check

        def damaged(error: BaseException) -> None:
            if isinstance(error, DatabaseDamagedError):
                self._offer_restore(error)
            else:
                self._failed(error)

        self.bg.io(lambda _report: full_integrity_check(self.paths), on_failure=damaged)

    def _run_wizard(self) -> None:
        from ui.setup_wizard import SetupWizard

        self.wizard = SetupWizard(self.window)
        if self.provision is not None and self.provision.unit_code:
            self.wizard.unit_page.filter.setText(self.provision.unit_code)  # the province named the unit
        self.wizard.setup_completed.connect(self._setup_chosen)
        self.wizard.rejected.connect(self._setup_cancelled)
        self.wizard.open()

    def _setup_chosen(self, unit_code: str, staff: list, current: str) -> None:
        from core.sync.key_protection import default_scheme, session_passphrase

        # Portable mode: the signing key is sealed with a passphrase chosen now (else at the first signing).
        make_key = default_scheme() != "passphrase" or bool(session_passphrase())
        if not make_key:
            from ui.passphrase_prompt import ask_key_passphrase

            make_key = ask_key_passphrase(self.window, choose=True)
        paths = self.paths

        def setup(store):
            from core.sync.identity import commune_keypair
            from core.workspace import initialise

            who = initialise(store, unit_code, staff, current)
            if make_key:
                commune_keypair(paths)
            return who

        def done(who) -> None:
            self.ctx.identity = who
            self.signals.identity_changed.emit()
            self.window.refresh_identity()
            self._start_services()

        self.bg.db(setup, done)

    def _setup_cancelled(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self.window, "Chưa thiết lập",
                                "Phần mềm cần biết đơn vị và cán bộ để làm việc. Hãy mở lại khi sẵn sàng.")
        self.app.quit()

    def _open_failed(self, error: BaseException) -> None:
        if isinstance(error, DatabaseDamagedError) and not self.smoke:
            self._offer_restore(error)
            return
        self._failed(error)
        self.exit_code = 1
        if self.smoke:
            self.app.exit(1)

    def _offer_restore(self, error: DatabaseDamagedError) -> None:
        from PySide6.QtWidgets import QMessageBox

        from db import backup as db_backup

        newest = db_backup.newest_good_backup(self.paths.backups_dir)
        if newest is None:
            show_error(self.window, DatabaseDamagedError(
                "Cơ sở dữ liệu bị hỏng và không có bản sao lưu nào còn tốt. Hãy liên hệ cán bộ kỹ thuật; "
                "tệp hỏng vẫn được giữ nguyên.", details=error.details))
            return
        taken = newest.taken_at.strftime("%H:%M %d/%m/%Y")
        box = QMessageBox(QMessageBox.Icon.Critical, "Cơ sở dữ liệu bị hỏng",
                          f"Tệp dữ liệu bị hỏng (có thể do mất điện hoặc lỗi ổ đĩa).\n\n"
                          f"Khôi phục từ bản sao lưu tốt gần nhất ({taken})? Tệp hỏng sẽ được giữ lại.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window)
        box.setObjectName("damagedDialog")
        box.setDetailedText(error.details or "")
        box.button(QMessageBox.StandardButton.Yes).setText("Khôi phục")
        box.button(QMessageBox.StandardButton.No).setText("Thoát")
        box.finished.connect(lambda result: self._restore_answer(result, newest.path))
        self.damaged_dialog = box
        box.open()

    def _restore_answer(self, result: int, backup_file) -> None:
        from PySide6.QtWidgets import QMessageBox

        if result != QMessageBox.StandardButton.Yes:
            self.app.quit()
            return
        from core.backups import restore_from

        self.bg.db_exclusive(lambda: restore_from(self.paths, backup_file),
                             lambda _aside: self.bg.db(self._open, self._opened, self._open_failed))

    def _failed(self, error: BaseException) -> None:
        show_error(self.window, error)

    # -- smoke ------------------------------------------------------------------------
    def _painted(self) -> None:
        self.painted = True
        startup_tuning.end()  # GC and GIL switching back to normal (core/startup_tuning.py)
        if not self._maybe_quit():
            self._finish_start()

    def _maybe_quit(self) -> bool:
        """Smoke run: quit once the window has painted and the workspace opened healthy."""
        if self.smoke and self.ready and self.painted:
            self.app.exit(self.exit_code)
            return True
        return False


def _apply_provision(store, paths):
    """The province's provision.json (hub address, province key): a bad file is shown, never fatal."""
    from core.provision import ProvisionError, apply_provision, describe

    try:
        result = apply_provision(store, paths)
    except ProvisionError as exc:
        log.warning("provision file refused: %s", exc.message)
        return None, exc
    if result is not None and not result.already_applied:
        log.info("%s", describe(result))
    return result, None


def run_gui(args, opener=None) -> int:
    paths = opener.paths if opener is not None else resolve_paths(args.data_dir, demo=args.demo).ensure()
    app = make_application()
    startup = Startup(app, paths, demo_mode=args.demo, smoke=args.smoke, opener=opener)
    install_exception_hook(lambda: startup.window)
    if args.smoke:
        # A start-up that hangs must fail the smoke test, not block it.
        QTimer.singleShot(60_000, lambda: app.exit(3))
    startup.start()
    code = app.exec()
    startup.bg.close()
    return code


def end_gui_process(code: int) -> None:
    """End the process once the GUI has shut down, without Python's slow teardown.

    By now the database is closed (Background.close ran on its own thread) and Qt has
    torn down its application object below, so windows are gone and the clipboard is
    handed to the system. What is left is the interpreter freeing every module and
    wrapper one by one: ~20 ms of nothing on each exit. The atexit handlers still run
    (logging flushes and closes its files), then the process ends, as Firefox does.
    """
    app = QApplication.instance()
    if app is not None:
        app.shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # windowed Windows builds have no console
            pass
    os._exit(code)
