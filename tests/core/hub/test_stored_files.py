"""The raw bundle files the hub keeps: written before COMMIT, read-only once stored, and a file
left by a crash between the two replaced when the same bundle comes again — on Windows too,
which refuses to delete or replace a read-only file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core.hub import ingest
from core.sync import outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # both hub stores (tests/conftest.py)


@pytest.fixture
def windows_file_rules(monkeypatch):
    """Windows' rule on any OS: a file whose read-only flag is set cannot be deleted or
    replaced (POSIX, and root above all, lets both happen; under Windows the real rule runs)."""
    if os.name == "nt":
        return
    real_unlink, real_replace = Path.unlink, os.replace

    def refuse_read_only(path):
        if os.path.exists(path) and not os.stat(path).st_mode & stat.S_IWUSR:
            raise PermissionError(13, "Access is denied (read-only file, as on Windows)", str(path))

    def unlink(self, missing_ok=False):
        refuse_read_only(self)
        return real_unlink(self, missing_ok=missing_ok)

    def replace(src, dst):
        refuse_read_only(dst)
        return real_replace(src, dst)

    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(os, "replace", replace)


@pytest.fixture
def crashed_upload(tmp_path):
    """A bundle whose file the hub wrote and made read-only before a crash stopped its COMMIT."""
    hub = make_hub(tmp_path / "hub")
    commune = make_commune(tmp_path / "a", "21484", hub)
    add_rows(commune, 4)
    cut = outbox.cut_bundle(commune.store, commune.paths)
    data = cut.path.read_bytes()
    left = hub.paths.bundles_dir / commune.code / f"{cut.bundle_id}.zip"
    left.parent.mkdir(parents=True, exist_ok=True)
    left.write_bytes(data[: len(data) // 2])  # whatever the crash left: same name, its content unsure
    os.chmod(left, 0o444)
    yield hub, data, left
    commune.close()


def _upload(hub, data: bytes):
    with hub.store() as s:
        return ingest.ingest_bytes(hub.paths, s, data, via="network")


def test_a_file_left_by_a_crash_before_commit_is_replaced_by_the_upload(crashed_upload, windows_file_rules):
    hub, data, left = crashed_upload
    assert _upload(hub, data).status == "applied"
    assert left.read_bytes() == data
    assert not os.stat(left).st_mode & stat.S_IWUSR  # stored read-only again
    assert _upload(hub, data).status == "duplicate"


def test_negative_without_making_it_writable_the_bundle_can_never_be_stored(crashed_upload, windows_file_rules,
                                                                            monkeypatch):
    # The protection removed: os.chmod does nothing, so the left file keeps its read-only flag.
    hub, data, left = crashed_upload
    before = hub.snapshot()
    monkeypatch.setattr(ingest.os, "chmod", lambda *a, **kw: None)
    with pytest.raises(PermissionError):
        _upload(hub, data)
    assert hub.snapshot() == before  # the rows rolled back with the failed write
    with pytest.raises(PermissionError):
        _upload(hub, data)  # and it would fail again on every retry
