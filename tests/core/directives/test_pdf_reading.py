"""PDF directives must give the same tasks as their text.

Committed fixtures (tests/data/directives/pdf, made by tests/core/directives/pdf_makers.py
with LibreOffice 7.4 and Chromium) run everywhere; the slow test makes fresh PDFs of every
bundled sample by every route and font when LibreOffice and Chromium are installed.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.directives import pdf_text
from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from tests.core.directives import pdf_makers

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples" / "directives"
FIXTURES = ROOT / "tests" / "data" / "directives" / "pdf"
SOURCES = {"4685": "4685_UBND-KGVX_2022-09-19.txt", "draft2025": "draft_2025_two_tier_government.txt"}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w/%-]+", " ", text).split())


def assert_same_tasks(from_text, from_pdf, label: str) -> None:
    """Number, date, tasks (refs), lead units and deadlines equal; contents within a small tolerance."""
    assert from_pdf.document.number == from_text.document.number, label
    assert from_pdf.document.date == from_text.document.date, label
    assert [t.ref for t in from_pdf.tasks] == [t.ref for t in from_text.tasks], label
    for want, got in zip(from_text.tasks, from_pdf.tasks):
        where = f"{label} task {want.ref}"
        assert (got.deadline.kind, got.deadline.due) == (want.deadline.kind, want.deadline.due), where
        assert got.lead_unit == want.lead_unit, where
        assert got.for_commune == want.for_commune, where
        a, b = _words(want.content), _words(got.content)
        assert abs(len(a) - len(b)) <= 0.03 * len(a) + 2, (where, a, b)
        assert difflib.SequenceMatcher(None, a, b).ratio() >= 0.97, (where, a, b)


def _parse_pdf(path: Path):
    return parse_directive(read_directive_file(path), require_tasks=False)


def _parse_txt(key: str):
    return parse_directive(read_directive_file(SAMPLES / SOURCES[key]), require_tasks=False)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.pdf")))
def test_committed_pdf_gives_the_tasks_of_its_text(fixture):
    key = fixture.split("_")[0]
    from_text = _parse_txt(key)
    assert len(from_text.tasks) >= 9
    assert_same_tasks(from_text, _parse_pdf(FIXTURES / fixture), fixture)


def test_raw_pdf_text_fails_the_same_check():
    """Negative check: without the layout rules (pdfium's raw text) the comparison above fails."""
    document = pdfium.PdfDocument(FIXTURES / "4685_docx_fallback-font.pdf")
    raw = "\n".join(page.get_textpage().get_text_range() for page in document)
    with pytest.raises(AssertionError):
        assert_same_tasks(_parse_txt("4685"), parse_directive(raw, require_tasks=False), "raw")


def test_footnotes_apart_and_stamp_dropped():
    result = pdf_text.extract(pdfium.PdfDocument(FIXTURES / "draft2025_libreoffice_footnotes_stamp.pdf"))
    body = "\n".join(result.paragraphs)
    assert len(result.footnotes) == 3
    assert "Ngọk Bay" in result.footnotes[0] and "Ngọk Bay" not in body
    assert "943/CAT-ANM" in result.footnotes[2]
    assert not any(p.startswith(("Ký bởi", "Email:", "Thời gian ký")) for p in result.paragraphs)
    # The anchors are gone from the body ("… khi có yêu cầu." not "… yêu cầu1.").
    assert "khi có yêu cầu." in body and "yêu cầu1" not in body


def test_page_numbers_and_wrapped_lines():
    result = pdf_text.extract(pdfium.PdfDocument(FIXTURES / "4685_docx_fallback-font.pdf"))
    assert result.pages >= 2
    assert not any(re.fullmatch(r"\d{1,3}", p) for p in result.paragraphs)  # footer page numbers
    # A wrapped item is one paragraph again, with its deadline sentence.
    item = next(p for p in result.paragraphs if p.startswith("- Tham mưu UBND tỉnh ban hành"))
    assert item.endswith("Thời gian hoàn thành trước ngày 31/10/2022.")
    # Letters drawn from the fallback font are back in their words.
    assert "1. Sở Thông tin và Truyền thông" in result.paragraphs


ROUTES = [("docx", "Liberation Serif"), ("docx", pdf_makers.FONT_WITHOUT_VIETNAMESE),
          ("lo-html", "DejaVu Sans"), ("lo-html", pdf_makers.FONT_WITHOUT_VIETNAMESE),
          ("chromium", "Liberation Serif"), ("chromium", pdf_makers.FONT_WITHOUT_VIETNAMESE),
          ("lo-txt", ""), ("chromium-txt", "")]


@pytest.mark.slow
@pytest.mark.parametrize("route,font", ROUTES)
@pytest.mark.parametrize("key", sorted(SOURCES))
def test_fresh_pdfs_from_libreoffice_and_chromium(tmp_path, key, route, font):
    needs = pdf_makers.chromium() if route == "chromium" else pdf_makers.soffice()
    if needs is None:
        pytest.skip(f"{route} needs LibreOffice/Chromium (apt-get install libreoffice-writer chromium)")
    text = (SAMPLES / SOURCES[key]).read_text(encoding="utf-8")
    pdf = pdf_makers.make_pdf(text, route, font, tmp_path, f"{key}-{route}")
    assert_same_tasks(_parse_txt(key), _parse_pdf(pdf), f"{key} {route} {font}")


LETTERS = ["PLAN_2024", "LETTER_DASHES_2025", "DECISION_MULTILEVEL", "POST_MERGER_DISTRICT_WORDING", "ASSIGNING_WORDS"]


@pytest.mark.slow
@pytest.mark.parametrize("route,font", [("lo-txt", ""), ("chromium-txt", ""), ("docx", "Liberation Serif"),
                                        ("docx", pdf_makers.FONT_WITHOUT_VIETNAMESE), ("lo-html", "DejaVu Sans"),
                                        ("chromium", pdf_makers.FONT_WITHOUT_VIETNAMESE)])
@pytest.mark.parametrize("letter", LETTERS)
def test_synthetic_letters_as_pdfs(tmp_path, letter, route, font):
    """Letters the rules were not written on (samples_text), printed each way, read like their text."""
    from tests.core.directives import samples_text

    needs = pdf_makers.chromium() if route.startswith("chromium") else pdf_makers.soffice()
    if needs is None:
        pytest.skip(f"{route} needs LibreOffice/Chromium")
    text = getattr(samples_text, letter)
    pdf = pdf_makers.make_pdf(text, route, font, tmp_path, f"{letter}-{route}")
    assert_same_tasks(parse_directive(text, require_tasks=False), _parse_pdf(pdf), f"{letter} {route} {font}")
