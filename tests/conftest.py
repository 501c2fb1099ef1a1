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
    A hub module opts in with `pytestmark = pytest.mark.usefixtures("hub_database")`; a test in it
    about an SQLite-only fact (page size, WAL, a hub.sqlite3 made by an earlier version) says so
    with `@pytest.mark.sqlite_only("why")`."""
    from core.hub.config import DATABASE_ENV

    only = request.node.get_closest_marker("sqlite_only")
    if only is not None and request.param != "sqlite":
        pytest.skip("SQLite only: " + (only.args[0] if only.args else "about the SQLite file"))
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub_database_module(request):
    """`hub_database` for a module-scoped hub (one hub shared by a module's tests): "" (SQLite, whatever
    the environment says) or the URL of a database of its own, dropped after the module. Pass it to
    `make_hub(root, database=…)`; the tests using that hub run once per store."""
    if request.param == "sqlite":
        yield ""
        return
    from tests import pg_cluster

    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)


@pytest.fixture
def other_hub_database(hub_database):
    """For a second hub in one test (one database serves one hub): "" on SQLite, another fresh database
    on PostgreSQL. Pass it to `make_hub(root, database=…)`."""
    if not hub_database:
        yield ""
        return
    from tests import pg_cluster

    url = pg_cluster.fresh_database()
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)

