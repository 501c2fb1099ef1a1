"""The dashboard's tables as Excel workbooks, through the app's one Excel writer (`core.excel`).

Typed cells (dates, numbers, percentages), widths fitted to the Vietnamese text, the header
frozen and filtered, A4 printing — the same conventions as every other export of the app.
The pages answer with the file's bytes: the workbook is written to a temporary folder first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.excel import DATE, DATETIME, INTEGER, PERCENT, TEXT, Column, Sheet, write_workbook

KINDS = {"text": TEXT, "int": INTEGER, "pct": PERCENT, "date": DATE, "datetime": DATETIME}


def table_xlsx(title: str, columns: list[tuple[str, str]], rows: list[list], *, note: str | None = None) -> bytes:
    """`columns`: [(header, kind)] with kind "text" | "int" | "pct" | "date" | "datetime".
    A "date" value is a datetime.date; "datetime" a timezone-aware datetime (written as local time)."""
    return tables_xlsx([(title, columns, rows, note)])


def tables_xlsx(sheets: list[tuple]) -> bytes:
    """Several tables, one sheet each: [(title, columns, rows, note)]; a note is a line above the header."""
    specs = [Sheet(title, [Column(header, KINDS[kind]) for header, kind in columns], rows,
                   title_lines=[note] if note else ())
             for title, columns, rows, note in sheets]
    with tempfile.TemporaryDirectory(prefix="motcua-xlsx-") as folder:
        return write_workbook(specs, Path(folder) / "bang.xlsx").read_bytes()
