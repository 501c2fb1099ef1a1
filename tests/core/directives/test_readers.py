import io
import unicodedata
import zipfile

import pytest

from core.directives.errors import (BadDocxError, BinaryFileError, EmptyDirectiveError, FileTooLargeError,
                                    ScannedPdfError)
from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from tests.core.directives import samples_text as S

TEXT = S.LETTER_DASHES_2025

_SHAPES = {"\u0306", "\u0302", "\u031b"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with their shape precomposed, tones as combining marks."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0] + "".join(m for m in decomposed[1:] if m in _SHAPES)
        tones = [m for m in decomposed[1:] if m not in _SHAPES]
        out += unicodedata.normalize("NFC", base).encode("cp1258")
        for tone in tones:
            out += tone.encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    lambda t: t.encode("utf-16"),                       # with BOM (Notepad "Unicode")
    lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    to_cp1258,
], ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "crlf", "windows-1258"])
def test_text_encodings_decode_to_the_same_nfc_text(tmp_path, encode):
    path = tmp_path / "cong_van.txt"
    path.write_bytes(encode(TEXT))
    text = read_directive_file(path)
    assert unicodedata.is_normalized("NFC", text)
    assert text.replace("\r\n", "\n").strip() == TEXT.strip()
    assert parse_directive(text).document.number == "3120/UBND-NC"


def test_windows_1258_really_uses_combining_tones():
    raw = to_cp1258("Quảng Ngãi")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_empty_file(tmp_path):
    path = tmp_path / "rong.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyDirectiveError) as info:
        read_directive_file(path)
    assert "trống" in info.value.message


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "rong.txt"
    path.write_bytes(b"  \r\n\t\n")
    with pytest.raises(EmptyDirectiveError):
        read_directive_file(path)


def test_binary_file(tmp_path):
    path = tmp_path / "anh.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(BinaryFileError) as info:
        read_directive_file(path)
    assert "nhị phân" in info.value.message


def test_fifty_megabyte_text(tmp_path):
    path = tmp_path / "lon.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: the size is what is checked, before reading
    with pytest.raises(FileTooLargeError) as info:
        read_directive_file(path)
    assert "quá lớn" in info.value.message


def test_zip_posing_as_docx(tmp_path):
    path = tmp_path / "van_ban.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("anh/IMG_0001.jpg", b"\xff\xd8\xff" + b"0" * 100)
    with pytest.raises(BadDocxError) as info:
        read_directive_file(path)
    assert "không phải tài liệu Word" in info.value.message


def test_text_named_docx(tmp_path):
    path = tmp_path / "van_ban.docx"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(BadDocxError):
        read_directive_file(path)


def test_docx_with_word_numbering(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
    document.add_paragraph("Số: 88/UBND-KGVX")
    document.add_paragraph("Quảng Ngãi, ngày 3 tháng 3 năm 2025")
    document.add_paragraph("Kính gửi: UBND các xã.")
    document.add_paragraph("Chủ tịch UBND tỉnh yêu cầu:")
    document.add_paragraph("UBND các xã rà soát hồ sơ tồn đọng, hoàn thành trước ngày 30/4/2025.", style="List Number")
    document.add_paragraph("Sở Nội vụ kiểm tra việc thực hiện trong Quý II năm 2025.", style="List Number")
    path = tmp_path / "cv.docx"
    document.save(path)
    parsed = parse_directive(read_directive_file(path))
    assert parsed.document.number == "88/UBND-KGVX"
    assert [t.ref for t in parsed.tasks] == ["1", "2"]
    assert parsed.tasks[0].for_commune and parsed.tasks[0].deadline.due.isoformat() == "2025-04-30"
    assert parsed.tasks[1].lead_unit == "Sở Nội vụ"


def _pdf(path, lines=None):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from core.resources import resource

    pdfmetrics.registerFont(TTFont("TestSerif", str(resource("fonts", "LiberationSerif-Regular.ttf"))))
    c = canvas.Canvas(str(path), pagesize=A4)
    if lines:
        c.setFont("TestSerif", 11)
        y = 800
        for line in lines:
            c.drawString(40, y, line)
            y -= 16
    else:
        c.setFillGray(0.5)
        c.rect(40, 300, 500, 500, fill=1)  # a "scan": pixels only
    c.showPage()
    c.save()


def test_text_pdf(tmp_path):
    path = tmp_path / "cv.pdf"
    _pdf(path, TEXT.splitlines())
    parsed = parse_directive(read_directive_file(path))
    assert parsed.document.number == "3120/UBND-NC"
    assert len(parsed.tasks) == 3


def test_scanned_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    _pdf(path)
    with pytest.raises(ScannedPdfError) as info:
        read_directive_file(path)
    assert "bản quét" in info.value.message


def test_missing_file(tmp_path):
    from core.directives.errors import DirectiveReadError

    with pytest.raises(DirectiveReadError) as info:
        read_directive_file(tmp_path / "khong_co.txt")
    assert "Không tìm thấy" in info.value.message
