"""The same story as an editable Word file (.docx, python-docx), in the layout of Nghị định 30/2020.

    from core.printing import build_document        # .pdf or .docx, chosen by the file name
    from core.printing.word import build_docx
    build_docx(story, "bao-cao.docx", title="Báo cáo …")

The story is the one handed to build_pdf: every block carries its description
(core.printing.model), and this module writes each description with Word's own means —
the two-column header as a borderless table with its short rules, the title, headings and
justified paragraphs, grid tables whose header row repeats on every page and whose rows do
not break across pages, the recipients and the signature side by side and kept with the
text before them, Times New Roman throughout, A4 with the decree's margins, page numbers
centred at the top from page 2. A `fill_in` block becomes a content control showing its
prompt, which the first keystroke in Word replaces. The QR code and the data fingerprint of
the PDF footer are left out: an edited file no longer matches the data it was made from.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth

from core.printing import fonts, model
from core.printing.checkbox import CheckBox, Mark
from core.printing.page import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH
from core.printing.styles import BODY_SIZE, TABLE_SIZE

FONT = "Times New Roman"
SYMBOL_FONT = "Segoe UI Symbol"   # Word's font for ☐ ☑ ☒ (Times New Roman has no check boxes)
MARK_TEXT = {Mark.EMPTY: "☐", Mark.TICKED: "☑", Mark.CROSSED: "☒"}
EMU_PER_POINT = 12700


class WordRenderError(TypeError):
    """A flowable in the story has no description to write to Word (a programming error)."""


@dataclass(frozen=True)
class BuiltDocx:
    path: Path
    report_id: str
    pages: None = None  # Word lays out the pages itself


def _pt(points: float):
    from docx.shared import Emu

    return Emu(int(points * EMU_PER_POINT))


def _set_run_font(run, *, size: float | None = None, bold=None, italic=None, font: str = FONT) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = font
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, r_fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attr), font)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def _bottom_rule(paragraph, width_pt: float, container_pt: float) -> None:
    """A short horizontal rule: an empty paragraph with a bottom border, narrowed by its indents."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    side = max((container_pt - width_pt) / 2, 0)
    fmt.left_indent = fmt.right_indent = _pt(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(3)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "5", qn("w:space"): "1",
                                                   qn("w:color"): "000000"})
    borders.append(bottom)
    p_pr.append(borders)


