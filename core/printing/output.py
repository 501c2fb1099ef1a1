"""One call for a report as PDF or as an editable Word file, chosen by the file name's extension."""

from __future__ import annotations

import os
from typing import Any, BinaryIO

from core.output_files import require_suffix

FORMATS = (".pdf", ".docx")


def build_document(story, out: str | os.PathLike | BinaryIO, *, report_id: str, data: Any = None,
                   title: str = "", author: str = "", subject: str = "", formats=FORMATS):
    """build_pdf for "x.pdf" (or a stream), build_docx for "x.docx"; any other extension is refused
    (core.output_files.UnsupportedFormatError, exit code 2) before anything is written."""
    from core.printing.document import build_pdf

    if hasattr(out, "write"):
        return build_pdf(story, out, report_id=report_id, data=data, title=title, author=author, subject=subject)
    path = require_suffix(out, formats)
    if path.suffix.lower() == ".docx":
        from core.printing.word import build_docx

        return build_docx(story, path, report_id=report_id, title=title, author=author, subject=subject)
    return build_pdf(story, path, report_id=report_id, data=data, title=title, author=author, subject=subject)
