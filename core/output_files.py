"""The file types each command writes, chosen by the name's extension, and the refusal of any other.

A report written as XLSX under the name "x.pdf" opens nowhere: an extension the command does not
write is refused (UserInputError, exit code 2) with the list of what it does write.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from core.errors import UserInputError

LABELS = {".xlsx": "Excel (.xlsx)", ".csv": "CSV (.csv)", ".pdf": "PDF (.pdf)", ".docx": "Word (.docx)"}


class UnsupportedFormatError(UserInputError):
    """The output file's extension is not one the command writes."""


def require_suffix(path: str | os.PathLike, allowed: Sequence[str]) -> Path:
    """`path` as a Path when its extension (any case) is one of `allowed` (".xlsx", …); else refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in allowed:
        return path
    labels = [LABELS.get(a, a) for a in allowed]
    kinds = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " hoặc " + labels[-1]
    problem = f"không hỗ trợ định dạng “{path.suffix}”" if path.suffix else "tên tệp chưa có đuôi"
    raise UnsupportedFormatError(f"Không ghi được tệp “{path.name}”: {problem}; hãy đặt tên tệp có đuôi {kinds}.")
