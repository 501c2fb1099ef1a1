"""The building blocks of an administrative document. A report is a list of these.

Every function returns reportlab flowables (or a list of them) that already name the
printing font, so a report never positions text by hand and never falls back to a
built-in PDF font. Text is plain text: it is escaped here, so "<", "&" print as typed.
Every piece of text is checked against the font when the block is made
(`fonts.MissingGlyphError` names the character).

    header(...)          two-column header of page 1 (Nghị định 30/2020, Phụ lục I)
    title(...)           document type (BÁO CÁO …) and subject with its short rule
    heading(text)        bold section heading ("I. KẾT QUẢ THỰC HIỆN")
    paragraph(...)       justified body paragraph, first-line indent; runs may be strong()/emphasis()
    table(...)           grid table that splits across pages and repeats its header rows
    CheckBox(mark)       a drawn check box: Mark.EMPTY / Mark.TICKED / Mark.CROSSED
    check_item(mark, t)  a check box followed by its label
    signature(...)       capacity lines, room to sign, signer's name
    recipients(...)      the "Nơi nhận:" list ending with "- Lưu: VT, …."
    closing(...)         recipients on the left and signature on the right, kept together
    qr_code(payload)     a QR code drawn as shapes (reportlab's QR widget would add Times-Roman)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak, Flowable, HRFlowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle,
)

from core.printing import fonts, model
from core.printing.formats import document_number, place_date
from core.printing.checkbox import CheckBox, Mark
from core.printing.page import TEXT_WIDTH
from core.printing.qr import QrCode
from core.printing.styles import styles
from core.printing.tables import table  # noqa: F401 - part of this module's API

__all__ = [
    "Mark", "CheckBox", "header", "unit_bodies", "title", "heading", "paragraph", "strong", "emphasis",
    "table", "check_item", "signature", "recipients", "closing", "qr_code", "space", "page_break", "keep_together",
    "keep_with_space", "fill_in",
]

RULE_THICKNESS = 0.6


# ---------------------------------------------------------------------------
# Text helpers


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


def strong(text: str) -> Run:
    """Bold words inside a paragraph: paragraph("Tổng số: ", strong("12"), " hồ sơ.")."""
    return Run(text, bold=True)


def emphasis(text: str) -> Run:
    """Italic words inside a paragraph."""
    return Run(text, italic=True)


def _font_for(bold: bool, italic: bool) -> str:
    return {(False, False): fonts.REGULAR, (True, False): fonts.BOLD,
            (False, True): fonts.ITALIC, (True, True): fonts.BOLD_ITALIC}[(bold, italic)]


def _markup(text: str, font: str) -> str:
    """Cleaned, checked, escaped paragraph markup for plain text; newlines become line breaks."""
    text = fonts.clean_text(text)
    fonts.check_text(text, font)
    return escape(text).replace("\n", "<br/>")


def _para(text: str, style_name: str) -> Paragraph:
    style = styles()[style_name]
    return Paragraph(_markup(text, style.fontName), style)


def _rule(width: float, space_before: float = 3.5, space_after: float = 6) -> HRFlowable:
    return HRFlowable(width=width, thickness=RULE_THICKNESS, color=colors.black, hAlign="CENTER",
                      spaceBefore=space_before, spaceAfter=space_after)


def _width(text: str, font: str, size: float) -> float:
    fonts.register_fonts()  # measuring needs the faces registered (cached after the first call)
    return stringWidth(text, font, size)


def _text_width(text: str, style_name: str, limit: float) -> float:
    style = styles()[style_name]
    widest = max(stringWidth(line, style.fontName, style.fontSize) for line in text.split("\n"))
    return min(widest, limit)


# ---------------------------------------------------------------------------
# Header, document type, headings, paragraphs


def unit_bodies(unit, department: str | None = None) -> tuple[str | None, str]:
    """(governing body, issuing body) for a commune unit (core.units.Unit).

    The People's Committee itself issues as "ỦY BAN NHÂN DÂN / XÃ BA TƠ" with no governing
    line; one of its offices issues under it: governing "ỦY BAN NHÂN DÂN XÃ BA TƠ" (broken
    before the unit's name when too long for the column), issuing "TRUNG TÂM PHỤC VỤ …".
    """
    if department:
        governing = unit.committee_name
        if _width(governing, fonts.REGULAR, 12) > _LEFT_WIDEST:
            governing = f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}"
        return governing, department.upper()
    return None, f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}"


NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_COLUMN_GAP = 4 * mm
_LEFT_WIDEST = TEXT_WIDTH - 88.5 * mm - _COLUMN_GAP   # left column when the national title is at 12 pt


def _header_fit(governing: list[str], issuing: list[str], place_date_text: str) -> tuple[float, float, float, float]:
    """(left column width, left size, right size, place-date size) for the header.

    The decree allows 12–13 pt for the bodies and the national title and 13–14 pt for the
    place and date. Keep the larger sizes when every line fits unbroken; otherwise step down,
    so a unit's name never breaks mid-way. A line too long for any choice (a long office
    name) is left out of the search; it is broken in two balanced halves afterwards.
    """
    def left_width_for(right_size, date_size):
        right = max(_width(NATION, fonts.BOLD, right_size), _width(place_date_text, fonts.ITALIC, date_size))
        return TEXT_WIDTH - right - _COLUMN_GAP

    widest = left_width_for(12, 13)
    lines = [(t, fonts.REGULAR) for t in governing] + [(t, fonts.BOLD) for t in issuing]
    lines = [(t, f) for t, f in lines if _width(t, f, 12) <= widest]
    choices = [(l, r, d) for r, d in ((13, 14), (13, 13), (12, 14), (12, 13)) for l in (13, 12)]
    for left_size, right_size, date_size in choices:
        left_width = left_width_for(right_size, date_size)
        if all(_width(t, f, left_size) <= left_width for t, f in lines):
            return left_width, left_size, right_size, date_size
    return widest, 12, 12, 13  # unreachable: the lines kept all fit the widest choice


def _balance(text: str, font: str, size: float, width: float) -> str:
    """Break each line too wide for `width` into two lines of similar length, at a space."""
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        if _width(line, font, size) <= width or len(words) < 2:
            out.append(line)
            continue
        cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        first, second = min(cuts, key=lambda c: max(_width(c[0], font, size), _width(c[1], font, size)))
        out += [first, second]
    return "\n".join(out)


def _sized(style_name: str, size: float):
    from reportlab.lib.styles import ParagraphStyle

    base = styles()[style_name]
    if base.fontSize == size:
        return base
    return ParagraphStyle(f"{style_name}{size}", parent=base, fontSize=size, leading=size * 1.2)


def _para_sized(text: str, style_name: str, size: float) -> Paragraph:
    style = _sized(style_name, size)
    return Paragraph(_markup(text, style.fontName), style)


def header(*, issuing_body: str, place: str, date: dt.date | None, symbol: str | None = None,
           number: int | None = None, governing_body: str | None = None, about: str | None = None) -> Table:
    """The two-column header of page 1.

    Left: governing body (regular), issuing body (bold) with a short rule, then "Số: 05/BC-UBND"
    (number None leaves a blank for the clerk; symbol None leaves out the line) and, for an official
    letter, "V/v …". Right: national title, motto with a full rule, then place and date in italics
    (date None: blanks to fill in by hand, for printed forms).
    A "\\n" in a body's name forces its line break.
    """
    governing = fonts.clean_text(governing_body).upper() if governing_body else None
    issuing = fonts.clean_text(issuing_body).upper()
    place = fonts.clean_text(place)
    when = place_date(place, date)
    left_width, left_size, right_size, date_size = _header_fit(
        governing.split("\n") if governing else [], issuing.split("\n"), when)
    right_width = TEXT_WIDTH - left_width
    left: list[Flowable] = []
    if governing:
        governing = _balance(governing, fonts.REGULAR, left_size, left_width)
        left.append(_para_sized(governing, "governing", left_size))
    issuing = _balance(issuing, fonts.BOLD, left_size, left_width)
    left.append(_para_sized(issuing, "issuer", left_size))
    issuing_width = max(_width(t, fonts.BOLD, left_size) for t in issuing.split("\n"))
    left.append(_rule(min(issuing_width, left_width) * 0.4))
    right = [_para_sized(NATION, "nation", right_size), _para(MOTTO, "motto"),
             _rule(_text_width(MOTTO, "motto", right_width))]

    left_below: list[Flowable] = []
    if symbol:
        left_below.append(_para(document_number(number, symbol), "number"))
    if about:
        left_below.append(_para(about if about.startswith("V/v") else f"V/v {about}", "about"))
    right_below = [_para_sized(when, "place_date", date_size)]

    t = Table([[left, right], [left_below or "", right_below]], colWidths=[left_width, right_width],
              hAlign="CENTER")
    t.block = model.Header(governing=governing, issuing=issuing,
                           number_line=document_number(number, symbol) if symbol else None,
                           about=(about if about.startswith("V/v") else f"V/v {about}") if about else None,
                           place_date=when, left_width=left_width, left_size=left_size, right_size=right_size,
                           date_size=date_size)
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # centres the rules under their lines
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return t


def title(doc_type: str, subject: str | None = None) -> KeepTogether:
    """"BÁO CÁO" (bold, centred) and its subject under it (bold) with a short rule."""
    parts: list[Flowable] = [_para(doc_type.upper(), "doc_type")]
    if subject:
        parts.append(_para(subject, "subject"))
        parts.append(_rule(min(_text_width(subject, "subject", TEXT_WIDTH), TEXT_WIDTH) * 0.3, 3.5, 12))
    else:
        parts.append(Spacer(1, 12))
    return model.describe(KeepTogether(parts), model.Title(fonts.clean_text(doc_type.upper()),
                                                           fonts.clean_text(subject) if subject else None))


def heading(text: str) -> Paragraph:
    """A bold section heading, indented like the body: "I. KẾT QUẢ THỰC HIỆN"."""
    return model.describe(_para(text, "heading"), model.Heading(fonts.clean_text(text)))


_ALIGNMENTS = {"JUSTIFY": TA_JUSTIFY, "LEFT": TA_LEFT, "CENTER": TA_CENTER, "RIGHT": TA_RIGHT}


def paragraph(*parts: str | Run, indent: bool = True, align: str = "JUSTIFY") -> Paragraph:
    """A body paragraph (14 pt, justified, first-line indent 1 cm, 6 pt after).

    Parts are plain strings or runs made by strong()/emphasis(); they are joined as given.
    indent=False drops the first-line indent; align="LEFT" suits form lines with dotted blanks
    ("Cuộc họp: ……"), which justification would stretch.
    """
    style = _body_style(indent, align.upper())
    markup, runs = [], []
    for part in parts:
        run = part if isinstance(part, Run) else Run(str(part))
        runs.append(Run(fonts.clean_text(run.text), run.bold, run.italic))
        text = _markup(run.text, _font_for(run.bold, run.italic))
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        markup.append(text)
    return model.describe(Paragraph("".join(markup), style), model.Paragraph(tuple(runs), indent, align.upper()))


def fill_in(prompt: str, label: str = "Nội dung cán bộ ghi") -> Paragraph:
    """A paragraph left for the clerk to write before signing ("(Cán bộ ghi đề xuất…)").

    The PDF prints the prompt in italics, as a reminder; the Word file holds a fill-in field
    (a content control) showing the prompt, which the first keystroke replaces.
    """
    flowable = paragraph(emphasis(prompt))
    flowable.block = model.FillIn(fonts.clean_text(prompt), label)
    return flowable


@lru_cache(maxsize=16)
def _body_style(indent: bool, align: str):
    from reportlab.lib.styles import ParagraphStyle

    base = styles()["body"]
    if indent and align == "JUSTIFY":
        return base
    if align not in _ALIGNMENTS:
        raise ValueError(f"paragraph: align must be one of {sorted(_ALIGNMENTS)}, not {align!r}")
    return ParagraphStyle(f"body_{int(indent)}_{align}", parent=base, alignment=_ALIGNMENTS[align],
                          firstLineIndent=base.firstLineIndent if indent else 0)


# ---------------------------------------------------------------------------
# Check boxes (drawn in core/printing/checkbox.py)


def check_item(mark: Mark | str, text: str, *, width: float = TEXT_WIDTH, indent: float = 10 * mm) -> Table:
    """A check box followed by its label (the label wraps beside the box)."""
    box = CheckBox(mark)
    label_width = width - indent - box.size - 6
    t = Table([[box, _para(text, "check_label")]], colWidths=[indent + box.size + 6, label_width],
              hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (0, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (0, 0), 6),
        ("RIGHTPADDING", (1, 0), (1, 0), 0),
        # Lines the box up with the first line of the label (cap height of 14 pt text).
        ("TOPPADDING", (0, 0), (0, 0), 3.5), ("TOPPADDING", (1, 0), (1, 0), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    t.block = model.CheckItem(mark, fonts.clean_text(text))
    return t


# Tables: core/printing/tables.py (re-exported here as `table`).

# ---------------------------------------------------------------------------
# Closing: signature and recipients


def signature(capacity: Sequence[str], name: str, *, note: str | None = None,
              sign_space: float = 24 * mm) -> list[Flowable]:
    """Capacity lines ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), room to sign, the name.

    note: an italic line under the capacity, e.g. "(Ký, ghi rõ họ tên)" on forms.
    """
    parts: list[Flowable] = [_para(line.upper(), "capacity") for line in capacity]
    if note:
        parts.append(_para(note, "sign_note"))
    parts.append(Spacer(1, sign_space))
    parts.append(_para(name, "signer"))
    return model.BlockList(parts, model.Signature(tuple(fonts.clean_text(c).upper() for c in capacity),
                                                  fonts.clean_text(name), fonts.clean_text(note) if note else None,
                                                  sign_space))


def recipients(items: Sequence[str], archive: str = "VT") -> list[Flowable]:
    """"Nơi nhận:" then "- item;" per line and "- Lưu: VT, <archive>." last.

    archive: what follows "Lưu:", e.g. "VT, VP" (the archive and the drafting office).
    """
    lines = [f"- {item.strip().lstrip('-').strip().rstrip(';.')};" for item in items]
    lines.append(f"- Lưu: {archive.strip().rstrip('.')}.")
    parts: list[Flowable] = [_para("Nơi nhận:", "recipients_title")] + [_para(line, "recipient") for line in lines]
    return model.BlockList(parts, model.Recipients(tuple(fonts.clean_text(line) for line in lines)))


def closing(recipients: Sequence[Flowable] | None = None, signature: Sequence[Flowable] | None = None,
            *, width: float = TEXT_WIDTH) -> Table:
    """Recipients bottom-left and the signature block right, starting on the same line.

    A one-row table never splits, so the signature is never separated from its capacity lines.
    """
    left_width = width * 0.45
    t = Table([[list(recipients or []) or "", list(signature or []) or ""]],
              colWidths=[left_width, width - left_width], hAlign="CENTER")
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 12), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    t.block = model.Closing(getattr(recipients, "block", None), getattr(signature, "block", None), left_width / width)
    return t


# ---------------------------------------------------------------------------
# QR code, spacing


def qr_code(payload: str, size_mm: float = 40, align: str = "CENTER") -> QrCode:
    """A QR code (drawn as shapes, no font) of `payload`, size_mm square including its quiet zone."""
    return model.describe(QrCode(payload, size_mm * mm, align.upper()), model.QrCode(payload))


def space(height_mm: float) -> Spacer:
    return model.describe(Spacer(1, height_mm * mm), model.Space(height_mm * mm))


def page_break() -> PageBreak:
    return model.describe(PageBreak(), model.PageBreak())


def keep_together(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))


def keep_with_space(height_mm: float) -> CondPageBreak:
    """Start a new page unless this much room is left (e.g. before a heading and its table)."""
    return model.describe(CondPageBreak(height_mm * mm), model.KeepWithSpace(height_mm * mm))
