"""The printed readiness sheet (PHIẾU KIỂM TRA SẴN SÀNG ĐIỂM CẦU …), blank or completed.

Built from core.printing blocks in the layout of Nghị định 30/2020: unit header,
national title, the meeting, items grouped by category in a table with drawn check
boxes (Đạt / Không đạt / Không áp dụng), measured values, the verdict, incidents and
attendance, corrections made after closing, and signatures of the staff member who
checked and the commune leader.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import BinaryIO

from core.checklists.model import STATUS_LABELS, Answer, Item, format_number
from core.checklists.runs import RunView, incident_time_label, load_run
from core.checklists.templates import Template, active_template
from core.clock import format_date, format_datetime_local, today_local
from core.printing import BuiltPdf, Mark, blocks as b, register_fonts
from core.printing.output import build_document
from core.printing.fonts import BOLD
from core.units import Unit
from core.workspace import require_initialised
from db.store import Store

TITLE = "PHIẾU KIỂM TRA SẴN SÀNG ĐIỂM CẦU HỘI NGHỊ TRUYỀN HÌNH TRỰC TUYẾN"
COLUMNS = ["STT", "Nội dung kiểm tra", "Đạt", "Không\nđạt", "Không\náp dụng", "Kết quả đo", "Ghi chú"]
WIDTHS = (1.15, 5.9, 1.1, 1.45, 1.45, 2.1, 2.3)
ALIGN = ("CENTER", "LEFT", "CENTER", "CENTER", "CENTER", "LEFT", "LEFT")
DOTS = "……………………………………………………………"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


def _item_label(item: Item) -> str:
    text = item.text + (" (*)" if item.critical else "")
    if item.kind == "number" and item.threshold is not None:
        text += f"\nYêu cầu: {item.threshold_label()}"
    return text


def _marks(answer: Answer | None) -> list[Mark]:
    status = answer.status if answer else None
    return [Mark.TICKED if status == s else Mark.EMPTY for s in ("pass", "fail", "na")]


def _value(item: Item, answer: Answer | None, blank: bool) -> str:
    if item.kind == "number":
        if blank or answer is None or answer.number_value is None:
            return f"……… {item.unit or ''}".rstrip()
        return f"{format_number(answer.number_value)} {item.unit or ''}".rstrip()
    if item.kind == "text":
        return "" if blank or answer is None else (answer.text_value or "")
    return ""


def _items_table(items: list[Item], answers: dict[str, Answer], *, blank: bool, corrected: set[str]):
    rows, style, categories, n = [], [], [], 0
    for item in items:
        if item.category not in categories:
            categories.append(item.category)
            roman = ROMAN[len(categories) - 1] if len(categories) <= len(ROMAN) else str(len(categories))
            row_index = len(rows) + 1  # +1: the header row
            rows.append([roman, item.category, None, None, None, None, None])
            style += [("SPAN", (1, row_index), (-1, row_index)), ("FONTNAME", (0, row_index), (-1, row_index), BOLD)]
        n += 1
        answer = None if blank else answers.get(item.id)
        note = "" if blank or answer is None else (answer.note or "")
        if item.id in corrected:
            note = (note + "\n" if note else "") + "(đính chính sau khi khóa)"
        rows.append([str(n), _item_label(item), *_marks(answer), _value(item, answer, blank), note])
    return b.table(COLUMNS, rows, widths=WIDTHS, align=ALIGN, style=style)


def _header(unit: Unit, day: dt.date | None):
    governing, issuing = b.unit_bodies(unit)
    return b.header(governing_body=governing, issuing_body=issuing, place=unit.short_name, date=day)


def _signatures(unit: Unit, checker: str, leader: str):
    return b.closing(
        b.signature(["NGƯỜI KIỂM TRA"], checker, note="(Ký, ghi rõ họ tên)"),
        b.signature([f"LÃNH ĐẠO UBND {unit.kind.upper()}"], leader, note="(Ký, ghi rõ họ tên)"))


def blank_story(unit: Unit, template: Template, day: dt.date) -> list:
    story = [
        _header(unit, None),  # a paper form: the date is written by hand on the day
        b.title(TITLE),
        b.paragraph("Cuộc họp: ", DOTS + DOTS, indent=False),
        b.paragraph("Đơn vị chủ trì: ", "UBND tỉnh / Chính phủ / Khác: ……………………", indent=False),
        b.paragraph("Thời gian bắt đầu: ……… giờ ……… ngày ……/……/………", indent=False),
        b.paragraph("Đường truyền sử dụng: Mạng truyền số liệu chuyên dùng / Internet / Khác: ……………",
                    indent=False),
        b.paragraph(b.emphasis(f"Mẫu phiếu: {template.name}, phiên bản {template.version}. "
                               "Mục có dấu (*) là mục bắt buộc: điểm cầu chỉ SẴN SÀNG khi mọi mục bắt buộc "
                               "đều đạt."), indent=False),
        b.heading("1. NỘI DUNG KIỂM TRA"),
        _items_table(list(template.items), {}, blank=True, corrected=set()),
        b.heading("2. KẾT LUẬN"),
        b.check_item(Mark.EMPTY, "SẴN SÀNG"),
        b.check_item(Mark.EMPTY, "CHƯA SẴN SÀNG. Lý do: " + DOTS),
        b.heading("3. SỰ CỐ VÀ ĐIỂM DANH"),
        b.paragraph("Số người dự tại điểm cầu: ………", indent=False),
        b.table(["Thời gian", "Sự cố", "Cách khắc phục"], [["", "", ""] for _ in range(3)], widths=(1.2, 4, 4)),
        _signatures(unit, "", ""),
    ]
    return story


def run_story(unit: Unit, run: RunView) -> list:
    verdict = run.verdict
    corrected = {c["run_item_id"] for c in run.corrections if c["target"] == "answer"}
    checked = sorted(a.checked_at for a in run.original_answers.values() if a.checked_at)
    state = (f"đã khóa lúc {format_datetime_local(run.closed_at)}" if run.closed
             else "đang kiểm tra (chưa khóa)")
    story = [
        _header(unit, run.meeting_date),
        b.title(TITLE),
        b.paragraph("Cuộc họp: ", b.strong(run.meeting_title), indent=False),
        b.paragraph(f"Đơn vị chủ trì: {run.host_label}. Thời gian bắt đầu: {run.start_time.replace(':', ' giờ ')}"
                    f" ngày {format_date(run.meeting_date)}.", indent=False),
        b.paragraph(f"Đường truyền sử dụng: {run.connection_label}.", indent=False),
        b.paragraph(f"Kiểm tra từ {format_datetime_local(checked[0]) if checked else '—'} đến "
                    f"{format_datetime_local(checked[-1]) if checked else '—'}; "
                    f"đã kiểm tra {run.answered_count()}/{len(run.items)} mục; phiếu {state}.", indent=False),
        b.paragraph(b.emphasis(f"Mẫu phiếu: {run.template_name}, phiên bản {run.template_version}. "
                               "Mục có dấu (*) là mục bắt buộc."), indent=False),
        b.heading("1. NỘI DUNG KIỂM TRA"),
        _items_table(run.items, run.answers, blank=False, corrected=corrected),
        b.heading("2. KẾT LUẬN"),
        b.paragraph("Kết luận: ", b.strong(verdict.label), "." if verdict.ready else
                    f" — {len(verdict.failing)} mục bắt buộc chưa đạt:", indent=False),
    ]
    for failing in verdict.failing:
        story.append(b.paragraph(f"- {failing.item.text}: {failing.reason}.", indent=False))
    if verdict.warnings:
        story.append(b.paragraph("Mục không bắt buộc chưa đạt: "
                                 + "; ".join(f.item.text for f in verdict.warnings) + ".", indent=False))
    if run.close_reason:
        story.append(b.paragraph(f"Lý do khóa phiếu khi chưa kiểm tra đủ: {run.close_reason}", indent=False))
    if run.closed and run.verdict_at_close and run.verdict_at_close != verdict.code:
        at_close = "SẴN SÀNG" if run.verdict_at_close == "ready" else "CHƯA SẴN SÀNG"
        story.append(b.paragraph(b.emphasis(f"Kết luận lúc khóa phiếu: {at_close}; đã thay đổi do đính chính."),
                                 indent=False))
    story.append(b.heading("3. SỰ CỐ VÀ ĐIỂM DANH"))
    story.append(b.paragraph("Số người dự tại điểm cầu: "
                             + (str(run.attendance) if run.attendance is not None else "chưa ghi") + ".",
                             indent=False))
    if run.incidents:
        story.append(b.table(["Thời gian", "Sự cố", "Cách khắc phục"],
                             [[incident_time_label(i["occurred_at"]) + (" (ghi sau khi khóa)" if i["after_close"] else ""),
                               i["what"], i["fix"] or ""] for i in run.incidents], widths=(1.2, 4, 4)))
    else:
        story.append(b.paragraph("Không có sự cố.", indent=False))
    if run.corrections:
        story.append(b.heading("4. ĐÍNH CHÍNH SAU KHI KHÓA PHIẾU"))
        story.append(b.table(["Lần", "Thời điểm", "Nội dung đính chính", "Lý do", "Người ghi"],
                             [_correction_row(run, c) for c in run.corrections], widths=(0.8, 2.2, 4, 3, 2.2)))
    checker = (run.checker_names() or [""])[0]
    story.append(_signatures(unit, checker, run.leader_name or ""))
    return story


def _correction_row(run: RunView, corr: dict) -> list[str]:
    if corr["target"] == "attendance":
        what = f"Số người dự: {corr['attendance']}"
    else:
        item = run.item(corr["run_item_id"])
        value = ""
        if corr["number_value"] is not None:
            value = f" ({format_number(corr['number_value'])} {item.unit or ''})".rstrip(") ") + ")"
        what = f"{item.text}: {STATUS_LABELS.get(corr['status'], '')}{value}"
    return [str(corr["seq"]), format_datetime_local(corr["made_at"]), what, corr["reason"],
            run.staff_names.get(corr["made_by"] or "", "")]


def run_data(run: RunView) -> dict:
    """What the completed sheet shows, for its fingerprint."""
    return {"run": run.id, "meeting": [run.meeting_title, run.meeting_date, run.start_time, run.host,
                                       run.connection, run.attendance, run.status],
            "answers": {k: [a.status, a.number_value, a.text_value, a.note] for k, a in sorted(run.answers.items())},
            "incidents": [[i["occurred_at"], i["what"], i["fix"]] for i in run.incidents],
            "corrections": [c["id"] for c in run.corrections], "verdict": run.verdict.code}


def build_blank_sheet(store: Store, out: str | os.PathLike | BinaryIO, *, template: Template | None = None) -> BuiltPdf:
    return write_blank_sheet(require_initialised(store), template or active_template(store), out)


def write_blank_sheet(unit: Unit, template: Template, out: str | os.PathLike | BinaryIO) -> BuiltPdf:
    register_fonts()
    day = today_local()
    data = {"template": template.ref, "version": template.version, "items": [i.to_json() for i in template.items]}
    return build_document(blank_story(unit, template, day), out, report_id=f"HNTH-MAU-{template.version}",
                     data=data, title=TITLE.capitalize(), author=unit.committee_name,
                     subject="Phiếu trống để kiểm tra trên giấy")


def build_run_sheet(store: Store, run_id: str, out: str | os.PathLike | BinaryIO) -> BuiltPdf:
    return write_run_sheet(require_initialised(store), load_run(store, run_id), out)


def write_run_sheet(unit: Unit, run: RunView, out: str | os.PathLike | BinaryIO) -> BuiltPdf:
    """The PDF from data already loaded (the GUI loads on the database thread, writes on the I/O pool)."""
    register_fonts()  # blocks measure text while the story is made, before build_pdf runs
    return build_document(run_story(unit, run), out, report_id=f"HNTH-{run.meeting_date:%Y%m%d}-{run.id[-8:]}",
                     data=run_data(run), title=TITLE.capitalize(), author=unit.committee_name,
                     subject=run.meeting_title)
