"""Excel workbooks that behave like Excel: one module for every .xlsx the app writes.

    from core.excel import Column, Row, Sheet, write_workbook
    write_workbook([Sheet("Sổ hồ sơ tháng 06-2025", [Column("Mã hồ sơ"), Column("Ngày tiếp nhận", DATE),
                                                     Column("Số lần bổ sung", INTEGER)], rows)], "so.xlsx")

What a user of Excel or LibreOffice Calc expects from a file made by another program:
- dates are date cells shown dd/mm/yyyy (they sort and filter as dates), numbers are numbers
  ("#,##0": Excel shows the grouping of the user's locale), shares are percentages;
- columns wide enough for their Vietnamese text (measured, up to a cap; longer text wraps and
  its row is made tall enough, since Excel does not grow rows of a file it did not lay out);
- the header row bold, frozen and with an autofilter; any title lines above it merged across;
- printing set up: A4, landscape when the columns are wider than a portrait page, fitted to
  the page width, the header row repeated on every page, "Trang 1 / 3" in the footer;
- sheet names that say what the sheet holds (Excel's 31 characters, without : \\ / ? * [ ]).

Rows are streamed (openpyxl write-only mode): a ten-year register never sits in memory. Column
widths are fitted on the first SAMPLE_ROWS rows, which are held back until the widths are set.
The file is written under a temporary name and moved into place only when complete.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from core import durable
from core.errors import AppError, UserInputError

TEXT, DATE, DATETIME, INTEGER, DECIMAL, PERCENT = "text", "date", "datetime", "integer", "decimal", "percent"
NUMBER_FORMATS = {DATE: "dd/mm/yyyy", DATETIME: "dd/mm/yyyy hh:mm", INTEGER: "#,##0", DECIMAL: "#,##0.0",
                  PERCENT: "0.0%"}
FONT_NAME = "Times New Roman"
FONT_SIZE = 12
LINE_HEIGHT = 15.75          # points per line of 12 pt Times New Roman (Excel's own row height for it)
SAMPLE_ROWS = 2000           # rows measured to fit the column widths
MIN_WIDTH, MAX_WIDTH = 6, 60
PORTRAIT_WIDTH = 100         # total column width (characters) that still prints readably on portrait A4
HEADER_FILL = "D9E2F0"


@dataclass(frozen=True)
class Column:
    """title; kind (TEXT, DATE, DATETIME, INTEGER, DECIMAL, PERCENT); width in characters (None: fitted)."""

    title: str
    kind: str = TEXT
    width: float | None = None
    max_width: float = MAX_WIDTH
    align: str | None = None  # "left" / "center" / "right"; default: text left, numbers right, dates centre


@dataclass
class Row:
    """A row with its own look: a fill colour, bold, one value spanning every column (a group title),
    or a font colour for some cells (column index -> hex colour)."""

    values: Sequence
    fill: str | None = None
    bold: bool = False
    span: bool = False
    colors: dict[int, str] = field(default_factory=dict)


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence | Row]
    title_lines: Sequence[str] = ()      # above the header: the first bold, the others italic
    landscape: bool | None = None        # None: landscape when the columns are wider than a portrait page


# ---------------------------------------------------------------------------
# Measuring text in Excel's width unit (the width of "0" in the default font)

_NARROW = set("iljtfrI.,:;'!|()[]-/ ")
_WIDE = set("mwMW@%")


@lru_cache(maxsize=16384)  # a register repeats its fields, procedures and yes/no values 100,000 times
def text_width(text: str) -> float:
    """Approximate width of one line of text in character units (Times New Roman 12)."""
    width = 0.0
    for ch in unicodedata.normalize("NFC", text):
        base = unicodedata.normalize("NFD", ch)[0]
        if base in _NARROW:
            width += 0.55
        elif base in _WIDE:
            width += 1.45
        elif base.isupper() or base.isdigit():
            width += 1.1
        else:
            width += 0.95
    return width


def display_text(value, kind: str) -> str:
    """How a cell's value shows in Excel (for measuring)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if kind == PERCENT:
            return f"{value * 100:.1f}%"
        if kind == DECIMAL:
            return f"{value:,.1f}"
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return str(value)


