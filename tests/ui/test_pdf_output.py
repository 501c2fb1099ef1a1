"""ui/pdf_output: opening in the system viewer, rendering pages, printing through a QPrinter."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from core.errors import NotFoundError
from ui import pdf_output
from ui.pdf_output import PdfOutputError, open_pdf, page_count, print_pdf, print_to, render_page


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from core.printing.sample import build_sample

    out = tmp_path_factory.mktemp("pdf") / "mau.pdf"
    build_sample(out, today=dt.date(2026, 1, 5))
    return out


def _dark_fraction(image, top, bottom):
    dark = total = 0
    for y in range(top, bottom, 3):
        for x in range(0, image.width(), 3):
            total += 1
            dark += image.pixelColor(x, y).lightness() < 128
    return dark / total


def test_render_page_gives_an_a4_image_with_the_header_drawn(qapp, sample, tmp_path):
    assert page_count(sample) == 2
    image = render_page(sample, 0, dpi=72)
    assert abs(image.width() - 595) <= 1 and abs(image.height() - 842) <= 1
    assert _dark_fraction(image, 50, 120) > 0.01          # header text
    assert _dark_fraction(image, 0, 40) < 0.001            # no page number on page 1
    page2 = render_page(sample, 1, dpi=72)
    assert _dark_fraction(page2, 20, 45) > 0               # page number "2" in the top margin
    image.save(str(tmp_path / "p1.png"))
    with pytest.raises(PdfOutputError, match="trang 3"):
        render_page(sample, 2)


def test_print_to_a_pdf_printer_prints_every_page_at_a4(qapp, sample, tmp_path):
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(100)
    progress = []
    assert print_to(printer, sample, lambda done, total, text: progress.append((done, total))) == 2
    reader = PdfReader(str(out))
    assert len(reader.pages) == 2
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.3, abs=1)
    assert progress == [(1, 2), (2, 2)]


def test_print_to_honours_the_chosen_page_range(qapp, sample, tmp_path):
    out = tmp_path / "page2.pdf"
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setResolution(72)
    printer.setFromTo(2, 2)
    assert print_to(printer, sample) == 1
    assert len(PdfReader(str(out)).pages) == 1


def test_print_pdf_cancelled_prints_nothing(qapp, sample, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Rejected)
    assert print_pdf(None, sample) is False


def test_print_pdf_prints_in_the_background(qtbot, ui_ctx, sample, tmp_path, monkeypatch):
    out = tmp_path / "bg.pdf"

    def accept(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        dialog.printer().setResolution(72)
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    done = []
    assert print_pdf(None, sample, ui_ctx.bg, on_done=done.append) is True
    qtbot.waitUntil(lambda: done == [2], timeout=20_000)
    assert ui_ctx.errors == []
    assert len(PdfReader(str(out)).pages) == 2


def test_open_pdf_hands_the_file_to_the_system_viewer(qapp, sample, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    open_pdf(sample)
    assert opened == [QUrl.fromLocalFile(str(sample.resolve()))]


def test_open_pdf_without_a_viewer_or_file_says_so(qapp, sample, tmp_path, monkeypatch):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    with pytest.raises(PdfOutputError, match="chương trình đọc"):
        open_pdf(sample)
    with pytest.raises(NotFoundError, match="Không tìm thấy"):
        open_pdf(tmp_path / "khong-co.pdf")


def test_a_file_that_is_not_a_pdf_is_refused(qapp, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(PdfOutputError, match="không phải tệp PDF"):
        page_count(bad)
    assert pdf_output.MAX_PRINT_DPI == 300
