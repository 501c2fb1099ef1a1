"""A writer process for the crash tests: writes through the app's own functions until killed.

    python crash_writer.py MODE DATA_DIR TAG

MODE is one of
- `dossier`: quick entry into the register (`core.dossiers.register.add_dossier`),
- `export`: a few new rows, then a bundle cut into the outbox (`core.sync.outbox.cut_bundle`),
- `backup`: a few new rows, then a backup (`core.backups.backup_now`).

A line is printed only after the function returned, i.e. after its COMMIT (or, for a
backup, after the file was fsynced and renamed): every printed line is something the app
reported as saved. `row <id>`, `bundle <bundle_id>`, `backup <file name>`.
"""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.paths import AppPaths  # noqa: E402
from core.workspace import open_workspace  # noqa: E402


def say(kind: str, value: str) -> None:
    sys.stdout.write(f"{kind} {value}\n")
    sys.stdout.flush()


def dossier_loop(store, tag: str) -> None:
    from core.clock import today_local
    from core.dossiers.register import add_dossier

    received = today_local() - dt.timedelta(days=1)
    stamp = received.strftime("%y%m%d")
    counter = 0
    while True:
        counter += 1
        # The tag keeps codes unique across writer processes on the same register.
        code = f"000.00.53.H48-{stamp}-{int(tag) * 10000 + counter:07d}"
        row_id = add_dossier(store, {"code": code, "field": "Hộ tịch", "received_on": received.isoformat(),
                                     "channel": 1 + counter % 3, "components_digitised": counter % 2})
        say("row", row_id)


def export_loop(store, paths, tag: str) -> None:
    from core.sync import outbox

    counter = 0
    while True:
        for _ in range(1 + counter % 3):
            counter += 1
            row_id = store.insert("staff", {"full_name": f"Cán bộ {tag}-{counter}", "position": "x" * 200,
                                            "active": 1})
            say("row", row_id)
        cut = outbox.cut_bundle(store, paths)
        if cut.bundle_id:
            say("bundle", cut.bundle_id)


def backup_loop(store, paths, tag: str) -> None:
    from core.backups import backup_now

    counter = 0
    while True:
        counter += 1
        row_id = store.insert("staff", {"full_name": f"Người {tag}-{counter}", "position": "y" * 500, "active": 1})
        say("row", row_id)
        made = backup_now(store, paths)
        say("backup", made.name)


def main() -> None:
    mode, data_dir, tag = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    paths = AppPaths(data_dir)
    store = open_workspace(paths)
    say("ready", tag)
    if mode == "dossier":
        dossier_loop(store, tag)
    elif mode == "export":
        export_loop(store, paths, tag)
    elif mode == "backup":
        backup_loop(store, paths, tag)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
