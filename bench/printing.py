"""Printing budget: a 50-page report with 1,500 table rows in < 1.5 s and < 150 MB peak memory.

Measured in fresh child processes:

- engine:   the report built with core.printing (header, title, paragraphs, a 1,500-row
            `blocks.table` with wrapped cells and repeated header, closing), written to memory.
- baseline: bare reportlab in the same run — a LongTable of the same rows, same font and size,
            long cells pre-broken with reportlab's simpleSplit, repeatRows=1, no page furniture.

Time: one child builds the report and the baseline alternately (so both see the same machine
load), after one warm-up of each (font registration and imports are paid once per process in the
app, not per report); medians. Memory: one more child per build, its peak RSS (interpreter and
imports included). Run: `python -m bench.printing [--quick]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, python, report

ROWS = 1500
_VERBS = ["Rà soát", "Cập nhật", "Số hóa", "Tổng hợp", "Kiểm tra", "Triển khai", "Báo cáo", "Hướng dẫn"]
_OBJECTS = ["hồ sơ hộ tịch", "kết quả chứng thực", "dịch vụ công trực tuyến", "điểm cầu truyền hình",
            "dữ liệu đất đai", "tài khoản VNeID", "sổ theo dõi hồ sơ", "phiếu kiểm soát", "danh mục thủ tục hành chính thực hiện trực tuyến toàn trình"]
_UNITS = ["Văn phòng UBND", "Phòng Kinh tế", "Phòng Văn hóa - XH", "Trung tâm PVHCC"]
_STATES = ["Đang thực hiện", "Đã hoàn thành", "Quá hạn", "Chưa thực hiện"]


def make_rows(n: int) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(1)
    start = dt.date(2026, 1, 1)
    rows = []
    for i in range(1, n + 1):
        task = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        deadline = (start + dt.timedelta(days=rng.randrange(365))).strftime("%d/%m/%Y")
        rows.append((str(i), task, rng.choice(_UNITS), deadline, rng.choice(_STATES)))
    return rows


HEADER = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng"]
WIDTHS = (1.0, 5.6, 3.6, 2.4, 2.8)


def build_engine(rows) -> int:
    from core.printing import blocks as b, build_pdf
    from core.units import find_unit

    unit = find_unit("21484")
    governing, issuing = b.unit_bodies(unit)
    story = [
        b.header(governing_body=governing, issuing_body=issuing, number=12, symbol="BC-UBND",
                 place=unit.short_name, date=dt.date(2026, 1, 5)),
        b.title("BÁO CÁO", "Tiến độ thực hiện nhiệm vụ năm 2026"),
        b.paragraph("Ủy ban nhân dân xã Ba Tơ báo cáo tiến độ thực hiện các nhiệm vụ được giao như sau:"),
        b.table(HEADER, rows, widths=WIDTHS, align=("CENTER", "LEFT", "LEFT", "CENTER", "LEFT")),
        b.closing(b.recipients(["Sở Khoa học và Công nghệ"], archive="VT, VP"),
                  b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Nguyễn Văn A")),
    ]
    return build_pdf(story, io.BytesIO(), report_id="BC-NV-2026-0012", data=rows).pages


def build_baseline(rows) -> int:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    from core.printing import fonts

    fonts.register_fonts()
    width = 165 * mm
    col_widths = [width * w / sum(WIDTHS) for w in WIDTHS]
    data = [HEADER]
    for row in rows:
        data.append(["\n".join(simpleSplit(text, fonts.REGULAR, 12, cw - 8)) for text, cw in zip(row, col_widths)])
    table = LongTable(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 12),
                               ("LEADING", (0, 0), (-1, -1), 14), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, initialFontName=fonts.REGULAR)
    doc.build([table])
    return doc.page


def child(kind: str, rows: int, repeat: int) -> None:
    """kind "time": both builds alternately in this process (same load for both), medians.
    kind "engine" / "baseline": one build, for that build's peak memory alone."""
    data = make_rows(rows)
    if kind == "time":
        pages = build_engine(data), build_baseline(data)  # warm-up: imports, font registration
        engine, baseline = [], []
        for _ in range(repeat):
            for fn, samples in ((build_engine, engine), (build_baseline, baseline)):
                start = time.perf_counter()
                fn(data)
                samples.append(time.perf_counter() - start)
        print(json.dumps({"engine": statistics.median(engine), "baseline": statistics.median(baseline),
                          "pages": pages}))
        return
    (build_engine if kind == "engine" else build_baseline)(data)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"peak_mb": peak_mb}))


def _measure(kind: str, rows: int, repeat: int) -> dict:
    out = subprocess.run([python(), "-m", "bench.printing", "--child", kind, "--rows", str(rows),
                          "--repeat", str(repeat)], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="300 rows, one timed build")
    parser.add_argument("--child", choices=["time", "engine", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.rows, args.repeat)
        return
    rows, repeat = (300, 1) if args.quick else (ROWS, 5)
    timing = _measure("time", rows, repeat)
    engine_mb = _measure("engine", rows, 1)["peak_mb"]
    baseline_mb = _measure("baseline", rows, 1)["peak_mb"]
    engine_pages, baseline_pages = timing["pages"]
    print(f"printing: {rows} rows -> {engine_pages} pages (baseline table alone: {baseline_pages} pages)")
    report(f"time: report of {rows} rows, median of {repeat}", timing["engine"], "s", timing["baseline"],
           "bare reportlab LongTable, same rows and font, alternated in one process",
           "< 1.5 s" if rows == ROWS else "")
    report("memory: peak RSS of the building process", engine_mb, "MB", baseline_mb,
           "bare reportlab LongTable", "< 150 MB" if rows == ROWS else "")


if __name__ == "__main__":
    sys.exit(main())
