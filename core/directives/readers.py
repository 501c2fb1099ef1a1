"""Getting the words out of a directive file: .txt (any encoding staff meet), .docx, .odt, .rtf, PDF.

The kind of file is decided from its first bytes, not its name: a "văn bản.docx" that is
really a zip of photos, or a PDF saved as .txt, must give a clear message, not a crash.
Text files come in UTF-8 (with or without BOM), UTF-16 (Notepad's "Unicode") and
Windows-1258 (old Vietnamese Windows); Windows-1258 writes tones as combining marks,
so everything is composed to NFC before it is read. PDFs are read by `pdf_reader`
(pdfium, layout rules in `pdf_text`; scans by OCR when Tesseract is installed); RTF and
OpenDocument by `office_text`; an old Word .doc gets a message saying how to convert it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

from core.directives.errors import (BadDocxError, BadPdfError, BinaryFileError, DirectiveReadError,
                                    EmptyDirectiveError, FileTooLargeError, UnsupportedFormatError)

# A 20-page directive is ~60 KB of text; 5 MB of text is a book, not a letter.
MAX_TEXT_BYTES = 5 * 1024 * 1024
# Word and PDF files carry images and fonts; a directive of 40 MB is not a directive.
MAX_DOCUMENT_BYTES = 40 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls of Office 97-2003
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Letters only Vietnamese uses: a decoding that yields them is likely right.
_VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def read_directive_file(path: str | Path) -> str:
    """The text of a directive file, NFC. Raises a DirectiveReadError subclass when it cannot."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DirectiveReadError(f"Không tìm thấy tệp “{name}”.", details=str(path)) from None
    except OSError as exc:
        raise DirectiveReadError(f"Không mở được tệp “{name}”.", details=repr(exc)) from exc
    if path.is_dir():
        raise DirectiveReadError(f"“{name}” là một thư mục, không phải tệp văn bản.")
    if size == 0:
        raise EmptyDirectiveError(f"Tệp “{name}” trống, không có nội dung.")
    if size > MAX_DOCUMENT_BYTES:
        raise FileTooLargeError(_too_large(name, size, MAX_DOCUMENT_BYTES))
    try:
        with path.open("rb") as f:
            head = f.read(8)
            kind = _sniff(head, path.suffix.lower())
            if kind == "text" and size > MAX_TEXT_BYTES:
                raise FileTooLargeError(_too_large(name, size, MAX_TEXT_BYTES))
            data = head + f.read()
    except OSError as exc:
        raise DirectiveReadError(f"Không đọc được tệp “{name}”.", details=repr(exc)) from exc
    if kind == "docx":
        text = read_zip_document(data, name)
    elif kind == "pdf":
        text = read_pdf_bytes(data, name)
    elif kind == "rtf":
        from core.directives.office_text import read_rtf_bytes

        text = read_rtf_bytes(data, name)
    elif kind == "doc":
        raise UnsupportedFormatError(
            f"Tệp “{name}” là định dạng Word cũ (.doc), phần mềm chưa đọc được. Hãy mở bằng Word (hoặc "
            "LibreOffice) và chọn Lưu thành… (Save As) kiểu .docx hoặc PDF, rồi nhập lại; hoặc sao chép nội dung "
            "rồi dán vào ô văn bản.")
    else:
        text = decode_text(data, name)
    if not text.strip():
        raise EmptyDirectiveError(f"Tệp “{name}” không có chữ nào để đọc.")
    return text


def _too_large(name: str, size: int, limit: int) -> str:
    return (f"Tệp “{name}” quá lớn ({size / 1024 / 1024:.0f} MB, tối đa {limit // 1024 // 1024} MB) "
            "— không giống một văn bản chỉ đạo. Hãy kiểm tra lại tệp đã chọn.")


