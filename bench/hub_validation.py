"""What the hub's row validation (core/hub/validate.py) costs, measured apart (issue 13).

The same signed bundle of N dossier rows is ingested by fresh hubs, alternately with the
validation on and switched off, and a bare `executemany` of the same rows is timed in the same
loop (the baseline of the hub-apply budget in bench/sync.py, ≤ 3x). Medians of wall time, and of
this process's CPU time (every thread), which a busy machine disturbs less than wall time.

    python -m bench.hub_validation [--rows N] [--repeats R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.sync import _dossier_rows
from core.hub import ingest, validate
from core.hub import store as hubstore
from core.paths import AppPaths
from core.sync import identity, outbox
from core.workspace import initialise, open_workspace
from db.store import connect


class _NoChecks:
    def __init__(self, catalogue):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def feed(self, batches):
        return batches


def _switch(on: bool, real: tuple) -> None:
    if on:
        validate.LineChecker, validate.check_staged, validate.check_manifest, validate.check_keys = real
    else:
        validate.LineChecker = _NoChecks
        validate.check_staged = lambda *args, **kwargs: None
        validate.check_keys = lambda *args, **kwargs: None
        validate.check_manifest = lambda manifest: None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="motcua-bench-validate-"))
    paths = AppPaths(root / "commune").ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Nguyễn Văn A"])
    identity.configure(store, paths)
    store.insert_many("dossiers", _dossier_rows(args.rows, random.Random(1)))
    rows = store.query("SELECT * FROM dossiers")
    data = outbox.cut_bundle(store, paths, max_changes=args.rows + 1000).path.read_bytes()
    public_key = identity.describe(store, paths)["public_key"]
    store.close()
    hubstore.table_catalog()
    validate.catalogues()  # both computed once when a hub starts
    columns = list(rows[0])
    values = [tuple(r[c] for c in columns) for r in rows]
    real = (validate.LineChecker, validate.check_staged, validate.check_manifest, validate.check_keys)
    times: dict[str, list[tuple[float, float]]] = {"on": [], "off": [], "bare": []}
    try:
        for attempt in range(args.repeats):
            for mode in ("off", "on"):
                _switch(mode == "on", real)
                hub_paths = hubstore.HubPaths(root / f"hub-{attempt}-{mode}")
                hubstore.init_hub(hub_paths)
                hub = hubstore.open_hub(hub_paths)
                hubstore.register_unit(hub, "21484", public_key)
                wall, cpu = time.perf_counter(), time.process_time()
                result = ingest.ingest_bytes(hub_paths, hub, data, via="usb")
                times[mode].append((time.perf_counter() - wall, time.process_time() - cpu))
                assert result.status == "applied", result
                hub.close()
            bare = connect(root / f"bare-{attempt}.sqlite3")
            bare.execute(f"CREATE TABLE dossiers ({', '.join(columns)}, PRIMARY KEY (id))")
            wall, cpu = time.perf_counter(), time.process_time()
            bare.execute("BEGIN")
            bare.executemany(f"INSERT INTO dossiers VALUES ({', '.join('?' * len(columns))})", values)
            bare.execute("COMMIT")
            times["bare"].append((time.perf_counter() - wall, time.process_time() - cpu))
            bare.close()
    finally:
        _switch(True, real)
    median = {mode: (statistics.median(t[0] for t in v), statistics.median(t[1] for t in v))
              for mode, v in times.items()}
    for mode, label in (("on", "hub apply, validation on"), ("off", "hub apply, validation off"),
                        ("bare", "bare executemany")):
        print(f"{label}: wall {median[mode][0]:.3f} s, CPU {median[mode][1]:.3f} s", flush=True)
    print(f"validation: +{median['on'][0] - median['off'][0]:.3f} s wall, "
          f"+{median['on'][1] - median['off'][1]:.3f} s CPU for {args.rows:,} rows; ratio to bare executemany "
          f"{median['on'][0] / median['bare'][0]:.2f}x with, {median['off'][0] / median['bare'][0]:.2f}x without "
          f"(budget ≤ 3x, median of {args.repeats})", flush=True)


if __name__ == "__main__":
    main()
