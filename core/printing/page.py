"""The page of Nghị định 30/2020: A4 portrait and its margins (kept apart so blocks and the builder agree)."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4            # 210 × 297 mm
MARGIN_TOP = 20 * mm                    # decree: 20–25 mm
MARGIN_BOTTOM = 20 * mm                 # decree: 20–25 mm
MARGIN_LEFT = 30 * mm                   # decree: 30–35 mm (binding side)
MARGIN_RIGHT = 15 * mm                  # decree: 15–20 mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT     # 165 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM   # 257 mm
