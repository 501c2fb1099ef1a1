"""The hub's write path on PostgreSQL (issue 19): one big bundle applied vs a bare COPY.

- Apply: a PostgreSQL hub ingesting a signed bundle of 100,000 changed dossier rows (signature,
  hashes, COPY of the lines into a temporary table, parse, the same checks as on SQLite, upsert
  into `rows`, raw copy stored and fsynced, COMMIT) vs a bare COPY of the same rows — exactly the
  rows the hub ends up holding — into the same `rows` table of a fresh hub, in one transaction
  (budget ≤ 3x). Each into a fresh database, alternated, medians of REPEATS.

    python -m bench.hub_apply_pg [--quick] [--server postgresql://USER@HOST:PORT/postgres]

The server: --server (a superuser URL of a scratch server: a database is made per run), else
MOTCUA_TEST_POSTGRES, else a throwaway cluster started for the run (tests/pg_cluster.py, needs
Debian's postgresql). --quick: 20,000 rows, one run.
PG-D's national simulation (many units, concurrent clients) is a separate bench.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import report  # noqa: E402
from bench.sync import _dossier_rows  # noqa: E402
from core.hub import ingest  # noqa: E402
from core.hub import store as hubstore  # noqa: E402
from core.hub.database import PostgresHubDatabase  # noqa: E402
from core.paths import AppPaths  # noqa: E402
from core.sync import bundle as bundlemod  # noqa: E402
from core.sync import identity, outbox  # noqa: E402
from core.workspace import initialise, open_workspace  # noqa: E402

REPEATS = 3
COLUMNS = ("table_name", "row_id", "unit", "seq", "op", "updated_at", "deleted", "state", "received_at", "hlc",
           "device", "rev")


def _cpu(db) -> float:
    """CPU seconds used so far by this process and by the database server process serving `db`
    (Linux, server on this machine; 0 for the server part otherwise): on a shared machine wall
    times swing, CPU times less."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    mine = usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{db.conn.raw.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return mine + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return mine


def _hub_rows(data: bytes, unit: str, received_at: str) -> list[tuple]:
    """The `rows` entries the hub makes of the bundle (what the bare COPY writes)."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        text = zf.read(bundlemod.RECORDS).decode("utf-8")
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        record = json.loads(line)
        row = record["row"] or {}
        out.append((record["t"], record["id"], unit, record["seq"], record["op"], row.get("updated_at"),
                    1 if row.get("deleted_at") else 0, line, received_at, record.get("hlc"), record.get("dev"), n))
    return out


def _fresh_hub(root: Path, database: str, public_key: str) -> hubstore.HubPaths:
    paths = hubstore.HubPaths(root)
    hubstore.init_hub(paths, database)
    with hubstore.open_hub(paths) as hub:
        hubstore.register_unit(hub, "21484", public_key)
    return paths


def run(n: int, repeats: int, server: str | None) -> None:
    from tests import pg_cluster

    if server:
        os.environ[pg_cluster.ENV] = server
    if pg_cluster.server_url() is None:
        sys.exit(f"no PostgreSQL server: {pg_cluster.skip_reason()}")
    with tempfile.TemporaryDirectory(prefix="motcua-bench-pg-") as tmp:
        root = Path(tmp)
        paths = AppPaths(root / "commune").ensure()
        store = open_workspace(paths)
        initialise(store, "21484", ["Nguyễn Văn A"])
        identity.configure(store, paths)
        store.insert_many("dossiers", _dossier_rows(n, random.Random(1)))
        cut = outbox.cut_bundle(store, paths, max_changes=n + 1000)
        data = cut.path.read_bytes()
        public_key = identity.describe(store, paths)["public_key"]
        store.close()
        hubstore.table_catalog()  # computed once when a hub starts, not per bundle
        rows = _hub_rows(data, "21484", "2026-01-01T00:00:00.000Z")

        apply_times, copy_times, apply_cpu, copy_cpu, databases = [], [], [], [], []
        try:
            for attempt in range(repeats):
                url = pg_cluster.fresh_database()
                databases.append(url)
                hub_paths = _fresh_hub(root / f"hub{attempt}", url, public_key)
                with hubstore.open_hub(hub_paths) as hub:
                    start, cpu = time.perf_counter(), _cpu(hub)
                    result = ingest.ingest_bytes(hub_paths, hub, data, via="usb")
                    apply_times.append(time.perf_counter() - start)
                    apply_cpu.append(_cpu(hub) - cpu)
                    assert result.status == "applied", result
                    assert hub.scalar("SELECT count(*) FROM rows") == len(rows)

                bare_url = pg_cluster.fresh_database()
                databases.append(bare_url)
                _fresh_hub(root / f"bare{attempt}", bare_url, public_key)
                with PostgresHubDatabase(bare_url) as bare:
                    start, cpu = time.perf_counter(), _cpu(bare)
                    with bare.transaction(), bare.conn.raw.cursor() as cursor, \
                            cursor.copy(f"COPY rows ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    copy_times.append(time.perf_counter() - start)
                    copy_cpu.append(_cpu(bare) - cpu)
                    assert bare.scalar("SELECT count(*) FROM rows") == len(rows)
        finally:
            for url in databases:
                pg_cluster.drop_database(url)
    report(f"PostgreSQL hub applies the {n:,}-row bundle (verify, COPY, parse, check, upsert, store raw; "
           f"median of {repeats})", statistics.median(apply_times), "s", statistics.median(copy_times),
           "bare COPY of the same rows into the same rows table", "≤ 3x")
    print(f"  (CPU, this process and its database server process together: apply {statistics.median(apply_cpu):.3f} s, "
          f"bare COPY {statistics.median(copy_cpu):.3f} s, ratio "
          f"{statistics.median(apply_cpu) / statistics.median(copy_cpu):.2f}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--server", help="superuser URL of a scratch PostgreSQL server")
    args = parser.parse_args()
    run(20_000 if args.quick else 100_000, 1 if args.quick else REPEATS, args.server)


if __name__ == "__main__":
    main()
