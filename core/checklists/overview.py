"""The overview page's card for video conferences: the next meeting and the latest verdict."""

from __future__ import annotations

import datetime as dt

from core.checklists.model import VERDICT_LABELS
from core.checklists.history import latest_verdict, next_meeting
from core.overview import OverviewItem
from db.store import Store

SECTION = "Hội nghị truyền hình"


def overview_items(store: Store, today: dt.date) -> list[OverviewItem]:
    items = []
    upcoming = next_meeting(store)
    if upcoming:
        soon = upcoming["minutes_until"] <= 60
        level = "green" if upcoming["verdict"] == "ready" else ("red" if soon else "amber")
        items.append(OverviewItem(SECTION, f"Cuộc họp tới: {upcoming['meeting_title']}",
                                  f"{upcoming['start_time']} {upcoming['date_label']}", page="conference",
                                  argument=upcoming["id"], level=level))
        items.append(OverviewItem(SECTION, "Phiếu kiểm tra cuộc họp tới", VERDICT_LABELS[upcoming["verdict"]],
                                  page="conference", argument=upcoming["id"], level=level))
    else:
        items.append(OverviewItem(SECTION, "Cuộc họp tới", "chưa có", page="conference"))
    latest = latest_verdict(store)
    if latest:
        items.append(OverviewItem(SECTION, f"Kết luận gần nhất ({latest['date_label']})",
                                  VERDICT_LABELS[latest["verdict"]], page="conference", argument=latest["id"],
                                  level="green" if latest["verdict"] == "ready" else "red"))
    return items
