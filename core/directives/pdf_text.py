"""The words of a text PDF in reading order, one paragraph a line, through pdfium (pypdfium2).

Chosen by measurement (docs/DIRECTIVES.md "Reading PDFs"): pdfium keeps the drawing
order of a page's text and gives every character's box, so the layout rules below can
work on lines, and it is the fastest of the libraries tried (pypdf, pypdf's layout mode,
pdfminer.six). What the raw text of any of them gets wrong, and is put right here:

- **Wrapped lines**: a printed line that reaches the right margin continues on the next
  one, unless the next is indented (a new paragraph's first line) or opens a list item
  ("2.", "a)", "-"). Joined, a paragraph is one line again, as in the .txt.
- **Fallback fonts**: when the chosen font has no Vietnamese letters, LibreOffice draws
  them with another font after the rest of the line, so pdfium's text has "Th i gian ờ".
  Such a line is rebuilt from its characters sorted by position.
- **Page furniture**: page numbers and lines repeated at the top or bottom of pages
  (running headers, footers) are dropped, and so is the text of a digital-signature stamp
  ("Ký bởi: …", "Thời gian ký: …").
- **Footnotes**: lines in a smaller size under the body of a page are footnotes; they are
  returned apart (`PdfText.footnotes`), and the raised anchor digits in the body are removed.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from dataclasses import dataclass, field

# A line opening a list item never continues the line above it.
# ("(2)" is left out: drafters write "(1) …; (2) …" inside a paragraph, and a wrap can fall before one.)
_ITEM_START = re.compile(r"^(?:[IVX]{1,5}[\.\)]|\d{1,2}(?:\.\d{1,2}){0,3}[\.\)]|[a-zđ][\)\.]|[-+•·–])\s")
# "Thời gian hoàn thành: …" after a wrap belongs to the sentence above, as in the .txt.
_DEADLINE_LABEL = re.compile(r"^(?:Thời\s+gian|Thời\s+hạn|Tiến\s+độ|Hạn\s+hoàn\s+thành)\b")
_BLOCK_START = re.compile(r"^(?:Nơi\s+nhận|KT\.|TM\.|TL\.|KTL\.|Kính\s+gửi)")
# The text of a signature stamp (signed PDFs show it on page 1).
_SIGNATURE = re.compile(r"^(?:Ký\s+bởi|Người\s+ký|Email|Cơ\s+quan|Thời\s+gian(?:\s+ký)?|Ngày\s+ký|Chức\s+vụ)\s*:",
                        re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?$", re.IGNORECASE)
# A Vietnamese syllable always has a vowel; with its accented vowel drawn elsewhere, a word
# shows as consonants only ("Th i", "nhi m", "K ho ch", "S : ố"). Acronyms are capitals.
_VOWELLESS = re.compile(r"(?:^|(?<=\s))(?:[A-ZĐ]?[bcdfghklmnpqrstvxzđ]{1,3}|[BCDĐGHKLMNPQRSTVX])(?=[\s,.;:]|$)")
# A footnote anchor: digits glued to the end of a word or punctuation.
_ANCHOR = re.compile(r"(?<=[^\s\d/\.,:\-–])\d{1,2}(?=[\s\.,;:\)]|$)")
# "1 Theo hướng dẫn …" or "1Theo …" (the raised number glued on) — not "579/SKHCN …" going on.
_FOOTNOTE_START = re.compile(r"^(\d{1,2})(?:\s+|(?=[A-ZĐÀ-Ỹ]))(\S.*)$")
_LETTERS = re.compile(r"[^\W\d_]")
# Bands at the top and bottom of a page where running headers and page numbers live.
FURNITURE_BAND = 0.08


@dataclass
class Line:
    text: str
    left: float
    right: float
    bottom: float
    size: float
    page: int
    kind: str = "body"  # body | footnote | furniture


@dataclass
class PdfText:
    paragraphs: list[str]
    footnotes: list[str] = field(default_factory=list)
    pages: int = 0
    letters: int = 0

    def as_text(self) -> str:
        """Paragraphs, then the footnotes as "[n: …]" (the mark text cleaning removes from the body)."""
        notes = [f"[{index}: {note}]" for index, note in enumerate(self.footnotes, start=1)]
        return "\n".join(self.paragraphs + ([""] + notes if notes else []))


class _Boxes:
    """Character boxes of one text page, through pdfium's C functions (one call a character)."""

    def __init__(self, raw_api, textpage) -> None:
        self.api = raw_api
        self.page = textpage
        self._l, self._r, self._b, self._t = (ctypes.c_double() for _ in range(4))
        self._rect = raw_api.FS_RECTF()

    def box(self, index: int) -> tuple[float, float, float, float]:
        self.api.FPDFText_GetCharBox(self.page, index, self._l, self._r, self._b, self._t)
        return self._l.value, self._r.value, self._b.value, self._t.value

    def loose(self, index: int) -> tuple[float, float]:
        """Left and right of the character's advance box (tight boxes leave gaps inside words)."""
        self.api.FPDFText_GetLooseCharBox(self.page, index, self._rect)
        return self._rect.left, self._rect.right

    def size(self, index: int) -> float:
        return self.api.FPDFText_GetFontSize(self.page, index)

    def generated(self, index: int) -> bool:
        return bool(self.api.FPDFText_IsGenerated(self.page, index))


