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
    qtbot.waitUntil(lambda: ctx.bg.pending() == 0, timeout=timeout)
