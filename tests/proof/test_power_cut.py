"""Power cut, for real: every write not yet made durable is lost, and what the app reported saved holds.

The app's own functions run on `tests/proof/powercut/memfs.py`, a FUSE file system kept in
memory that, at the cut, keeps a file's bytes only as of its last fsync and a folder's names
only as of the last fsync of that folder (see that module). The cut comes before the N-th
write/sync/rename/… of a bounded run, N spread evenly over the run plus seeded random N
(so a failure replays). The surviving folder is then opened as after a reboot and checked:

- the database passes `PRAGMA integrity_check`;
- everything the app reported saved is there (dossiers, rows, bundles, backups, imports);
- outbox: every bundle file under its final name is whole and verifies (signature, hashes);
- backups: every reported backup is there, sound, and holds its attachments;
- restore: the workspace is either the state before the restore or the backup's, never a mix,
  and every attachment a row points to is there, whole;
- province import: every bundle recorded as applied has its attachments, whole.

`test_power_cut_catches_missing_durability` is the negative check: the same runs with
`PRAGMA synchronous = OFF` (dossier entry) or with the app's own fsyncs made no-ops (bundle
export, backup, restore, province import) must fail these checks.

    python -m pytest tests/proof/test_power_cut.py -q -s
    POWERCUT_CUTS=200 python -m pytest tests/proof/test_power_cut.py -q -s -k holds
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import identity, keys, outbox
from core.workspace import initialise, open_workspace
from db import backup as backups
from db.store import Store
from tests.proof.powercut import harness
from tests.proof.powercut.writer import attachment_bytes

MODES = ["dossier", "export", "backup", "restore", "import"]
CUTS = int(os.environ.get("POWERCUT_CUTS", 20))  # per write, about half systematic and half random

pytestmark = [pytest.mark.slow, pytest.mark.skipif(harness.available() is not None,
                                                   reason=str(harness.available()))]


class Broken(AssertionError):
    """An invariant did not hold after a cut."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise Broken(message)


# -- the starting workspace ---------------------------------------------------------------

def _baseline(root: Path, mode: str) -> tuple[Path, str | None, dict]:
    """A workspace (in `root/base/ws`) ready for `mode`; returns (base, writer's extra arg, context)."""
    from tests.core.sync.harness import province_target_row

    base = root / "base"
    paths = AppPaths(base / "ws").ensure()
    store = open_workspace(paths)
    province = keys.load_or_create(root / "province-keys")
    initialise(store, "21484", ["Nguyễn Thị Hồng Nhung"])
    identity.configure(store, paths, province_key_text=province.public_text)
    directive = store.insert("local_directives", {"number": "12/KH-UBND", "subject": "Kế hoạch thử"})
    from core.tasks.store import create_manual_task

    create_manual_task(store, directive_id=directive, content="Số hóa hồ sơ tồn đọng")
    store.close()
    extra, context = None, {}
    if mode == "import":
        extra = str(root / "province-bundles")
        for n in range(8):
            target = province_target_row(target=0.5 + n / 100)
            files = {f"cv-{n}-{k}.pdf": attachment_bytes(f"province {n} {k}", 40_000 + 7_000 * k) for k in range(2)}
            _, manifest = bundlemod.write_bundle(
                Path(extra), kind="province", source=bundlemod.PROVINCE, destination="21484", signer=province,
                records=[("dossier_targets", target["id"], "insert", n + 1, target)], seq_from=n + 1, seq_to=n + 1,
                attachments=files)
            context[manifest["bundle_id"]] = files
    return base, extra, context


# -- the checks after a cut -----------------------------------------------------------------

def _ids(store: Store, table: str) -> set[str]:
    return {r["id"] for r in store.query(f"SELECT id FROM [{table}] WHERE deleted_at IS NULL")}


def _check_attachments(store: Store, paths: AppPaths) -> int:
    """Every attachment a progress row points to is there, whole."""
    count = 0
    for row in store.query("SELECT attachments FROM task_progress WHERE attachments IS NOT NULL "
                           "AND deleted_at IS NULL"):
        for rel in json.loads(row["attachments"]):
            path = paths.attachments_dir / rel
            _expect(path.is_file(), f"an attachment a row points to is missing: {rel}")
            _expect(path.read_bytes() == attachment_bytes(path.name), f"an attachment is cut short: {rel}")
            count += 1
    return count


