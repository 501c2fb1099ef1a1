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
