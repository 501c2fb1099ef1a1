"""Fixtures for the printing tests: the specimen rendered once, and poppler read-backs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

SAMPLE_DATE = dt.date(2026, 1, 5)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def pdftotext(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    args = [need("pdftotext"), "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")


def pdffonts(pdf: Path) -> list[dict]:
    """One dict per font: name, type, emb (bool)."""
    out = subprocess.run([need("pdffonts"), str(pdf)], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    header = lines[0]
    # Columns are fixed-width; locate them from the header so names with spaces do not break parsing.
    type_at, enc_at, emb_at = header.index("type"), header.index("encoding"), header.index("emb")
    fonts = []
    for line in lines[2:]:
        fonts.append({"name": line[:type_at].strip(), "type": line[type_at:enc_at].strip(),
                      "emb": line[emb_at:emb_at + 3].strip() == "yes"})
    return fonts


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
    from PIL import Image

    dpi = 300
    subprocess.run([need("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf),
                    str(tmp / "qr")], check=True)
    image = Image.open(next(tmp.glob("qr*.png"))).convert("L")
    scale = dpi / 72
    page_height = image.height / scale
    x0, y0 = left * scale, (page_height - bottom - size) * scale
    cell = size * scale / n
    return [[image.getpixel((int(x0 + (c + 0.5) * cell), int(y0 + (r + 0.5) * cell))) < 128 for c in range(n)]
            for r in range(n)]
