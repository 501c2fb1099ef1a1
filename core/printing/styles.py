"""Paragraph styles of the administrative format (sizes from Nghị định 30/2020, Phụ lục I).

All styles name a registered printing face explicitly: a style left on reportlab's
default would draw in Helvetica, a built-in PDF font that cannot print Vietnamese.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm

from core.printing import fonts

BODY_SIZE = 14          # body text, 13–14 pt
BODY_LEADING = 18       # ≈ 1.3 lines: between single and 1.5 as the decree allows
FIRST_LINE_INDENT = 1 * cm
TABLE_SIZE = 12
TABLE_LEADING = 14


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """The named styles every block uses; call after (or it calls) fonts.register_fonts()."""
    fonts.register_fonts()
    r, b, i, bi = fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC

    def st(name, font, size, leading=None, align=TA_CENTER, **kw):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.2,
                              alignment=align, **kw)

    return {
        # Two-column header.
        "governing": st("governing", r, 13),
        "issuer": st("issuer", b, 13),
        "nation": st("nation", b, 13),
        "motto": st("motto", b, 14),
        "number": st("number", r, 13),
        "about": st("about", r, 12),
        "place_date": st("place_date", i, 14),
        # Document type and subject.
        "doc_type": st("doc_type", b, 14, spaceBefore=16),
        "subject": st("subject", b, 14),
        # Body.
        "body": st("body", r, BODY_SIZE, BODY_LEADING, TA_JUSTIFY, firstLineIndent=FIRST_LINE_INDENT,
                   spaceAfter=6),
        "heading": st("heading", b, BODY_SIZE, BODY_LEADING, TA_JUSTIFY, firstLineIndent=FIRST_LINE_INDENT,
                      spaceBefore=6, spaceAfter=6),
        "note": st("note", i, 12, 15, TA_LEFT),
        # Tables.
        "cell": st("cell", r, TABLE_SIZE, TABLE_LEADING, TA_LEFT),
        "cell_center": st("cell_center", r, TABLE_SIZE, TABLE_LEADING, TA_CENTER),
        "cell_right": st("cell_right", r, TABLE_SIZE, TABLE_LEADING, 2),  # TA_RIGHT
        "cell_head": st("cell_head", b, TABLE_SIZE, TABLE_LEADING, TA_CENTER),
        "check_label": st("check_label", r, BODY_SIZE, BODY_LEADING, TA_LEFT),
        # Closing: recipients (left) and signature (right).
        "recipients_title": st("recipients_title", bi, 12, 14, TA_LEFT),
        "recipient": st("recipient", r, 11, 13, TA_LEFT),
        "capacity": st("capacity", b, 14, 17),
        "sign_note": st("sign_note", i, 13, 16),
        "signer": st("signer", b, 14, 17),
        # Page furniture.
        "footer": st("footer", r, 8, 10, TA_LEFT),
    }
