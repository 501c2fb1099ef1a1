"""What every page of the main window shares: the context it runs in and its hooks."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.paths import AppPaths
from core.identity import Identity
from ui.background import Background


class AppSignals(QObject):
    """Application-wide events, named for what happened."""

    data_changed = Signal(str)  # a table name, after any write
    identity_changed = Signal()  # unit or current staff member changed
    workspace_replaced = Signal()  # restored from a backup: everything must reload
    navigation_requested = Signal(str, object)  # page key, optional argument (e.g. a filter)


@dataclass
class UiContext:
    bg: Background
    paths: AppPaths
    signals: AppSignals
    identity: Identity = field(default_factory=lambda: Identity(None, None, None))
    sync_scheduler: object | None = None  # ui.sync_scheduler.SyncScheduler once started
    # False while the application is still opening the workspace: pages shown before then
    # load once it is open (workspace_replaced), not with a query queued behind the opening.
    workspace_open: bool = True


class Page(QWidget):
    """A page of the main window. Subclasses build widgets and implement `reload()`.

    Optional hooks, called by the window's shortcuts when the page has them:
    `focus_search()` (Ctrl+F), `create_new()` (Ctrl+N), `print_current()` (Ctrl+P),
    `save_current()` (Ctrl+S). `open_with(arg)` receives navigation arguments.
    """

    title = ""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        ctx.signals.data_changed.connect(self._on_data_changed)
        ctx.signals.workspace_replaced.connect(self._mark_stale_and_maybe_reload)
        ctx.signals.identity_changed.connect(self._mark_stale_and_maybe_reload)

    def reload(self) -> None:
        """Re-query what the page shows (through ctx.bg.db)."""

    def watches(self, table: str) -> bool:
        """Whether a change to `table` makes this page stale. Default: any change."""
        return True

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale and self.ctx.workspace_open:
            self._stale = False
            self.reload()

    def _on_data_changed(self, table: str) -> None:
        if self.watches(table):
            self._mark_stale_and_maybe_reload()

    def _mark_stale_and_maybe_reload(self) -> None:
        if self.isVisible():
            self._stale = False
            self.reload()
        else:
            self._stale = True

    @staticmethod
    def heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("pageHeading")
        return label


class ComingPage(Page):
    """A sidebar entry whose capability has not landed yet: says so plainly, shows no fake data."""

    def __init__(self, ctx: UiContext, title: str, explanation: str, parent=None):
        super().__init__(ctx, parent)
        self.title = title
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading(title))
        note = QLabel(explanation)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
