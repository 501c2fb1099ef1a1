"""Opening a PDF directive: text PDFs through pdfium (pdf_text), scans through OCR when it can.

Failures are told apart, because the person importing must do different things:
a password-protected PDF (PasswordPdfError: ask the sender for an unlocked copy), a
damaged one (BadPdfError), a scan (ScannedPdfError, unless Tesseract with Vietnamese data
is installed on the PC: then the scan is read by OCR and the text marked as such).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from core.directives.errors import BadPdfError, PasswordPdfError, ScannedPdfError

log = logging.getLogger(__name__)

# A text PDF has far more than this many letters per page; a scan has almost none.
MIN_LETTERS_PER_PAGE = 20
# OCR reads at most this many pages: a directive is a few pages; a 200-page scan is not one.
MAX_OCR_PAGES = 30
OCR_DPI = 300
# Where the Windows installer of Tesseract (UB Mannheim) puts it when it is not on PATH.
_WINDOWS_TESSERACT = (r"C:\Program Files\Tesseract-OCR\tesseract.exe",
                      r"C:\Program Files (x86)\Tesseract-OCR\tesseract.exe")


def open_pdf(data: bytes, name: str):
    """A pypdfium2 PdfDocument, or the typed error that says why not."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise PasswordPdfError(
                f"Tệp PDF “{name}” được đặt mật khẩu nên không đọc được nội dung. Hãy xin nơi gửi bản không "
                "đặt mật khẩu, hoặc mở bằng mật khẩu rồi in/lưu lại thành PDF mới.", details=repr(exc)) from exc
        raise BadPdfError(f"Tệp PDF “{name}” bị hỏng, không đọc được.", details=repr(exc)) from exc


def read_pdf_text(data: bytes, name: str) -> str:
    """The directive's text: reading order, paragraphs joined, footnotes at the end as "[n: …]"."""
    from core.directives import pdf_text

    document = open_pdf(data, name)
    try:
        try:
            result = pdf_text.extract(document)
        except Exception as exc:  # pdfium raises on some damaged pages
            raise BadPdfError(f"Tệp PDF “{name}” bị hỏng, không đọc được.", details=repr(exc)) from exc
        if result.pages and result.letters >= MIN_LETTERS_PER_PAGE * result.pages:
            return result.as_text()
        tesseract = find_tesseract()
        if tesseract is None or result.pages == 0:
            raise ScannedPdfError(
                f"Tệp PDF “{name}” là bản quét (ảnh), không có lớp chữ để đọc. Hãy xin nơi gửi bản PDF có chữ "
                "hoặc bản Word (.docx), hoặc gõ/dán nội dung vào ô văn bản. Nếu máy cài Tesseract OCR có dữ "
                "liệu tiếng Việt (vie), phần mềm sẽ tự đọc được bản quét.")
        return ocr_document(document, tesseract, name)
    finally:
        document.close()


def find_tesseract() -> str | None:
    """Tesseract with Vietnamese data, when this PC has it."""
    exe = os.environ.get("MOTCUA_TESSERACT") or shutil.which("tesseract")
    if exe is None and os.name == "nt":
        exe = next((path for path in _WINDOWS_TESSERACT if Path(path).exists()), None)
    if exe is None:
        return None
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=20, text=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if "vie" in (langs.stdout + langs.stderr).split() else None


def ocr_document(document, tesseract: str, name: str) -> str:
    """Each page rendered at OCR_DPI and read by Tesseract (Vietnamese)."""
    pages = []
    count = min(len(document), MAX_OCR_PAGES)
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as folder:
        for index in range(count):
            page = document[index]
            try:
                image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
            finally:
                page.close()
            png = Path(folder) / f"page{index + 1}.png"
            image.save(png)
            try:
                done = subprocess.run([tesseract, str(png), "stdout", "-l", "vie", "--psm", "4"],
                                      capture_output=True, timeout=180)
            except (OSError, subprocess.SubprocessError) as exc:
                raise ScannedPdfError(f"Không đọc được bản quét “{name}” bằng OCR.", details=repr(exc)) from exc
            if done.returncode != 0:
                raise ScannedPdfError(f"Không đọc được bản quét “{name}” bằng OCR.",
                                      details=done.stderr.decode(errors="replace")[-800:])
            pages.append(done.stdout.decode("utf-8", errors="replace"))
    text = "\n".join(pages)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS_PER_PAGE:
        raise ScannedPdfError(f"Tệp PDF “{name}” là bản quét (ảnh) và OCR không đọc được chữ nào (ảnh mờ hoặc "
                              "không phải văn bản). Hãy xin nơi gửi bản PDF có chữ hoặc bản Word (.docx).")
    log.info("OCR read %s: %d pages", name, count)
    return text