def _sniff(head: bytes, suffix: str) -> str:
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx"
    if head.startswith(_OLE_MAGIC):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in (".docx", ".pdf", ".odt", ".rtf", ".doc"):
        # Named like a document but not one inside: say so instead of reading bytes as text.
        if suffix in (".docx", ".odt", ".doc"):
            raise BadDocxError(f"Tệp {suffix} này không phải tài liệu hợp lệ (có thể đã hỏng hoặc bị đổi tên).")
        if suffix == ".rtf":
            raise DirectiveReadError("Tệp .rtf này không phải tài liệu RTF hợp lệ (có thể đã hỏng hoặc bị đổi tên).")
        raise BadPdfError("Tệp .pdf này không phải PDF hợp lệ (có thể đã hỏng hoặc bị đổi tên).")
    return "text"


# --- plain text ------------------------------------------------------------------------------

def decode_text(data: bytes, name: str = "văn bản") -> str:
    """Decode text bytes whatever encoding a Vietnamese office PC used; NFC result."""
    if not data.strip(b"\x00 \t\r\n"):
        raise EmptyDirectiveError(f"Tệp “{name}” trống, không có nội dung.")
    text = _decode(data, name)
    text = unicodedata.normalize("NFC", text).lstrip("\ufeff")
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 200):
        raise BinaryFileError(
            f"Tệp “{name}” không phải văn bản (dữ liệu nhị phân). Hãy chọn tệp .txt, .docx hoặc .pdf có chữ.")
    return text


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", name)
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return _strict(data, "utf-16", name)
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without BOM: every other byte of ASCII text is zero.
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        if max(even_zeros, odd_zeros) > len(sample) // 3:
            encoding = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
        raise BinaryFileError(
            f"Tệp “{name}” không phải văn bản (dữ liệu nhị phân). Hãy chọn tệp .txt, .docx hoặc .pdf có chữ.")
    if b"\x00" in sample:  # no text encoding but UTF-16 writes NUL bytes
        raise BinaryFileError(
            f"Tệp “{name}” không phải văn bản (dữ liệu nhị phân). Hãy chọn tệp .txt, .docx hoặc .pdf có chữ.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise BinaryFileError(
            f"Tệp “{name}” không đọc được: bảng mã không nhận ra (không phải UTF-8, UTF-16 hay Windows-1258).",
            details=repr(exc)) from exc
    return text


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DirectiveReadError(f"Tệp “{name}” bị lỗi bảng mã ({encoding}), không đọc được.",
                                 details=repr(exc)) from exc


# --- Word ------------------------------------------------------------------------------------

def read_zip_document(data: bytes, name: str) -> str:
    """A zip container: Word (.docx) or OpenDocument text (.odt)."""
    from core.directives.office_text import is_odt, open_zip, read_odt_bytes

    archive = open_zip(data)
    if archive is not None and "word/document.xml" not in archive.namelist() and is_odt(archive):
        return read_odt_bytes(archive, name)
    return read_docx_bytes(data, name)


def read_docx_bytes(data: bytes, name: str = "văn bản.docx") -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadDocxError(f"Tệp “{name}” bị hỏng, không mở được như tài liệu Word.", details=repr(exc)) from exc
    if "word/document.xml" not in names:
        raise BadDocxError(
            f"Tệp “{name}” là tệp nén nhưng không phải tài liệu Word (.docx). Hãy chọn đúng tệp văn bản.",
            details=", ".join(sorted(names)[:10]))
    from core.directives.docx_text import docx_lines  # python-docx is only loaded when needed

    try:
        return "\n".join(docx_lines(io.BytesIO(data)))
    except Exception as exc:  # python-docx raises many kinds on a damaged part
        raise BadDocxError(f"Tệp Word “{name}” bị hỏng, không đọc được nội dung.", details=repr(exc)) from exc


# --- PDF -------------------------------------------------------------------------------------

def read_pdf_bytes(data: bytes, name: str = "văn bản.pdf") -> str:
    """A PDF's text in reading order (see core.directives.pdf_reader)."""
    from core.directives.pdf_reader import read_pdf_text

    return read_pdf_text(data, name)
