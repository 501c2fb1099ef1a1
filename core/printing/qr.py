"""QR codes drawn as plain rectangles.

reportlab's own QR widget is drawn through its graphics renderer, which sets a built-in
font (Times-Roman) on the canvas even though no text is drawn; that font then appears in
the PDF unembedded. Drawing the modules ourselves keeps the file to the printing faces.
"""

from __future__ import annotations

import qrcode
from reportlab.platypus import Flowable


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the QR code (True = dark), with the standard 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas, matrix: list[list[bool]], size: float, x: float = 0, y: float = 0) -> None:
    """Draw the matrix as a size × size square with its lower-left corner at (x, y)."""
    cell = size / len(matrix)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * cell
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                canvas.rect(x + start * cell, top, (c - start) * cell, cell, stroke=0, fill=1)
            else:
                c += 1
    canvas.restoreState()


class QrCode(Flowable):
    """A QR code of `payload`, `size` points square (quiet zone included), centred by default."""

    def __init__(self, payload: str, size: float, h_align: str = "CENTER"):
        super().__init__()
        self.payload = payload
        self.size = size
        self.hAlign = h_align
        self.matrix = qr_matrix(payload)

    def wrap(self, avail_width, avail_height):  # noqa: D401 - reportlab API
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.matrix, self.size)