class _Writer:
    def __init__(self, document):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc = document
        self.ALIGN = {"LEFT": WD_ALIGN_PARAGRAPH.LEFT, "CENTER": WD_ALIGN_PARAGRAPH.CENTER,
                      "RIGHT": WD_ALIGN_PARAGRAPH.RIGHT, "JUSTIFY": WD_ALIGN_PARAGRAPH.JUSTIFY}
        self.text_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        self.last = None   # the last paragraph(s) written at body level, kept with a closing block

    # -- paragraphs -------------------------------------------------------------------------
    def para(self, container, text: str = "", *, size: float = BODY_SIZE, bold=False, italic=False,
             align: str = "LEFT", before: float = 0, after: float = 0, indent_first: float = 0,
             line: float | None = None, keep_next: bool = False):
        from docx.shared import Pt

        p = container.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = self.ALIGN[align]
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.line_spacing = line or 1.0
        if indent_first:
            fmt.first_line_indent = _pt(indent_first)
        fmt.keep_with_next = keep_next or None
        for n, piece in enumerate(text.split("\n")):
            run = p.add_run(piece)
            _set_run_font(run, size=size, bold=bold, italic=italic)
            if n < len(text.split("\n")) - 1:
                run.add_break()
        return p

    # -- blocks ---------------------------------------------------------------------------
    def header(self, h: model.Header) -> None:
        right_width = self.text_width - h.left_width
        table = self._plain_table(2, [h.left_width, right_width])
        left, right = table.rows[0].cells
        if h.governing:
            self.para(left, h.governing, size=h.left_size, align="CENTER")
        self.para(left, h.issuing, size=h.left_size, bold=True, align="CENTER")
        issuing_width = max(stringWidth(t, fonts.BOLD, h.left_size) for t in h.issuing.split("\n"))
        _bottom_rule(self.para(left, "", size=2), min(issuing_width, h.left_width) * 0.4, h.left_width)
        self.para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=h.right_size, bold=True, align="CENTER")
        self.para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, align="CENTER")
        _bottom_rule(self.para(right, "", size=2), stringWidth("Độc lập - Tự do - Hạnh phúc", fonts.BOLD, 14),
                     right_width)
        left2, right2 = table.rows[1].cells
        if h.number_line:
            self.para(left2, h.number_line, size=13, align="CENTER", before=4)
        if h.about:
            self.para(left2, h.about, size=12, align="CENTER")
        self.para(right2, h.place_date, size=h.date_size, italic=True, align="CENTER", before=4)
        for cell in (left, right, left2, right2):
            _drop_leading_empty(cell)

    def title(self, t: model.Title) -> None:
        self.para(self.doc, t.doc_type, size=14, bold=True, align="CENTER", before=16, keep_next=True)
        if t.subject:
            self.para(self.doc, t.subject, size=14, bold=True, align="CENTER", keep_next=True)
            width = min(stringWidth(t.subject, fonts.BOLD, 14), self.text_width) * 0.3
            rule = self.para(self.doc, "", size=2, keep_next=True)
            _bottom_rule(rule, width, self.text_width)
        self.last = [self.para(self.doc, "", size=6)]

    def heading(self, h: model.Heading) -> None:
        self.last = [self.para(self.doc, h.text, bold=True, align="JUSTIFY", before=6, after=6,
                               indent_first=28.35, line=1.2, keep_next=True)]

    def paragraph(self, p: model.Paragraph) -> None:
        from docx.shared import Pt

        para = self.para(self.doc, "", align=p.align, after=6, indent_first=28.35 if p.indent else 0, line=1.2)
        for run_spec in p.runs:
            for n, piece in enumerate(run_spec.text.split("\n")):
                if n:
                    para.runs[-1].add_break()
                run = para.add_run(piece)
                _set_run_font(run, size=BODY_SIZE, bold=run_spec.bold, italic=run_spec.italic)
        para.paragraph_format.space_after = Pt(6)
        self.last = [para]

    def fill_in(self, f: model.FillIn) -> None:
        """A rich-text content control holding the prompt as placeholder text."""
        from docx.oxml.ns import qn

        para = self.para(self.doc, "", align="JUSTIFY", after=6, indent_first=28.35, line=1.2)
        run = para.add_run(f.prompt)
        _set_run_font(run, size=BODY_SIZE, italic=True)
        body = para._p.getparent()
        sdt = body.makeelement(qn("w:sdt"), {})
        sdt_pr = sdt.makeelement(qn("w:sdtPr"), {})
        for tag, val in (("w:alias", f.label), ("w:tag", "fill-in")):
            sdt_pr.append(sdt_pr.makeelement(qn(tag), {qn("w:val"): val}))
        sdt_pr.append(sdt_pr.makeelement(qn("w:showingPlcHdr"), {}))
        sdt.append(sdt_pr)
        content = sdt.makeelement(qn("w:sdtContent"), {})
        sdt.append(content)
        para._p.addprevious(sdt)
        content.append(para._p)
        self.last = [para]

    def table(self, t: model.Table) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
        from docx.oxml.ns import qn

        nhead = len(t.header_rows)
        all_rows = [list(r) for r in t.header_rows] + [list(r) for r in t.rows]
        ncols = len(t.col_widths)
        table = self.doc.add_table(rows=len(all_rows), cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_layout(table, t.col_widths)
        _cell_margins(table, 4)   # as in the PDF (tables.py: 4 pt), so the same words fit the same columns
        spans, bold = _table_commands(t.style, len(all_rows), ncols)
        covered = set()
        for (c0, r0), (c1, r1) in spans:
            table.cell(r0, c0).merge(table.cell(r1, c1))
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
        # Row by row, one row's cells at a time: table.cell(r, c) rebuilds the whole table's grid
        # on every call and table.rows[r] lists every row, so filling a table cell by cell grew with
        # the square of its size — a 23-item checklist sheet took seconds, over 10 s under Wine on
        # a busy PC, and a 200-row report minutes.
        for r, (row, values) in enumerate(zip(table.rows, all_rows)):
            cells = row.cells
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))   # rows move whole, as in the PDF
            if r < nhead:
                tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))  # repeated on every page
            for c, value in enumerate(values):
                if (r, c) in covered:
                    continue
                cell = cells[c]
                head = r < nhead
                align = "CENTER" if head else t.aligns[c]
                text, symbol = _cell_text(value)
                p = cell.paragraphs[0]
                p.paragraph_format.alignment = self.ALIGN[align]
                p.paragraph_format.space_after = p.paragraph_format.space_before = _pt(0)
                lines = text.split("\n")
                for n, line in enumerate(lines):
                    run = p.add_run(line)
                    _set_run_font(run, size=TABLE_SIZE, bold=head or (r, c) in bold,
                                  font=SYMBOL_FONT if symbol else FONT)
                    if n < len(lines) - 1:
                        run.add_break()
                if head or symbol:
                    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        self.last_table = table
        self.last = [p for cell in table.rows[-1].cells for p in cell.paragraphs]
        self.para(self.doc, "", size=4)  # Word joins two tables that touch; a thin paragraph keeps them apart

    def check_item(self, c: model.CheckItem) -> None:
        p = self.para(self.doc, "", after=3, line=1.2)
        p.paragraph_format.left_indent = _pt(28.35)
        box = p.add_run(MARK_TEXT[_mark(c.mark)] + " ")
        _set_run_font(box, size=BODY_SIZE, font=SYMBOL_FONT)
        run = p.add_run(c.text)
        _set_run_font(run, size=BODY_SIZE)
        self.last = [p]

    def closing(self, c: model.Closing) -> None:
        from docx.oxml.ns import qn

        for p in self.last or []:
            p.paragraph_format.keep_with_next = True   # the signature never starts a page alone
        left_width = self.text_width * c.left_share
        table = self._plain_table(1, [left_width, self.text_width - left_width])
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))
        for cell, part in zip(table.rows[0].cells, (c.left, c.right)):
            self._closing_part(cell, part)
            _drop_leading_empty(cell)
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
        self.last = None

    def _closing_part(self, cell, part) -> None:
        if isinstance(part, model.Recipients):
            self.para(cell, "Nơi nhận:", size=12, bold=True, italic=True, before=12)
            for line in part.lines:
                self.para(cell, line, size=11)
        elif isinstance(part, model.Signature):
            self.para(cell, "", size=6)
            for n, line in enumerate(part.capacity):
                self.para(cell, line, size=14, bold=True, align="CENTER", before=6 if n == 0 else 0)
            if part.note:
                self.para(cell, part.note, size=13, italic=True, align="CENTER")
            self.para(cell, part.name, size=14, bold=True, align="CENTER", before=part.sign_space)

    def space(self, s: model.Space) -> None:
        from docx.shared import Pt

        p = self.para(self.doc, "", size=1)
        p.paragraph_format.space_after = Pt(max(s.height - 1, 0))

    def page_break(self) -> None:
        self.doc.add_page_break()
        self.last = None

    def _plain_table(self, nrows: int, widths: Sequence[float]):
        """A borderless layout table (header, closing) with no cell padding."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml.ns import qn

        table = self.doc.add_table(rows=nrows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_layout(table, widths)
        _cell_margins(table, 0)
        return table


def _cell_margins(table, points: float) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): str(int(points * 20)), qn("w:type"): "dxa"}))
    tbl_pr.append(margins)


def _drop_leading_empty(cell) -> None:
    """A new cell starts with an empty paragraph; drop it when text was added after it."""
    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text and not paragraphs[0].runs:
        paragraphs[0]._p.getparent().remove(paragraphs[0]._p)


def _fixed_layout(table, widths_pt: Sequence[float]) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    tbl_pr.append(tbl_pr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"}))
    for column, width in zip(table.columns, widths_pt):
        column.width = _pt(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_pt):
            cell.width = _pt(width)


def _mark(value) -> Mark:
    if isinstance(value, CheckBox):
        return value.mark
    return value if isinstance(value, Mark) else Mark(value)


def _cell_text(value) -> tuple[str, bool]:
    """(text, drawn with the symbol font) for a table cell value."""
    if value is None:
        return "", False
    if isinstance(value, (Mark, CheckBox)):
        return MARK_TEXT[_mark(value)], True
    block = getattr(value, "block", None)
    if isinstance(block, model.Paragraph):
        return "".join(r.text for r in block.runs), False
    if hasattr(value, "wrap"):
        raise WordRenderError(f"Không ghi được ô bảng kiểu {type(value).__name__} ra tệp Word.")
    return fonts.clean_text(str(value)), False


def _table_commands(style: Sequence[tuple], nrows: int, ncols: int):
    """SPAN ranges and cells set in bold, from the extra TableStyle commands a report passed."""
    def norm(cell):
        c, r = cell
        return (c + ncols if c < 0 else c, r + nrows if r < 0 else r)

    spans, bold = [], set()
    for command in style:
        name, start, stop = command[0], norm(command[1]), norm(command[2])
        if name == "SPAN":
            spans.append((start, stop))
        elif name == "FONTNAME" and command[3] in (fonts.BOLD, fonts.BOLD_ITALIC):
            bold |= {(r, c) for r in range(start[1], stop[1] + 1) for c in range(start[0], stop[0] + 1)}
    return spans, bold


def _blocks(story):
    for item in story:
        if isinstance(item, model.BlockList):
            yield item.block
        elif isinstance(item, (list, tuple)):
            yield from _blocks(item)
        else:
            block = getattr(item, "block", None)
            if block is None:
                content = getattr(item, "_content", None)  # keep_together(...) of blocks
                if content is not None:
                    yield from _blocks(content)
                    continue
                if type(item).__name__ in ("Spacer", "CondPageBreak"):
                    continue
                raise WordRenderError(f"Khối {type(item).__name__} không có mô tả để ghi ra tệp Word.")
            yield block


def _setup(document, *, title: str, author: str, subject: str, report_id: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section = document.sections[0]
    section.page_width, section.page_height = _pt(PAGE_WIDTH), _pt(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = _pt(MARGIN_TOP), _pt(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = _pt(MARGIN_LEFT), _pt(MARGIN_RIGHT)
    section.header_distance = _pt(MARGIN_TOP / 2 - 6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_SIZE)
    r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(0)
    # Page numbers centred in the top margin, not on page 1 (Nghị định 30).
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_run_font(run, size=13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    props = document.core_properties
    props.title, props.author, props.subject = title, author, subject
    props.keywords = report_id
    props.language = "vi-VN"
    props.comments = "Một Cửa Xã"


# How each block of the printing model is written; a block missing here is refused, never dropped.
_WRITES = {
    model.Header: _Writer.header,
    model.Title: _Writer.title,
    model.Heading: _Writer.heading,
    model.FillIn: _Writer.fill_in,
    model.Paragraph: _Writer.paragraph,
    model.Table: _Writer.table,
    model.CheckItem: _Writer.check_item,
    model.Closing: _Writer.closing,
    model.Recipients: lambda writer, block: writer.closing(model.Closing(block, None)),
    model.Signature: lambda writer, block: writer.closing(model.Closing(None, block)),
    model.Space: _Writer.space,
    model.PageBreak: lambda writer, _block: writer.page_break(),
    # Word keeps headings with their text itself; the QR code belongs to the PDF.
    model.KeepWithSpace: lambda _writer, _block: None,
    model.QrCode: lambda _writer, _block: None,
}


def render_docx(story, *, title: str = "", author: str = "", subject: str = "", report_id: str = ""):
    """The python-docx Document for `story` (not saved)."""
    from docx import Document

    fonts.register_fonts()   # the header's rules are measured with the printing faces
    document = Document()
    _setup(document, title=title, author=author, subject=subject, report_id=report_id)
    body = document.element.body
    for p in list(body.iterchildren()):
        if p.tag.endswith("}p"):
            body.remove(p)   # the template's empty first paragraph
    writer = _Writer(document)
    for block in _blocks(story):
        write = _WRITES.get(type(block))
        if write is None:
            raise WordRenderError(f"Khối {type(block).__name__} chưa ghi được ra tệp Word.")
        write(writer, block)
    return document


def build_docx(story, out: str | os.PathLike, *, report_id: str = "", title: str = "", author: str = "",
               subject: str = "") -> BuiltDocx:
    """Write `story` as a .docx at `out`, atomically (a failed write leaves any earlier file)."""
    from core.printing.document import PdfWriteError, _write_atomically

    path = Path(out)
    if not path.parent.is_dir():
        raise PdfWriteError(f"Không có thư mục “{path.parent}” để lưu tệp.")
    document = render_docx(story, title=title, author=author, subject=subject, report_id=report_id)
    buffer = io.BytesIO()
    document.save(buffer)
    _write_atomically(path, buffer.getvalue())
    return BuiltDocx(path, report_id)
