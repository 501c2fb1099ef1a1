"""Disk full: dossier entry, bundle export and backup fail with a clear Vietnamese message and
leave the database and the outbox as they were; once space is freed, the same open workspace
writes again.

Two kinds of full disk, each test runs on both:
- `tmpfs`: the workspace lives on a small tmpfs mounted for the test (needs root; skipped
  otherwise) and a filler file takes the last free byte: the real ENOSPC from the kernel.
- `simulated`: SQLite's own limit (`PRAGMA max_page_count` at the current size, which makes it
  answer SQLITE_FULL exactly as on a full disk) and ENOSPC raised at the file-write boundary
  (`os.fsync`, where a full disk shows up for files written through Python).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import subprocess
import sys

import pytest

from core.clock import today_local
from core.dossiers.register import add_dossier
from core.backups import backup_now
from core.errors import AppError
from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import identity, outbox
from core.workspace import initialise, open_workspace
from db import backup as backups
from db.backup import integrity_problems

VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


class SmallDisk:
    """A workspace on a disk that can be filled and freed."""

    def __init__(self, kind: str, root, monkeypatch):
        self.kind = kind
        self.monkeypatch = monkeypatch
        self.mount = root / "small-disk"
        self.mount.mkdir()
        if kind == "tmpfs":
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(self.mount)],
                                  capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        self.paths = AppPaths(self.mount / "data").ensure()
        self.store = open_workspace(self.paths)
        initialise(self.store, "21484", ["Nguyễn Thị Hồng Nhung"])
        identity.configure(self.store, self.paths)
        self.filler = self.mount / "filler.bin"

    def fill(self) -> None:
        if self.kind == "tmpfs":
            fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT)
            try:
                for block in (1 << 20, 1 << 12, 1):  # down to the last byte
                    try:
                        while True:
                            os.write(fd, b"\0" * block)
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC
            finally:
                os.close(fd)
        else:
            pages = self.store.scalar("PRAGMA page_count")
            self.store.conn.execute(f"PRAGMA max_page_count = {pages}")

            def no_space(fd):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            self.monkeypatch.setattr(os, "fsync", no_space)

    def free(self) -> None:
        if self.kind == "tmpfs":
            self.filler.unlink()
        else:
            self.store.conn.execute("PRAGMA max_page_count = 1073741823")
            self.monkeypatch.undo()

    def close(self) -> None:
        self.store.close()
        if self.kind == "tmpfs":
            subprocess.run(["umount", "-l", str(self.mount)], capture_output=True)


@pytest.fixture(params=["tmpfs", "simulated"])
def disk(request, tmp_path, monkeypatch):
    if request.param == "tmpfs" and not _can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    d = SmallDisk(request.param, tmp_path, monkeypatch)
    yield d
    d.close()


def _assert_clear_message(exc: AppError) -> None:
    assert isinstance(exc, AppError)
    assert VIETNAMESE & set(exc.message.lower()), exc.message
    assert "errno" not in exc.message.lower() and "sqlite" not in exc.message.lower()
    assert "đầy" in exc.message, exc.message


def _dossier(i: int) -> dict:
    day = today_local() - dt.timedelta(days=1)
    return {"code": f"000.00.53.H48-{day:%y%m%d}-{i:07d}", "field": "Hộ tịch", "received_on": day.isoformat()}


def _snapshot(d: SmallDisk) -> tuple:
    s = d.store
    return (s.query("SELECT id, code FROM dossiers ORDER BY id"),
            s.query("SELECT * FROM sync_outbox ORDER BY seq_from"),
            s.scalar("SELECT max(seq) FROM change_log"),
            s.query("SELECT key, value FROM settings ORDER BY key"),
            sorted(p.name for p in d.paths.outbox_dir.iterdir()))


def test_dossier_entry_on_a_full_disk(disk):
    saved = [add_dossier(disk.store, _dossier(i)) for i in range(5)]
    disk.fill()
    before = _snapshot(disk)
    # The WAL may still have room for a few pages: keep entering until the disk says no.
    with pytest.raises(AppError) as caught:
        for i in range(5, 20_000):
            saved.append(add_dossier(disk.store, _dossier(i)))
    _assert_clear_message(caught.value)
    assert not disk.store.conn.in_transaction
    after = _snapshot(disk)
    assert after[0] == disk.store.query("SELECT id, code FROM dossiers ORDER BY id")
    assert {r["id"] for r in after[0]} == set(saved), "a dossier reported saved is gone, or a failed one stayed"
    assert after[1:] == before[1:] or len(saved) > 5  # nothing else moved
    disk.free()
    assert integrity_problems(disk.paths.db_file) == []
    again = add_dossier(disk.store, _dossier(99_999))  # the same open workspace writes again
    assert disk.store.get("dossiers", again)["code"].endswith("0099999")


def test_bundle_export_on_a_full_disk(disk):
    first = outbox.cut_bundle(disk.store, disk.paths)
    for i in range(300):  # enough changes that the bundle needs fresh space
        add_dossier(disk.store, _dossier(i))
    disk.fill()
    before = _snapshot(disk)
    with pytest.raises(AppError) as caught:
        outbox.cut_bundle(disk.store, disk.paths)
    _assert_clear_message(caught.value)
    assert _snapshot(disk) == before, "the outbox or the database moved although the export failed"
    assert not any(p.name.endswith(".tmp") for p in disk.paths.outbox_dir.iterdir())
    disk.free()
    assert integrity_problems(disk.paths.db_file) == []
    cut = outbox.cut_bundle(disk.store, disk.paths)  # once there is room, the same changes go out
    assert cut.seq_from == first.seq_to + 1 and cut.records >= 300
    public = identity.commune_keypair(disk.paths).public
    opened = bundlemod.open_bundle(cut.path, lambda manifest: public)
    assert sum(1 for r in opened.records() if r["t"] == "dossiers") == 300


def test_backup_on_a_full_disk(disk):
    for i in range(50):
        add_dossier(disk.store, _dossier(i))
    made = backup_now(disk.store, disk.paths)
    disk.fill()
    before = _snapshot(disk)
    listed = [b.path for b in backups.list_backups(disk.paths.backups_dir)]
    with pytest.raises(AppError) as caught:
        backup_now(disk.store, disk.paths)
    _assert_clear_message(caught.value)
    assert _snapshot(disk) == before
    assert [b.path for b in backups.list_backups(disk.paths.backups_dir)] == listed == [made]
    assert list(disk.paths.backups_dir.rglob("*.partial")) == []
    disk.free()
    assert integrity_problems(disk.paths.db_file) == []
    assert integrity_problems(backup_now(disk.store, disk.paths)) == []


def test_a_backup_interrupted_long_ago_is_cleared(paths, commune_store):
    """A power cut mid-backup leaves a `.partial` copy of the whole database: the next backup clears it."""
    folder = paths.backups_dir / "manual"
    folder.mkdir(parents=True)
    old, fresh = folder / "motcua-manual-20250101-080000.partial", folder / "motcua-manual-20250101-090000.partial"
    old.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"x" * 1000)
    os.utime(old, (0, 0))  # interrupted long ago; `fresh` could be another process's backup in progress
    backup_now(commune_store, paths)
    assert not old.exists() and fresh.exists()


def test_printing_a_report_onto_a_full_disk(disk):
    from core.printing.sample import build_sample

    reports = disk.mount / "reports"
    reports.mkdir()
    disk.fill()
    with pytest.raises(AppError) as caught:
        build_sample(reports / "mau.pdf")
    assert VIETNAMESE & set(caught.value.message.lower()) and "errno" not in caught.value.message.lower()
    assert list(reports.iterdir()) == [], "a partial PDF was left behind"
    disk.free()
    build_sample(reports / "mau.pdf")
    assert (reports / "mau.pdf").read_bytes().startswith(b"%PDF")
