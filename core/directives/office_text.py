"""Text of the other office formats a directive arrives in: RTF and OpenDocument (.odt).

RTF goes through striprtf (a small, maintained RTF-to-text library) — reading it as plain
text gave "tasks" made of RTF control words. An .odt is a zip with content.xml: its
paragraphs, headings and list items are read in document order, table cells one per line.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from xml.etree import ElementTree

from core.directives.errors import DirectiveReadError

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def read_rtf_bytes(data: bytes, name: str) -> str:
    from striprtf.striprtf import rtf_to_text

    try:
        raw = data.decode("latin-1")  # RTF is 7-bit; \\uN and \\'xx escapes carry the letters
        # \\'xx bytes are in the document's code page (Vietnamese Word: \\ansicpg1258).
        codepage = re.search(r"\\ansicpg(\d{3,5})", raw[:2000])
        encoding = f"cp{codepage.group(1)}" if codepage else "cp1252"
        try:
            "".encode(encoding)
        except LookupError:
            encoding = "cp1252"
        text = rtf_to_text(raw, encoding=encoding, errors="ignore")
    except Exception as exc:  # striprtf raises plain exceptions on broken groups
        raise DirectiveReadError(f"Tệp RTF “{name}” bị hỏng, không đọc được.", details=repr(exc)) from exc
    return unicodedata.normalize("NFC", text)


def read_odt_bytes(archive: zipfile.ZipFile, name: str) -> str:
    try:
        root = ElementTree.fromstring(archive.read("content.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile) as exc:
        raise DirectiveReadError(f"Tệp OpenDocument “{name}” bị hỏng, không đọc được.", details=repr(exc)) from exc
    body = root.find(f"{{{_OFFICE_NS}}}body")
    body = body if body is not None else root
    in_notes = {id(p) for note in body.iter(f"{{{_TEXT_NS}}}note") for p in note.iter()}
    lines: list[str] = []
    for element in body.iter():
        if element.tag in (f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h") and id(element) not in in_notes:
            lines.append(_odt_text(element))
    return unicodedata.normalize("NFC", "\n".join(lines))


def _odt_text(element) -> str:
    """A paragraph's text: spans, <text:s/> spaces, tabs and line breaks; notes left out."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag
        if tag == f"{{{_TEXT_NS}}}note":
            return  # footnote bodies are not part of the sentence
        if node.text:
            parts.append(node.text)
        for child in node:
            child_tag = child.tag
            if child_tag == f"{{{_TEXT_NS}}}s":
                parts.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1")))
            elif child_tag == f"{{{_TEXT_NS}}}tab":
                parts.append("\t")
            elif child_tag == f"{{{_TEXT_NS}}}line-break":
                parts.append("\n")
            elif child_tag in (f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"):
                pass  # nested paragraphs (in frames) are visited on their own
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def is_odt(archive: zipfile.ZipFile) -> bool:
    try:
        return archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
    except KeyError:
        return "content.xml" in archive.namelist() and "word/document.xml" not in archive.namelist()


def open_zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
