"""Reading PDFs back in tests: poppler's tools where installed (Linux CI), Python readers elsewhere.

Windows has no poppler; the same checks then read the PDF with pdfplumber (text, with or
without layout), pypdf (the font list) and pypdfium2 (rendering) — all project dependencies —
so a PDF test never skips for want of a tool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _tool(name: str) -> str | None:
    """poppler's `name`, or None when absent (or MOTCUA_TESTS_NO_POPPLER=1: the Windows path on Linux)."""
    if os.environ.get("MOTCUA_TESTS_NO_POPPLER") == "1":
        return None
    return shutil.which(name)


def pdftotext(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    """The PDF's text (pages separated by form feeds, as pdftotext does); `page` is 1-based."""
    if _tool("pdftotext"):
        args = ["pdftotext", "-enc", "UTF-8"]
        if layout:
            args.append("-layout")
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        return subprocess.run(args + [str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        pages = doc.pages if page is None else [doc.pages[page - 1]]
        texts = [_layout_text(p) if layout else _reading_order(_layout_text(p)) for p in pages]
    return "".join(text + "\n\f" for text in texts)


def _reading_order(layout: str) -> str:
    """Text in reading order, as plain `pdftotext` gives it: where consecutive lines are split
    into the same number of columns (three or more spaces apart), each column's lines come
    out together, left column first; other lines as they are."""
    import re

    out: list[str] = []
    block: list[list[str]] = []

    def flush():
        for column in range(len(block[0]) if block else 0):
            out.extend(row[column] for row in block)
        block.clear()

    for line in layout.splitlines():
        parts = [part for part in re.split(r"\s{3,}", line.strip()) if part]
        if len(parts) > 1 and (not block or len(block[0]) == len(parts)):
            block.append(parts)
            continue
        flush()
        if len(parts) > 1:
            block.append(parts)
        elif parts:
            out.append(parts[0])
    flush()
    return "\n".join(out)


def _layout_text(page, char_width: float = 4.0) -> str:
    """Lines of words kept in their columns, like `pdftotext -layout`: words of one phrase joined
    by one space, a wider gap shown as at least three spaces, columns by x position."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 2.5:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        text, right = "", None
        for word in sorted(line, key=lambda w: w["x0"]):
            size = word["bottom"] - word["top"]
            column = int(word["x0"] / char_width)
            if right is None:
                text = " " * column
            elif word["x0"] - right <= 0.6 * size:  # an ordinary space between two words
                text += " "
            else:
                text += " " * max(3, column - len(text))
            text += word["text"]
            right = word["x1"]
        out.append(text)
    return "\n".join(out)


def pdffonts(pdf: Path) -> list[dict]:
    """One dict per font: name (with its subset prefix), type, emb (bool)."""
    if _tool("pdffonts"):
        out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
        lines = out.splitlines()
        header = lines[0]
        # Columns are fixed-width; locate them from the header so names with spaces do not break parsing.
        type_at, enc_at, emb_at = header.index("type"), header.index("encoding"), header.index("emb")
        return [{"name": line[:type_at].strip(), "type": line[type_at:enc_at].strip(),
                 "emb": line[emb_at:emb_at + 3].strip() == "yes"} for line in lines[2:]]
    from pypdf import PdfReader

    fonts, seen = [], set()
    for page in PdfReader(str(pdf)).pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            descriptor = font.get("/FontDescriptor")
            subtype = str(font.get("/Subtype", "")).lstrip("/")
            if subtype == "Type0":  # CID font: the descriptor is on the descendant
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
                subtype = "CID " + str(descendant.get("/Subtype", "")).lstrip("/")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            kind = {"TrueType": "TrueType", "CID CIDFontType2": "CID TrueType", "Type1": "Type 1"}.get(subtype, subtype)
            fonts.append({"name": str(font.get("/BaseFont", "")).lstrip("/"), "type": kind, "emb": embedded})
    return fonts


def pdffonts_text(pdf: Path) -> str:
    """The font list as one text (name, type and 'yes'/'no' per line), for substring checks."""
    return "\n".join(f"{f['name']} {f['type']} {'yes' if f['emb'] else 'no'}" for f in pdffonts(pdf))


def render_page(pdf: Path, page: int, dpi: int, out_dir: Path):
    """Page `page` (1-based) as a PIL image at `dpi`."""
    from PIL import Image

    if _tool("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf),
                        str(out_dir / "page")], check=True)
        return Image.open(next(out_dir.glob("page*.png")))
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[page - 1].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
