import datetime as dt

import pytest

from core.dossiers.periods import custom_period, month_period, period_for
from core.errors import UserInputError


@pytest.mark.parametrize("kind, anchor, start, end, label", [
    ("day", dt.date(2025, 3, 5), "2025-03-05", "2025-03-05", "ngày 05/03/2025"),
    ("month", dt.date(2024, 2, 10), "2024-02-01", "2024-02-29", "tháng 02/2024"),
    ("month", dt.date(2025, 12, 31), "2025-12-01", "2025-12-31", "tháng 12/2025"),
    ("quarter", dt.date(2025, 5, 20), "2025-04-01", "2025-06-30", "quý 2/2025"),
    ("quarter", dt.date(2025, 12, 1), "2025-10-01", "2025-12-31", "quý 4/2025"),
    ("year", dt.date(2025, 7, 1), "2025-01-01", "2025-12-31", "năm 2025"),
])
def test_periods(kind, anchor, start, end, label):
    period = period_for(kind, anchor)
    assert (period.start_iso, period.end_iso, period.label()) == (start, end, label)


def test_custom_and_months():
    period = custom_period("2025-11-15", "2026-02-03")
    assert period.months() == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period.label() == "từ 15/11/2025 đến 03/02/2026"
    assert month_period("2025-03").end_iso == "2025-03-31"


@pytest.mark.parametrize("start, end, fragment", [
    ("2025-03-02", "2025-03-01", "trước từ ngày"),
    ("2025-02-30", "2025-03-01", "không phải ngày hợp lệ"),
    ("hôm qua", "2025-03-01", "không phải ngày hợp lệ"),
])
def test_bad_custom_periods(start, end, fragment):
    with pytest.raises(UserInputError) as info:
        custom_period(start, end)
    assert fragment in info.value.message
