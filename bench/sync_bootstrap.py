"""Bootstrap benchmark (issue 13): an empty replacement PC receives a year of its unit's data.

A commune PC makes a year of demo data (`demo-data`, every capability) plus a year of a large
ward's dossier register; its bundles are applied at a hub. A new, empty PC of the same unit
then receives the unit's whole history: the hub's `rows` bundles (signed by the province key)
are verified, parsed and applied (`core.sync.pull`: versions compared, change log written as
remote, unique keys checked, task state rebuilt). The figure is that apply, compared with a bare
`executemany` of the same rows, in
the same run. Budget: ≤ 3x.

The baseline puts the same rows into a fresh workspace's own tables with one `executemany` per
table (so it pays for their indexes and search indexes, as any write there does); the run also
prints, for reference, the same insert into tables with no index at all.

    python -m bench.sync_bootstrap [--quick]      (--quick: 5,000 extra dossiers instead of 30,000)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import report
from bench.sync import _dossier_rows
from core import demo
from core.hub import ingest
from core.hub import store as hubstore
from core.hub.unit_rows import MAX_PAGE_ROWS, rows_bundle
from core.paths import AppPaths
from core.sync import bundle as bundlemod
from core.sync import identity, outbox, pull
from core.workspace import initialise, open_workspace
from db.store import connect

UNIT = "21484"
REPEATS = 3


def _source(root: Path, extra_dossiers: int) -> tuple[hubstore.HubPaths, str]:
    hub_paths = hubstore.HubPaths(root / "hub")
    province = hubstore.init_hub(hub_paths)
    paths = AppPaths(root / "old-pc").ensure()
    store = open_workspace(paths)
    initialise(store, UNIT, ["Nguyễn Văn A", "Trần Thị B"])
    identity.configure(store, paths, province_key_text=province.public_text)
    demo.fill(store, seed=1)
    store.insert_many("dossiers", [dict(r, code=r["code"].replace("H48-", "H48-X")) for r in
                                   _dossier_rows(extra_dossiers, random.Random(2))])
    outbox.cut_pending(store, paths)
    with hubstore.open_hub(hub_paths) as hub:
        hubstore.register_unit(hub, UNIT, identity.describe(store, paths)["public_key"])
        for row in store.query("SELECT file_name FROM sync_outbox ORDER BY device_seq"):
            result = ingest.ingest_bytes(hub_paths, hub, (paths.outbox_dir / row["file_name"]).read_bytes(), via="usb")
            assert result.status == "applied", result
    store.close()
    return hub_paths, province.public_text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    extra = 5_000 if args.quick else 30_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hub_paths, province_key = _source(root, extra)
        pages = []
        with hubstore.open_hub(hub_paths) as hub:
            after, more = 0, True
            while more:
                path, manifest = rows_bundle(hub_paths, hub, UNIT, root / "pages", after=after, limit=MAX_PAGE_ROWS)
                pages.append(path.read_bytes())
                after, more = manifest["rev_to"], manifest["more"]
        apply_times, bare_times, plain_times, total = [], [], [], 0
        for attempt in range(REPEATS):
            paths = AppPaths(root / f"new-pc{attempt}").ensure()
            store = open_workspace(paths)
            initialise(store, UNIT, [])
            identity.configure(store, paths, province_key_text=province_key)
            key = identity.province_key(store)
            start = time.perf_counter()
            records = []
            for data in pages:
                opened = bundlemod.open_bundle_bytes(data, lambda m: key)
                pull.import_rows_bundle(store, opened, UNIT)
                records.extend(opened.records())
            apply_times.append(time.perf_counter() - start)
            total = len(records)
            by_table: dict[str, list[dict]] = {}
            for r in records:
                if r["row"] is not None:
                    by_table.setdefault(r["t"], []).append(r["row"])
            assert store.scalar("SELECT count(*) FROM dossiers") == len(by_table["dossiers"])
            store.close()
            # Baseline: the same rows put into a fresh workspace's own tables (their indexes and
            # search indexes: what any insert there costs) by one executemany per table, in one
            # transaction, values prepared before the clock starts.
            bare_paths = AppPaths(root / f"bare{attempt}").ensure()
            bare_store = open_workspace(bare_paths)
            initialise(bare_store, UNIT, [])
            prepared = []
            for table, rows in by_table.items():
                columns = sorted({c for row in rows for c in row})
                prepared.append((f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                                 f"VALUES ({', '.join('?' * len(columns))})",
                                 [tuple(row.get(c) for c in columns) for row in rows]))
            conn = bare_store.conn
            conn.execute("PRAGMA foreign_keys = OFF")
            start = time.perf_counter()
            conn.execute("BEGIN")
            for sql, values in prepared:
                conn.executemany(sql, values)
            conn.execute("COMMIT")
            bare_times.append(time.perf_counter() - start)
            bare_store.close()
            # For reference only: into schema-less tables (no index, no search index, no trigger).
            plain = connect(root / f"plain{attempt}.sqlite3")
            plain_prepared = []
            for table, rows in by_table.items():
                columns = sorted({c for row in rows for c in row})
                plain.execute(f"CREATE TABLE [{table}] ({', '.join(f'[{c}]' for c in columns)})")
                plain_prepared.append((f"INSERT INTO [{table}] VALUES ({', '.join('?' * len(columns))})",
                                       [tuple(row.get(c) for c in columns) for row in rows]))
            start = time.perf_counter()
            plain.execute("BEGIN")
            for sql, values in plain_prepared:
                plain.executemany(sql, values)
            plain.execute("COMMIT")
            plain_times.append(time.perf_counter() - start)
            plain.close()
        report(f"bootstrap an empty PC with a year of its unit's data ({total:,} rows in {len(pages)} rows "
               f"bundles: verify, parse, apply; median of {REPEATS})", statistics.median(apply_times), "s",
               statistics.median(bare_times), "bare executemany of the same rows into the workspace's tables",
               "≤ 3x")
        print(f"  (for reference: into tables without any index, search index or trigger: "
              f"{statistics.median(plain_times):.3f} s, ratio "
              f"{statistics.median(apply_times) / statistics.median(plain_times):.1f}x)", flush=True)


if __name__ == "__main__":
    main()
