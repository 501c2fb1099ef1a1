"""Time rules: timestamps are UTC, business dates are local dates in Asia/Ho_Chi_Minh.

A business date ("today" at the counter, a received date, a meeting day) is
never derived by truncating a UTC time: 23:30 UTC is already tomorrow in Quảng Ngãi.
"""

from __future__ import annotations

import datetime as dt
import os

# Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, and every date
# this app handles is after that: a fixed offset is exact, needs no tz database (Windows
# has none for Python) and costs nothing at start-up.
LOCAL_TZ: dt.tzinfo = dt.timezone(dt.timedelta(hours=7), "ICT")

_frozen_now: dt.datetime | None = None


def freeze(moment: dt.datetime | None) -> None:
    """Pin the clock (tests, demo data). `None` releases it."""
    global _frozen_now
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen_now = moment


def now_utc() -> dt.datetime:
    if _frozen_now is not None:
        return _frozen_now.astimezone(dt.timezone.utc)
    fake = os.environ.get("MOTCUA_FAKE_NOW")
    if fake:
        return dt.datetime.fromisoformat(fake).astimezone(dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc)


def now_local() -> dt.datetime:
    return now_utc().astimezone(LOCAL_TZ)


def today_local() -> dt.date:
    return now_local().date()


def utc_iso(moment: dt.datetime | None = None) -> str:
    """UTC timestamp as stored in every `created_at`/`updated_at` column."""
    moment = now_utc() if moment is None else moment.astimezone(dt.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_local(text_or_moment: str | dt.datetime) -> dt.datetime:
    moment = parse_utc(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    return moment.astimezone(LOCAL_TZ)


def format_date(day: dt.date | None) -> str:
    """dd/mm/yyyy, the only date format staff read."""
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_datetime_local(moment: str | dt.datetime | None) -> str:
    if moment is None or moment == "":
        return ""
    local = to_local(moment)
    return f"{local.hour:02d}:{local.minute:02d} {format_date(local.date())}"


def parse_date_vn(text: str) -> dt.date:
    """Parse dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd.

    Raises ValueError for text that is not a real date (31/02/2025 included).
    """
    text = text.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return dt.date.fromisoformat(text)
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            day, month, year = (int(p) for p in parts)
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
    raise ValueError(f"not a date: {text!r}")
