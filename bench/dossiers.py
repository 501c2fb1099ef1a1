"""Dossier counters benchmark (issue 4).

- 200,000 dossiers (ten years of a large ward): the indicators of a month and of a year
  vs the bare SQL aggregate of the same numbers (budget 150 ms and ≤ 1.5x);
- the counters page refresh (counters per field + indicators) (budget 200 ms, ≤ 1.5x);
- quick entry: Enter -> dossier saved -> the day's counters re-read (budget 50 ms);
- importing a 100,000-row .xlsx (check + commit) vs openpyxl alone reading the file (≤ 2x).

    python -m bench.dossiers [--quick]     (--quick: 20,000 dossiers, 10,000-row file)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from bench.common import report
from core.dossiers.excel_import import commit_import, plan_import
from core.dossiers.indicators import _FINISHED_SUMS, _RECEIVED_SUMS, _TALLY_SUMS, day_counts
from core.dossiers.overview import counters_snapshot
from core.dossiers.indicators import compute_indicators
from core.dossiers.periods import month_period, period_for
from core.dossiers.register import add_dossier, remove_dossier
from core.paths import AppPaths
from core.workspace import initialise, open_workspace

FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Bảo trợ xã hội", "Người có công", "Hoạt động xây dựng",
          "Thành lập và hoạt động của hộ kinh doanh", "Giáo dục và Đào tạo"]
TODAY = dt.date(2025, 12, 31)


def _row(rng: random.Random, day: dt.date, seq: int) -> dict:
    row = _base_row(rng, day, seq)
    if row["supplement_requests"]:
        row["supplement_days"] = rng.randint(1, 5)
    return row


def _base_row(rng: random.Random, day: dt.date, seq: int) -> dict:
    finished = day + dt.timedelta(days=rng.randint(0, 12))
    return {
        "code": f"000.00.53.H48-{day:%y%m%d}-{seq:04d}", "field": rng.choice(FIELDS),
        "procedure_name": "Thủ tục mẫu", "procedure_code": "1.001193.000.00.00.H48",
        "received_on": day.isoformat(), "promised_on": (day + dt.timedelta(days=7)).isoformat(),
        "finished_on": finished.isoformat() if finished <= TODAY else None,
        "channel": rng.choice((1, 1, 2, 2, 2, 3)), "components_digitised": rng.randint(0, 1),
        "result_digitised": rng.choice(("yes", "no", "not_applicable")), "data_reused": rng.randint(0, 1),
        "vneid_identified": rng.randint(0, 1), "fee": rng.choice(("paid_online", "paid_other", "no_fee")),
        # one dossier in 15 waited for papers (the on-time test then needs date())
        "supplement_requests": 1 if rng.random() < 1 / 15 else 0,
        "supplement_days": 0,
    }


def build_register(store, total: int) -> None:
    rng = random.Random(4)
    days = 3650
    per_day = total / days
    batch, made, carry = [], 0, 0.0
    with store.transaction():
        for offset in range(days, 0, -1):
            day = TODAY - dt.timedelta(days=offset - 1)
            carry += per_day
            count, carry = int(carry), carry - int(carry)
            for seq in range(1, count + 1):
                batch.append(_row(rng, day, seq))
            if len(batch) >= 20_000:
                store.insert_many("dossiers", batch)
                made += len(batch)
                batch = []
        store.insert_many("dossiers", batch)
        made += len(batch)
    store.conn.execute("ANALYZE")
    print(f"register: {made} dossiers over {days} days", flush=True)


def bare_aggregate(store, period) -> tuple:
    """The same numbers straight from SQL: received side, finished side, tallies."""
    args = (period.start_iso, period.end_iso)
    conn = store.conn
    return (conn.execute(f"SELECT {_RECEIVED_SUMS} FROM dossiers WHERE deleted_at IS NULL "
                         f"AND received_on BETWEEN ? AND ?", args).fetchone(),
            conn.execute(f"SELECT {_FINISHED_SUMS} FROM dossiers WHERE deleted_at IS NULL "
                         f"AND finished_on IS NOT NULL AND finished_on BETWEEN ? AND ?", args).fetchone(),
            conn.execute(f"SELECT {_TALLY_SUMS} FROM dossier_tallies WHERE deleted_at IS NULL "
                         f"AND day BETWEEN ? AND ?", args).fetchone())


def bare_by_field(store, period) -> tuple:
    """The counters page's numbers straight from SQL: per field, received side, finished side,
    tallies (the page's totals and indicators are sums of these rows)."""
    args = (period.start_iso, period.end_iso)
    conn = store.conn
    return (conn.execute(f"SELECT field, {_RECEIVED_SUMS} FROM dossiers WHERE deleted_at IS NULL "
                         f"AND received_on BETWEEN ? AND ? GROUP BY 1", args).fetchall(),
            conn.execute(f"SELECT field, {_FINISHED_SUMS} FROM dossiers WHERE deleted_at IS NULL "
                         f"AND finished_on IS NOT NULL AND finished_on BETWEEN ? AND ? GROUP BY 1", args).fetchall(),
            conn.execute(f"SELECT field, {_TALLY_SUMS} FROM dossier_tallies WHERE deleted_at IS NULL "
                         f"AND day BETWEEN ? AND ? GROUP BY 1", args).fetchall())


def _paired(ours, bare, repeat: int) -> tuple[float, float]:
    """Medians of `ours` and `bare` run alternately, so both see the same machine load
    (the bench machine is shared; separate batches made ratios swing 0.6x–5x)."""
    import statistics

    times: dict = {ours: [], bare: []}
    for index in range(repeat):
        for fn in ((bare, ours) if index % 2 else (ours, bare)):  # alternate who goes first
            start = time.perf_counter()
            fn()
            times[fn].append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[bare])


