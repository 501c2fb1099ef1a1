"""One story, two renderers: the .docx made from the blocks, and the closing kept with the text before it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile

import docx
import pdfplumber
import pytest

from core.printing import Mark, blocks as b, build_pdf, document
from core.printing.output import build_document
from core.printing.word import WordRenderError, build_docx
from core.units import find_unit
from core.output_files import UnsupportedFormatError

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _story():
    unit = find_unit("21484")
    governing, issuing = b.unit_bodies(unit)
    return [
        b.header(governing_body=governing, issuing_body=issuing, number=7, symbol="BC-UBND", place=unit.short_name,
                 date=dt.date(2026, 1, 5)),
        b.title("BÁO CÁO", "Kết quả số hóa hồ sơ tháng 01 năm 2026"),
        b.heading("I. KẾT QUẢ"),
        b.paragraph("Tổng số hồ sơ: ", b.strong("1.250"), " hồ sơ."),
        b.table(["STT", "Lĩnh vực", "Thời hạn", "Đạt"],
                [["I", "Hộ tịch", None, None], ["1", "Đăng ký khai sinh", "18/09/2026", Mark.TICKED]],
                widths=(1, 6, 2, 1), align=("CENTER", "LEFT", "CENTER", "CENTER"),
                style=[("SPAN", (1, 1), (-1, 1))]),
        b.check_item(Mark.EMPTY, "SẴN SÀNG"),
        b.heading("II. ĐỀ XUẤT"),
        b.fill_in("(Cán bộ ghi đề xuất, kiến nghị của xã trước khi trình ký, nếu có.)", label="Đề xuất"),
        b.closing(b.recipients(["Sở Khoa học và Công nghệ"], archive="VT, VP"),
                  b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Nguyễn Văn An")),
    ]


def test_docx_has_the_header_title_table_recipients_and_signature(tmp_path):
    out = build_docx(_story(), tmp_path / "bc.docx", report_id="BC-1", title="Báo cáo").path
    d = docx.Document(out)
    header, table, closing = d.tables
    header_text = [c.text for row in header.rows for c in row.cells]
    assert "ỦY BAN NHÂN DÂN\nXÃ BA TƠ" in header_text[0] and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_text[1]
    assert header_text[2] == "Số: 07/BC-UBND" and header_text[3] == "Ba Tơ, ngày 05 tháng 01 năm 2026"
    texts = [p.text for p in d.paragraphs]
    assert "BÁO CÁO" in texts and "Kết quả số hóa hồ sơ tháng 01 năm 2026" in texts
    assert "Tổng số hồ sơ: 1.250 hồ sơ." in texts
    assert [c.text for c in table.rows[0].cells] == ["STT", "Lĩnh vực", "Thời hạn", "Đạt"]
    assert table.rows[2].cells[2].text == "18/09/2026" and table.rows[2].cells[3].text == "☑"
    assert table.rows[1].cells[1].text == table.rows[1].cells[3].text == "Hộ tịch"     # the SPAN is merged
    assert table.rows[0]._tr.trPr.find(f"{W_NS}tblHeader") is not None                # header repeats
    left, right = (c.text for c in closing.rows[0].cells)
    assert left.startswith("Nơi nhận:") and "- Sở Khoa học và Công nghệ;" in left and left.endswith("- Lưu: VT, VP.")
    assert "TM. ỦY BAN NHÂN DÂN" in right and right.endswith("Nguyễn Văn An")
    bold_name = closing.rows[0].cells[1].paragraphs[-1].runs[0]
    assert bold_name.bold and bold_name.font.name == "Times New Roman"
    assert closing.rows[0]._tr.trPr.find(f"{W_NS}cantSplit") is not None
    # The paragraph before the closing is kept with it: the signature never starts a page alone.
    body = list(d.element.body.iterchildren())
    before_closing = body[body.index(closing._tbl) - 1]
    assert before_closing.find(f".//{W_NS}keepNext") is not None
    assert d.core_properties.title == "Báo cáo"


def test_docx_page_is_a4_with_the_decree_margins_and_times_new_roman(tmp_path):
    out = build_docx(_story(), tmp_path / "bc.docx").path
    d = docx.Document(out)
    s = d.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    assert (round(s.top_margin.mm), round(s.bottom_margin.mm), round(s.left_margin.mm), round(s.right_margin.mm)) \
        == (20, 20, 30, 15)
    assert s.different_first_page_header_footer            # no page number on page 1
    assert "PAGE" in s.header._element.xml
    fonts = {r.font.name for p in d.paragraphs for r in p.runs} - {None}
    assert fonts <= {"Times New Roman", "Segoe UI Symbol"} and "Times New Roman" in fonts


def test_fill_in_is_a_content_control_showing_the_prompt(tmp_path):
    out = build_docx(_story(), tmp_path / "bc.docx").path
    body = docx.Document(out).element.body
    sdts = body.findall(f"{W_NS}sdt")
    assert len(sdts) == 1
    assert sdts[0].find(f"{W_NS}sdtPr/{W_NS}showingPlcHdr") is not None
    text = "".join(t.text for t in sdts[0].iter(f"{W_NS}t"))
    assert text == "(Cán bộ ghi đề xuất, kiến nghị của xã trước khi trình ký, nếu có.)"


def test_a_flowable_without_description_is_refused(tmp_path):
    from reportlab.platypus import Paragraph
    from reportlab.lib.styles import getSampleStyleSheet

    with pytest.raises(WordRenderError):
        build_docx([Paragraph("x", getSampleStyleSheet()["Normal"])], tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def test_build_document_chooses_by_extension_and_refuses_others(tmp_path):
    assert build_document(_story(), tmp_path / "a.pdf", report_id="A").pages >= 1
    assert zipfile.is_zipfile(build_document(_story(), tmp_path / "a.DOCX", report_id="A").path)
    with pytest.raises(UnsupportedFormatError):
        build_document(_story(), tmp_path / "a.odt", report_id="A")
    assert not (tmp_path / "a.odt").exists()


def _closing_story(n_paragraphs: int):
    body = [b.paragraph(f"Đoạn {i}: nội dung báo cáo kết quả thực hiện nhiệm vụ trong kỳ.") for i in range(n_paragraphs)]
    return [*body, b.closing(b.recipients(["Sở Khoa học và Công nghệ", "Lưu trữ"], archive="VT"),
                             b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Nguyễn Văn An"))]


def _signature_alone(pdf_path) -> bool:
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            if "Nguyễn Văn An" in text:
                return "Đoạn" not in text
    raise AssertionError("no signature")


def _stranding_count(build) -> int | None:
    """The number of paragraphs for which the closing, laid out naively, starts a page of its own."""
    for n in range(20, 45):
        if build(n):
            return n
    return None


def test_signature_never_sits_alone_on_a_page(tmp_path, monkeypatch):
    def naive(n):
        with monkeypatch.context() as m:
            m.setattr(document, "_flatten", document._flat)     # the protection removed
            build_pdf(_closing_story(n), tmp_path / "naive.pdf", report_id="T")
        return _signature_alone(tmp_path / "naive.pdf")

    n = _stranding_count(naive)
    assert n is not None, "no paragraph count strands the signature even without the protection"
    for count in (n - 1, n, n + 1, n + 2):
        built = build_pdf(_closing_story(count), tmp_path / "kept.pdf", report_id="T")
        assert not _signature_alone(tmp_path / "kept.pdf"), count
        assert built.pages >= 1


def test_signature_kept_with_the_last_rows_of_a_table(tmp_path):
    rows = [[str(i), f"Nhiệm vụ số {i}", "18/09/2026"] for i in range(1, 200)]
    for n in range(20, 60):
        story = [b.table(["STT", "Nội dung", "Thời hạn"], rows[:n], widths=(1, 6, 2)), *_closing_story(0)]
        build_pdf(story, tmp_path / "t.pdf", report_id="T")
        with pdfplumber.open(tmp_path / "t.pdf") as pdf:
            for page in pdf.pages:
                text = page.extract_text() or ""
                if "Nguyễn Văn An" in text:
                    assert "Nhiệm vụ số" in text, n


def _long_report(n_rows: int) -> list:
    """A task report as staff print it: header, title, a paragraph, a table whose rows wrap onto
    two or three lines, then the recipients and the signature (the closing)."""
    unit = find_unit("21484")
    governing, issuing = b.unit_bodies(unit)
    rows = [[str(i), f"Nhiệm vụ số {i}: rà soát, cập nhật danh mục thủ tục hành chính thực hiện trực tuyến "
             f"toàn trình", "Trung tâm Phục vụ hành chính công", "18/09/2026"] for i in range(1, n_rows + 1)]
    return [b.header(governing_body=governing, issuing_body=issuing, number=12, symbol="BC-UBND",
                     place=unit.short_name, date=dt.date(2026, 1, 5)),
            b.title("BÁO CÁO", "Tiến độ thực hiện nhiệm vụ"),
            b.paragraph("Ủy ban nhân dân xã báo cáo tiến độ thực hiện các nhiệm vụ được giao như sau:"),
            b.table(["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"], rows, widths=(1, 7, 4, 2.4)),
            *_closing_story(0)]


def test_a_table_of_several_pages_before_the_closing_prints_every_row(tmp_path):
    """A table running over three pages and more before the closing: its rest, split at the foot
    of a page with too little room for another row, moves on to the next page. (It once stopped
    every such print with reportlab's "Splitting error": 43 rows and more.)"""
    for n in (10, 43, 50, 64, 90, 130):
        built = build_pdf(_long_report(n), tmp_path / "r.pdf", report_id="T")
        with pdfplumber.open(tmp_path / "r.pdf") as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
        text = "\n".join(pages)
        assert [i for i in range(1, n + 1) if f"Nhiệm vụ số {i}:" not in text] == [], n
        assert "Nguyễn Văn An" in pages[-1] and "Nhiệm vụ số" in pages[-1], n  # the closing has company
        assert built.pages == len(pages)


def test_negative_laid_out_as_usual_at_the_foot_of_a_page_the_print_stops(tmp_path, monkeypatch):
    """Weaken: the rest of a table taller than a page is laid out as usual even where the frame has
    only a little room left, instead of moving on to the next page."""
    from reportlab.platypus.doctemplate import LayoutError

    real = document._WithClosing.split

    def as_usual(self, avail_width, avail_height):
        parts = real(self, avail_width, avail_height)
        return self._parts() if parts == [] and self.height > document.TEXT_HEIGHT else parts

    monkeypatch.setattr(document._WithClosing, "split", as_usual)
    with pytest.raises(LayoutError):
        build_pdf(_long_report(50), tmp_path / "r.pdf", report_id="T")


@pytest.mark.slow
def test_docx_converts_with_libreoffice_and_shows_the_report(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-writer) is not installed")
    out = build_docx(_story(), tmp_path / "bc.docx").path
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=240)
    with pdfplumber.open(tmp_path / "bc.pdf") as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        assert round(page.width) == 595 and round(page.height) == 842          # A4
        assert "BÁO CÁO" in text and "Kết quả số hóa hồ sơ tháng 01 năm 2026" in text
        assert "18/09/2026" in text and "Nơi nhận:" in text and "Nguyễn Văn An" in text
        assert min(c["x0"] for c in page.chars) >= 30 * 72 / 25.4 - 2               # the 30 mm left margin


def test_the_specimen_that_uses_every_block_renders_to_word(tmp_path):
    from core.printing.sample import sample_story

    out = build_docx(sample_story(find_unit("21484"), dt.date(2026, 1, 5)), tmp_path / "mau.docx").path
    d = docx.Document(out)
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "STT")
    assert all(run.bold for p in table.rows[-1].cells[1].paragraphs for run in p.runs)   # the bold total row
    assert "KT. CHỦ TỊCH" in d.tables[-1].rows[0].cells[1].text
    assert any("☒" in p.text for p in d.paragraphs) and any("☑" in p.text for p in d.paragraphs)
