"""Font resolution and the missing-glyph guard."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from core.printing import MissingGlyphError, blocks as b, build_pdf, check_text, fonts
from core.printing.styles import styles


def test_printing_font_covers_every_vietnamese_letter_in_all_faces():
    fontset = fonts.register_fonts()
    assert fontset.label in ("Times New Roman", "Liberation Serif")
    for face in (fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC):
        check_text(fonts.VIETNAMESE_LETTERS + " 0123456789 “”‘’–—…·%§", face)


def test_missing_glyph_error_names_the_character():
    with pytest.raises(MissingGlyphError) as caught:
        check_text("Ô trống ☐ ở đây")
    err = caught.value
    assert err.character == "☐"
    assert "“☐”" in err.message and "U+2610" in err.message
    assert "BALLOT BOX" in err.details
    assert err.exit_code == 2


@pytest.mark.parametrize("make", [
    lambda: b.paragraph("Kết quả 😀 tốt"),
    lambda: b.heading("I. KẾT QUẢ 😀"),
    lambda: b.title("BÁO CÁO", "Chủ đề 😀"),
    lambda: b.table(["A"], [["ô 😀"]]),
    lambda: b.check_item(b.Mark.EMPTY, "mục 😀"),
    lambda: b.signature(["CHỦ TỊCH"], "Nguyễn 😀"),
    lambda: b.recipients(["Sở 😀"]),
])
def test_every_block_refuses_a_character_the_font_lacks(make):
    with pytest.raises(MissingGlyphError) as caught:
        make()
    assert caught.value.character == "😀"
    assert "U+1F600" in caught.value.message


def test_text_that_bypasses_the_blocks_is_caught_when_drawn_and_nothing_is_written(tmp_path):
    out = tmp_path / "bao-cao.pdf"
    out.write_bytes(b"earlier report")
    raw = Paragraph("Ký hiệu ✓ không có trong phông", styles()["body"])
    with pytest.raises(MissingGlyphError) as caught:
        build_pdf([b.paragraph("Đoạn đầu đúng."), raw], out, report_id="BC-1")
    assert caught.value.character == "✓"
    assert out.read_bytes() == b"earlier report"       # the earlier file is kept as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao.pdf"]  # no temporary left


def test_report_id_with_missing_character_is_refused():
    with pytest.raises(MissingGlyphError):
        build_pdf([b.paragraph("x")], io.BytesIO(), report_id="BC-☐")


def test_times_new_roman_found_in_a_windows_style_folder(tmp_path):
    for name in ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"):
        (tmp_path / name).write_bytes(b"x")
    found = fonts.find_times_new_roman([tmp_path])
    assert found is not None
    assert found["bold_italic"].name == "timesbi.ttf"


def test_times_new_roman_needs_all_four_faces(tmp_path):
    for name in ("times.ttf", "timesbd.ttf", "timesi.ttf"):
        (tmp_path / name).write_bytes(b"x")
    assert fonts.find_times_new_roman([tmp_path]) is None
    assert fonts.find_times_new_roman([tmp_path / "absent"]) is None


def test_damaged_font_file_gives_a_clear_error_and_keeps_the_working_fonts(tmp_path):
    fonts.register_fonts()
    before = pdfmetrics.getFont(fonts.REGULAR)
    files = {}
    for style in ("regular", "bold", "italic", "bold_italic"):
        files[style] = tmp_path / f"{style}.ttf"
        files[style].write_bytes(b"not a font")
    with pytest.raises(fonts.FontFileError) as caught:
        fonts._register("Times New Roman", files)
    assert "Times New Roman" in caught.value.message
    assert pdfmetrics.getFont(fonts.REGULAR) is before


def test_times_new_roman_found_under_its_mac_and_linux_names(tmp_path):
    mac = tmp_path / "mac"
    mac.mkdir()
    for name in ("Times New Roman.ttf", "Times New Roman Bold.ttf", "Times New Roman Italic.ttf",
                 "Times New Roman Bold Italic.ttf"):
        (mac / name).write_bytes(b"x")
    linux = tmp_path / "linux"
    linux.mkdir()
    for name in ("Times_New_Roman.ttf", "Times_New_Roman_Bold.ttf", "Times_New_Roman_Italic.ttf",
                 "Times_New_Roman_Bold_Italic.ttf"):
        (linux / name).write_bytes(b"x")
    assert fonts.find_times_new_roman([mac])["bold"].name == "Times New Roman Bold.ttf"
    assert fonts.find_times_new_roman([tmp_path / "none", linux])["italic"].name == "Times_New_Roman_Italic.ttf"
