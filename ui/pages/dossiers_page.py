"""Số hóa hồ sơ: quick entry at the counter, the register, counters and indicators, trends,
daily tallies, and the targets and month locks behind the verdicts.

Each tab is built on first visit; after a write only the visible tab re-reads, the
others are marked stale and re-read when shown.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ui import refcount_guard
from ui.pages.base import Page

WATCHED = {"dossiers", "dossier_tallies", "dossier_targets", "dossier_month_locks", "procedure_fields"}


def _quick(ctx):
    from ui.pages.dossiers.quick_entry import QuickEntryPanel

    return QuickEntryPanel(ctx)


def _register(ctx):
    from ui.pages.dossiers.register_view import RegisterView

    return RegisterView(ctx)


def _counters(ctx):
    from ui.pages.dossiers.counters_view import CountersView

    return CountersView(ctx)


def _trend(ctx):
    from ui.pages.dossiers.trend_view import TrendView

    return TrendView(ctx)


def _tallies(ctx):
    from ui.pages.dossiers.tally_view import TallyView

    return TallyView(ctx)


def _settings(ctx):
    from ui.pages.dossiers.settings_view import DossierSettingsView

    return DossierSettingsView(ctx)


TABS: list[tuple[str, str, Callable]] = [
    ("quick", "Nhập nhanh tại quầy", _quick),
    ("register", "Sổ hồ sơ", _register),
    ("counters", "Số liệu và chỉ số", _counters),
    ("trend", "Biểu đồ", _trend),
    ("tallies", "Số liệu tổng hợp theo ngày", _tallies),
    ("settings", "Chỉ tiêu và khóa tháng", _settings),
]


class DossiersPage(Page):
    title = "Số hóa hồ sơ"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        # A counter desk updates labels thousands of times a day: PySide6 6.12 on Python 3.11
        # would otherwise drop None's last reference and abort (see ui/refcount_guard.py).
        refcount_guard.install()
        self.views: dict[str, QWidget] = {}
        self._stale_tabs: set[str] = set()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading("Số hóa hồ sơ thủ tục hành chính"))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("dossierTabs")
        for _key, label, _factory in TABS:
            self.tabs.addTab(QWidget(), label)
        self.tabs.currentChanged.connect(self._tab_shown)
        layout.addWidget(self.tabs, 1)
        self.view("quick")

    def view(self, key: str) -> QWidget:
        """The tab's widget, built now if it has not been shown yet."""
        if key not in self.views:
            index = [k for k, _l, _f in TABS].index(key)
            widget = TABS[index][2](self.ctx)
            widget.setObjectName(f"dossiers_{key}")
            if hasattr(widget, "dossier_saved"):
                widget.dossier_saved.connect(self.ctx.signals.data_changed.emit)
            placeholder = self.tabs.widget(index)
            self.tabs.blockSignals(True)
            current = self.tabs.currentIndex()
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, widget, TABS[index][1])
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
            self.views[key] = widget
            self._stale_tabs.add(key)
        return self.views[key]

    def open_tab(self, key: str) -> QWidget:
        widget = self.view(key)
        self.tabs.setCurrentWidget(widget)
        self._refresh_current()
        return widget

    def current_key(self) -> str:
        return TABS[self.tabs.currentIndex()][0]

    def _tab_shown(self, _index: int) -> None:
        self.view(self.current_key())
        self._refresh_current()

    def _refresh_current(self) -> None:
        key = self.current_key()
        widget = self.view(key)
        if key in self._stale_tabs:
            self._stale_tabs.discard(key)
            widget.reload()
        if key == "quick":
            widget.focus_code()

    # -- Page hooks ------------------------------------------------------------------
    def watches(self, table: str) -> bool:
        return table in WATCHED

    def reload(self) -> None:
        self._stale_tabs |= set(self.views)
        self._refresh_current()

    def focus_search(self) -> None:
        self.open_tab("register").search.setFocus()

    def create_new(self) -> None:
        self.open_tab("quick").focus_code()

    def print_current(self) -> None:
        self.open_tab("counters").print_report()

    def open_with(self, argument) -> None:
        """A tab key, or from the overview {"tab": "register", "received_on" / "finished_on": day}
        or {"tab": "counters", "month": "YYYY-MM"}: the figure's own rows."""
        if isinstance(argument, str) and argument in {k for k, _l, _f in TABS}:
            self.open_tab(argument)
        elif isinstance(argument, dict) and argument.get("tab") == "register":
            self.open_tab("register").show_day(received_on=argument.get("received_on"),
                                               finished_on=argument.get("finished_on"))
        elif isinstance(argument, dict) and argument.get("tab") == "counters" and argument.get("month"):
            import datetime as dt

            self.open_tab("counters").picker.set_period("month", dt.date.fromisoformat(argument["month"] + "-01"))
