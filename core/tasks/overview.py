"""The task figures on the overview page: overdue and due within 7 days, each a link to the list."""

from __future__ import annotations

import datetime as dt

from core.overview import OverviewItem
from core.tasks.queries import task_alert_counts


def overview_items(store, today: dt.date) -> list[OverviewItem]:
    counts = task_alert_counts(store, today)
    return [
        OverviewItem("Nhiệm vụ", "Quá hạn", str(counts["overdue"]), page="tasks", argument="overdue",
                     level="red" if counts["overdue"] else "green"),
        OverviewItem("Nhiệm vụ", "Đến hạn trong 7 ngày", str(counts["due_7"]), page="tasks", argument="due_7",
                     level="amber" if counts["due_7"] else "green"),
    ]
