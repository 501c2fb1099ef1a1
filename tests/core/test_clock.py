import datetime as dt

import pytest

from core import clock


def test_local_date_is_not_a_truncated_utc_time():
    clock.freeze(dt.datetime(2025, 3, 31, 18, 30, tzinfo=dt.timezone.utc))  # 01:30 on 1 April in Vietnam
    try:
        assert clock.today_local() == dt.date(2025, 4, 1)
        assert clock.utc_iso() == "2025-03-31T18:30:00.000Z"
    finally:
        clock.freeze(None)


def test_format_and_parse_vietnamese_dates():
    assert clock.format_date(dt.date(2026, 1, 5)) == "05/01/2026"
    assert clock.parse_date_vn("5/1/2026") == dt.date(2026, 1, 5)
    assert clock.parse_date_vn("2026-01-05") == dt.date(2026, 1, 5)
    with pytest.raises(ValueError):
        clock.parse_date_vn("31/02/2025")
    with pytest.raises(ValueError):
        clock.parse_date_vn("hôm qua")


def test_format_datetime_local_converts_from_utc():
    assert clock.format_datetime_local("2025-06-30T17:05:00.000Z") == "00:05 01/07/2025"
