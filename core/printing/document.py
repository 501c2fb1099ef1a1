"""Turn a list of blocks into an A4 PDF in the decree's page layout.

    from core.printing import blocks as b, build_pdf
    story = [b.header(...), b.title("BÁO CÁO", "..."), b.paragraph("..."), b.table(...)]
    result = build_pdf(story, "bao-cao.pdf", report_id="BC-NV-2026-001", data=rows, title="Báo cáo …")

Every page gets a small footer line with the report identifier and a short SHA-256
fingerprint of the data it shows, and a QR code holding the same identifier and the full
fingerprint, so a printed sheet can later be matched to the data it came from. Page numbers
are centred in the top margin from page 2. The file is written to a temporary name and
moved into place only when complete: a failed build never leaves (or overwrites with) a
broken PDF.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Sequence

from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageBreak, PageTemplate, Spacer

from core import durable
from core.errors import AppError
from core.printing import fonts, model
from core.fileio import replace_file
from core.printing.page import (
    MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH, TEXT_HEIGHT, TEXT_WIDTH,
)
from core.printing.qr import draw_qr, qr_matrix
from core.printing.styles import BODY_LEADING, BODY_SIZE

PAGE_NUMBER_SIZE = 13
FOOTER_SIZE = 8
QR_SIZE = 15 * mm
QR_PREFIX = "MOTCUA"


# reportlab keeps per-font subsetting state in shared objects; builds are CPU-bound under the GIL
# anyway, so reports made on several worker threads are simply built one at a time.
_BUILD_LOCK = threading.Lock()


class UnembeddedFontError(AppError):
    """A flowable drew text in a font other than the printing faces (a built-in PDF font)."""


class PdfWriteError(AppError):
    """The PDF could not be written where asked (folder missing, file open in a viewer…)."""


@dataclass(frozen=True)
class BuiltPdf:
    path: Path | None        # None when written to a stream
    pages: int
    report_id: str
    fingerprint: str         # full SHA-256 hex of the data

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)


def data_fingerprint(data: Any) -> str:
    """SHA-256 (hex) of the data a report shows, in a canonical JSON form.

    Keys are sorted and dates become ISO text, so the same rows give the same fingerprint
    on every machine and in every run; reprinting unchanged data prints the same code.
    """
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def short_fingerprint(fingerprint: str) -> str:
    """The first 12 hex digits: enough to tell reports apart by eye, short enough to read aloud."""
    return fingerprint[:12]


def qr_payload(report_id: str, fingerprint: str) -> str:
    """What the QR code on each page holds: "MOTCUA|<report id>|<full SHA-256>"."""
    return f"{QR_PREFIX}|{report_id}|{fingerprint}"


def footer_text(report_id: str, fingerprint: str) -> str:
    return f"Mã báo cáo: {report_id} · Dấu dữ liệu (SHA-256): {short_fingerprint(fingerprint)}"


class _PageDecorations:
    """Draws the page number, the footer line and the QR code on every page."""

    def __init__(self, report_id: str, fingerprint: str):
        self.footer = footer_text(report_id, fingerprint)
        self.payload = qr_payload(report_id, fingerprint)
        self._form_ready = False

    def _qr_form(self, canvas) -> str:
        # Drawn once into a form XObject and reused on every page: cheaper to build, and the
        # file carries it once.
        name = "motcuaQR"
        if not self._form_ready:
            canvas.beginForm(name)
            draw_qr(canvas, qr_matrix(self.payload), QR_SIZE)
            canvas.endForm()
            self._form_ready = True
        return name

    def _footer_size(self) -> float:
        # A long report identifier must not run under the QR code: the line shrinks to fit.
        room = TEXT_WIDTH - QR_SIZE - 4 * mm
        width = pdfmetrics.stringWidth(self.footer, fonts.REGULAR, FOOTER_SIZE)
        return FOOTER_SIZE if width <= room else FOOTER_SIZE * room / width

    def __call__(self, canvas, doc) -> None:
        canvas.saveState()
        page = canvas.getPageNumber()
        if page > 1:  # Nghị định 30: no number on the first page
            canvas.setFont(fonts.REGULAR, PAGE_NUMBER_SIZE)
            canvas.drawCentredString(MARGIN_LEFT + TEXT_WIDTH / 2, PAGE_HEIGHT - MARGIN_TOP / 2 - 4, str(page))
        canvas.setFont(fonts.REGULAR, self._footer_size())
        canvas.drawString(MARGIN_LEFT, 9 * mm, self.footer)
        form = self._qr_form(canvas)
        canvas.translate(PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE, 3 * mm)
        canvas.doForm(form)
        canvas.restoreState()


def _template(target, *, title: str, author: str, subject: str, decorations: _PageDecorations) -> BaseDocTemplate:
    doc = BaseDocTemplate(
        target, pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=title, author=author, subject=subject, creator="Một Cửa Xã", producer="Một Cửa Xã (reportlab)",
        lang="vi-VN",
        # Without these reportlab starts every page in Helvetica and puts it in the file unembedded.
        initialFontName=fonts.REGULAR, initialFontSize=BODY_SIZE, initialLeading=BODY_LEADING,
    )
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="a4", frames=[frame], onPage=decorations)])
    return doc


def build_pdf(story: Sequence[Flowable], out: str | os.PathLike | BinaryIO, *, report_id: str,
              data: Any = None, fingerprint: str | None = None, title: str = "", author: str = "",
              subject: str = "") -> BuiltPdf:
    """Lay out `story` (blocks from core.printing.blocks) on A4 pages and write the PDF.

    story: flowables, or lists of them (what signature() and recipients() return), in order.

    out: a file path (written atomically) or a binary stream.
    report_id: printed in the footer and the QR code, e.g. "BC-NV-2026-0007".
    data / fingerprint: what the report shows (any JSON-able value) — its SHA-256 is printed;
    or pass a precomputed fingerprint. Raises fonts.MissingGlyphError (nothing written) if a
    character cannot be printed, UnembeddedFontError (nothing written) if some flowable drew in a
    font other than the printing faces, PdfWriteError if the file cannot be written.
    """
    fonts.register_fonts()
    fonts.check_text(report_id)
    fonts.check_text(title)
    fingerprint = fingerprint or data_fingerprint(data)
    decorations = _PageDecorations(report_id, fingerprint)
    meta = dict(title=title, author=author, subject=subject, decorations=decorations)

    story = _flatten(story)
    if hasattr(out, "write"):
        doc = _template(out, **meta)
        with _BUILD_LOCK:
            doc.build(story)
        _require_printing_fonts(doc)
        return BuiltPdf(None, doc.page, report_id, fingerprint)

    path = Path(out)
    if not path.parent.is_dir():
        raise PdfWriteError(f"Không có thư mục “{path.parent}” để lưu tệp PDF.")
    buffer = io.BytesIO()
    doc = _template(buffer, **meta)
    with _BUILD_LOCK:
        doc.build(story)
    _require_printing_fonts(doc)
    _write_atomically(path, buffer.getvalue())
    return BuiltPdf(path, doc.page, report_id, fingerprint)


def _require_printing_fonts(doc: BaseDocTemplate) -> None:
    # A TableStyle without FONTNAME or a hand-made flowable falls back to Helvetica, which is
    # not embedded and prints Vietnamese as boxes. Refuse the file rather than print it.
    used = set(doc.canv._doc.fontMapping)
    foreign = sorted(used - {fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC})
    if foreign:
        raise UnembeddedFontError(
            "Văn bản có chữ in bằng phông chữ không nhúng được (" + ", ".join(foreign) + "), "
            "sẽ hiện thành ô vuông trên máy khác; không tạo tệp PDF.",
            details="A flowable or TableStyle did not name a printing face (FONTNAME / fontName): "
                    "use core.printing.fonts.REGULAR/BOLD/ITALIC/BOLD_ITALIC. reportlab.graphics drawings "
                    "set Times-Roman unless placed directly in the story (or given initialFontName); "
                    "core.printing.blocks.qr_code draws QR codes without any font.")


def _flatten(story) -> list[Flowable]:
    """Blocks that return several flowables (signature, recipients) may sit in the story as lists.

    reportlab.graphics drawings (charts, barcodes) start from Times-Roman, a built-in font, even
    when they draw no text; those in the story start from the printing face instead. A closing
    block (recipients and signature) is bound to the flowable before it (_WithClosing), so the
    signature never sits alone at the top of a page.
    """
    flat = _flat(story)
    for index in range(len(flat) - 1, 0, -1):
        if isinstance(getattr(flat[index], "block", None), model.Closing):
            start = index - 1
            while start > 0 and isinstance(flat[start], (Spacer, CondPageBreak)):
                start -= 1
            if isinstance(flat[start], (PageBreak, CondPageBreak)) or start < 0:
                continue
            flat[start:index + 1] = [_WithClosing(flat[start:index], flat[index])]
    return flat


def _flat(story) -> list[Flowable]:
    flat: list[Flowable] = []
    for item in story:
        if isinstance(item, (list, tuple)):
            flat.extend(_flat(item))
            continue
        if isinstance(item, Drawing) and not getattr(item, "initialFontName", None):
            item.initialFontName = fonts.REGULAR
        flat.append(item)
    return flat


class _WithClosing(Flowable):
    """The flowables before a closing block, and the closing block, never separated by a page break.

    When all of it does not fit, the leading flowable is split so that at least its last part
    (a table's last row, a paragraph's last lines) moves to the next page with the closing; a
    flowable that cannot split moves whole. reportlab's KeepTogether would move a whole table.
    """

    def __init__(self, before: list[Flowable], closing: Flowable):
        super().__init__()
        self.before, self.closing = before, closing

    def _parts(self) -> list[Flowable]:
        return [*self.before, self.closing]

    def wrap(self, avail_width, avail_height):
        self._sizes = [f.wrapOn(self.canv, avail_width, avail_height) for f in self._parts()]
        self.width = avail_width
        self.height = sum(h for _, h in self._sizes) + sum(
            f.getSpaceBefore() + f.getSpaceAfter() for f in self._parts())
        return self.width, self.height

    def split(self, avail_width, avail_height):
        parts = self._parts()
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return parts
        lead, rest = self.before[0], self.before[1:]
        lead_height = self._sizes[0][1] + lead.getSpaceBefore() + lead.getSpaceAfter()
        # Leave at least a little of the lead for the next page, so the closing has company there.
        for room in (min(avail_height, lead_height - 1), min(avail_height, lead_height) * 0.8):
            pieces = lead.splitOn(self.canv, avail_width, room) if room > 0 else []
            if len(pieces) >= 2:
                return [*pieces[:-1], _WithClosing([pieces[-1], *rest], self.closing)]
        if self.height > TEXT_HEIGHT and avail_height >= TEXT_HEIGHT - 1:
            return parts  # a fresh page cannot hold it all either: lay out as usual
        # Move everything to the next page: also when the lead cannot split into the little room
        # left at the foot of this one (the frame could not place its first part here).
        return []

    def draw(self):
        # Drawn whole when it fits; each part placed as a frame would place it (hAlign, spaces).
        y = self.height
        for flowable, (w, h) in zip(self._parts(), self._sizes):
            y -= flowable.getSpaceBefore() + h
            align = getattr(flowable, "hAlign", "LEFT")
            x = {"CENTER": (self.width - w) / 2, "CENTRE": (self.width - w) / 2, "RIGHT": self.width - w}.get(align, 0)
            flowable.drawOn(self.canv, x, y)
            y -= flowable.getSpaceAfter()


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".pdf", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        replace_file(tmp, path)
        durable.fsync_dir(path.parent)
    except PermissionError as exc:
        _remove_quietly(tmp)
        raise PdfWriteError(f"Không ghi được tệp “{path.name}”: tệp đang mở ở chương trình khác "
                            f"hoặc không có quyền ghi. Hãy đóng tệp rồi thử lại.", details=str(exc)) from exc
    except OSError as exc:
        _remove_quietly(tmp)
        raise PdfWriteError(f"Không ghi được tệp “{path.name}”.", details=str(exc)) from exc


def _remove_quietly(tmp: str | None) -> None:
    if tmp is None:
        return
    try:
        os.remove(tmp)
    except OSError:
        pass