def _check(mode: str, run: harness.CutRun, context: dict) -> dict:
    paths = AppPaths(run.survived)
    problems = backups.integrity_problems(paths.db_file)
    _expect(problems == [], f"database damaged: {problems[:3]}")
    reported = run.reported
    figures = {"reported": len(reported)}
    store = Store(paths.db_file)
    try:
        if mode == "dossier":
            rows = [v for k, v in reported if k == "row"]
            lost = set(rows) - _ids(store, "dossiers")
            _expect(not lost, f"{len(lost)} of {len(rows)} dossiers reported saved are gone")
        elif mode == "export":
            rows = [v for k, v in reported if k == "row"]
            _expect(not set(rows) - _ids(store, "staff"), "rows reported saved are gone")
            listed = {r["file_name"]: r for r in store.query("SELECT * FROM sync_outbox")}
            _expect({v for k, v in reported if k == "bundle"} <= {r["bundle_id"] for r in listed.values()},
                    "a reported bundle is not in the outbox")
            public = identity.commune_keypair(paths).public
            for name in listed:
                _expect((paths.outbox_dir / name).is_file(), f"a listed bundle file is gone: {name}")
            for path in paths.outbox_dir.glob("*.zip"):
                try:
                    opened = bundlemod.open_bundle(path, lambda m: public)
                except Exception as exc:  # noqa: BLE001 - any refusal means a broken file under its final name
                    raise Broken(f"outbox bundle not whole: {path.name}: {exc!r}") from exc
                if path.name in listed:
                    _expect(len(opened.records()) == listed[path.name]["records"], "listed record count differs")
            figures["bundles"] = len(listed)
        elif mode == "backup":
            rows = [v for k, v in reported if k == "row"]
            _expect(not set(rows) - _ids(store, "task_progress"), "progress notes reported saved are gone")
            figures["attachments"] = _check_attachments(store, paths)
            names = {b.path.name: b.path for b in backups.list_backups(paths.backups_dir)}
            for name in (v for k, v in reported if k == "backup"):
                _expect(name in names, f"a reported backup is gone: {name}")
            for path in names.values():
                try:
                    backups.verify_backup(path)
                except Exception as exc:  # noqa: BLE001
                    raise Broken(f"the backup list shows an unsound backup: {path.name}: {exc!r}") from exc
        elif mode == "restore":
            state: set[str] = set()
            gone: set[str] = set()
            snapshots: dict[str, set[str]] = {}
            pending = None
            for kind, value in reported:
                if kind == "row":
                    state.add(value)
                elif kind == "backup":
                    snapshots[value] = set(state)
                elif kind == "restoring":
                    pending = value
                elif kind == "restored":
                    gone |= state - snapshots[value]
                    state, pending = set(snapshots[value]), None
            actual = _ids(store, "task_progress")
            as_before = state <= actual and not (gone & actual)
            as_restored = pending is not None and actual == snapshots[pending]
            _expect(as_before or as_restored,
                    f"neither the state before the restore nor the backup's: missing {len(state - actual)}, "
                    f"came back {len(gone & actual)}, restore in progress: {pending}")
            figures["attachments"] = _check_attachments(store, paths)
        elif mode == "import":
            applied = {r["bundle_id"] for r in store.query("SELECT bundle_id FROM sync_inbox")}
            _expect({v for k, v in reported if k == "applied"} <= applied, "a reported import is not recorded")
            for bundle_id in applied:
                for name, data in context[bundle_id].items():
                    path = paths.attachments_dir / "province" / f"{bundle_id[:8]}-{name}"
                    _expect(path.is_file(), f"bundle recorded as applied, attachment missing: {path.name}")
                    _expect(hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest(),
                            f"bundle recorded as applied, attachment cut short: {path.name}")
            figures["applied"] = len(applied)
    finally:
        store.close()
    # Opening it as the app does after the reboot works too (and leaves it sound).
    open_workspace(paths).close()
    return figures


