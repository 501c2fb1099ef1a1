import os

import pytest

from core.errors import DatabaseDamagedError
from core.opener import WorkspaceOpener
from core.paths import AppPaths
from core.workspace import identity, initialise, open_workspace


def test_opens_and_migrates_a_new_workspace(tmp_path):
    paths = AppPaths(tmp_path / "data")
    store = WorkspaceOpener(paths).take()
    try:
        assert store.scalar("PRAGMA user_version") > 0
    finally:
        store.close()


def test_opens_an_existing_workspace_and_is_taken_once(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Nguyễn Văn An"], "Nguyễn Văn An")
    store.close()
    opener = WorkspaceOpener(paths)
    store = opener.take()
    try:
        assert identity(store).unit.code == "21484"
        with pytest.raises(RuntimeError):
            opener.take()
    finally:
        store.close()


def test_a_damaged_file_is_refused_before_anything_writes_to_it(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    store = open_workspace(paths)
    for i in range(300):
        store.insert("staff", {"full_name": f"Cán bộ {i}", "position": "x" * 300, "active": 1})
    store.close()
    with open(paths.db_file, "r+b") as f:
        f.seek(8192)
        f.write(os.urandom(16384))
    damaged = paths.db_file.read_bytes()
    with pytest.raises(DatabaseDamagedError) as caught:
        WorkspaceOpener(paths).take()
    assert "bị hỏng" in caught.value.message
    assert paths.db_file.read_bytes() == damaged  # not migrated, not touched
