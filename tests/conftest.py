"""Shared fixtures. Qt runs offscreen so the suite needs no display."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from core.paths import AppPaths  # noqa: E402
from core.workspace import initialise, open_workspace  # noqa: E402

SHARED = ROOT.parent / "shared"


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    return AppPaths(tmp_path / "data").ensure()


@pytest.fixture
def store(paths):
    """A migrated, empty, not yet initialised workspace database."""
    s = open_workspace(paths)
    yield s
    s.close()


@pytest.fixture
def commune_store(store):
    """A workspace set up as Xã Ba Tơ with two staff members, the first working."""
    initialise(store, "21484", ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức"], "Nguyễn Thị Hồng Nhung")
    return store


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_database(request, monkeypatch):
    """Run a hub test on both stores: `test_x[sqlite]` and `test_x[postgresql]`.

    sqlite: MOTCUA_HUB_DATABASE unset, so every hub the test makes is a hub.sqlite3 (None is
    yielded). postgresql: a new empty database on the scratch server (tests/pg_cluster.py),
    named in MOTCUA_HUB_DATABASE (the hubs the test makes, through `hub init` or `init_hub`, and its
    subprocesses use it), its URL yielded, dropped afterwards. Skipped when there is no server.
    A hub module opts in with `pytestmark = pytest.mark.usefixtures("hub_database")`."""
    from core.hub.config import DATABASE_ENV

    if request.param == "sqlite":
        monkeypatch.delenv(DATABASE_ENV, raising=False)
        yield None
        return
    from tests import pg_cluster

    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    monkeypatch.setenv(DATABASE_ENV, url)
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)
