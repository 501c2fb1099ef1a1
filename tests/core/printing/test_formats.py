"""Dates, document numbers and numbers as written on administrative documents."""

from __future__ import annotations

import datetime as dt

import pytest

from core.printing.formats import document_number, place_date, vi_date, vi_number, vi_percent


@pytest.mark.parametrize("date, expected", [
    (dt.date(2026, 1, 5), "Ba Tơ, ngày 05 tháng 01 năm 2026"),
    (dt.date(2026, 2, 9), "Ba Tơ, ngày 09 tháng 02 năm 2026"),
    (dt.date(2026, 3, 15), "Ba Tơ, ngày 15 tháng 3 năm 2026"),   # months 3–12 are not padded
    (dt.date(2025, 12, 31), "Ba Tơ, ngày 31 tháng 12 năm 2025"),
])
def test_place_date_pads_day_and_months_one_and_two(date, expected):
    assert place_date("Ba Tơ", date) == expected


def test_document_number():
    assert document_number(5, "BC-UBND") == "Số: 05/BC-UBND"
    assert document_number(123, "KH-UBND") == "Số: 123/KH-UBND"
    blank = document_number(None, "BC-UBND")
    assert blank.startswith("Số:") and blank.endswith("/BC-UBND") and len(blank) > len("Số: /BC-UBND")
    with pytest.raises(ValueError):
        document_number(-1, "BC")


def test_vietnamese_numbers_dates_and_percentages():
    assert vi_number(1234567) == "1.234.567"
    assert vi_number(1234.5, 1) == "1.234,5"
    assert vi_percent(0.875) == "87,5%"
    assert vi_percent(1) == "100,0%"
    assert vi_date(dt.date(2026, 1, 5)) == "05/01/2026"
    assert vi_date(None) == ""


def test_place_date_without_a_date_leaves_blanks_to_fill_by_hand():
    from core.printing.formats import place_date

    assert place_date("Ba Tơ", None) == "Ba Tơ, ngày …… tháng …… năm ………"
