"""The monthly digitisation report (PDF, administrative layout of NĐ 30/2020) on core.printing.

What it prints is what the counters page shows for the month: the counters per field
(register rows, tally rows marked), the indicators with numerator, denominator and
target, and every change made to the month after it was locked, with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from core.dossiers import locks
from core.dossiers.indicators import compute_indicators, counters
from core.dossiers.periods import month_period
from core.dossiers.targets import RAG_LABELS
from core.printing import blocks as b
from core.printing import vi_number, vi_percent
from core.printing.output import build_document
from core.workspace import require_initialised
from db.store import Store

RECIPIENTS = ["Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", "Trung tâm Phục vụ hành chính công tỉnh",
              "Thường trực Đảng ủy, HĐND xã"]
ACTIONS = {"add": "thêm hồ sơ", "update": "sửa hồ sơ", "remove": "xóa hồ sơ", "tally": "sửa số liệu tổng hợp",
           "remove_tally": "xóa số liệu tổng hợp", "import": "nhập từ tệp Excel", "unlock": "mở khóa tháng"}


def _pct(value: float | None) -> str:
    return "—" if value is None else vi_percent(value)


def build_month_report(store: Store, month: str, out: Path, *, today: dt.date) -> object:
    """Write the report of `month` ('YYYY-MM') to `out` (.pdf, or .docx to edit in Word); returns
    core.printing.BuiltPdf or core.printing.word.BuiltDocx."""
    unit = require_initialised(store)
    period = month_period(month)
    report = compute_indicators(store, period)
    rows = counters(store, period)
    changes = locks.changes_in(store, month)
    total = report.total
    mm, yyyy = period.start.month, period.start.year
    governing, issuing = b.unit_bodies(unit)

    def label(row) -> str:
        if row.source == "tally":
            return f"{row.field} (số liệu tổng hợp)"
        return row.field

    field_rows = [r for r in rows if r.source in ("register", "tally")]
    total_rows = [r for r in rows if r.source.startswith("total")]
    numbered = [(str(i), label(r)) for i, r in enumerate(field_rows, start=1)] + [("", r.field) for r in total_rows]
    all_rows = field_rows + total_rows
    total_style = [("FONTNAME", (0, 1 + len(field_rows)), (-1, -1), "VnSerif-Bold")] if total_rows else []

    received_table = b.table(
        ["STT", "Lĩnh vực", "Tiếp nhận", "Trực tuyến", "Có số hóa TPHS", "Chưa số hóa TPHS", "Tái sử dụng",
         "Định danh VNeID"],
        [[n, name, *(vi_number(v) for v in (r.values[0], r.values[1], r.values[3], r.values[2], r.values[4],
                                              r.values[5]))] for (n, name), r in zip(numbered, all_rows)],
        widths=(0.9, 4.6, 1.6, 1.6, 1.6, 1.6, 1.6, 1.6),
        align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"), style=total_style)
    finished_table = b.table(
        ["STT", "Lĩnh vực", "Đã giải quyết", "Đúng hạn", "Kết quả đã số hóa", "Kết quả chưa số hóa"],
        [[n, name, *(vi_number(v) for v in (r.values[6], r.values[7], r.values[9], r.values[8]))]
         for (n, name), r in zip(numbered, all_rows)],
        widths=(0.9, 4.6, 1.8, 1.8, 1.8, 1.8), align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        style=total_style)
    indicator_rows = []
    for value in report.values.values():
        d = value.definition
        indicator_rows.append([
            d.number, f"{d.name}\n(mẫu số: {d.denominator})", _pct(value.value),
            f"{vi_number(value.numerator)}/{vi_number(value.denominator)}",
            _pct(value.target.target) if value.target else "—",
            RAG_LABELS[value.rag] if value.rag else "—"])
    indicators_table = b.table(["Chỉ số", "Tên chỉ số", "Tỷ lệ", "Tử số/ Mẫu số", "Chỉ tiêu", "Đánh giá"],
                               indicator_rows, widths=(1.1, 6.4, 1.6, 1.9, 1.5, 1.7),
                               align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "CENTER"))

    story = [
        b.header(governing_body=governing, issuing_body=issuing, number=None, symbol="BC-UBND",
                 place=unit.short_name, date=today),
        b.title("BÁO CÁO", f"Kết quả tiếp nhận, giải quyết và số hóa hồ sơ thủ tục hành chính "
                           f"tháng {mm:02d} năm {yyyy}"),
        b.heading("I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ"),
        b.paragraph(f"Trong tháng {mm:02d}/{yyyy}, Bộ phận Một cửa {unit.name} tiếp nhận ",
                    b.strong(vi_number(total.received)), " hồ sơ (trực tuyến ", b.strong(vi_number(total.online)),
                    " hồ sơ); giải quyết ", b.strong(vi_number(total.finished)), " hồ sơ, trong đó đúng hạn ",
                    b.strong(vi_number(total.on_time)), " hồ sơ."),
    ]
    if report.tallies.received or report.tallies.finished:
        story.append(b.paragraph(
            "Ghi chú: số liệu trên gồm ", b.strong(vi_number(report.tallies.received)), " hồ sơ tiếp nhận và ",
            b.strong(vi_number(report.tallies.finished)), " hồ sơ giải quyết ghi theo số liệu tổng hợp từng ngày "
            "(không có trong sổ theo dõi hồ sơ), thể hiện ở các dòng “số liệu tổng hợp”."))
    story += [
        b.paragraph(b.emphasis("1. Tiếp nhận và số hóa thành phần hồ sơ (hồ sơ tiếp nhận trong tháng):"),
                    indent=False),
        received_table,
        b.space(3),
        b.paragraph(b.emphasis("2. Giải quyết hồ sơ (hồ sơ hoàn thành trong tháng) và số hóa kết quả (hồ sơ "
                               "tiếp nhận trong tháng của thủ tục trả kết quả giấy):"), indent=False),
        finished_table,
        b.keep_with_space(70),  # the heading never sits alone at the foot of a page
        b.heading("II. CÁC CHỈ SỐ THEO QUYẾT ĐỊNH 766/QĐ-TTg"),
        indicators_table,
    ]
    if changes:
        story += [b.keep_with_space(30), b.heading("III. ĐIỀU CHỈNH SAU KHI KHÓA SỐ LIỆU THÁNG")]
        for change in reversed(changes):
            story.append(b.paragraph(f"- {ACTIONS.get(change['action'], change['action']).capitalize()} "
                                     f"({change['subject']}): {change['reason']}.", indent=False))
    story.append(b.closing(b.recipients(RECIPIENTS, archive="VT, BPMC"),
                           b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "")))
    data = {"month": month, "indicators": report.as_json(),
            "counters": [[r.field, r.source, r.values] for r in rows],
            "changes": [[c["subject"], c["action"], c["reason"]] for c in changes]}
    return build_document(story, out, report_id=f"BC-SHHS-{yyyy}-{mm:02d}", data=json.loads(json.dumps(data)),
                     title=f"Báo cáo số hóa hồ sơ tháng {mm:02d}/{yyyy}")
