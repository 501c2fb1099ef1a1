"""What the overview page (Tổng quan) shows: a few figures from each capability.

Each capability contributes a provider `fn(store, today) -> list[OverviewItem]`
listed in `_providers()`. An item can point at a page (and a filter there), so a
click on "3 nhiệm vụ quá hạn" opens the task list filtered to them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Callable

from db.backup import list_backups
from db.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OverviewItem:
    section: str  # heading of the card, e.g. "Nhiệm vụ"
    label: str  # "Quá hạn"
    value: str  # "3"
    page: str | None = None  # sidebar key to open on click
    argument: Any = None  # passed to that page's open_with()
    level: str | None = None  # "red" / "amber" / "green" for colour


Provider = Callable[[Store, dt.date], list[OverviewItem]]


def _providers() -> list[Provider]:
    # Capabilities append their provider here.
    from core.checklists.overview import overview_items as checklist_items
    from core.dossiers.overview import overview_items as dossier_items
    from core.tasks.overview import overview_items as task_items

    return [checklist_items, dossier_items, task_items]


def collect(store: Store, today: dt.date) -> list[OverviewItem]:
    items: list[OverviewItem] = []
    for provider in _providers():
        try:
            items.extend(provider(store, today))
        except Exception:  # one broken card must not blank the whole overview
            log.exception("overview provider %s failed", getattr(provider, "__name__", provider))
            items.append(OverviewItem("Lỗi", getattr(provider, "__module__", "?"), "không đọc được số liệu",
                                      level="red"))
    return items


def workspace_facts(store: Store, backups_dir) -> dict:
    """Figures about the workspace itself: size, last backup, changes not yet sent."""
    backups = list_backups(backups_dir)
    return {
        "db_size": store.path.stat().st_size if store.path.exists() else 0,
        "last_backup": backups[0].taken_at if backups else None,
        "backup_count": len(backups),
        "change_count": store.scalar("SELECT count(*) FROM change_log") or 0,
        "staff_count": store.scalar("SELECT count(*) FROM staff WHERE deleted_at IS NULL AND active = 1") or 0,
    }