def extract(document) -> PdfText:
    """Reading-order paragraphs and footnotes of an open pypdfium2 PdfDocument."""
    import pypdfium2.raw as pdfium_c

    lines: list[Line] = []
    letters = 0
    pages = len(document)
    for number in range(pages):
        page = document[number]
        try:
            height = page.get_height()
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
                # Enough to tell a text page from a scan; counting every letter costs more than it tells.
                letters += sum(1 for _ in itertools.islice(_LETTERS.finditer(text), 200))
                page_lines = _page_lines(text, _Boxes(pdfium_c, textpage.raw), number)
            finally:
                textpage.close()
        finally:
            page.close()
        _mark_page(page_lines, height)
        lines.extend(page_lines)
    _mark_repeated(lines, pages)
    paragraphs, footnotes = _assemble(lines)
    return PdfText(paragraphs, footnotes, pages, letters)


def _page_lines(text: str, boxes: _Boxes, page: int) -> list[Line]:
    """The printed lines of a page: pdfium ends each with a generated "\\r\\n"."""
    out: list[Line] = []
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\r\n", start)
        if end < 0:
            end = length
        line = _line(text, start, end, boxes, page)
        if line is not None:
            _add_fragment(out, line)
        start = end + 2
    return out


_ANCHOR_ONLY = re.compile(r"^\d{1,2}$")


def _add_fragment(lines: list[Line], line: Line) -> None:
    """pdfium breaks a printed line around a raised footnote digit: drop the digit, glue the rest back."""
    previous = lines[-1] if lines else None
    same_row = (previous is not None and line.left >= previous.right - 1
                and abs(line.bottom - previous.bottom) < 0.6 * previous.size)
    if same_row and _ANCHOR_ONLY.match(line.text) and line.size < 0.85 * previous.size:
        return  # the anchor itself
    if same_row and previous is not None:
        glue = "" if line.text[:1] in ".,;:)" else " "
        previous.text = f"{previous.text}{glue}{line.text}"
        previous.right = line.right
        return
    lines.append(line)


def _line(text: str, start: int, end: int, boxes: _Boxes, page: int) -> Line | None:
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return None
    first = start + (len(raw) - len(raw.lstrip()))
    last = start + len(raw.rstrip()) - 1
    left, _, bottom, _ = boxes.box(first)
    _, right, _, _ = boxes.box(last)
    size = boxes.size(first)
    if not raw.isascii() and _VOWELLESS.search(raw):
        stripped, left, right = _rebuild(text, first, last, boxes, size)
    if size < 1.5:  # pdfium reports 1.0 for some generated characters; use the glyph height
        _, _, b, t = boxes.box(first)
        size = max(t - b, 1.0)
    stripped = _drop_anchors(stripped, text, first, boxes, size) if _ANCHOR.search(stripped) else stripped
    return Line(stripped, left, right, bottom, size, page)


def _rebuild(text: str, first: int, last: int, boxes: _Boxes, size: float) -> tuple[str, float, float]:
    """A line drawn in two fonts, rebuilt from its characters in left-to-right order."""
    chars = []
    for index in range(first, last + 1):
        ch = text[index]
        if ch.isspace() and boxes.generated(index):
            continue
        if ch.isdigit() and boxes.size(index) < 0.8 * size:
            continue  # a raised footnote anchor
        left, right = boxes.loose(index)
        chars.append((left, right, ch))
    chars.sort(key=lambda c: c[0])
    out: list[str] = []
    previous_right = None
    for left, right, ch in chars:
        if previous_right is not None and not ch.isspace() and out and not out[-1].isspace():
            # Word breaks are space characters of their own; a gap wider than a quarter of the
            # font size with none is a break too (glyph boxes are tight, so smaller gaps are not).
            if left - previous_right > 0.12 * max(size, 4.0):
                out.append(" ")
        out.append(ch)
        if not ch.isspace():
            previous_right = right
    line = re.sub(r"\s+", " ", "".join(out)).strip()
    return line, chars[0][0] if chars else 0.0, max((c[1] for c in chars), default=0.0)


def _drop_anchors(line: str, text: str, first: int, boxes: _Boxes, size: float) -> str:
    """Remove raised footnote digits ("yêu cầu¹" printed as a small "1") from a body line."""
    if first + len(line) > len(text) or text[first:first + len(line)] != line:
        return line  # the line was rebuilt: positions no longer match the page text
    pieces, last = [], 0
    for match in _ANCHOR.finditer(line):
        index = first + match.start()
        if boxes.size(index) < 0.8 * size:
            pieces.append(line[last:match.start()])
            last = match.end()
    if not pieces:
        return line
    pieces.append(line[last:])
    return "".join(pieces)


