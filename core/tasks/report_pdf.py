"""The quarterly task report as a PDF in the administrative layout (core.printing blocks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.printing import blocks as b
from core.printing.output import build_document
from core.tasks.report import QuarterReport


def report_story(report: QuarterReport, unit, today: dt.date) -> list:
    governing, issuing = b.unit_bodies(unit)
    counts = report.counts()
    story = [
        b.header(governing_body=governing, issuing_body=issuing, number=None, symbol="BC-UBND",
                 place=unit.short_name, date=today),
        b.title("BÁO CÁO", report.title),
        b.paragraph(f"Ủy ban nhân dân {unit.kind.lower()} {unit.short_name} báo cáo tiến độ thực hiện các nhiệm vụ "
                    f"được giao tại các văn bản chỉ đạo của cấp trên, số liệu đến ngày "
                    f"{report.as_of.day:02d}/{report.as_of.month:02d}/{report.as_of.year}, như sau:"),
        b.heading("I. TỔNG HỢP CHUNG"),
        b.paragraph("Tổng số nhiệm vụ: ", b.strong(str(counts["total"])), "; hoàn thành ", b.strong(str(counts["done"])),
                    "; đang thực hiện ", b.strong(str(counts["doing"])), "; chưa thực hiện ",
                    b.strong(str(counts["todo"])), "; tạm dừng ", b.strong(str(counts["paused"])),
                    "; trong đó quá hạn ", b.strong(str(counts["overdue"])), " nhiệm vụ."),
        b.heading("II. TIẾN ĐỘ THEO TỪNG VĂN BẢN"),
    ]
    if not report.groups:
        story.append(b.paragraph("Trong kỳ báo cáo không có nhiệm vụ nào của cấp xã."))
    for number, group in enumerate(report.groups, start=1):
        story.append(b.keep_with_space(40))
        story.append(b.paragraph(b.strong(f"{number}. {group.title}")))
        rows = [(str(serial), task["ref"], task["content"], task["deadline"], task["status_text"], task["latest_note"])
                for serial, task in enumerate(group.rows, start=1)]
        story.append(b.table(["STT", "Mục", "Nội dung nhiệm vụ", "Thời hạn", "Trạng thái", "Tiến độ mới nhất"],
                             rows, widths=(0.7, 0.9, 4.6, 1.5, 1.6, 3.2),
                             align=("CENTER", "CENTER", "LEFT", "CENTER", "LEFT", "LEFT")))
    story.append(b.heading("III. ĐỀ XUẤT, KIẾN NGHỊ"))
    story.append(b.fill_in("(Cán bộ ghi đề xuất, kiến nghị của xã trước khi trình ký, nếu có.)",
                           label="Đề xuất, kiến nghị"))
    story.append(b.closing(
        b.recipients(["UBND tỉnh (qua Sở Khoa học và Công nghệ)", "Thường trực Đảng ủy, HĐND xã",
                      "Chủ tịch, các PCT UBND xã"], archive="VT, VP"),
        b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "")))
    return story


def write_pdf(report: QuarterReport, unit, out: Path, *, today: dt.date) -> None:
    """Lay out and write the PDF, or the Word file for "….docx" (no database: run it on the I/O pool)."""
    from core.errors import NotInitialisedError

    if unit is None:
        raise NotInitialisedError("Chưa thiết lập đơn vị, không lập được báo cáo.")
    report_id = f"BC-NV-{report.year}-Q{report.quarter}"
    build_document(report_story(report, unit, today), out, report_id=report_id, data=report.data(),
              title=report.title, author=unit.committee_name, subject="Báo cáo tiến độ nhiệm vụ")
