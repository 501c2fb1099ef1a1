"""Small read-only summaries for other screens: the overview page and the counter desk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.dossiers.indicators import (CounterRow, IndicatorReport, Sums, compute_indicators,
                                      counters_and_indicators, day_counts)
from core.dossiers.periods import Period, period_for
from db.store import Store


@dataclass
class DossierOverview:
    today: dt.date
    today_counts: Sums
    month: IndicatorReport


def overview(store: Store, today: dt.date) -> DossierOverview:
    """Today's counts and this month's indicators (with targets and verdicts)."""
    return DossierOverview(today, day_counts(store, today), compute_indicators(store, period_for("month", today)))


@dataclass
class CountersSnapshot:
    """Everything the counters page shows for one period, read in one go."""
    period: Period
    rows: list[CounterRow]
    indicators: IndicatorReport


def counters_snapshot(store: Store, period: Period) -> CountersSnapshot:
    rows, report = counters_and_indicators(store, period)
    return CountersSnapshot(period, rows, report)


def overview_items(store: Store, today: dt.date) -> list:
    """Cards for Tổng quan: today's counts and this month's indicators against targets."""
    from core.dossiers.indicators import INDICATORS
    from core.overview import OverviewItem

    data = overview(store, today)
    section = "Số hóa hồ sơ"
    counts = data.today_counts
    day = today.isoformat()
    # Each figure opens where it comes from: the register filtered to the day, the month's counters.
    items = [OverviewItem(section, "Hồ sơ tiếp nhận hôm nay", str(counts.received), page="dossiers",
                          argument={"tab": "register", "received_on": day}),
             OverviewItem(section, "Hồ sơ giải quyết hôm nay", str(counts.finished), page="dossiers",
                          argument={"tab": "register", "finished_on": day})]
    for key in ("online_rate", "digitised_rate", "vneid_rate"):
        value = data.month.values[key]
        shown = "—" if value.value is None else f"{value.value * 100:.1f}%".replace(".", ",")
        target = f" (chỉ tiêu {value.target.target * 100:.0f}%)" if value.target else ""
        items.append(OverviewItem(section, f"{INDICATORS[key].name} tháng này{target}", shown,
                                  page="dossiers", argument={"tab": "counters", "month": today.strftime("%Y-%m")},
                                  level=value.rag))
    return items
