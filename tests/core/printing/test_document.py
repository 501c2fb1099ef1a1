"""The page builder: fingerprints, streams, atomic writes, metadata."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from core.printing import PdfWriteError, blocks as b, build_pdf, data_fingerprint, short_fingerprint
from core.printing.document import qr_payload
from core.printing.qr import qr_matrix
from core.printing.page import MARGIN_LEFT, MARGIN_TOP, PAGE_HEIGHT, TEXT_WIDTH
from tests.core.printing.conftest import pdffonts, pdftotext, read_qr_modules


def test_fingerprint_is_canonical_and_follows_the_data():
    a = data_fingerprint({"b": [1, 2], "a": "Hộ tịch", "d": dt.date(2026, 1, 5)})
    assert a == data_fingerprint({"d": dt.date(2026, 1, 5), "a": "Hộ tịch", "b": [1, 2]})
    assert a != data_fingerprint({"b": [1, 3], "a": "Hộ tịch", "d": dt.date(2026, 1, 5)})
    assert len(a) == 64 and short_fingerprint(a) == a[:12]


def test_build_into_a_stream_and_metadata():
    buf = io.BytesIO()
    built = build_pdf([b.paragraph("Nội dung.")], buf, report_id="BC-NV-2026-0001", data=[1, 2],
                      title="Báo cáo tiến độ nhiệm vụ", author="ỦY BAN NHÂN DÂN XÃ BA TƠ")
    assert built.path is None and built.pages == 1
    assert built.fingerprint == data_fingerprint([1, 2])
    buf.seek(0)
    reader = PdfReader(buf)
    assert reader.metadata.title == "Báo cáo tiến độ nhiệm vụ"
    assert reader.metadata.author == "ỦY BAN NHÂN DÂN XÃ BA TƠ"


def test_precomputed_fingerprint_is_printed(tmp_path):
    out = tmp_path / "a.pdf"
    build_pdf([b.paragraph("x")], out, report_id="R-1", fingerprint="ab" * 32)
    assert "Dấu dữ liệu (SHA-256): abababababab" in pdftotext(out)


def test_missing_folder_gives_a_vietnamese_error(tmp_path):
    with pytest.raises(PdfWriteError) as caught:
        build_pdf([b.paragraph("x")], tmp_path / "khong-co" / "a.pdf", report_id="R-1")
    assert "Không có thư mục" in caught.value.message


def test_overwrite_replaces_the_file_whole(tmp_path):
    out = tmp_path / "a.pdf"
    out.write_bytes(b"old")
    built = build_pdf([b.paragraph("Mới.")], out, report_id="R-2", data="v2")
    assert built.path == out and out.read_bytes().startswith(b"%PDF-1.4")
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_qr_payload_and_matrix():
    payload = qr_payload("BC-1", "0" * 64)
    assert payload == "MOTCUA|BC-1|" + "0" * 64
    m = qr_matrix(payload)
    assert len(m) == len(m[0]) and len(m) >= 29 + 8      # version ≥ 3 plus the quiet zone
    assert m == qr_matrix(payload)


def test_a_flowable_drawn_in_a_builtin_font_is_refused(tmp_path):
    from reportlab.platypus import Table

    from core.printing import UnembeddedFontError

    out = tmp_path / "a.pdf"
    bare = Table([["Bảng quên đặt FONTNAME"]])   # reportlab would draw this in Helvetica
    with pytest.raises(UnembeddedFontError) as caught:
        build_pdf([b.paragraph("Đoạn văn."), bare], out, report_id="R-3")
    assert "Helvetica" in caught.value.message
    assert not out.exists()


def test_qr_code_block_draws_shapes_only_and_reads_back(tmp_path):
    out = tmp_path / "qr.pdf"
    payload = "MOTCUA-KEY|21484|" + "A" * 44
    build_pdf([b.qr_code(payload, size_mm=40)], out, report_id="R-QR")
    assert all("TrueType" in f["type"] and f["emb"] for f in pdffonts(out))
    expected = qr_matrix(payload)
    size = 40 * mm
    seen = read_qr_modules(out, 1, MARGIN_LEFT + (TEXT_WIDTH - size) / 2, PAGE_HEIGHT - MARGIN_TOP - size, size,
                           len(expected), tmp_path)
    assert seen == expected


def test_a_reportlab_drawing_in_the_story_starts_from_the_printing_face(tmp_path):
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing, String

    from core.printing import UnembeddedFontError

    drawing = Drawing(120, 120)
    drawing.add(QrCodeWidget("MOTCUA|x"))
    out = tmp_path / "d.pdf"
    build_pdf([b.paragraph("Mã QR:"), drawing], out, report_id="R-4")
    fonts_used = pdffonts(out)
    assert fonts_used and all("TrueType" in f["type"] and f["emb"] for f in fonts_used)

    labelled = Drawing(120, 40)
    labelled.add(String(0, 0, "Nhãn"))     # a String takes Times-Roman when made: refused, not printed
    with pytest.raises(UnembeddedFontError, match="Times-Roman"):
        build_pdf([labelled], tmp_path / "e.pdf", report_id="R-5")
    assert not (tmp_path / "e.pdf").exists()


def test_reports_built_on_several_threads_at_once_are_all_whole():
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        buf = io.BytesIO()
        rows = [(str(n), f"Nhiệm vụ {i}-{n} ở Quảng Ngãi") for n in range(60)]
        build_pdf([b.title("BÁO CÁO", f"Số {i}"), b.table(["STT", "Nội dung"], rows)], buf,
                  report_id=f"R-{i}", data=rows)
        return buf.getvalue()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(6)))
    for i, content in enumerate(results):
        reader = PdfReader(io.BytesIO(content))
        text = "".join(page.extract_text() for page in reader.pages)
        assert f"Nhiệm vụ {i}-59 ở Quảng Ngãi" in text


def test_a_long_report_id_stays_clear_of_the_qr_code(tmp_path):
    import pdfplumber

    out = tmp_path / "long-id.pdf"
    report_id = "BC-NV-2026-" + "Quảng-Ngãi-" * 12
    build_pdf([b.paragraph("x")], out, report_id=report_id)
    assert report_id in pdftotext(out)
    with pdfplumber.open(out) as pdf:
        footer = [c for c in pdf.pages[0].chars if c["top"] > PAGE_HEIGHT - 20 * mm]
    qr_left = MARGIN_LEFT + TEXT_WIDTH - 15 * mm
    assert max(c["x1"] for c in footer) < qr_left
