"""One PDF engine for every report, in the layout of Nghị định 30/2020/NĐ-CP (no Qt here).

    from core.printing import blocks as b, build_pdf

A report is a list of blocks (core.printing.blocks) handed to build_pdf
(core.printing.document). See docs/PRINTING.md for a complete example.
"""

from core.printing.blocks import Mark
from core.printing.document import (
    BuiltPdf, PdfWriteError, UnembeddedFontError, build_pdf, data_fingerprint, short_fingerprint,
)
from core.printing.fonts import FontFileError, MissingGlyphError, check_text, register_fonts
from core.printing.formats import document_number, place_date, vi_date, vi_number, vi_percent

__all__ = [
    "BuiltPdf", "FontFileError", "Mark", "MissingGlyphError", "PdfWriteError", "UnembeddedFontError", "build_pdf",
    "check_text",
    "data_fingerprint", "document_number", "place_date", "register_fonts", "short_fingerprint", "vi_date",
    "vi_number", "vi_percent",
]
