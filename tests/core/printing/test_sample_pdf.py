"""The specimen read back from the PDF: text, fonts, page size, margins, page numbers, footer, QR."""

from __future__ import annotations

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from core.printing.document import footer_text, qr_payload
from core.printing.page import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PAGE_HEIGHT, PAGE_WIDTH
from core.printing.qr import qr_matrix
from core.printing.sample import SAMPLE_REPORT_ID, sample_data
from core.printing.document import data_fingerprint
from tests.core.printing.conftest import pdffonts, pdftotext, read_qr_modules

TOL = 0.6  # points: rounding in the PDF operators and in pdfplumber's glyph boxes

BUILT_IN_FONTS = ("Helvetica", "Times-Roman", "Times-Bold", "Times-Italic", "Courier", "Symbol", "ZapfDingbats")


def _in_order(text: str, needles: list[str]) -> None:
    at = -1
    for needle in needles:
        found = text.find(needle, at + 1)
        assert found > at, f"{needle!r} missing or out of order in:\n{text[:1500]}"
        at = found


def test_vietnamese_text_is_intact(sample_pdf):
    text = pdftotext(sample_pdf)
    for phrase in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Ba Tơ, ngày 05 tháng 01 năm 2026", "Số: 05/BC-UBND", "BÁO CÁO",
        "Kết quả tiếp nhận, số hóa hồ sơ thủ tục hành chính", "I. KẾT QUẢ THỰC HIỆN",
        "Lao động, thương binh và xã hội", "Phòng cháy, chữa cháy", "Đường truyền mạng truyền số liệu",
        "Ký tự đặc biệt in đúng: <, >, & và “ngoặc kép”.", "Nơi nhận:", "- Sở Khoa học và Công nghệ;",
        "- Lưu: VT, VP.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Mẫu",
    ]:
        assert phrase in text, phrase


def test_header_lines_in_order_in_each_column(sample_pdf):
    text = pdftotext(sample_pdf, page=1)
    _in_order(text, ["ỦY BAN NHÂN DÂN", "XÃ BA TƠ", "Số: 05/BC-UBND", "BÁO CÁO", "Kết quả tiếp nhận"])
    _in_order(text, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Ba Tơ, ngày 05 tháng 01 năm 2026", "BÁO CÁO", "I. KẾT QUẢ THỰC HIỆN"])
    # Left column is left of the right column: the issuing body and the national title share a line.
    first_line = pdftotext(sample_pdf, page=1, layout=True).strip().splitlines()[0]
    assert first_line.index("ỦY BAN NHÂN DÂN") < first_line.index("CỘNG HÒA")


def test_only_embedded_truetype_fonts(sample_pdf):
    fonts = pdffonts(sample_pdf)
    assert fonts, "no fonts listed"
    for font in fonts:
        assert "TrueType" in font["type"], font
        assert font["emb"], font
        assert not any(name in font["name"] for name in BUILT_IN_FONTS), font
    # All four faces are used and embedded (Liberation Serif here, Times New Roman on Windows).
    faces = {f["name"].split("+")[-1] for f in fonts}
    assert len(faces) == 4, faces
    assert any("Bold" in f and "Italic" in f for f in faces)
    assert any("Italic" in f and "Bold" not in f for f in faces)


def test_every_page_is_a4_portrait(sample_pdf):
    reader = PdfReader(str(sample_pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


def _body_chars(page):
    """Characters of the text block: page number (top margin) and footer (8 pt) left out."""
    return [c for c in page.chars if c["top"] >= MARGIN_TOP - TOL and round(c["size"]) != 8]


def test_margins_measured_from_text_positions(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        for page in pdf.pages:
            chars = _body_chars(page)
            left = min(c["x0"] for c in chars)
            right = max(c["x1"] for c in chars)
            top = min(c["top"] for c in chars)
            bottom = max(c["bottom"] for c in chars)
            assert left >= MARGIN_LEFT - TOL, (page.page_number, left / mm)
            assert right <= PAGE_WIDTH - MARGIN_RIGHT + TOL, (page.page_number, right / mm)
            assert top >= MARGIN_TOP - TOL, (page.page_number, top / mm)
            assert bottom <= PAGE_HEIGHT - MARGIN_BOTTOM + TOL, (page.page_number, bottom / mm)
        # Justified body text and the full-width table reach both edges of the text block.
        page1 = _body_chars(pdf.pages[0])
        assert min(c["x0"] for c in page1) == pytest.approx(MARGIN_LEFT, abs=3)
        assert max(c["x1"] for c in page1) == pytest.approx(PAGE_WIDTH - MARGIN_RIGHT, abs=3)
        lines = [e for e in pdf.pages[0].edges if e["orientation"] == "v"]
        xs = sorted({round(e["x0"], 1) for e in lines})
        assert xs[0] == pytest.approx(MARGIN_LEFT, abs=TOL)
        assert xs[-1] == pytest.approx(PAGE_WIDTH - MARGIN_RIGHT, abs=TOL)


def test_page_numbers_only_from_page_two_centred_in_top_margin(sample_pdf):
    with pdfplumber.open(sample_pdf) as pdf:
        first, second = pdf.pages
        assert [c for c in first.chars if c["bottom"] < MARGIN_TOP] == []
        top_chars = [c for c in second.chars if c["bottom"] < MARGIN_TOP]
        assert "".join(c["text"] for c in top_chars) == "2"
        centre = (top_chars[0]["x0"] + top_chars[-1]["x1"]) / 2
        assert centre == pytest.approx(MARGIN_LEFT + (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 2, abs=1)
        assert round(top_chars[0]["size"]) == 13


def test_table_header_repeats_on_page_two(sample_pdf):
    page2 = pdftotext(sample_pdf, page=2)
    _in_order(page2, ["STT", "Lĩnh vực", "Tiếp nhận", "Đã số hóa", "Nội vụ", "Tổng cộng"])


def test_footer_with_report_id_and_fingerprint_on_every_page(sample_pdf):
    expected = footer_text(SAMPLE_REPORT_ID, data_fingerprint(sample_data()))
    for page in (1, 2):
        assert expected in pdftotext(sample_pdf, page=page)


def test_check_boxes_are_drawn_as_shapes(sample_pdf):
    text = pdftotext(sample_pdf)
    assert not any(ch in text for ch in "☐☑☒✓✗")
    with pdfplumber.open(sample_pdf) as pdf:
        boxes = [r for p in pdf.pages for r in p.rects
                 if r["width"] == pytest.approx(11, abs=0.2) and r["height"] == pytest.approx(11, abs=0.2)]
    assert len(boxes) == len(sample_data()["fields"]) + len(sample_data()["checks"])


def test_qr_code_on_page_holds_report_id_and_fingerprint(sample_pdf, tmp_path):
    """Render the page and read the QR modules back at their grid positions."""
    expected = qr_matrix(qr_payload(SAMPLE_REPORT_ID, data_fingerprint(sample_data())))
    size = 15 * mm
    seen = read_qr_modules(sample_pdf, 2, PAGE_WIDTH - MARGIN_RIGHT - size, 3 * mm, size, len(expected), tmp_path)
    assert seen == expected
