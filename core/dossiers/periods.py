"""Reporting periods: a day, a month, a quarter, a year or a custom range of local dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.clock import format_date
from core.errors import UserInputError

KINDS = {"day": "Ngày", "month": "Tháng", "quarter": "Quý", "year": "Năm", "custom": "Tùy chọn"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_iso(self) -> str:
        return self.start.isoformat()

    @property
    def end_iso(self) -> str:
        return self.end.isoformat()

    def label(self) -> str:
        if self.start == self.end:
            return f"ngày {format_date(self.start)}"
        if self.start.day == 1 and self.end == _month_end(self.start):
            return f"tháng {self.start.month:02d}/{self.start.year}"
        if (self.start.day == 1 and self.start.month in (1, 4, 7, 10)
                and self.end == _month_end(self.start.replace(month=self.start.month + 2))):
            return f"quý {(self.start.month - 1) // 3 + 1}/{self.start.year}"
        if self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31):
            return f"năm {self.start.year}"
        return f"từ {format_date(self.start)} đến {format_date(self.end)}"

    def months(self) -> list[str]:
        """Every 'YYYY-MM' the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(day: dt.date) -> dt.date:
    first_next = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_for(kind: str, anchor: dt.date) -> Period:
    """The day / month / quarter / year containing `anchor`."""
    if kind == "day":
        return Period(anchor, anchor)
    if kind == "month":
        return Period(anchor.replace(day=1), _month_end(anchor))
    if kind == "quarter":
        first_month = (anchor.month - 1) // 3 * 3 + 1
        start = dt.date(anchor.year, first_month, 1)
        return Period(start, _month_end(start.replace(month=first_month + 2)))
    if kind == "year":
        return Period(dt.date(anchor.year, 1, 1), dt.date(anchor.year, 12, 31))
    raise UserInputError(f"Loại kỳ “{kind}” không hợp lệ.")


def month_period(month: str) -> Period:
    """'2025-03' -> March 2025."""
    try:
        year, mon = int(month[:4]), int(month[5:7])
        return period_for("month", dt.date(year, mon, 1))
    except (ValueError, IndexError):
        raise UserInputError(f"Tháng “{month}” không hợp lệ (cần dạng YYYY-MM).") from None


def custom_period(start: dt.date | str, end: dt.date | str) -> Period:
    start_d, end_d = _as_date(start, "Từ ngày"), _as_date(end, "Đến ngày")
    if end_d < start_d:
        raise UserInputError(f"Kỳ không hợp lệ: đến ngày {format_date(end_d)} trước từ ngày {format_date(start_d)}.")
    if (end_d - start_d).days > 366 * 20:
        raise UserInputError("Kỳ quá dài (tối đa 20 năm).")
    return Period(start_d, end_d)


def _as_date(value: dt.date | str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UserInputError(f"{label} “{value}” không phải ngày hợp lệ (cần dạng YYYY-MM-DD).") from None