@lru_cache(maxsize=16384)
def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` characters takes for `text` (words kept whole)."""
    room = max(width - 1.2, 1.0)
    total = 0
    for line in str(text).split("\n"):
        used, count = 0.0, 1
        for word in line.split(" "):
            w = text_width(word)
            step = w if used == 0 else w + 0.55
            if used and used + step > room:
                count += 1 + int(w // room)
                used = w % room
            else:
                used += step
                if used > room:
                    count += int(used // room)
                    used = used % room
        total += count
    return max(total, 1)


def sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name: Excel refuses : \\ / ? * [ ] and more than 31 characters."""
    name = re.sub(r"[:\\/?*\[\]]", "-", text).strip("' ")[:31].rstrip() or "Trang tính"
    taken = {t.lower() for t in taken}
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = name[:31 - len(suffix)] + suffix, n + 1
    return candidate


# ---------------------------------------------------------------------------
# Writing


def _fit_widths(columns: Sequence[Column], sample: list) -> list[float]:
    widths = []
    for index, col in enumerate(columns):
        if col.width:
            widths.append(float(col.width))
            continue
        words = col.title.split()
        # The header may wrap onto two lines, never inside a word.
        head = max(max((text_width(w) for w in words), default=0) * 1.1,
                   text_width(col.title) * 1.1 / 2)
        body = 0.0
        for row in sample:
            if isinstance(row, Row) and row.span:
                continue
            values = row.values if isinstance(row, Row) else row
            if index < len(values):
                text = display_text(values[index], col.kind)
                body = max(body, max((text_width(line) for line in text.split("\n")), default=0))
        widths.append(round(min(max(head, body, MIN_WIDTH - 2) + 2, col.max_width), 1))
    return widths


class _Writer:
    """One sheet of a write-only workbook: styles prepared once per column, rows streamed."""

    def __init__(self, book, spec: Sheet, name: str):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.WriteOnlyCell, self.Font, self.PatternFill = WriteOnlyCell, Font, PatternFill
        self.spec = spec
        self.ws = book.create_sheet(name)
        self.ncols = len(spec.columns)
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT_NAME, size=FONT_SIZE)
        self.bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
        self.Alignment = Alignment
        self.row_index = 0

    def _cell(self, value, *, font=None, fill=None, number_format=None, alignment=None, border=False):
        cell = self.WriteOnlyCell(self.ws, value=value)
        cell.font = font or self.font
        if fill:
            cell.fill = fill
        if number_format:
            cell.number_format = number_format
        if alignment is not None:
            cell.alignment = alignment
        if border:
            cell.border = self.border
        return cell

    def _append(self, cells, height: float | None = None) -> None:
        self.row_index += 1
        if height:
            self.ws.row_dimensions[self.row_index].height = height
        self.ws.append(cells)   # written out now (write-only): its height is no longer needed in memory
        if height:
            del self.ws.row_dimensions[self.row_index]

    def write(self) -> None:
        from openpyxl.utils import get_column_letter

        spec, ws = self.spec, self.ws
        rows = iter(spec.rows)
        sample = list(itertools.islice(rows, SAMPLE_ROWS))
        widths = _fit_widths(spec.columns, sample)
        self.widths = widths
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        last = get_column_letter(self.ncols)
        header_row = len(spec.title_lines) + 1

        # Everything the writer puts before the rows must be set before the first append.
        landscape = spec.landscape if spec.landscape is not None else sum(widths) > PORTRAIT_WIDTH
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; not on write-only sheets)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = True   # the grid on paper as on screen (data cells carry no borders)
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "Trang &P / &N"
        ws.oddFooter.center.font = FONT_NAME
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.freeze_panes = f"A{header_row + 1}"

        total_width = sum(widths)
        for n, line in enumerate(spec.title_lines):
            font = self.Font(name=FONT_NAME, size=14 if n == 0 else FONT_SIZE, bold=n == 0, italic=n > 0)
            align = self.Alignment(horizontal="center", vertical="center", wrap_text=True)
            lines = lines_needed(line, total_width * (0.85 if n == 0 else 1.0))
            self._append([self._cell(line, font=font, alignment=align, border=False)],
                         height=lines * (18.5 if n == 0 else LINE_HEIGHT) + 4)
            ws.merged_cells.add(f"A{self.row_index}:{last}{self.row_index}")

        head_fill = self.PatternFill("solid", fgColor=HEADER_FILL)
        head_align = self.Alignment(horizontal="center", vertical="center", wrap_text=True)
        head_lines = max(lines_needed(c.title, w) for c, w in zip(spec.columns, widths))
        self._append([self._cell(c.title, font=self.bold, fill=head_fill, alignment=head_align, border=True)
                      for c in spec.columns], height=head_lines * LINE_HEIGHT + 4)

        # One prepared style per column (text / typed value): copying a cell's style array is several
        # times cheaper than setting font, border, alignment and format on every cell of a long register.
        self.templates = []
        for col in spec.columns:
            horizontal = col.align or {TEXT: "left", DATE: "center", DATETIME: "center"}.get(col.kind, "right")
            align = self.Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
            text = self._cell(None, alignment=align)
            typed = self._cell(None, alignment=align, number_format=NUMBER_FORMATS.get(col.kind))
            self.templates.append((text._style, typed._style))
        count = 0
        for row in itertools.chain(sample, rows):
            self._row(row)
            count += 1
        if count:
            ws.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
        else:
            ws.auto_filter.ref = f"A{header_row}:{last}{header_row}"

    def _row(self, row) -> None:
        styled = row if isinstance(row, Row) else None
        values = list(styled.values if styled else row)
        fill = self.PatternFill("solid", fgColor=styled.fill) if styled and styled.fill else None
        font = self.bold if styled and styled.bold else self.font
        if styled and styled.span:
            text = values[0] if values else ""
            align = self.Alignment(horizontal="left", vertical="center", wrap_text=True)
            cells = [self._cell(text, font=font, fill=fill, alignment=align, border=True)]
            cells += [self._cell(None, fill=fill, border=True) for _ in range(self.ncols - 1)]
            lines = lines_needed(str(text), sum(self.widths))
            self._append(cells, height=lines * LINE_HEIGHT + 3 if lines > 1 else None)
            self.ws.merged_cells.add(f"A{self.row_index}:{_letter(self.ncols)}{self.row_index}")
            return
        values += [None] * (self.ncols - len(values))
        values = [_typed(v, c.kind) for v, c in zip(values, self.spec.columns)]
        lines = 1
        for value, width in zip(values, self.widths):
            # Cheap test first: most cells are far shorter than their column.
            if isinstance(value, str) and value and (len(value) * 1.45 > width - 1.2 or "\n" in value):
                lines = max(lines, lines_needed(value, width))
        plain = not (styled and (styled.fill or styled.bold or styled.colors))
        cells = []
        for index, (value, col) in enumerate(zip(values, self.spec.columns)):
            text_style, typed_style = self.templates[index]
            if plain and value is None:
                cells.append(None)            # an empty cell needs nothing: the grid prints (gridLines)
            elif plain and isinstance(value, str) and lines == 1:
                cells.append(value)           # the workbook's own font; no style to look up per cell
            elif plain and not (isinstance(value, float) and col.kind == INTEGER):
                cell = self.WriteOnlyCell(self.ws, value=value)
                cell._style = copy(text_style if isinstance(value, str) else typed_style)
                cells.append(cell)
            else:
                cell_font = font
                if styled and index in styled.colors:
                    cell_font = self.Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color=styled.colors[index])
                number_format = NUMBER_FORMATS.get(col.kind) if not isinstance(value, (str, type(None))) else None
                if isinstance(value, float) and col.kind == INTEGER:
                    number_format = NUMBER_FORMATS[DECIMAL]
                cells.append(self._cell(value, font=cell_font, fill=fill, number_format=number_format,
                                        alignment=self.templates_alignment(index)))
        self._append(cells, height=lines * LINE_HEIGHT + 3 if lines > 1 else None)

    def templates_alignment(self, index: int):
        col = self.spec.columns[index]
        horizontal = col.align or {TEXT: "left", DATE: "center", DATETIME: "center"}.get(col.kind, "right")
        return self.Alignment(horizontal=horizontal, vertical="top", wrap_text=True)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _typed(value, kind: str):
    """The value Excel should hold: dates as dates (from ISO text too), numbers as numbers."""
    if value is None or value == "":
        return None
    if kind == DATE and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    if kind == DATETIME and isinstance(value, dt.datetime) and value.tzinfo is not None:
        from core.clock import to_local

        return to_local(value).replace(tzinfo=None)  # Excel has no time zones: local time, as shown
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_workbook(sheets: Sequence[Sheet], path: str | os.PathLike) -> Path:
    """Write the sheets, in order, to `path` (.xlsx) atomically; returns the path."""
    from openpyxl import Workbook

    path = Path(path)
    if not path.parent.is_dir():
        raise UserInputError(f"Không có thư mục “{path.parent}” để lưu tệp.")
    book = Workbook(write_only=True)
    # The workbook's default font (the Normal style and every cell without a style of its own) is
    # Times New Roman 12: the data cells of a 100,000-row register then need no style of their own,
    # which is most of the cost of writing them. Column widths are in units of this font's digit.
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    book._fonts = IndexedList([Font(name=FONT_NAME, size=FONT_SIZE)])
    names: list[str] = []
    for spec in sheets:
        name = sheet_name(spec.name, names)
        names.append(name)
        _Writer(book, spec, name).write()
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        durable.replace_durably(Path(tmp), path)  # fsynced before and after the rename
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AppError(f"Không ghi được “{path.name}”: tệp đang mở trong Excel hoặc không có quyền ghi. "
                       "Hãy đóng tệp rồi thử lại.", details=repr(exc)) from exc
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AppError(f"Không ghi được tệp “{path}”.", details=repr(exc)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
