import pytest

from core.workspace import open_workspace
from ui.background import Background
from ui.pages.base import AppSignals, UiContext


@pytest.fixture
def ui_ctx(qtbot, paths, commune_store):
    """A UiContext on an initialised workspace, with a real background runner."""
    from core.workspace import identity

    who = identity(commune_store)
    commune_store.close()
    errors = []
    bg = Background(lambda: open_workspace(paths), default_failure=errors.append)
    ctx = UiContext(bg, paths, AppSignals(), who)
    ctx.errors = errors
    yield ctx
    bg.close()


def wait_idle(qtbot, ctx, timeout=10_000):
    """Until the background work is done and Qt has run what its callbacks set going.

    A callback that changes a model leaves Qt work behind it: a view lays out new rows (and so
    sets its scroll range) on a zero-delay timer, not at once. `waitUntil` returns as soon as the
    last callback has run, and when that happens at the very end of one of its 10 ms slices of
    event processing the layout is still to come — under Wine, where reads take longer, it
    nearly always is (a scroll bar still at its old maximum: the next wheel turn loads nothing).
    One more pass of the event loop runs those posted events and due timers, as a person's next
    action would only ever come after them.
    """
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: ctx.bg.pending() == 0, timeout=timeout)
    QApplication.processEvents()
