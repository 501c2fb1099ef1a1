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