def _cut_points(total: int, count: int, seed: str) -> list[int]:
    rng = random.Random(seed)
    half = max(1, count // 2)
    systematic = {1 + (total - 1) * i // max(1, half - 1) for i in range(half)}
    randoms = {rng.randint(1, total) for _ in range(count - half)}
    return sorted(systematic | randoms)


def _campaign(tmp_path: Path, mode: str, count: int, env: dict | None = None, *, eager_names: bool = False):
    base, extra, context = _baseline(tmp_path, mode)
    work = tmp_path / "run"
    full = harness.run_cut(base, work, mode, None, extra=extra, env=env, eager_names=eager_names)
    assert full.writer_finished, "the writer did not finish its run"
    results = []
    # The first "cut" is at the end of the whole run (what was never synced is dropped there too).
    for point in [None, *_cut_points(full.ops, count, f"powercut-{mode}")]:
        run = full if point is None else harness.run_cut(base, work, mode, point, extra=extra, env=env,
                                                         eager_names=eager_names)
        try:
            figures = _check(mode, run, context)
            results.append((point, None, figures))
        except Broken as exc:
            results.append((point, str(exc), {}))
    return full, results


@pytest.mark.parametrize("mode", MODES)
def test_power_cut_loses_nothing_reported_saved(tmp_path, mode):
    full, results = _campaign(tmp_path, mode, CUTS)
    failures = [(point, why) for point, why, _ in results if why]
    reported = sum(f.get("reported", 0) for _, _, f in results)
    print(f"\n{mode}: {len(results)} cuts over {full.ops} operations (a whole run reports "
          f"{len(full.reported)} saves); {reported} saves reported before the cuts, all present")
    assert not failures, f"{len(failures)} cuts broke an invariant, first: {failures[0]}"
    assert len(results) >= min(CUTS, full.ops) // 2


@pytest.mark.parametrize("mode", MODES)
def test_power_cut_with_names_kept_but_unsynced_bytes_lost(tmp_path, mode):
    """The other outcome of a cut: every rename/creation/deletion survived, unsynced bytes did not."""
    full, results = _campaign(tmp_path, mode, max(4, CUTS // 2), eager_names=True)
    failures = [(point, why) for point, why, _ in results if why]
    print(f"\n{mode} (names kept): {len(results)} cuts over {full.ops} operations, "
          f"{sum(f.get('reported', 0) for _, _, f in results)} saves reported before them, all present")
    assert not failures, f"{len(failures)} cuts broke an invariant, first: {failures[0]}"


NEGATIVE = [("dossier", "sync_off"), ("export", "no_fsync"), ("backup", "no_fsync"), ("restore", "no_fsync"),
            ("import", "no_fsync")]


@pytest.mark.parametrize("mode,weakening", NEGATIVE)
def test_power_cut_catches_missing_durability(tmp_path, mode, weakening):
    """With the protection removed the same campaign must find a loss: the test can fail."""
    _, results = _campaign(tmp_path, mode, max(4, CUTS // 2), env={"POWERCUT_BREAK": weakening})
    caught = [(point, why) for point, why, _ in results if why]
    print(f"\n{mode} with {weakening}: {len(caught)} of {len(results)} cuts broke an invariant; "
          f"first: {caught[0][1] if caught else ''}")
    assert caught, f"{mode} without durability ({weakening}) passed {len(results)} cuts: the test cannot tell"


def test_the_file_system_drops_what_was_not_synced(tmp_path):
    """The layer itself: written-not-synced is gone, synced stays, an unsynced rename is undone."""
    import subprocess
    import sys

    base = tmp_path / "base"
    (base / "ws").mkdir(parents=True)
    (base / "ws" / "old.txt").write_bytes(b"old")
    script = tmp_path / "script.py"
    script.write_text(
        "import os, sys\n"
        "d = sys.argv[1]\n"
        "def put(name, data, sync):\n"
        "    fd = os.open(os.path.join(d, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)\n"
        "    os.write(fd, data)\n"
        "    sync and os.fsync(fd)\n"
        "    os.close(fd)\n"
        "put('synced.txt', b'kept', True)\n"
        "put('unsynced.txt', b'lost', False)\n"
        "dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)\n"
        "put('late.txt', b'late', True)\n"  # its folder is never synced again
        "os.rename(os.path.join(d, 'old.txt'), os.path.join(d, 'renamed.txt'))\n")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    fs = subprocess.Popen([sys.executable, "-m", "tests.proof.powercut.memfs", str(mnt), str(base), str(tmp_path / "out")],
                          cwd=harness.ROOT, env=harness._env(None))
    try:
        import time

        while not os.path.ismount(mnt):
            time.sleep(0.02)
        subprocess.run([sys.executable, str(script), str(mnt / "ws")], check=True)
        assert (mnt / "ws" / "unsynced.txt").read_bytes() == b"lost"  # programs see it before the cut
    finally:
        harness._unmount(mnt)
        fs.wait(timeout=20)
    left = tmp_path / "out" / "ws"
    assert (left / "synced.txt").read_bytes() == b"kept"
    assert (left / "unsynced.txt").read_bytes() == b""  # its name was synced, its bytes never
    assert not (left / "late.txt").exists()
    assert (left / "old.txt").read_bytes() == b"old" and not (left / "renamed.txt").exists()
    shutil.rmtree(tmp_path / "out")


def test_names_kept_model_catches_a_rename_before_the_bytes_are_synced(tmp_path):
    """Negative check of the second model: without fsync, a bundle renamed into the outbox is empty."""
    _, results = _campaign(tmp_path, "export", max(4, CUTS // 2), env={"POWERCUT_BREAK": "no_fsync"},
                           eager_names=True)
    caught = [why for _, why, _ in results if why]
    print(f"\nexport with no_fsync, names kept: {len(caught)} of {len(results)} cuts broke an invariant; "
          f"first: {caught[0] if caught else ''}")
    assert any("not whole" in why for why in caught), caught[:3]
