"""How the key operations grow with data size: 1k / 10k / 100k / 1M rows (issue 9).

- dossier indicators: a year's indicators (`compute_indicators`) over a register of N dossiers;
- task search: a folded two-word search (`list_tasks`, 1,000-row cap) over N tasks;
- bundle export: `cut_bundle` until N changed dossier rows are in bundles (query, JSON Lines, zip,
  sign, fsync; at most 50,000 changes a bundle);
- hub apply: the hub ingesting those bundles (`ingest_bytes`: verify, parse, check, upsert).

Rows are written through `Store.insert_many` (triggers, change log and search index included).
Each size uses fresh databases. A size is skipped when building the previous one took more
than the time guard (so a slow machine still finishes).

    python -m bench.growth [--quick]      (--quick: 1k and 10k)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.common import _record, median_time
from bench.sync import _dossier_rows
from core.dossiers.indicators import compute_indicators
from core.dossiers.periods import period_for
from core.hub import ingest
from core.hub import store as hubstore
from core.paths import AppPaths
from core.sync import identity, outbox
from core.tasks.queries import TaskFilter, list_tasks
from core.workspace import initialise, open_workspace

TODAY = dt.date(2025, 9, 15)
BUILD_GUARD_S = 150  # the next size is ten times bigger: skip it past this
CHUNK = 50_000
VERBS = ["Rà soát", "Triển khai", "Tổ chức", "Báo cáo", "Kiểm tra", "Cập nhật", "Số hóa", "Hướng dẫn"]
OBJECTS = ["hồ sơ thủ tục hành chính", "trụ sở làm việc", "dữ liệu hộ tịch", "dịch vụ công trực tuyến",
           "chữ ký số công vụ", "thiết bị điểm cầu", "an toàn thông tin", "thanh toán trực tuyến"]
UNITS = ["UBND các xã, phường", "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Công an tỉnh", "Văn phòng UBND tỉnh"]


def growth(operation: str, rows: int, seconds: float) -> None:
    value = seconds * 1000 if seconds < 1 else seconds
    unit = "ms" if seconds < 1 else "s"
    print(f"growth: {operation} @ {rows:,} rows: {value:.3f} {unit}", flush=True)
    _record({"kind": "growth", "operation": operation, "rows": rows, "value": value, "unit": unit,
             "name": f"{operation} @ {rows:,}"})


def _insert_chunked(store, table: str, make, n: int) -> None:
    for start in range(0, n, CHUNK):
        store.insert_many(table, make(min(CHUNK, n - start), start))


def dossiers_and_bundle(root: Path, n: int, repeat: int) -> float:
    """Indicators, export and hub apply over N dossiers; returns the build time."""
    paths = AppPaths(root / "commune").ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Cán bộ một cửa"])
    identity.configure(store, paths)
    rng = random.Random(n)
    start = time.perf_counter()
    _insert_chunked(store, "dossiers", lambda k, offset: _offset_codes(_dossier_rows(k, rng), offset), n)
    store.conn.execute("ANALYZE")
    built = time.perf_counter() - start
    print(f"(built {n:,} dossiers in {built:.1f} s — not measured)", flush=True)

    year = period_for("year", dt.date(2025, 6, 1))
    compute_indicators(store, year)  # warm the page cache, as a page that is open would be
    growth("dossier indicators, a year", n, median_time(lambda: compute_indicators(store, year), repeat))

    start = time.perf_counter()
    bundles = []
    while True:  # a backlog this size is cut into several bundles (at most 50,000 changes each)
        cut = outbox.cut_bundle(store, paths)
        if not cut.bundle_id:
            break
        bundles.append(cut.path)
    growth("bundle export (cut_bundle until nothing is left)", n, time.perf_counter() - start)
    key = identity.describe(store, paths)["public_key"]
    store.close()

    hubstore.table_catalog()
    hub_paths = hubstore.HubPaths(root / "hub")
    hubstore.init_hub(hub_paths)
    hub = hubstore.open_hub(hub_paths)
    hubstore.register_unit(hub, "21484", key)
    seconds, refused = 0.0, None
    for path in bundles:
        data = path.read_bytes()
        start = time.perf_counter()
        result = ingest.ingest_bytes(hub_paths, hub, data, via="usb")
        seconds += time.perf_counter() - start
        path.unlink()
        if result.status != "applied":
            refused = f"refused ({result.reason}; {len(data) / 1e6:.0f} MB bundle)"
            break
    hub.close()
    if refused:
        # A finding, not a crash: the reader's limits (bundle.Limits) refuse what cut_bundle wrote.
        print(f"growth: hub apply @ {n:,} rows {refused}", flush=True)
        _record({"kind": "growth", "operation": "hub apply (ingest_bytes, every bundle)", "rows": n, "value": None,
                 "unit": "", "note": refused, "name": f"hub apply @ {n:,}"})
    else:
        growth("hub apply (ingest_bytes, every bundle)", n, seconds)
    return built


def _offset_codes(rows: list[dict], offset: int) -> list[dict]:
    for i, row in enumerate(rows):  # codes unique across chunks
        row["code"] = row["code"][:-6] + f"{offset + i:07d}"
    return rows


def _task_rows(directive_id: str, rng: random.Random, k: int, offset: int) -> list[dict]:
    rows = []
    for i in range(k):
        due = TODAY + dt.timedelta(days=rng.randint(-200, 300))
        rows.append({"directive_id": directive_id, "ref": f"{(offset + i) // 50 + 1}.{i % 50 + 1}",
                     "position": offset + i, "for_commune": rng.randint(0, 1), "deadline_kind": "date",
                     "content": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} đợt {offset + i}",
                     "lead_unit": rng.choice(UNITS), "deadline": due.isoformat(),
                     "deadline_text": f"trước ngày {due:%d/%m/%Y}"})
    return rows


def tasks(root: Path, n: int, repeat: int) -> float:
    paths = AppPaths(root / "tasks").ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Cán bộ một cửa"])
    directive_id = store.insert("local_directives", {"number": "1/UBND", "issued_on": "2025-01-02",
                                                     "issuer": "UBND tỉnh", "subject": "Chuyển đổi số"})
    rng = random.Random(n)
    start = time.perf_counter()
    _insert_chunked(store, "local_tasks", lambda k, offset: _task_rows(directive_id, rng, k, offset), n)
    store.conn.execute("ANALYZE")
    built = time.perf_counter() - start
    print(f"(built {n:,} tasks in {built:.1f} s — not measured)", flush=True)
    flt = TaskFilter(search="so hoa")
    list_tasks(store, flt, today=TODAY)  # warm
    growth("task search “so hoa” (list capped at 1,000 rows)", n,
           median_time(lambda: list_tasks(store, flt, today=TODAY), repeat))
    store.close()
    return built


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000]
    repeat = 5 if args.quick else 9
    started = time.perf_counter()
    for step in (dossiers_and_bundle, tasks):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                built = step(Path(tmp), n, repeat)
            if built > BUILD_GUARD_S:
                print(f"(building {n:,} rows took {built:.0f} s: larger sizes skipped)", flush=True)
                break
    print(f"growth: whole run {time.perf_counter() - started:.1f} s (builds included)", flush=True)


if __name__ == "__main__":
    main()
