"""Moving a province from SQLite to PostgreSQL (issue 19): `hub migrate-store` on a province hub.

The hub: 96 units x a year of demo data (bench.national's template bundles, ~360,000 rows),
applied to an SQLite hub by `ingest` (not measured). Measured: `migrate_store` (copy in batches
with per-batch progress, verification of every row of every table on both sides, switch), against
the in-run baseline: a bare COPY of the same tables' rows, read from the same SQLite file, into the
same PostgreSQL tables of a fresh database (no progress, no verification). Also shown: the copy and
the verification apart. No budget in the issue: reported so a province knows how long to plan the
service stop for.

    python -m bench.migrate_store [--quick]      (--quick: 24 units)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import report
from bench.national import _free_port, create_database, make_bundles, make_template, start_server, stop_server


def build_hub(root: Path, units: int):
    from core.hub import ingest
    from core.hub import store as hubstore
    from core.units import all_units
    from bench.national import country_units, register_all

    codes = [u.code for u in all_units()]
    templates = [make_template((str(root), codes[i], 200 + i)) for i in range(2)]
    made = make_bundles((str(root), templates, country_units(units)))
    paths = hubstore.HubPaths(root / "hub")
    os.environ.pop("MOTCUA_HUB_DATABASE", None)
    hubstore.init_hub(paths, database="")
    register_all(paths, made)
    with hubstore.open_hub(paths) as hub:
        for m in made:
            assert ingest.ingest_bytes(paths, hub, Path(m["path"]).read_bytes(), via="usb").status == "applied"
    return paths


def bare_copy(db_file: Path, url: str) -> float:
    import psycopg

    from core.hub import pg_schema
    from core.hub.database import PostgresHubDatabase

    with PostgresHubDatabase(url) as db:
        pg_schema.migrate(db)
        db.conn.execute("DELETE FROM hub_meta")
    source = sqlite3.connect(str(db_file))
    tables = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        with conn.transaction():
            for table in tables:
                columns = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
                names = ", ".join(f'"{c}"' for c in columns)
                with conn.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row(row)
        elapsed = time.perf_counter() - start
    source.close()
    return elapsed


def main(argv=None) -> int:
    from core.hub import migrate_store

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    units = 24 if args.quick else 96
    tmp = Path(tempfile.mkdtemp(prefix="motcua-migrate-bench-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="motcua-migrate-bench-pg-"))
    own = not os.environ.get("MOTCUA_BENCH_POSTGRES")
    try:
        server = os.environ.get("MOTCUA_BENCH_POSTGRES") or start_server(pg_dir, _free_port())
        start = time.perf_counter()
        paths = build_hub(tmp, units)
        rows = sqlite3.connect(str(paths.db_file)).execute("SELECT count(*) FROM rows").fetchone()[0]
        print(f"(setup: an SQLite hub of {units} units x a year, {rows:,} rows, made in "
              f"{time.perf_counter() - start:.0f} s — not measured)", flush=True)
        baseline = bare_copy(paths.db_file, create_database(server, "bench_migrate_bare"))
        url = create_database(server, "bench_migrate_target")
        phases: dict[str, float] = {}
        real_verify = migrate_store._verify_all

        def timed_verify(*a, **k):
            t = time.perf_counter()
            real_verify(*a, **k)
            phases["verify"] = time.perf_counter() - t

        migrate_store._verify_all = timed_verify
        start = time.perf_counter()
        result = migrate_store.migrate_store(paths, url)
        elapsed = time.perf_counter() - start
        assert result.switched and all(t.final_check.ok for t in result.tables)
        report(f"hub migrate-store, {units} units ({rows:,} rows): batched COPY with progress, "
               f"every row verified on both sides, switch", elapsed, "s", baseline,
               "bare COPY of the same tables' rows from the same file", "(none in the issue)")
        print(f"  of which verification (digest of every row, both sides): {phases.get('verify', 0):.2f} s", flush=True)
        return 0
    finally:
        if own:
            stop_server(pg_dir)
            shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
