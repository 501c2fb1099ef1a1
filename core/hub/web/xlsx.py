"""One table of the dashboard as an Excel workbook (openpyxl).

Real date cells (not text), column widths from the content, the header frozen, an
autofilter over the table. Kept to one function so it can be switched to the shared
`core/excel.py` helper once that is on main.
"""

from __future__ import annotations

import datetime as dt
import io


def table_xlsx(title: str, columns: list[tuple[str, str]], rows: list[list], *, note: str | None = None) -> bytes:
    """`columns`: [(header, kind)] with kind "text" | "int" | "pct" | "date" | "datetime".
    A "date" value is a datetime.date; "datetime" a timezone-aware datetime (written as local time)."""
    return tables_xlsx([(title, columns, rows, note)])


def tables_xlsx(sheets: list[tuple]) -> bytes:
    """Several tables, one sheet each: [(title, columns, rows, note)]."""
    from openpyxl import Workbook

    wb = Workbook()
    for index, (title, columns, rows, note) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        _fill(ws, title, columns, rows, note)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _fill(ws, title: str, columns: list[tuple[str, str]], rows: list[list], note: str | None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.title = title[:31]
    header_row = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(italic=True)
        header_row = 2
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF5")
    widths = []
    for c, (header, _kind) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=c, value=header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(min(max(len(header), 8), 40))
    formats = {"date": "DD/MM/YYYY", "datetime": "DD/MM/YYYY HH:MM", "pct": "0.0%", "int": "#,##0"}
    for r, values in enumerate(rows, start=header_row + 1):
        for c, ((_, kind), value) in enumerate(zip(columns, values), start=1):
            if kind == "datetime" and isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones: local time, as shown on screen
            cell = ws.cell(row=r, column=c, value=value)
            if kind in formats and value is not None:
                cell.number_format = formats[kind]
            shown = len(value.strftime("%d/%m/%Y %H:%M")) if isinstance(value, dt.date) else len(str(value or ""))
            widths[c - 1] = min(max(widths[c - 1], shown + 2), 60)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{max(header_row + len(rows), header_row + 1)}"