def _mark_page(lines: list[Line], height: float) -> None:
    """Page numbers, the signature stamp and footnotes of one page."""
    if not lines:
        return
    body_size = statistics.median(line.size for line in lines)
    for line in lines:
        in_band = line.bottom < height * FURNITURE_BAND or line.bottom > height * (1 - FURNITURE_BAND)
        if _SIGNATURE.match(line.text) and line.size < 0.9 * body_size:
            line.kind = "furniture"
        elif in_band and _PAGE_NUMBER.match(line.text):
            line.kind = "furniture"
    # Footnotes: small lines below the lowest body-size line of the page.
    body_lines = [line for line in lines if line.kind == "body" and line.size >= 0.9 * body_size]
    if not body_lines:
        return
    lowest = min(line.bottom for line in body_lines)
    for line in lines:
        if line.kind == "body" and line.size < 0.85 * body_size and line.bottom < lowest:
            line.kind = "footnote"


def _mark_repeated(lines: list[Line], pages: int) -> None:
    """A line printed at the same height on most pages is a running header or footer."""
    if pages < 3:
        return
    seen: dict[tuple[str, int], set[int]] = {}
    for line in lines:
        key = (re.sub(r"\d+", "#", line.text), round(line.bottom / 4))
        seen.setdefault(key, set()).add(line.page)
    for line in lines:
        key = (re.sub(r"\d+", "#", line.text), round(line.bottom / 4))
        if len(seen[key]) >= max(3, pages // 2):
            line.kind = "furniture"


def _assemble(lines: list[Line]) -> tuple[list[str], list[str]]:
    body = [line for line in lines if line.kind == "body"]
    notes = [line for line in lines if line.kind == "footnote"]
    return _paragraphs(body), _footnotes(notes)


def _margins(lines: list[Line]) -> dict[int, tuple[float, float]]:
    """Left and right margins of the body text of each page (from its lines)."""
    out = {}
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page, page_lines in by_page.items():
        lefts = sorted(line.left for line in page_lines)
        rights = sorted(line.right for line in page_lines)
        # The most common left edge (lines that are neither indented nor centred) and the right edge
        # most full lines reach.
        left = statistics.median_low(lefts[:max(1, len(lefts) // 2)])
        right = rights[int(len(rights) * 0.9)] if len(rights) > 2 else rights[-1]
        out[page] = (left, right)
    return out


def _paragraphs(lines: list[Line]) -> list[str]:
    margins = _margins(lines)
    out: list[str] = []
    previous: Line | None = None
    for line in lines:
        if previous is not None and _continues(previous, line, margins):
            out[-1] = f"{out[-1]} {line.text}"
        else:
            out.append(line.text)
        previous = line
    return out


def _continues(previous: Line, line: Line, margins: dict[int, tuple[float, float]]) -> bool:
    """Does `line` carry on the paragraph `previous` wrapped out of?"""
    _, right = margins[previous.page]
    left, _ = margins[line.page]
    # The line above stopped short of the margin by more than this line's first word needs: had
    # its paragraph gone on, that word would have fitted there. (Justified text reaches the margin;
    # ragged text — a .txt printed as it is — stops anywhere a word did not fit.)
    first_word = line.text.split(" ", 1)[0]
    char_width = (line.right - line.left) / max(len(line.text), 1)
    room_needed = (len(first_word) + 1) * char_width
    if right - previous.right > max(1.5 * previous.size, room_needed):
        return False
    if line.left > left + 0.5 * line.size:
        return False  # indented (a first line) or centred
    if abs(line.size - previous.size) > 0.15 * previous.size:
        return False
    if _ITEM_START.match(line.text):
        return False
    if previous.text.endswith("/.") or _BLOCK_START.match(line.text):
        return False  # the closing mark "./." ends the body; "Nơi nhận:", "KT. CHỦ TỊCH" start blocks
    if (previous.text.endswith((".", ";", ":", "!", "?")) and line.text[:1].isupper()
            and right - previous.right > 1.5 * previous.size and not _DEADLINE_LABEL.match(line.text)):
        # A sentence ended and a capital starts the line: "… kinh phí./" over "Nơi nhận:", or a closing
        # sentence under the last item. Keeping them apart is safe either way: the parser reads the
        # lines of one item together.
        return False
    if previous.page == line.page and previous.bottom - line.bottom > 2.6 * previous.size:
        return False  # a blank line between them
    return True


def _footnotes(lines: list[Line]) -> list[str]:
    notes: list[str] = []
    for line in lines:
        match = _FOOTNOTE_START.match(line.text)
        if match or not notes:
            notes.append(match.group(2) if match else line.text)
        else:
            notes[-1] = f"{notes[-1]} {line.text}"
    return notes
