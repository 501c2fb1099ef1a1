"""Tasks benchmark (issue 3).

- 20,000 tasks: a search keystroke → the task list updated (the page's own path: SQL on the
  database thread, rows decorated, model reset on the UI thread; debounce excluded), median
  over a sequence of keystrokes, vs the bare SQL query for the same result in the same run
  (budget 100 ms and ≤ 1.5x);
- parsing a 20-page directive (budget 200 ms), vs a bare pass over the same text
  (NFC, split into lines, fold) as the in-run baseline.

    python -m bench.tasks [--quick]     (--quick: 5,000 tasks, fewer repeats)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
import unicodedata
from pathlib import Path

from bench.common import median_time, report

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2025, 9, 15)
UNITS = ["UBND các xã, phường, đặc khu", "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Công an tỉnh",
         "Sở Tài chính", "Văn phòng UBND tỉnh", "Trung tâm Phục vụ hành chính công tỉnh", "Sở Y tế"]
VERBS = ["Rà soát", "Triển khai", "Tổ chức", "Báo cáo", "Kiểm tra", "Cập nhật", "Tuyên truyền", "Hướng dẫn",
         "Số hóa", "Kiện toàn"]
OBJECTS = ["hồ sơ thủ tục hành chính", "trụ sở làm việc", "Tổ công nghệ số cộng đồng", "dữ liệu hộ tịch",
           "thiết bị điểm cầu hội nghị truyền hình", "dịch vụ công trực tuyến", "chữ ký số công vụ",
           "mạng truyền số liệu chuyên dùng", "kết quả giải quyết thủ tục hành chính", "tài sản công dôi dư",
           "an toàn thông tin", "thanh toán trực tuyến phí, lệ phí", "đội ngũ cán bộ, công chức cấp xã"]
PLACES = ["tại Bộ phận Một cửa", "trên địa bàn xã", "tại các thôn, tổ dân phố", "theo hướng dẫn của tỉnh",
          "bảo đảm đúng quy định", "phục vụ người dân, doanh nghiệp"]
DEADLINES = ["trước ngày {d}/{m}/2025", "trong tháng {m}/2025", "trong Quý III năm 2025", "Nhiệm vụ thường xuyên",
             "đến hết năm 2025", "trước ngày {d}/{m}/2026"]
KEYSTROKES = ["s", "so", "so ", "so h", "so ho", "so hoa", "so hoa h", "so hoa ho", "so hoa ho s", "so hoa ho so",
              "t", "tr", "tru", "tru ", "tru s", "tru so", "u", "ub", "ubn", "ubnd", "ubnd x", "ubnd xa",
              "b", "ba", "bao", "bao c", "bao ca", "bao cao", "k", "ki", "kie", "kiem", "kiem t", "kiem tra"]


def directive_text(rng: random.Random, number: int, items: int) -> str:
    lines = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", f"Số: {number}/UBND-KGVX",
             f"V/v triển khai nhiệm vụ chuyển đổi số đợt {number}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "Độc lập - Tự do - Hạnh phúc", f"Quảng Ngãi, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 8)} năm 2025",
             "Kính gửi:", "- Các sở, ban, ngành;", "- UBND các xã, phường, đặc khu.", "",
             "Chủ tịch UBND tỉnh yêu cầu các cơ quan, đơn vị, địa phương thực hiện các nội dung sau:"]
    letters = "abcdeg"
    for section in range(1, items // len(letters) + 2):
        lines.append(f"{section}. Về nhiệm vụ nhóm {section}")
        for letter in letters:
            if items <= 0:
                break
            items -= 1
            deadline = rng.choice(DEADLINES).format(d=rng.randint(1, 28), m=rng.randint(1, 12))
            lines.append(f"{letter}) {rng.choice(UNITS)} chủ trì, phối hợp với {rng.choice(UNITS)} "
                         f"{rng.choice(VERBS).lower()} {rng.choice(OBJECTS)} {rng.choice(PLACES)}; "
                         f"{rng.choice(VERBS).lower()} {rng.choice(OBJECTS)}[footnoteRef:{items % 9 + 1}].")
            lines.append(f"- Thời gian hoàn thành: {deadline}.")
    lines += ["Yêu cầu các cơ quan, đơn vị, địa phương triển khai thực hiện./.", "Nơi nhận:", "- Như trên;",
              "- Lưu: VT, KGVX."]
    return "\n".join(lines)


def build_workspace(folder: Path, total_tasks: int):
    from core.directives.parser import parse_directive
    from core.paths import AppPaths
    from core.tasks.store import import_directive, rebuild_task_state
    from core.workspace import initialise, list_staff, open_workspace

    paths = AppPaths(folder).ensure()
    store = open_workspace(paths)
    initialise(store, "21484", ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Ánh"], "Nguyễn Thị Hồng Nhung")
    rng = random.Random(3)
    per_directive = 50
    for number in range(total_tasks // per_directive):
        parsed = parse_directive(directive_text(rng, 1000 + number, per_directive))
        import_directive(store, parsed, allow_duplicate=True)
    staff = [s["id"] for s in list_staff(store)]
    task_ids = [r["id"] for r in store.query("SELECT id FROM local_tasks")]
    progress = [{"task_id": t, "noted_on": "2025-08-01", "note": "Đang triển khai", "status": rng.choice(
        ["doing", "done", "paused"]), "assignee_id": rng.choice(staff)} for t in rng.sample(task_ids, len(task_ids) // 3)]
    store.insert_many("task_progress", progress)
    rebuild_task_state(store)
    return paths, store


def _guard_none_refcount() -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every processEvents() call,
    every Python QRunnable.run and every slot that returns None (measured: -1, -17, -2 per call);
    a few thousand keystrokes then abort the interpreter ("none_dealloc"). Python 3.12+ makes
    None immortal. This benchmark runs thousands of round trips, so it tops the count up."""
    import ctypes
    import sys

    if sys.version_info < (3, 12):
        for singleton in (None, True, False):  # True/False are hit too ("bool_dealloc")
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