def bench_queries(store, repeat: int) -> None:
    month, year = month_period("2025-06"), period_for("year", dt.date(2025, 6, 1))
    for label, period in (("month", month), ("year", year)):
        ours, bare = _paired(lambda: compute_indicators(store, period), lambda: bare_aggregate(store, period), repeat)
        report(f"indicators of a {label} ({compute_indicators(store, period).total.received} received)",
               ours * 1000, "ms", bare * 1000, "bare SQL aggregate", "150 ms and ≤ 1.5x")
    for label, period in (("month", month), ("year", year)):
        ours, bare = _paired(lambda: counters_snapshot(store, period), lambda: bare_by_field(store, period), repeat)
        report(f"counters page refresh, {label} (per field + indicators)", ours * 1000, "ms", bare * 1000,
               "bare SQL aggregates", "200 ms and ≤ 1.5x")


def bench_quick_entry(store, repeat: int) -> None:
    rng = random.Random(9)
    samples, made = [], []
    for seq in range(repeat):
        values = _row(rng, TODAY, 9000 + seq)
        start = time.perf_counter()
        made.append(add_dossier(store, values))
        day_counts(store, TODAY)
        samples.append(time.perf_counter() - start)
    for row_id in made:
        remove_dossier(store, row_id)
    samples.sort()
    report("quick entry: Enter -> saved (synchronous=FULL) -> day's counters re-read",
           samples[len(samples) // 2] * 1000, "ms", budget="50 ms")


def bench_quick_entry_ui(paths, repeat: int) -> None:
    """The same, through the real widget: Enter on the flags panel -> the counter labels show the
    new figures (database thread, signal back to the UI thread)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from core.workspace import identity
    from ui.background import Background
    from ui.pages.base import AppSignals, UiContext
    from ui.pages.dossiers.quick_entry import QuickEntryPanel

    app = QApplication.instance() or QApplication([])
    from ui import refcount_guard

    refcount_guard.install()  # PySide6 6.12 / Python 3.11 drops references to None (see the module)
    probe = open_workspace(paths)
    who = identity(probe)
    probe.close()
    bg = Background(lambda: open_workspace(paths))
    panel = QuickEntryPanel(UiContext(bg, paths, AppSignals(), who))
    panel.show()
    panel.reload()
    while bg.pending():
        app.processEvents()
    samples = []
    for seq in range(repeat):
        code = f"000.00.53.H48-{TODAY:%y%m%d}-{8000 + seq:04d}"
        panel.code_edit.setText(code)
        panel._code_checked(code, None)
        saved = len(panel.undo_stack)
        before = panel.count_labels["received"].text()
        start = time.perf_counter()
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QCoreApplication.sendEvent(panel.flags, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))
        while len(panel.undo_stack) == saved:
            # Sleep until the database thread's signal arrives (a busy loop would fight it for the GIL).
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        samples.append(time.perf_counter() - start)
        assert panel.count_labels["received"].text() != before
    bg.close()
    samples.sort()
    report("quick entry through the widget: Enter -> counter labels updated", samples[len(samples) // 2] * 1000,
           "ms", budget="50 ms")


def write_import_file(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    rng = random.Random(11)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Hồ sơ")
    ws.append(["STT", "Mã hồ sơ", "Lĩnh vực", "Thủ tục", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hoàn thành",
               "Kênh nộp", "Số hóa thành phần", "Số hóa kết quả", "Tái sử dụng dữ liệu", "Xác thực VNeID",
               "Thanh toán trực tuyến"])
    day = dt.date(2025, 1, 2)
    for i in range(1, rows + 1):
        if i % 400 == 0:
            day += dt.timedelta(days=1)
        received = dt.datetime(day.year, day.month, day.day, 8, 0)
        ws.append([i, f"H99.01-{day:%y%m%d}-{i:06d}", rng.choice(FIELDS), "Đăng ký khai sinh", received,
                   (day + dt.timedelta(days=3)).strftime("%d/%m/%Y"),
                   (day + dt.timedelta(days=2)).strftime("%d/%m/%Y"),
                   rng.choice(("Trực tiếp", "Trực tuyến", "Bưu chính")), rng.choice(("Có", "Không")),
                   rng.choice(("Có", "Không", "Không áp dụng")), rng.choice(("Có", "Không")),
                   rng.choice(("Có", "Không")), rng.choice(("Có", "Không", "Không thu phí"))])
    wb.save(path)


def bench_import(store, folder: Path, rows: int) -> None:
    from openpyxl import load_workbook

    path = folder / "import.xlsx"
    start = time.perf_counter()
    write_import_file(path, rows)
    print(f"import file: {rows} rows written in {time.perf_counter() - start:.1f} s "
          f"({path.stat().st_size / 1e6:.1f} MB)", flush=True)

    def read_only():
        wb = load_workbook(path, read_only=True, data_only=True)
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            pass
        wb.close()

    # The machine is shared: every timing is the best of two, baselines taken before and after.
    baseline = _timed(read_only)
    checked, plan = float("inf"), None
    for _ in range(2):
        elapsed, plan = _timed_result(lambda: plan_import(store, path))
        checked = min(checked, elapsed)
    committed = _timed(lambda: commit_import(store, plan))
    baseline = min(baseline, _timed(read_only))
    assert plan.counts()["new"] == rows, plan.counts()
    report(f"import {rows} rows: check (dry run)", checked, "s", baseline, "openpyxl read alone")
    report(f"import {rows} rows: check + commit", checked + committed, "s", baseline, "openpyxl read alone",
           "≤ 2x")


def _timed(fn) -> float:
    return _timed_result(fn)[0]


def _timed_result(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    dossiers, import_rows, repeat = (20_000, 10_000, 9) if args.quick else (200_000, 100_000, 21)
    with tempfile.TemporaryDirectory() as tmp:
        paths = AppPaths(Path(tmp) / "data").ensure()
        store = open_workspace(paths)
        initialise(store, "21484", ["Cán bộ đo"])
        start = time.perf_counter()
        build_register(store, dossiers)
        print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
        from core import clock
        clock.freeze(dt.datetime(2025, 12, 31, 9, tzinfo=clock.LOCAL_TZ))
        bench_queries(store, repeat)
        bench_quick_entry(store, 21)
        bench_quick_entry_ui(paths, 21)
        bench_import(store, Path(tmp), import_rows)
        store.close()


if __name__ == "__main__":
    main()
