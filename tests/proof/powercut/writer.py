"""The app at work on the power-cut file system: a bounded run of one kind of write.

    python -m tests.proof.powercut.writer MODE DATA_DIR [EXTRA]

Each line printed is something the app reported as saved (printed only after the app's
function returned): `row <id>`, `bundle <bundle_id>`, `backup <file name>`,
`restoring <file name>` (just before a restore starts), `restored <file name>`,
`applied <bundle_id>`.

POWERCUT_BREAK in the environment removes a protection, for the negative checks:
`sync_off` runs SQLite with `PRAGMA synchronous = OFF`; `no_fsync` turns `os.fsync` (every
fsync the app makes itself) into a no-op.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from core.paths import AppPaths
from core.workspace import open_workspace

ROUNDS = {"dossier": 30, "export": 8, "backup": 4, "restore": 2, "import": 6}


def say(kind: str, value: str) -> None:
    sys.stdout.write(f"{kind} {value}\n")
    sys.stdout.flush()


def break_durability(how: str) -> None:
    if how == "sync_off":
        import db.store

        original = db.store.connect

        def connect_without_sync(*args, **kwargs):
            conn = original(*args, **kwargs)
            conn.execute("PRAGMA synchronous = OFF")
            return conn
        db.store.connect = connect_without_sync
    elif how == "no_fsync":
        os.fsync = lambda fd: None
    elif how:
        raise SystemExit(f"unknown POWERCUT_BREAK {how}")


def attachment_bytes(name: str, size: int = 30_000) -> bytes:
    """Content that names itself, so a check can tell a whole file from a cut one."""
    line = (name + "\n").encode()
    return (line * (size // len(line) + 1))[:size]


def dossier(store, paths, extra) -> None:
    from core.clock import today_local
    from core.dossiers.register import add_dossier

    received = today_local() - dt.timedelta(days=1)
    for counter in range(1, ROUNDS["dossier"] + 1):
        code = f"000.00.53.H48-{received:%y%m%d}-{counter:07d}"
        say("row", add_dossier(store, {"code": code, "field": "Hộ tịch", "received_on": received.isoformat(),
                                       "channel": 1 + counter % 3, "components_digitised": counter % 2}))


def export(store, paths, extra) -> None:
    from core.sync import outbox

    for counter in range(ROUNDS["export"]):
        for i in range(1 + counter % 3):
            say("row", store.insert("staff", {"full_name": f"Cán bộ {counter}-{i}", "position": "x" * 300,
                                              "active": 1}))
        cut = outbox.cut_bundle(store, paths)
        if cut.bundle_id:
            say("bundle", cut.bundle_id)


def _progress_with_file(store, paths, task_id: str, label: str) -> str:
    from core.tasks.store import add_progress

    source = Path(os.environ["POWERCUT_SCRATCH"]) / f"{label}.txt"
    source.write_bytes(attachment_bytes(f"{label}.txt"))
    return add_progress(store, task_id, note=f"Tiến độ {label}", attachments=[source],
                        attachments_dir=paths.attachments_dir)


def _task_id(store) -> str:
    return store.scalar("SELECT id FROM local_tasks ORDER BY id LIMIT 1")


def backup(store, paths, extra) -> None:
    from core.backups import backup_now

    task = _task_id(store)
    for counter in range(ROUNDS["backup"]):
        say("row", _progress_with_file(store, paths, task, f"b{counter}"))
        say("backup", backup_now(store, paths).name)


def restore(store, paths, extra) -> None:
    from core.backups import backup_now, restore_from

    task = _task_id(store)
    for counter in range(ROUNDS["restore"]):
        say("row", _progress_with_file(store, paths, task, f"r{counter}a"))
        made = backup_now(store, paths)
        say("backup", made.name)
        say("row", _progress_with_file(store, paths, task, f"r{counter}b"))
        store.close()
        say("restoring", made.name)
        restore_from(paths, made)
        say("restored", made.name)
        store = open_workspace(paths)
    store.close()


def import_(store, paths, extra) -> None:
    from core.sync import inbox

    for path in sorted(Path(extra).glob("*.zip"))[:ROUNDS["import"]]:
        say("applied", inbox.import_bundle_file(store, paths, path).bundle_id)


def main() -> None:
    mode, data_dir = sys.argv[1], Path(sys.argv[2])
    extra = sys.argv[3] if len(sys.argv) > 3 else None
    break_durability(os.environ.get("POWERCUT_BREAK", ""))
    paths = AppPaths(data_dir)
    store = open_workspace(paths)
    say("ready", mode)
    {"dossier": dossier, "export": export, "backup": backup, "restore": restore, "import": import_}[mode](
        store, paths, extra)
    say("done", mode)


if __name__ == "__main__":
    main()
