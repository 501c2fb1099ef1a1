"""Fixtures for the printing tests: the specimen rendered once, and its read-backs (tests/pdftools.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

# poppler's tools where installed, Python readers elsewhere (tests/pdftools.py): Windows has no poppler.
from tests.pdftools import pdffonts, pdftotext, render_page  # noqa: F401

SAMPLE_DATE = dt.date(2026, 1, 5)


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    from core.printing.sample import build_sample

    out = tmp_path_factory.mktemp("printing") / "mau.pdf"
    built = build_sample(out, today=SAMPLE_DATE)
    assert built.pages == 2
    return out


def read_qr_modules(pdf: Path, page: int, left: float, bottom: float, size: float, n: int, tmp: Path):
    """Render `page` at 300 dpi and read an n × n QR grid whose square (in PDF points, origin
    bottom-left) starts at (left, bottom) and is `size` wide: True where a module is dark."""
    dpi = 300
    image = render_page(pdf, page, dpi, tmp).convert("L")
    scale = dpi / 72
    page_height = image.height / scale
    x0, y0 = left * scale, (page_height - bottom - size) * scale
    cell = size * scale / n
    return [[image.getpixel((int(x0 + (c + 0.5) * cell), int(y0 + (r + 0.5) * cell))) < 128 for c in range(n)]
            for r in range(n)]
