"""Dossier codes as the provincial one-stop system issues them.

`000.00.53.H48-220921-0099` is agency code – yymmdd – sequence. Scanners and people
add spaces, lower-case letters or typographic dashes; those are normalised. Agency
codes vary between systems (`H48.45.18`, `G22.101`, `000.00.53.H48`), so the agency
part accepts 1–8 dot-separated groups of letters and digits; the date must be real and
the sequence 3–7 digits. Anything else is refused with a reason, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from core.errors import UserInputError

_DASHES = re.compile(r"[\u2010-\u2015\u2212_]")
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"^(?P<agency>[0-9A-Z]{1,8}(?:\.[0-9A-Z]{1,8}){0,7})-(?P<date>\d{6})-(?P<seq>\d{3,7})$")
MAX_LENGTH = 60


class InvalidCodeError(UserInputError):
    pass


def normalise_code(text: str | None) -> str:
    """The stored form of a dossier code, or InvalidCodeError with a Vietnamese reason."""
    raw = text or ""
    code = _SPACES.sub("", _DASHES.sub("-", raw)).upper()
    if not code:
        raise InvalidCodeError("Thiếu mã hồ sơ.")
    if len(code) > MAX_LENGTH:
        raise InvalidCodeError(f"Mã hồ sơ quá dài (tối đa {MAX_LENGTH} ký tự).", details=raw)
    match = _CODE.match(code)
    if not match:
        raise InvalidCodeError(
            f"Mã hồ sơ “{raw.strip()}” không đúng dạng mã của hệ thống một cửa "
            "(ví dụ 000.00.53.H48-220921-0099).", details=raw)
    if not any(ch.isalpha() for ch in match["agency"]) and "." not in match["agency"]:
        raise InvalidCodeError(f"Mã hồ sơ “{raw.strip()}” thiếu mã cơ quan tiếp nhận.", details=raw)
    stamp = match["date"]
    try:
        dt.date(2000 + int(stamp[:2]), int(stamp[2:4]), int(stamp[4:]))
    except ValueError:
        raise InvalidCodeError(
            f"Mã hồ sơ “{raw.strip()}” có phần ngày {stamp} không phải ngày có thật (phần ngày có dạng yymmdd).",
            details=raw) from None
    return code


def code_date(code: str) -> dt.date | None:
    """The date a normalised code was issued (its yymmdd part)."""
    match = _CODE.match(code)
    if not match:
        return None
    stamp = match["date"]
    try:
        return dt.date(2000 + int(stamp[:2]), int(stamp[2:4]), int(stamp[4:]))
    except ValueError:
        return None
