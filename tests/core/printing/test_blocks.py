"""Blocks rendered into real PDFs and read back."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pdfplumber
import pytest

from core.printing import blocks as b, build_pdf
from core.printing.page import MARGIN_TOP
from core.units import find_unit
from tests.core.printing.conftest import pdftotext

ROOT = Path(__file__).resolve().parents[3]


def _build(tmp_path, story, name="t.pdf"):
    out = tmp_path / name
    built = build_pdf(story, out, report_id="TEST-1", data={"n": 1})
    return out, built


def test_long_table_splits_and_repeats_its_header_on_every_page(tmp_path):
    rows = [(str(i), f"Nhiệm vụ số {i}: rà soát hồ sơ tồn đọng", "Đang thực hiện") for i in range(1, 121)]
    out, built = _build(tmp_path, [b.title("DANH SÁCH"), b.table(["STT", "Nội dung", "Tình trạng"], rows,
                                                                    widths=(1, 7, 3))])
    assert built.pages >= 3
    seen = []
    for page in range(1, built.pages + 1):
        text = pdftotext(out, page=page)
        assert "STT" in text and "Nội dung" in text and "Tình trạng" in text, page
        seen += [int(n) for n in re.findall(r"Nhiệm vụ số (\d+):", text)]
    assert seen == list(range(1, 121))      # every row once, in order, none lost at a page break


def test_long_cell_text_wraps_inside_its_column_and_prints_whole(tmp_path):
    long = ("Phối hợp với Sở Khoa học và Công nghệ rà soát, cập nhật danh mục thủ tục hành chính "
            "thực hiện số hóa kết quả giải quyết trên Hệ thống thông tin giải quyết thủ tục hành chính tỉnh")
    out, _ = _build(tmp_path, [b.table(["STT", "Nội dung"], [("1", long), ("2", "dòng một\ndòng hai")],
                                       widths=(1, 6))])
    text = " ".join(pdftotext(out).split())
    assert long in text
    with pdfplumber.open(out) as pdf:
        words = pdf.pages[0].extract_words()
    assert [w["text"] for w in words if w["text"] in ("một", "hai")] == ["một", "hai"]
    tops = {w["text"]: w["top"] for w in words if w["text"] in ("một", "hai")}
    assert tops["hai"] > tops["một"] + 5      # "\n" made a second line


def test_text_is_printed_literally_not_as_markup(tmp_path):
    out, _ = _build(tmp_path, [b.paragraph("Giá trị <b>không đậm</b> & <br/> in nguyên văn"),
                               b.table(["A"], [["<i>x</i> & y" * 8]])])
    text = " ".join(pdftotext(out).split())
    assert "Giá trị <b>không đậm</b> & <br/> in nguyên văn" in text
    assert "<i>x</i> & y" in text


def test_header_variants(tmp_path):
    unit = find_unit("21484")
    governing, issuing = b.unit_bodies(unit, department="Trung tâm Phục vụ hành chính công")
    assert governing == "ỦY BAN NHÂN DÂN XÃ BA TƠ"
    assert issuing == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    out, _ = _build(tmp_path, [b.header(governing_body=governing, issuing_body=issuing, symbol="TTPVHCC",
                                        number=None, about="báo cáo kết quả số hóa hồ sơ",
                                        place=unit.short_name, date=dt.date(2026, 3, 15))])
    text = pdftotext(out)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "ỦY BAN NHÂN DÂN XÃ BA TƠ" in lines
    # No number yet: a blank the width of a few digits is left for the clerk to write in.
    assert re.search(r"Số:\s{3,}/TTPVHCC", pdftotext(out, layout=True))
    assert "V/v báo cáo kết quả số hóa hồ sơ" in " ".join(lines)
    assert "Ba Tơ, ngày 15 tháng 3 năm 2026" in lines
    assert b.unit_bodies(unit) == (None, "ỦY BAN NHÂN DÂN\nXÃ BA TƠ")


def test_recipients_and_signature_text(tmp_path):
    out, _ = _build(tmp_path, [b.closing(b.recipients(["- Sở Nội vụ;", "UBND tỉnh."], archive="VT, VP."),
                                         b.signature(["KT. Chủ tịch", "Phó Chủ tịch"], "Lê Thị Bình",
                                                     note="(Ký, ghi rõ họ tên)"))])
    lines = [line.strip() for line in pdftotext(out).splitlines() if line.strip()]
    for expected in ["Nơi nhận:", "- Sở Nội vụ;", "- UBND tỉnh;", "- Lưu: VT, VP.", "KT. CHỦ TỊCH",
                     "PHÓ CHỦ TỊCH", "(Ký, ghi rõ họ tên)", "Lê Thị Bình"]:
        assert expected in lines, expected
    with pdfplumber.open(out) as pdf:
        words = pdf.pages[0].extract_words()
    capacity = next(w for w in words if w["text"] == "KT.")
    name = next(w for w in words if w["text"] == "Bình")
    nhan = next(w for w in words if w["text"] == "nhận:")
    assert name["top"] - capacity["bottom"] > 20 * 72 / 25.4   # room to sign
    assert nhan["x1"] < capacity["x0"]                          # recipients left, signature right
    assert abs(nhan["top"] - capacity["top"]) < 6               # starting on the same line


def test_check_box_marks_draw_different_shapes(tmp_path):
    out, _ = _build(tmp_path, [b.check_item(mark, f"mục {mark.value}") for mark in b.Mark])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        body_curves = [c for c in page.curves if c["top"] >= MARGIN_TOP]
        body_lines = [ln for ln in page.lines if ln["top"] >= MARGIN_TOP]
        boxes = [r for r in page.rects if round(r["width"]) == 11 and round(r["height"]) == 11]
    assert len(boxes) == 3
    assert len(body_curves) == 1           # the tick is one two-segment path
    assert len(body_lines) == 2            # the cross is two lines
    assert b.Mark("ticked") is b.Mark.TICKED
    with pytest.raises(ValueError):
        b.CheckBox("half")


def test_table_rejects_rows_that_do_not_match_the_header():
    with pytest.raises(ValueError, match="2 cells"):
        b.table(["A", "B", "C"], [("1", "2")])
    with pytest.raises(ValueError, match="widths"):
        b.table(["A", "B"], [], widths=(1, 2, 3))


def test_the_example_in_docs_printing_md_runs(tmp_path):
    """The 15-line example other reports are built from must keep working as written."""
    doc = (ROOT / "docs" / "PRINTING.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    out = tmp_path / "vi-du.pdf"
    scope = {"today": dt.date(2026, 1, 5), "out_path": out}
    exec(compile(code, "PRINTING.md", "exec"), scope)
    assert scope["built"].pages == 1
    text = pdftotext(out)
    assert "Ba Tơ, ngày 05 tháng 01 năm 2026" in text and "Số: 07/BC-UBND" in text
    assert "1.204" in text and "Nguyễn Văn A" in text


def _digit_sizes(out):
    with pdfplumber.open(out) as pdf:
        return {round(c["size"], 1) for c in pdf.pages[0].chars if c["text"] in "0123456789/"
                and c["top"] > MARGIN_TOP and round(c["size"]) != 8}


def test_a_column_too_narrow_for_its_dates_is_widened_not_printed_small(tmp_path):
    # 0.9 : 1.75 : 12 leaves "Thời hạn" ~20 mm: a date at 12 pt needs more. The room comes from
    # the wide column, so dates and "STT" print at full size.
    out, _ = _build(tmp_path, [b.table(["STT", "Thời hạn", "Nội dung"], [("1", "18/09/2026", "x")],
                                       widths=(0.9, 1.75, 12))])
    words = [w for line in pdftotext(out).splitlines() for w in line.split()]
    assert "18/09/2026" in words and "STT" in words
    assert _digit_sizes(out) == {12.0}


def test_a_word_wider_than_its_column_is_shrunk_not_cut(tmp_path):
    # A word wider than a column may ever take (35 % of the table) still prints whole, smaller.
    word = "1234567890" * 3
    out, _ = _build(tmp_path, [b.table(["STT", "Mã", "Nội dung"], [("1", word, "x")], widths=(0.9, 1.75, 12))])
    assert word in pdftotext(out).split()
    sizes = _digit_sizes(out)
    assert min(sizes) >= 9 and min(sizes) < 12


def test_decomposed_vietnamese_and_invisible_characters_print_cleanly(tmp_path):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung, Quảng Ngãi")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    out, _ = _build(tmp_path, [b.paragraph(decomposed + "\u200b\ufeff"),
                               b.table(["Tên"], [[decomposed + "\u00ad"]]),
                               b.signature(["CHỦ TỊCH"], "Lê\u200bVăn\tAn")])  # a list in the story
    text = pdftotext(out)
    assert text.count("Nguyễn Thị Hồng Nhung, Quảng Ngãi") == 2   # composed, as the font draws it
    assert "LêVăn An" in text


def test_paragraph_alignment_and_indent(tmp_path):
    dots = "Cuộc họp: " + "…" * 120
    out, _ = _build(tmp_path, [b.paragraph(dots, indent=False, align="left"),
                               b.paragraph("Giữa trang", indent=False, align="CENTER")])
    with pdfplumber.open(out) as pdf:
        words = pdf.pages[0].extract_words()
    first = next(w for w in words if w["text"] == "Cuộc")
    assert first["x0"] == pytest.approx(30 * 72 / 25.4, abs=1)       # no indent
    middle = next(w for w in words if w["text"] == "Giữa")
    last = next(w for w in words if w["text"] == "trang")
    centre = (middle["x0"] + last["x1"]) / 2
    assert centre == pytest.approx((30 + 165 / 2) * 72 / 25.4, abs=1)
    with pytest.raises(ValueError, match="align"):
        b.paragraph("x", align="sideways")


def test_a_row_taller_than_a_page_is_continued_on_the_next_page(tmp_path):
    sentences = [f"Câu {i} của ghi chú tiến độ rất dài." for i in range(1, 301)]
    rows = [("1", "ngắn"), ("2", " ".join(sentences)), ("3", "dòng cuối")]
    out, built = _build(tmp_path, [b.title("DANH SÁCH"), b.table(["STT", "Ghi chú"], rows, widths=(1, 8))])
    assert built.pages >= 3
    text = " ".join(pdftotext(out).split())
    found = [int(n) for n in re.findall(r"Câu (\d+) của", text)]
    assert found == list(range(1, 301))           # nothing lost where the row was split
    assert "dòng cuối" in text
    for page in range(2, built.pages + 1):
        assert "Ghi chú" in pdftotext(out, page=page)   # header repeated above the continuation


def test_ordinary_rows_are_never_split_across_pages(tmp_path):
    rows = [(str(i), f"Nhiệm vụ {i}\nbáo cáo định kỳ hằng tháng") for i in range(1, 90)]
    out, built = _build(tmp_path, [b.title("DANH SÁCH"), b.table(["STT", "Nội dung"], rows, widths=(1, 8))])
    assert built.pages >= 2
    for page in range(1, built.pages + 1):
        text = pdftotext(out, page=page)
        starts = len(re.findall(r"Nhiệm vụ \d+", text))
        assert starts == text.count("báo cáo định kỳ hằng tháng"), page   # each row whole on its page
