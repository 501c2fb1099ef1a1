"""Task status words and reporting periods.

Statuses are stored as short codes and shown in Vietnamese. "Quá hạn" is not a status:
it is computed from the deadline and today's date every time a list is drawn.
"""

from __future__ import annotations

import datetime as dt

STATUSES = {"todo": "Chưa thực hiện", "doing": "Đang thực hiện", "done": "Hoàn thành", "paused": "Tạm dừng"}
OVERDUE_LABEL = "Quá hạn"
DEADLINE_KINDS = {"date": "Ngày", "month": "Tháng", "quarter": "Quý", "year": "Năm",
                  "recurring": "Thường xuyên", "none": "Không ghi thời hạn"}
# Statuses for which a passed deadline no longer counts as overdue.
CLOSED_STATUSES = ("done", "paused")


def status_label(code: str | None) -> str:
    return STATUSES.get(code or "todo", code or "")


def is_overdue(deadline: str | dt.date | None, status: str | None, today: dt.date) -> bool:
    if not deadline or (status or "todo") in CLOSED_STATUSES:
        return False
    day = deadline if isinstance(deadline, dt.date) else dt.date.fromisoformat(deadline)
    return day < today


# --- reporting periods of recurring tasks -------------------------------------------------

def period_of(day: dt.date, period: str) -> str:
    """"2025-07" for a month, "2025-Q3" for a quarter, "2025-H2" for a half, "2025" for a year."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if period == "year":
        return str(day.year)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_label(code: str) -> str:
    """Vietnamese name of a period code: "Tháng 07/2025", "Quý III/2025", "6 tháng cuối năm 2025"."""
    if "-Q" in code:
        year, quarter = code.split("-Q")
        return f"Quý {['I', 'II', 'III', 'IV'][int(quarter) - 1]}/{year}"
    if "-H" in code:
        year, half = code.split("-H")
        return f"6 tháng {'đầu' if half == '1' else 'cuối'} năm {year}"
    if "-" in code:
        year, month = code.split("-")
        return f"Tháng {month}/{year}"
    return f"Năm {code}"


def periods_between(start: dt.date, end: dt.date, period: str) -> list[str]:
    """Every period code from the one holding `start` to the one holding `end`, in order."""
    if end < start:
        return []
    codes: list[str] = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        code = period_of(day, period)
        if not codes or codes[-1] != code:
            codes.append(code)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return codes


def reporting_period(period: str | None) -> str:
    """Recurring tasks without a stated rhythm ("Nhiệm vụ thường xuyên") report quarterly."""
    return period if period in ("month", "quarter", "half", "year") else "quarter"
