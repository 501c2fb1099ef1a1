"""Show or print a PDF made by core.printing: the system viewer, or Qt's print dialog.

    open_pdf(path)                 # opens the file in the system PDF viewer
    print_pdf(parent, path, bg)    # print dialog, then pages painted onto the printer off the UI thread

Pages are rasterised by QtPdf's QPdfDocument where the installed PySide6 has it, otherwise by
pypdfium2 (the same PDFium engine), at the printer's resolution (capped at 300 dpi) and painted
at 100 % on A4 — the decree asks for copies at full scale.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QRect, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from core.errors import AppError, NotFoundError

MAX_PRINT_DPI = 300


class PdfOutputError(AppError):
    """The PDF cannot be shown or printed on this computer."""


def _existing(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"Không tìm thấy tệp PDF “{path}”.")
    return path


def open_pdf(path: str | os.PathLike) -> None:
    """Open the PDF in the system's PDF viewer (QDesktopServices). Returns at once."""
    path = _existing(path)
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.resolve()))):
        raise PdfOutputError("Máy tính chưa có chương trình đọc tệp PDF. Hãy cài một chương trình đọc PDF "
                             "rồi mở lại tệp.", details=str(path))


# ---------------------------------------------------------------------------
# Rasterising pages


class _Pages:
    """Page images of one PDF, by QtPdf when available, else by pypdfium2."""

    def __init__(self, path: Path):
        self.path = path
        self._qt = None
        self._pdfium = None
        try:
            from PySide6.QtPdf import QPdfDocument
        except ImportError:  # some PySide6 builds ship without the QtPdf module
            try:
                import pypdfium2
            except ImportError as exc:
                raise PdfOutputError("Bản cài đặt này không in trực tiếp được; hãy mở tệp PDF rồi in từ "
                                     "chương trình đọc PDF.", details=str(exc)) from exc
            try:
                self._pdfium = pypdfium2.PdfDocument(str(path))
            except pypdfium2.PdfiumError as exc:
                raise PdfOutputError(f"Tệp “{path.name}” không phải tệp PDF đọc được.", details=str(exc)) from exc
        else:
            doc = QPdfDocument()
            if doc.load(str(path)) != QPdfDocument.Error.None_:
                raise PdfOutputError(f"Tệp “{path.name}” không phải tệp PDF đọc được.")
            self._qt = doc

    def __len__(self) -> int:
        return self._qt.pageCount() if self._qt is not None else len(self._pdfium)

    def render(self, index: int, dpi: int) -> QImage:
        """Page `index` (0-based) as an image at `dpi`."""
        if self._qt is not None:
            size_pt = self._qt.pagePointSize(index)
            size = QSize(round(size_pt.width() * dpi / 72), round(size_pt.height() * dpi / 72))
            rendered = self._qt.render(index, size)
            # QtPdf leaves the paper transparent: flatten onto white, as PDFium does.
            image = QImage(rendered.size(), QImage.Format.Format_RGB888)
            image.fill(Qt.GlobalColor.white)
            painter = QPainter(image)
            painter.drawImage(0, 0, rendered)
            painter.end()
            return image
        page = self._pdfium[index]
        try:
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB byte order, as QImage expects
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
            return image.copy()  # own the pixels before pdfium frees its buffer
        finally:
            page.close()

    def close(self) -> None:
        if self._pdfium is not None:
            self._pdfium.close()
        if self._qt is not None:
            self._qt.close()


def render_page(path: str | os.PathLike, index: int = 0, dpi: int = 96) -> QImage:
    """One page of a PDF as an image (previews, tests)."""
    pages = _Pages(_existing(path))
    try:
        if not 0 <= index < len(pages):
            raise PdfOutputError(f"Tệp PDF không có trang {index + 1}.")
        return pages.render(index, dpi)
    finally:
        pages.close()


def page_count(path: str | os.PathLike) -> int:
    pages = _Pages(_existing(path))
    try:
        return len(pages)
    finally:
        pages.close()


# ---------------------------------------------------------------------------
# Printing


def print_to(printer: QPrinter, path: str | os.PathLike,
             report: Callable[[int, int, str], None] | None = None) -> int:
    """Paint the PDF's pages (the printer's page range, if one was chosen) onto `printer`.

    Safe to run off the UI thread (QPainter on a QPrinter is). Returns the number of pages printed.
    """
    pages = _Pages(_existing(path))
    try:
        total = len(pages)
        first, last = printer.fromPage(), printer.toPage()
        if first == 0:  # "all pages"
            first, last = 1, total
        last = min(last, total)
        printer.setFullPage(True)  # the PDF already carries the decree's margins
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise PdfOutputError("Không mở được máy in. Hãy kiểm tra máy in đã bật và sẵn sàng.")
        try:
            for number in range(first, last + 1):
                if number > first:
                    printer.newPage()
                image = pages.render(number - 1, dpi)
                target = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
                painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
                if report:
                    report(number - first + 1, last - first + 1, f"Đang in trang {number}/{total}")
        finally:
            painter.end()
        return last - first + 1
    finally:
        pages.close()


def print_pdf(parent: QWidget | None, path: str | os.PathLike, bg=None,
              on_done: Callable[[int], None] | None = None) -> bool:
    """Show Qt's print dialog for the PDF, then print it.

    With `bg` (ui.background.Background) the pages are painted on the io lane and `on_done(pages)`
    runs on the UI thread afterwards; without it, printing happens before this returns.
    Returns False if the person cancelled the dialog.
    """
    path = _existing(path)
    count = page_count(path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("In văn bản")
    dialog.setMinMax(1, count)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    if bg is None:
        printed = print_to(printer, path)
        if on_done:
            on_done(printed)
    else:
        # The printer must outlive the dialog: the job keeps its own reference.
        bg.io(lambda report: print_to(printer, path, report), on_success=on_done)
    return True
