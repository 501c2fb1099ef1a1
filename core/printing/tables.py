"""Grid tables that split across pages, repeat their header rows and stay fast at 1,500 rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, LongTable, Paragraph, TableStyle

from core.printing import fonts, model
from core.printing.checkbox import CheckBox, Mark
from core.printing.page import TEXT_HEIGHT, TEXT_WIDTH
from core.printing.styles import TABLE_LEADING, TABLE_SIZE, styles

_ALIGN_STYLE = {"LEFT": "cell", "CENTER": "cell_center", "RIGHT": "cell_right"}
_PAD_H = 4
_PAD_V = 3


def _cell(value, col_width: float, align: str, font: str, style_name: str):
    if value is None:
        return ""
    if isinstance(value, Flowable):
        return value
    if isinstance(value, Mark):
        return CheckBox(value)
    if isinstance(value, (list, tuple)):
        return [_cell(v, col_width, align, font, style_name) for v in value]
    text = fonts.clean_text(str(value))
    fonts.check_text(text, font)
    room = col_width - 2 * _PAD_H
    # Cells are handed to the table as plain strings, broken into lines here: several times
    # cheaper than a Paragraph per cell, which matters for a 1,500-row table.
    if "\n" not in text and stringWidth(text, font, TABLE_SIZE) <= room:
        return text
    words = text.split()
    longest = max((stringWidth(w, font, TABLE_SIZE) for w in words), default=0)
    if longest <= room:
        lines = simpleSplit(text, font, TABLE_SIZE, room)
        # A very tall cell may have to continue on the next page; reportlab splits a Paragraph
        # cleanly there but drops a line of a plain string, so tall cells stay Paragraphs.
        if len(lines) * TABLE_LEADING < TEXT_HEIGHT / 3:
            return "\n".join(lines)
        return Paragraph(escape(text).replace("\n", "<br/>"), styles()[style_name])
    # reportlab would cut a word wider than its column in the middle ("18/09/202|6"); shrink the
    # cell's text instead (down to 9 pt) so that its longest word fits.
    size = max(9.0, round(TABLE_SIZE * room / longest - 0.05, 1))
    if len(words) == 1 and "\n" not in text.strip():
        return _Shrunk(text.strip(), size)  # one word: a string with its own FONTSIZE, no Paragraph
    return Paragraph(escape(text).replace("\n", "<br/>"), _cell_style(style_name, size))


MAX_WORD_SHARE = 0.35  # a column widened for its longest word never takes more of the table than this


def _longest_word(values, font: str) -> float:
    words = set()
    for value in values:
        if isinstance(value, str):
            words.update(fonts.clean_text(value).split())
    if not words:
        return 0.0
    fonts.register_fonts()  # measuring needs the faces registered (cached after the first call)
    longest = max(len(w) for w in words)
    return max(stringWidth(w, font, TABLE_SIZE) for w in words if len(w) >= longest - 3)


def _widen_for_words(col_widths: list[float], header_rows, rows, width: float) -> list[float]:
    """Column widths in which no column is narrower than its longest word (a date, a number, "Không").

    Relative weights chosen for typical content can leave a column too narrow for what a
    report actually holds ("18/09/2026" under "Thời hạn", "12.345/12.500"); the cell would then
    be printed in tiny type. The room is taken from the columns that have more than they need,
    in proportion to their slack. When the words cannot all fit, the widths stay as given and
    the cell shrinks its text (down to 9 pt) as before.
    """
    ncols = len(col_widths)
    need = []
    for c in range(ncols):
        body = _longest_word((r[c] for r in rows), fonts.REGULAR)
        head = _longest_word((h[c] for h in header_rows), fonts.BOLD)
        need.append(min(max(body, head) + 2 * _PAD_H + 1, width * MAX_WORD_SHARE))
    if all(w >= n for w, n in zip(col_widths, need)):
        return col_widths
    widened = [max(w, n) for w, n in zip(col_widths, need)]
    extra = sum(widened) - width
    slack = [w - n if w > n else 0.0 for w, n in zip(col_widths, need)]
    if sum(slack) < extra:
        return col_widths
    return [w - extra * sl / sum(slack) for w, sl in zip(widened, slack)]


@dataclass(frozen=True)
class _Shrunk:
    """A one-word cell drawn smaller so that it fits its column (e.g. "1500" under "STT")."""

    text: str
    size: float


@lru_cache(maxsize=64)
def _cell_style(style_name: str, size: float):
    from reportlab.lib.styles import ParagraphStyle

    base = styles()[style_name]
    if size == base.fontSize:
        return base
    return ParagraphStyle(f"{style_name}{size}", parent=base, fontSize=size, leading=size * TABLE_LEADING / TABLE_SIZE)


class _GridTable(LongTable):
    """A LongTable that splits a row across pages only when the row is taller than a page.

    Rows normally move whole to the next page. A row taller than the text block (a very long
    note) could never be placed, and reportlab would stop with a LayoutError; for such a table
    rows may be split inside, with the header repeated above the continuation.
    """

    def wrap(self, avail_width, avail_height):
        result = super().wrap(avail_width, avail_height)
        if not self.splitInRow:
            heights = self._rowHeights
            header = sum(heights[:self.repeatRows])
            if any(h > TEXT_HEIGHT - header - 2 * TABLE_LEADING for h in heights[self.repeatRows:]):
                self.splitInRow = 2 * TABLE_LEADING  # never leave less than two lines of a row behind
        return result


def table(header: Sequence[str] | Sequence[Sequence[str]], rows: Iterable[Sequence], *,
          widths: Sequence[float] | None = None, align: Sequence[str] | str = "LEFT",
          width: float = TEXT_WIDTH, style: Sequence[tuple] = ()) -> LongTable:
    """A grid table (12 pt) that splits across pages and repeats its header rows on each page.

    header: one row of column titles, or several rows (use `style` for ("SPAN", …) commands).
    rows: cell values — str (wraps when too long; "\\n" breaks a line), numbers (printed with
    str(): format them first, e.g. formats.vi_number), None (empty), a Mark (drawn check box)
    or any flowable. widths: relative column weights (e.g. (1, 6, 2)); align: "LEFT" /
    "CENTER" / "RIGHT" for all columns or one per column. style: extra TableStyle commands.
    """
    header_rows = [list(header)] if header and isinstance(header[0], str) else [list(r) for r in header]
    ncols = len(header_rows[0])
    weights = list(widths) if widths else [1] * ncols
    if len(weights) != ncols:
        raise ValueError(f"table: {ncols} columns but {len(weights)} widths")
    rows = [list(r) for r in rows]
    for row in rows:
        if len(row) != ncols:
            raise ValueError(f"table: a row has {len(row)} cells, the header has {ncols}: {row!r}")
    col_widths = _widen_for_words([width * w / sum(weights) for w in weights], header_rows, rows, width)
    aligns = [align.upper()] * ncols if isinstance(align, str) else [a.upper() for a in align]

    data = []
    for hrow in header_rows:
        data.append([_cell(v, cw, "CENTER", fonts.BOLD, "cell_head") for v, cw in zip(hrow, col_widths)])
    fonts_for = [(cw, a, _ALIGN_STYLE[a]) for cw, a in zip(col_widths, aligns)]
    boxes = []  # check boxes sit in the middle of their row, not at the top like text
    source_rows = []
    for row in rows:
        row = list(row)
        source_rows.append(row)
        if len(row) != ncols:
            raise ValueError(f"table: a row has {len(row)} cells, the header has {ncols}: {row!r}")
        for i, v in enumerate(row):
            if isinstance(v, (Mark, CheckBox)):
                boxes.append(("VALIGN", (i, len(data)), (i, len(data)), "MIDDLE"))
        data.append([_cell(v, cw, a, fonts.REGULAR, sn) for v, (cw, a, sn) in zip(row, fonts_for)])
    for r, cells in enumerate(data):
        for c, value in enumerate(cells):
            if isinstance(value, _Shrunk):
                cells[c] = value.text
                boxes.append(("FONTSIZE", (c, r), (c, r), value.size))

    nhead = len(header_rows)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
        ("FONTNAME", (0, 0), (-1, nhead - 1), fonts.BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("LEADING", (0, 0), (-1, -1), TABLE_LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, nhead - 1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, nhead - 1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD_H), ("RIGHTPADDING", (0, 0), (-1, -1), _PAD_H),
        ("TOPPADDING", (0, 0), (-1, -1), _PAD_V), ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD_V + 1),
    ]
    for i, a in enumerate(aligns):
        if a != "LEFT":
            commands.append(("ALIGN", (i, nhead), (i, -1), a))
    commands.extend(boxes)
    commands.extend(style)
    t = _GridTable(data, colWidths=col_widths, repeatRows=nhead, splitByRow=1, hAlign="CENTER",
                   spaceBefore=4, spaceAfter=10)
    t.setStyle(TableStyle(commands))
    t.block = model.Table(tuple(tuple(r) for r in header_rows), tuple(tuple(r) for r in source_rows),
                          tuple(col_widths), tuple(aligns), tuple(style))
    return t
