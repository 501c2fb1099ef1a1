"""Other ways a directive arrives: password PDFs, scans, RTF, OpenDocument, old Word."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from core.directives import pdf_reader
from core.directives.errors import BadPdfError, PasswordPdfError, ScannedPdfError, UnsupportedFormatError
from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from tests.core.directives import samples_text as S

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "data" / "directives" / "pdf"


def _tasks(text: str):
    return [(t.ref, t.lead_unit, t.deadline.due) for t in parse_directive(text).tasks]


def test_password_pdf_has_its_own_error(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(FIXTURES / "draft2025_chromium.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="bimat", owner_password="chu", algorithm="AES-128")
    locked = tmp_path / "khoa.pdf"
    with locked.open("wb") as f:
        writer.write(f)
    with pytest.raises(PasswordPdfError) as info:
        read_directive_file(locked)
    assert "mật khẩu" in info.value.message and "hỏng" not in info.value.message
    assert not isinstance(info.value, BadPdfError)


def test_owner_password_only_pdf_still_reads(tmp_path):
    """Many e-office PDFs forbid editing (owner password) but open freely: they must read."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(FIXTURES / "draft2025_chromium.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="chu", algorithm="AES-128")
    path = tmp_path / "chi_doc.pdf"
    with path.open("wb") as f:
        writer.write(f)
    assert len(parse_directive(read_directive_file(path)).tasks) == 18


def test_damaged_pdf(tmp_path):
    data = (FIXTURES / "draft2025_chromium.pdf").read_bytes()
    path = tmp_path / "hong.pdf"
    path.write_bytes(data[:400])
    with pytest.raises(BadPdfError) as info:
        read_directive_file(path)
    assert "hỏng" in info.value.message


def _scan_pdf(path: Path, text: str | None) -> None:
    """A "scan": the page is one image (of text when `text` is given)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (1240, 1754), 255)
    if text:
        font_path = next((p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                                      "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")
                          if Path(p).exists()), None)
        if font_path is None:
            pytest.skip("no TrueType font with Vietnamese letters to draw the scan")
        font = ImageFont.truetype(font_path, 30)
        draw = ImageDraw.Draw(image)
        for index, line in enumerate(text.splitlines()):
            draw.text((90, 90 + index * 44), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, 595, 842)
    c.showPage()
    c.save()


def test_scan_without_ocr_says_how_to_get_text(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_reader, "find_tesseract", lambda: None)
    path = tmp_path / "quet.pdf"
    _scan_pdf(path, "Số: 3120/UBND-NC")
    with pytest.raises(ScannedPdfError) as info:
        read_directive_file(path)
    assert "bản quét" in info.value.message and "PDF có chữ" in info.value.message
    assert "Tesseract" in info.value.message


def test_scan_read_by_ocr_when_tesseract_has_vietnamese(tmp_path):
    if pdf_reader.find_tesseract() is None:
        pytest.skip("Tesseract with Vietnamese data not installed (apt-get install tesseract-ocr-vie)")
    path = tmp_path / "quet.pdf"
    lines = S.LETTER_DASHES_2025.strip().splitlines()[:12]
    _scan_pdf(path, "\n".join(lines))
    parsed = parse_directive(read_directive_file(path), require_tasks=False)
    assert parsed.document.number == "3120/UBND-NC"
    assert parsed.document.date is not None and parsed.document.date.year == 2025


def test_rtf_is_read_not_taken_for_tasks(tmp_path):
    def rtf_escape(text: str) -> str:
        out = []
        for ch in text:
            if ch == "\n":
                out.append("\\par\n")
            elif ord(ch) < 128:
                out.append("\\" + ch if ch in "\\{}" else ch)
            else:
                code = ord(ch)
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
        return "".join(out)

    body = rtf_escape(S.LETTER_DASHES_2025)
    path = tmp_path / "cv.rtf"
    path.write_bytes(("{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs26 "
                      + body + "}").encode("ascii"))
    text = read_directive_file(path)
    assert "\\par" not in text and "fonttbl" not in text
    assert _tasks(text) == _tasks(S.LETTER_DASHES_2025)


def test_odt_is_read(tmp_path):
    from xml.sax.saxutils import escape

    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in S.LETTER_DASHES_2025.splitlines())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               f"{paragraphs}<text:p>ghi chú<text:note><text:note-body><text:p>chân trang</text:p>"
               "</text:note-body></text:note></text:p></office:text></office:body></office:document-content>")
    path = tmp_path / "cv.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    text = read_directive_file(path)
    assert "chân trang" not in text
    assert _tasks(text) == _tasks(S.LETTER_DASHES_2025)


def test_old_word_doc_says_how_to_convert(tmp_path):
    path = tmp_path / "cv.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnsupportedFormatError) as info:
        read_directive_file(path)
    assert ".doc" in info.value.message and ".docx" in info.value.message