def bench_search(paths, store, repeat: int) -> None:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from core import clock
    from core.tasks.queries import TaskFilter, build_task_query
    from core.workspace import identity, open_workspace
    from ui.background import Background
    from ui.pages.base import AppSignals, UiContext
    from ui.pages.tasks_page import TasksPage

    clock.freeze(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=clock.LOCAL_TZ))
    app = QApplication.instance() or QApplication([])
    _guard_none_refcount()
    bg = Background(lambda: open_workspace(paths))
    ctx = UiContext(bg, paths, AppSignals(), identity(store))
    page = TasksPage(ctx)
    page.resize(1366, 768)
    page.show()
    bg.wait_idle()
    app.processEvents()
    page_times, sql_times, sizes, paint_times = [], [], [], []
    for _ in range(repeat):
        for text in KEYSTROKES:
            app.processEvents()  # the previous list is painted before the next keystroke
            page.search.blockSignals(True)  # the debounce timer is excluded: start the refresh directly
            page.search.setText(text)
            page.search.blockSignals(False)
            start = time.perf_counter()
            page.refresh_list()
            wanted = page._generation
            shown = []
            original = page._show_rows
            loop = QEventLoop()

            def spy(generation, rows, original=original, loop=loop):
                original(generation, rows)
                if generation == wanted:
                    shown.append(time.perf_counter())
                    loop.quit()

            page._show_rows = spy
            # Wait in Qt's own event loop (as the app does), not a Python busy loop that would
            # compete with the database thread for the interpreter lock.
            loop.exec()
            page._show_rows = original
            page_times.append(shown[0] - start)  # the view holds the new rows
            painted = time.perf_counter()
            app.processEvents()  # Qt paints the visible rows (reported separately)
            paint_times.append(time.perf_counter() - painted)
            sizes.append(page.model.rowCount())
            sql, params = build_task_query(TaskFilter(search=text), TODAY)
            begin = time.perf_counter()
            rows = store.conn.execute(sql, params).fetchall()
            sql_times.append(time.perf_counter() - begin)
            assert len(rows) == page.model.rowCount(), (text, len(rows), page.model.rowCount())
    bg.close()
    clock.freeze(None)
    page_median = statistics.median(page_times)
    sql_median = statistics.median(sql_times)
    print(f"keystrokes: {len(page_times)}, rows shown: median {statistics.median(sizes):.0f}, max {max(sizes)}")
    report("search keystroke -> list updated (median)", page_median * 1000, "ms", sql_median * 1000,
           "bare SQL query, same filter", "100 ms and <= 1.5x")
    report("then Qt paints the visible rows (median, not in the figure above)",
           statistics.median(paint_times) * 1000, "ms")


def bench_parse(repeat: int) -> None:
    from core.directives.parser import parse_directive
    from core.textfold import fold

    text = directive_text(random.Random(7), 2025, 270)
    pages = len(text) / 3000  # ~3,000 characters on an A4 page of a directive
    def bare():
        for line in unicodedata.normalize("NFC", text).split("\n"):
            fold(line)
    parsed = parse_directive(text)
    print(f"directive: {len(text):,} characters (~{pages:.0f} pages), {len(parsed.tasks)} tasks")
    report("parse 20-page directive (median)", median_time(lambda: parse_directive(text), repeat) * 1000, "ms",
           median_time(bare, repeat) * 1000, "NFC + split + fold of the same text", "200 ms")
    sample = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "directives" / \
        "report_78_BC-UBND_2023-04-25.txt"
    if sample.exists():
        body = sample.read_text(encoding="utf-8")
        report(f"parse the 55 KB sample report (~{len(body) / 3000:.0f} pages) (median)",
               median_time(lambda: parse_directive(body, require_tasks=False), repeat) * 1000, "ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    total = 5_000 if args.quick else 20_000
    bench_parse(5 if args.quick else 15)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths, store = build_workspace(Path(folder), total)
        count = store.scalar("SELECT count(*) FROM local_tasks")
        print(f"workspace: {count:,} tasks built in {time.perf_counter() - start:.1f} s")
        bench_search(paths, store, 1 if args.quick else 3)
        store.close()


if __name__ == "__main__":
    main()
