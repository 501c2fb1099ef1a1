"""Lines of a .docx, with Word's automatic numbering written back in.

python-docx gives a paragraph's typed text only; a directive drafted with Word's
numbered lists ("1.", "a)", "-") would lose exactly the markers its tasks are found
by. The numbering definitions (numbering.xml) are read here and each numbered
paragraph gets its marker back, counted the way Word counts. Tables (the two-column
header of an administrative document) are read cell by cell, in document order.
"""

from __future__ import annotations

from typing import IO, Iterator

from docx import Document
from docx.oxml.ns import qn

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _format(number: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _LETTERS[(number - 1) % 26]
    if fmt == "upperLetter":
        return _LETTERS[(number - 1) % 26].upper()
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    return str(number)


class _Numbering:
    """Word's list definitions: numId → abstract levels (format, text), and live counters."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in node.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1)
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    def marker(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        fmt, text, start = levels[ilvl]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        for level in range(ilvl + 1):
            lfmt, _, lstart = levels.get(level, ("decimal", "", 1))
            value = counters[level] or lstart
            text = text.replace(f"%{level + 1}", _format(value, lfmt))
        return text


def _num_pr(paragraph):
    """(numId, ilvl) of a paragraph, from its own properties or its style's."""
    ppr = paragraph._p.pPr
    node = ppr.numPr if ppr is not None else None
    style = paragraph.style
    while node is None and style is not None:
        sppr = style.element.pPr
        node = sppr.numPr if sppr is not None else None
        style = style.base_style
    if node is None or node.numId is None:
        return None
    ilvl = node.ilvl.val if node.ilvl is not None else 0
    return str(node.numId.val), int(ilvl)


def docx_lines(stream: IO[bytes]) -> list[str]:
    document = Document(stream)
    numbering = _Numbering(document)
    return list(_body_lines(document, numbering))


def _body_lines(document, numbering: _Numbering) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield _paragraph_line(Paragraph(child, document), numbering)
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    for paragraph in cell.paragraphs:
                        yield _paragraph_line(paragraph, numbering)
                yield ""


def _paragraph_line(paragraph, numbering: _Numbering) -> str:
    text = paragraph.text
    num = _num_pr(paragraph)
    if num is not None and text.strip():
        marker = numbering.marker(*num)
        if marker:
            return f"{marker} {text}"
    return text
