"""What each block of a document says, independent of how it is drawn.

Every block function in core.printing.blocks returns reportlab flowables for the PDF and hangs
one of these descriptions on them (`flowable.block`), so the same story can also be written
as a Word file (core.printing.word) — one document description, two renderers. A description
holds the block's text already cleaned (NFC, no invisible characters) and the sizes the PDF
layout chose (header column widths, table column widths), so both renderings agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Header:
    governing: str | None        # "\n" separates lines, as printed
    issuing: str
    number_line: str | None      # "Số: 07/BC-UBND" / "Số:     /BC-UBND"
    about: str | None            # "V/v …"
    place_date: str
    left_width: float            # points, of the 165 mm text width
    left_size: float
    right_size: float
    date_size: float


@dataclass(frozen=True)
class Title:
    doc_type: str
    subject: str | None


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple                  # core.printing.blocks.Run
    indent: bool
    align: str


@dataclass(frozen=True)
class FillIn:
    """A paragraph the clerk writes before signing: the prompt in the PDF, a fill-in field in Word."""

    prompt: str
    label: str


@dataclass(frozen=True)
class Table:
    header_rows: tuple
    rows: tuple                  # cell values as given to blocks.table (str, None, Mark, CheckBox…)
    col_widths: tuple            # points
    aligns: tuple
    style: tuple                 # extra TableStyle commands (SPAN, FONTNAME bold rows)


@dataclass(frozen=True)
class CheckItem:
    mark: Any
    text: str


@dataclass(frozen=True)
class Signature:
    capacity: tuple
    name: str
    note: str | None
    sign_space: float            # points


@dataclass(frozen=True)
class Recipients:
    lines: tuple                 # "- Sở …;" … "- Lưu: VT, VP."


@dataclass(frozen=True)
class Closing:
    left: Any                    # Recipients / Signature / None
    right: Any
    left_share: float = 0.45


@dataclass(frozen=True)
class Space:
    height: float                # points


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class KeepWithSpace:
    height: float


@dataclass(frozen=True)
class QrCode:
    payload: str


class BlockList(list):
    """Flowables of one block (signature(), recipients()) with the block's description."""

    def __init__(self, items, block):
        super().__init__(items)
        self.block = block


def describe(flowable, block):
    """Hang `block` on `flowable` and return the flowable."""
    flowable.block = block
    return flowable
