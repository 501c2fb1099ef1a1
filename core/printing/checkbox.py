"""Check boxes drawn as shapes: empty, ticked, crossed.

A ☐/☑ character would be missing from the printing font and silently vanish (or be refused
by the glyph guard); lines always print.
"""

from __future__ import annotations

import enum

from reportlab.lib import colors
from reportlab.platypus import Flowable


class Mark(enum.Enum):
    EMPTY = "empty"
    TICKED = "ticked"
    CROSSED = "crossed"


class CheckBox(Flowable):
    """A check box drawn with lines (a ☐/☑ character would be missing from the font and vanish)."""

    def __init__(self, mark: Mark | str = Mark.EMPTY, size: float = 11):
        super().__init__()
        self.mark = Mark(mark)
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, avail_width, avail_height):  # noqa: D401 - reportlab API
        return self.size, self.size

    def draw(self):
        c, s = self.canv, self.size
        c.saveState()
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.8)
        c.rect(0, 0, s, s, stroke=1, fill=0)
        if self.mark is Mark.TICKED:
            c.setLineWidth(1.5)
            c.setLineCap(1)
            c.setLineJoin(1)
            path = c.beginPath()
            path.moveTo(0.18 * s, 0.52 * s)
            path.lineTo(0.42 * s, 0.22 * s)
            path.lineTo(0.86 * s, 0.86 * s)
            c.drawPath(path, stroke=1, fill=0)
        elif self.mark is Mark.CROSSED:
            c.setLineWidth(1.3)
            c.setLineCap(1)
            c.line(0.2 * s, 0.2 * s, 0.8 * s, 0.8 * s)
            c.line(0.2 * s, 0.8 * s, 0.8 * s, 0.2 * s)
        c.restoreState()

    def __repr__(self):
        return f"CheckBox({self.mark.value})"
