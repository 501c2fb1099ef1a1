"""How numbers, dates and document numbers are written on administrative documents."""

from __future__ import annotations

import datetime as dt


def place_date(place: str, date: dt.date | None) -> str:
    """"Ba Tơ, ngày 05 tháng 01 năm 2026"; with no date, blanks for a form filled in by hand.

    Nghị định 30/2020 pads days under 10 and the months 1 and 2 with a zero (so that
    nobody can add a digit by hand); months 3–12 are written as they are.
    """
    if date is None:
        return f"{place}, ngày …… tháng …… năm ………"
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def document_number(number: int | None, symbol: str) -> str:
    """"Số: 05/BC-UBND"; with no number yet, a blank to be filled in by the clerk: "Số:      /BC-UBND"."""
    if number is None:
        return f"Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/{symbol}"
    if number < 0:
        raise ValueError("document number must be positive")
    return f"Số: {number:02d}/{symbol}"


def vi_number(value: int | float, decimals: int = 0) -> str:
    """1234567.5 -> "1.234.567,5" (Vietnamese: dot groups thousands, comma marks decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vi_percent(value: float, decimals: int = 1) -> str:
    """0.875 -> "87,5%"."""
    return vi_number(value * 100, decimals) + "%"


def vi_date(date: dt.date | None) -> str:
    """dd/mm/yyyy, or an empty string for no date."""
    return date.strftime("%d/%m/%Y") if date else ""
