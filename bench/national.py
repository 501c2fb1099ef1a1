"""The national simulation (issue 19): every commune of the country sends its first year to one hub
on PostgreSQL, through `hub serve --workers N`, from concurrent clients.

The country after the 2025 reorganisation: 34 provinces, 3,321 commune-level units. The unit list
this app ships is Quảng Ngãi's 96 (resources/reference/units_quang_ngai_2025.csv): those 96 are
real codes; the other 3,225 are SYNTHETIC codes 90000… spread over 33 synthetic provinces (the
hub stores any unit registered with it; the province dashboard shows the 96 it knows, which is
the "one province" measured below).

Data: a year of demo data (core.demo: dossiers, daily tallies, checklists, tasks — ~3,700 records
per commune) made for a few template communes by the app itself and cut into real signed bundles
(core.sync.outbox). Each unit's bundle is a template's records with every UUID made the unit's own
(its first 8 hex digits replaced by the unit's number), `origin` set to the unit, signed with the
unit's own new key, its key registered at the hub. Made before the clock starts (not measured).

Measured, in one run:
- **ingest**: every unit's bundle uploaded over HTTP by C concurrent clients to `hub serve
  --workers N` on 127.0.0.1, until the last is applied — budget < 15 minutes for the whole
  country (3,321 units) on this machine;
- **baseline**: a bare COPY of the same rows (the hub's `rows` and `bundles` tables as the
  ingest left them, written to a file first) into the same tables, with their indexes, of a fresh
  database on the same server — budget: ingest ≤ 3x it;
- **dashboard**: GET / of the province dashboard (Quảng Ngãi's 96 units, a logged-in officer),
  every 0.5 s while the uploads run — budget ≤ 100 ms (median; p95 reported).

    python -m bench.national [--quick] [--units N | --sample N] [--clients C] [--workers W] [--templates K]
      --quick: 40 units, 4 clients (about a minute), all of them the province's (the dashboard's worst case).
      --sample N: N units drawn as the country is made (3% the province's): the full run's mix, smaller.
      Full: 3,321 units.
      MOTCUA_BENCH_POSTGRES=postgresql://… uses that server (superuser) instead of a throwaway cluster.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.common import ROOT, report

COUNTRY_UNITS = 3321
PROVINCES = 34
SYNTHETIC_BASE = 90000
API = "/api/v1"
PASSWORD = "mat-khau-bench-quoc-gia"
BUDGET_SECONDS = 15 * 60

# The first 8 hex digits of a UUID (not inside a longer hex run).
_UUID_HEAD = re.compile(rb"(?<![0-9a-f])[0-9a-f]{8}(?=-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f]))")


# -- PostgreSQL -------------------------------------------------------------------------------------

def start_server(folder: Path, port: int) -> str:
    """A cluster for the bench with a durable hub's settings (fsync and synchronous commit ON, unlike
    the tests' throwaway cluster), sized for this 2-core, 23 GB machine (docs/DEPLOY_HUB.md)."""
    from tests import pg_cluster

    bin_dir = pg_cluster.binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix" and os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(pg_cluster._as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, stdout=subprocess.DEVNULL)
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
               "-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=15min -c work_mem=16MB "
               "-c maintenance_work_mem=256MB -c max_connections=200 -c wal_buffers=64MB "
               "-c effective_cache_size=8GB -c random_page_cost=1.1")
    subprocess.run(pg_cluster._as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l",
                                                 str(folder / "log"), "-o", options, "-w", "-t", "120", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def stop_server(folder: Path) -> None:
    from tests import pg_cluster

    pg_cluster.stop(folder)


def create_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    return server.rsplit("/", 1)[0] + f"/{name}"


# -- the units and their bundles ------------------------------------------------------------------------

def country_units(count: int, proportional: bool = False) -> list[tuple[int, str, int]]:
    """(index, code, province) for `count` units: Quảng Ngãi's 96 real codes (province 1), then
    synthetic codes 90000… over provinces 2…34. proportional: the province's share of `count` as
    in the whole country (96 of 3,321, at least one), the rest synthetic — a sample of the country's
    uploads, where most uploads are other provinces' (`--sample`)."""
    from core.units import all_units

    real = [u.code for u in all_units()]
    if proportional and count < COUNTRY_UNITS:
        real = real[:max(1, round(count * len(real) / COUNTRY_UNITS))]
    units = [(i, code, 1) for i, code in enumerate(real[:count])]
    per_province = (COUNTRY_UNITS - len(real)) / (PROVINCES - 1)
    for n in range(count - len(units)):
        units.append((len(units), str(SYNTHETIC_BASE + n), 2 + min(PROVINCES - 2, int(n // per_province))))
    return units


def make_template(args: tuple[str, str, int]) -> dict:
    """One commune with a year of demo data, cut into one signed bundle by the app itself."""
    root, code, seed = args
    from core import demo
    from core.paths import AppPaths
    from core.sync import identity, outbox
    from core.workspace import initialise, open_workspace

    paths = AppPaths(Path(root) / f"template-{code}").ensure()
    store = open_workspace(paths)
    initialise(store, code, ["Cán bộ một cửa", "Cán bộ văn phòng"])
    identity.configure(store, paths)
    demo.fill(store, seed=seed)
    cut = outbox.cut_bundle(store, paths, max_changes=1_000_000)
    store.close()
    with zipfile.ZipFile(cut.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        records = zf.read("records.jsonl")
    # The records cut where every UUID's first 8 hex digits are: a unit's copy is one join.
    return {"code": code, "manifest": manifest, "pieces": _UUID_HEAD.split(records)}


def unit_bundle(template: dict, index: int, code: str) -> tuple[bytes, str, int]:
    """The template's bundle made the unit's own: (zip bytes, public key text, records)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from core.clock import utc_iso
    from core.sync import keys

    head = f"{index + 1:08x}".encode()  # never the template's own (UUIDv7 heads are timestamps)
    records = head.join(template["pieces"])
    old = template["code"].encode()
    records = records.replace(b'"origin":"' + old + b'"', b'"origin":"' + code.encode() + b'"')
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    manifest = dict(template["manifest"])
    manifest.update({
        "bundle_id": str(uuid.uuid4()), "source": code, "created_at": utc_iso(),
        "device": head.decode() + manifest["device"][8:],
        "members": {"records.jsonl": {"sha256": hashlib.sha256(records).hexdigest(), "size": len(records)}},
        "signer_fingerprint": keys.fingerprint(public)})
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("records.jsonl", records)
        zf.writestr("manifest.json", manifest_bytes)
        zf.writestr("signature.ed25519", base64.b64encode(private.sign(manifest_bytes)) + b"\n")
    return out.getvalue(), keys.public_key_text(public), manifest["record_count"]


def make_bundles(args: tuple[str, list[dict], list[tuple[int, str, int]]]) -> list[dict]:
    folder, templates, units = args
    made = []
    for index, code, province in units:
        data, key, records = unit_bundle(templates[index % len(templates)], index, code)
        path = Path(folder) / f"{code}.zip"
        path.write_bytes(data)
        made.append({"index": index, "code": code, "province": province, "key": key, "records": records, "path": str(path)})
    return made


def register_all(paths, made: list[dict]) -> None:
    """Every unit's key at the hub in one transaction (synthetic codes are not in the app's unit list,
    so not through `hub register`, which checks the list)."""
    from core.clock import utc_iso
    from core.hub.store import open_hub
    from core.sync import keys

    now = utc_iso()
    rows = [(m["code"], m["key"], keys.fingerprint(m["key"]), now) for m in made]
    with open_hub(paths) as hub:
        with hub.transaction() as conn:
            conn.executemany("INSERT INTO units(code, public_key, fingerprint, registered_at) VALUES (?, ?, ?, ?)", rows)
            conn.executemany("INSERT INTO device_keys(unit, public_key, fingerprint, registered_at, registered_by) "
                             "VALUES (?, ?, ?, ?, 'bench')", rows)


# -- the run ------------------------------------------------------------------------------------------------

def _cli(args: list[str], env: dict, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"main.py {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_hub(hub_dir: Path, workers: int, env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = open(hub_dir.parent / "hub-serve.log", "wb")
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "hub", "serve", "--data-dir", str(hub_dir),
                               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}{API}/health", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"hub serve exited: see {hub_dir.parent / 'hub-serve.log'}")
        time.sleep(0.2)
    server.kill()
    raise SystemExit("hub did not start")


def upload_all(url: str, made: list[dict], clients: int) -> tuple[float, dict, list[float]]:
    """Every unit's bundle, `clients` at a time; 429/503 retried after Retry-After. (seconds, statuses, latencies)."""
    work: queue.Queue = queue.Queue()
    for m in made:
        work.put(m)
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def client_loop(_):
        with httpx.Client(base_url=url, timeout=600) as client:
            while True:
                try:
                    m = work.get_nowait()
                except queue.Empty:
                    return
                data = Path(m["path"]).read_bytes()
                for attempt in range(50):
                    start = time.perf_counter()
                    try:
                        answer = client.post(f"{API}/bundles", content=data,
                                             headers={"Content-Type": "application/zip"})
                    except httpx.HTTPError:
                        time.sleep(1)
                        continue
                    if answer.status_code in (429, 503):
                        time.sleep(float(answer.headers.get("retry-after", "1")))
                        continue
                    try:
                        status = answer.json().get("status", f"http {answer.status_code}")
                    except ValueError:
                        status = f"http {answer.status_code}"
                    with lock:
                        latencies.append(time.perf_counter() - start)
                        statuses[status] = statuses.get(status, 0) + 1
                        if status != "applied":
                            statuses.setdefault("examples", []).append(answer.text[:300]) if len(
                                statuses.get("examples", [])) < 3 else None
                    break

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client_loop, range(clients)))
    return time.perf_counter() - start, statuses, latencies


class DashboardProbe(threading.Thread):
    """GET / as a logged-in officer every `every` seconds until stopped (client-side latency)."""

    def __init__(self, url: str, user: str, every: float = 0.5):
        super().__init__(daemon=True)
        self.url, self.user, self.every = url, user, every
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        sys.path.insert(0, str(ROOT / "tests" / "core" / "hub"))
        from web_login import login

        with httpx.Client(base_url=self.url, timeout=60) as client:
            login(client, self.user, PASSWORD).raise_for_status()
            client.get("/")  # the first view computes what the cache keeps
            while not self.stop.is_set():
                start = time.perf_counter()
                answer = client.get("/")
                elapsed = time.perf_counter() - start
                if answer.status_code == 200:
                    self.latencies.append(elapsed)
                else:
                    self.failures.append(f"{answer.status_code}")
                self.stop.wait(self.every)


def bare_copy_baseline(server: str, hub_url: str, dump: Path) -> float:
    """COPY the ingested `rows` and `bundles` out to a file, then time a bare COPY of them into the same
    tables (same schema, same indexes) of a fresh database."""
    import psycopg

    from core.hub import pg_schema
    from core.hub.database import PostgresHubDatabase

    tables = ("rows", "bundles")
    with psycopg.connect(hub_url) as src:
        for table in tables:
            with open(dump / f"{table}.copy", "wb") as out, src.cursor().copy(
                    f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                for chunk in copy:
                    out.write(chunk)
    # The hub's database has served its purpose (its rows are counted and in the file): dropped first,
    # so that the country's rows are not on the disk three times at once (~15 GB each at full size).
    import psycopg as _pg

    with _pg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{hub_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    bare_url = create_database(server, "bench_bare_copy")
    with PostgresHubDatabase(bare_url) as db:
        pg_schema.migrate(db)
    with psycopg.connect(bare_url) as dst:
        start = time.perf_counter()
        with dst.transaction():
            for table in tables:
                with open(dump / f"{table}.copy", "rb") as f, dst.cursor().copy(
                        f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
        elapsed = time.perf_counter() - start
    for table in tables:
        (dump / f"{table}.copy").unlink()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--units", type=int)
    parser.add_argument("--sample", type=int, metavar="N",
                        help="N units sampled as the country is made (3%% of them the province's), not its first N")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--templates", type=int)
    parser.add_argument("--store", choices=("postgresql", "sqlite"), default="postgresql",
                        help="sqlite: the same run against the embedded store (one process; no COPY baseline)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    args = parser.parse_args(argv)
    units = args.sample or args.units or (40 if args.quick else COUNTRY_UNITS)
    clients = args.clients or (4 if args.quick else 8)
    templates = args.templates or (2 if args.quick else 6)
    tmp = Path(tempfile.mkdtemp(prefix="motcua-national-"))
    on_pg = args.store == "postgresql"
    workers = args.workers if on_pg else 1
    own_server = on_pg and not os.environ.get("MOTCUA_BENCH_POSTGRES")
    pg_dir = Path(tempfile.mkdtemp(prefix="motcua-national-pg-"))  # its own: the server runs as postgres
    server_proc = None
    try:
        hub_dir = tmp / "hub"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("MOTCUA_HUB_DATABASE", None)
        if on_pg:
            server = os.environ.get("MOTCUA_BENCH_POSTGRES") or start_server(pg_dir, _free_port())
            hub_url = create_database(server, "motcua_hub_national")
            _cli(["hub", "init", "--database", hub_url, "--data-dir", str(hub_dir)], env)
        else:
            _cli(["hub", "init", "--data-dir", str(hub_dir)], env)
        _cli(["hub", "user", "add", "bench", "--role", "viewer", "--password-stdin", "--data-dir", str(hub_dir)],
             env, stdin=PASSWORD + "\n")

        start = time.perf_counter()
        from core.units import all_units

        codes = [u.code for u in all_units()]
        with ProcessPoolExecutor(max_workers=2) as pool:
            made_templates = list(pool.map(make_template, [(str(tmp), codes[i], 100 + i) for i in range(templates)]))
        plan = country_units(units, proportional=bool(args.sample))
        bundles_dir = tmp / "bundles"
        bundles_dir.mkdir()
        chunks = [plan[i::8] for i in range(8)]
        with ProcessPoolExecutor(max_workers=2) as pool:
            made = [m for part in pool.map(make_bundles, [(str(bundles_dir), made_templates, c) for c in chunks])
                    for m in part]
        # Uploads in a fixed shuffled order: the province's 96 units (whose dashboard figures are recomputed
        # after each of their uploads) spread over the run, as the country's communes would be.
        made.sort(key=lambda m: m["index"])
        import random

        random.Random(19).shuffle(made)
        from core.hub.store import hub_paths

        register_all(hub_paths(hub_dir), made)
        records = sum(m["records"] for m in made)
        size = sum(Path(m["path"]).stat().st_size for m in made)
        print(f"(setup: {len(made):,} units — {sum(1 for m in made if m['province'] == 1)} real codes of Quảng Ngãi, "
              f"the rest synthetic — {records:,} records, {size / 1e6:.0f} MB of bundles from {templates} template "
              f"communes; made in {time.perf_counter() - start:.0f} s, not measured)", flush=True)

        server_proc, url = start_hub(hub_dir, workers, env)
        probe = DashboardProbe(url, "bench")
        probe.start()
        time.sleep(2)
        seconds, statuses, latencies = upload_all(url, made, clients)
        probe.stop.set()
        probe.join(timeout=120)
        server_proc.terminate()
        server_proc.wait(timeout=60)
        server_proc = None

        from core.hub.store import open_hub

        with open_hub(hub_paths(hub_dir)) as hub:
            stored = hub.scalar("SELECT count(*) FROM rows")
            applied = hub.scalar("SELECT count(*) FROM bundles WHERE kind = 'changes'")
        ok = statuses.get("applied", 0) == len(made) and applied == len(made) and stored == records
        print(f"  uploads: {statuses.get('applied', 0):,} applied of {len(made):,} "
              f"({ {k: v for k, v in statuses.items() if k != 'examples'} }); hub holds {applied:,} bundles, "
              f"{stored:,} rows (sent {records:,}) — {'all there, once' if ok else 'MISMATCH'}", flush=True)
        if statuses.get("examples"):
            print("  examples:", statuses["examples"], flush=True)
        if not ok:
            print("  NOT MEASURED: the hub did not apply every upload exactly once (hub-serve.log).", flush=True)
            return 1
        if latencies:
            ordered = sorted(latencies)
            print(f"  upload latency: p50 {ordered[len(ordered) // 2]:.2f} s, p95 "
                  f"{ordered[int(len(ordered) * 0.95)]:.2f} s; {stored / seconds:,.0f} rows/s", flush=True)

        scale = "the whole country" if units >= COUNTRY_UNITS else f"{units:,} of the country's {COUNTRY_UNITS:,} units"
        what = (f"national ingest: {len(made):,} units x a year ({stored:,} rows) over HTTP, {clients} clients, "
                f"hub serve --workers {workers} on {'PostgreSQL' if on_pg else 'SQLite'}")
        if on_pg:
            baseline = bare_copy_baseline(server, hub_url, tmp)
            report(what, seconds, "s", baseline, "bare COPY of the same rows into the same tables", "≤ 3x")
        else:
            report(what, seconds, "s")
        projected = seconds * COUNTRY_UNITS / len(made)
        report(f"national ingest ({scale}){'' if units >= COUNTRY_UNITS else ', projected linearly to 3,321 units'}",
               projected, "s", budget=f"< {BUDGET_SECONDS} s (15 min)")
        if probe.latencies:
            ordered = sorted(probe.latencies)
            report(f"dashboard GET / for one province (Quảng Ngãi, 96 units) while uploads run "
                   f"({len(ordered)} views, p95 {ordered[int(len(ordered) * 0.95)] * 1000:.0f} ms)",
                   statistics.median(ordered) * 1000, "ms", budget="≤ 100 ms")
        if probe.failures:
            print(f"  dashboard failures: {probe.failures[:5]}", flush=True)
        return 0 if ok else 1
    finally:
        if server_proc is not None:
            server_proc.kill()
        if own_server:
            stop_server(pg_dir)
            shutil.rmtree(pg_dir, ignore_errors=True)
        if args.keep:
            print(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
