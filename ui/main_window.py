"""The main window: sidebar, pages, status bar, keyboard shortcuts."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QWidget)

from core import APP_NAME
from ui.pages.base import ComingPage, Page, UiContext
from ui.first_paint import FirstPaintWatch
from ui.pages.overview_page import OverviewPage


def _coming(title: str, explanation: str) -> Callable[[UiContext], Page]:
    return lambda ctx: ComingPage(ctx, title, explanation)


def _settings_page(ctx: UiContext) -> Page:
    from ui.pages.settings_page import SettingsPage

    return SettingsPage(ctx)


def _tasks_page(ctx: UiContext) -> Page:
    from ui.pages.tasks_page import TasksPage

    return TasksPage(ctx)


def _dossiers_page(ctx: UiContext) -> Page:
    from ui.pages.dossiers_page import DossiersPage

    return DossiersPage(ctx)


def _conference_page(ctx: UiContext) -> Page:
    from ui.pages.conference_page import ConferencePage

    return ConferencePage(ctx)


def _sync_page(ctx: UiContext) -> Page:
    from ui.pages.sync_page import SyncPage

    return SyncPage(ctx)


def page_factories() -> list[tuple[str, str, Callable[[UiContext], Page]]]:
    """(key, sidebar label, factory). Each capability puts its page on its own line."""
    return [
        ("overview", "Tổng quan", OverviewPage),
        # tasks page:
        ("tasks", "Nhiệm vụ", _tasks_page),
        # dossiers page:
        ("dossiers", "Số hóa hồ sơ", _dossiers_page),
        # conference page:
        ("conference", "Hội nghị truyền hình", _conference_page),
        # sync page:
        ("sync", "Đồng bộ", _sync_page),
        ("settings", "Cài đặt", _settings_page),
    ]


def pending_bundles(store) -> int:
    """Bundles waiting to be sent or confirmed by the province."""
    from core.sync.status import pending_bundle_count

    return pending_bundle_count(store)


class MainWindow(QMainWindow):
    first_painted = Signal()  # the window is on screen; deferred set-up has run

    def __init__(self, ctx: UiContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 720)
        self.setMinimumSize(QSize(1024, 600))

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(210)
        self.stack = QStackedWidget()
        # Pages are built on first visit: start-up pays only for the overview.
        self.pages: dict[str, Page] = {}
        self._factories: dict[str, Callable[[UiContext], Page]] = {}
        self._slots: list[str] = []
        for key, label, factory in page_factories():
            self._factories[key] = factory
            self._slots.append(key)
            self.stack.addWidget(QWidget())
            item = QListWidgetItem(label)
            item.setSizeHint(QSize(200, 42))
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        page_host = QWidget()
        host_layout = QHBoxLayout(page_host)
        host_layout.setContentsMargins(16, 8, 16, 8)
        host_layout.addWidget(self.stack)
        layout.addWidget(page_host, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        help_menu = self.menuBar().addMenu("Trợ giúp")
        self.shortcuts_action = help_menu.addAction("Phím tắt…")
        self.shortcuts_action.setObjectName("shortcutsAction")
        self.shortcuts_action.setWhatsThis("mở danh sách phím tắt này")
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self._shortcuts_built = False
        self._first_paint = FirstPaintWatch(self, self._on_first_paint)
        ctx.signals.navigation_requested.connect(self.open_page)
        ctx.signals.identity_changed.connect(self.refresh_identity)
        ctx.signals.workspace_replaced.connect(self.refresh_identity)
        ctx.signals.data_changed.connect(lambda _table: self._refresh_pending())
        self.sidebar.setCurrentRow(0)

    # -- status bar --------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.unit_status = QLabel("Đang mở dữ liệu…")
        self.unit_status.setObjectName("unitStatus")
        self.staff_combo = QComboBox()
        self.staff_combo.setObjectName("staffCombo")
        self.staff_combo.setToolTip("Cán bộ đang làm việc: được ghi nhận trên mọi dữ liệu tạo hoặc sửa")
        self.staff_combo.setMinimumWidth(200)
        self.staff_combo.activated.connect(self._staff_chosen)
        self.network_status = QLabel()
        self.network_status.setObjectName("networkStatus")
        self.pending_status = QLabel()
        self.pending_status.setObjectName("pendingStatus")
        bar.addWidget(self.unit_status)
        bar.addPermanentWidget(QLabel("Cán bộ:"))
        bar.addPermanentWidget(self.staff_combo)
        bar.addPermanentWidget(self.network_status)
        bar.addPermanentWidget(self.pending_status)
        self.network = None
        self._show_network("unknown")
        # Loading the OS network backend takes a while: well after the first paint.
        QTimer.singleShot(1000, self._start_network_status)

    def _start_network_status(self) -> None:
        from ui.network_status import NetworkStatus

        self.network = NetworkStatus(self)
        self.network.changed.connect(self._show_network)
        self._show_network(self.network.state())

    def _show_network(self, state: str) -> None:
        text = {"online": "● Có mạng", "offline": "● Mất mạng", "unknown": "● Chưa rõ kết nối"}[state]
        colour = {"online": "#1a7f37", "offline": "#cf222e", "unknown": "#6e7781"}[state]
        self.network_status.setText(text)
        self.network_status.setStyleSheet(f"color: {colour};")

    def refresh_identity(self) -> None:
        def load(store):
            from core.workspace import identity, list_staff

            return identity(store), list_staff(store), pending_bundles(store)

        self.ctx.bg.read(load, self._show_identity)

    def _show_identity(self, result) -> None:
        who, staff, pending = result
        self.ctx.identity = who
        unit = f"{who.unit.name} (mã {who.unit.code})" if who.unit else "Chưa thiết lập đơn vị"
        self.unit_status.setText(unit)
        self.setWindowTitle(f"{APP_NAME} — {who.unit.name}" if who.unit else APP_NAME)
        self.staff_combo.blockSignals(True)
        self.staff_combo.clear()
        for row in staff:
            self.staff_combo.addItem(row["full_name"], row["id"])
        index = self.staff_combo.findData(who.staff_id)
        self.staff_combo.setCurrentIndex(index)
        self.staff_combo.blockSignals(False)
        self._show_pending(pending)

    def _staff_chosen(self, index: int) -> None:
        staff_id = self.staff_combo.itemData(index)

        def choose(store):
            from core.workspace import set_current_staff

            set_current_staff(store, staff_id)

        self.ctx.bg.db(choose,
                       lambda _: self.ctx.signals.identity_changed.emit())

    def _refresh_pending(self) -> None:
        self.ctx.bg.read(pending_bundles, self._show_pending)

    def _show_pending(self, count: int) -> None:
        self.pending_status.setText(f"{count} gói chờ gửi")

    # -- navigation and shortcuts ------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page for `key`, built now if it has not been shown yet."""
        if key not in self.pages:
            index = self._slots.index(key)
            page = self._factories[key](self.ctx)
            page.setObjectName(f"page_{key}")
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[key] = page
        return self.pages[key]

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self._slots):
            self.stack.setCurrentWidget(self.page(self._slots[row]))

    def open_page(self, key: str, argument=None) -> None:
        if key not in self._factories:
            return
        self.sidebar.setCurrentRow(self._slots.index(key))
        page = self.page(key)
        if argument is not None and hasattr(page, "open_with"):
            page.open_with(argument)

    def current_page(self) -> Page:
        return self.stack.currentWidget()

    def _on_first_paint(self) -> None:
        self.build_shortcuts()
        self.first_painted.emit()

    def build_shortcuts(self) -> None:
        """Ctrl+F/N/P/S and Alt+1…9. Called once the window is on screen (keys cannot be
        pressed before), so the first paint does not wait for Qt's key enums."""
        if self._shortcuts_built:
            return
        self._shortcuts_built = True
        from PySide6.QtGui import QKeySequence, QShortcut

        for sequence, hook, meaning in (
                (QKeySequence.StandardKey.Find, "focus_search", "tìm kiếm trong trang đang mở"),
                (QKeySequence.StandardKey.New, "create_new", "tạo mới (nhập văn bản chỉ đạo, phiếu kiểm tra…)"),
                (QKeySequence.StandardKey.Print, "print_current", "in (báo cáo, phiếu) của trang đang mở"),
                (QKeySequence.StandardKey.Save, "save_current", "lưu")):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setWhatsThis(meaning)  # listed by F1 (ui/shortcuts_help.py)
            shortcut.activated.connect(lambda h=hook: self._call_page_hook(h))
        for number in range(1, min(9, self.sidebar.count()) + 1):
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.setWhatsThis(f"mở trang “{self.sidebar.item(number - 1).text()}”")
            shortcut.activated.connect(lambda n=number: self.sidebar.setCurrentRow(n - 1))
        self.shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))

    def show_shortcuts(self) -> None:
        from ui.shortcuts_help import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.open()

    def _call_page_hook(self, name: str) -> None:
        hook = getattr(self.current_page(), name, None)
        if callable(hook):
            hook()
        else:
            self.statusBar().showMessage("Trang này không có chức năng đó.", 3000)
