"""A run's incident log and its corrections as lists a person can order by any column, in SQL.

The run view (runs.load_run) keeps its fixed order (time, correction number) for the sheet and
the verdict; these are what the conference page's two tables show when a header is clicked.
"""

from __future__ import annotations

from core.listing import Sort, order_by
from db.store import Store

INCIDENT_SORTS = {
    "occurred_at": "occurred_at {dir}, created_at {dir}",
    "what": "what COLLATE VI {dir}, occurred_at, created_at",
    "fix": "(fix IS NULL OR fix = ''), fix COLLATE VI {dir}, occurred_at, created_at",
}

# What a correction changed: the item's text, or the attendance ("Số người dự").
_CORRECTED = "(CASE WHEN c.target = 'attendance' THEN 'Số người dự' ELSE coalesce(i.text, '') END)"

CORRECTION_SORTS = {
    "seq": "c.seq {dir}",
    "made_at": "c.made_at {dir}, c.seq {dir}",
    "what": f"{_CORRECTED} COLLATE VI {{dir}}, c.seq",
    "reason": "c.reason COLLATE VI {dir}, c.seq",
    "made_by_name": "(s.full_name IS NULL), s.full_name COLLATE VI {dir}, c.seq",
}


def list_incidents(store: Store, run_id: str, *, sort: Sort | None = None) -> list[dict]:
    """The run's incidents, by time unless `sort` names a key of INCIDENT_SORTS."""
    return store.query("SELECT id, occurred_at, what, fix, after_close FROM checklist_incidents "
                       f"WHERE run_id = ? AND deleted_at IS NULL ORDER BY {order_by(sort, INCIDENT_SORTS, 'occurred_at')}",
                       (run_id,))


def list_corrections(store: Store, run_id: str, *, sort: Sort | None = None) -> list[dict]:
    """The run's corrections with the corrected item's text and the staff member's name, by number
    unless `sort` names a key of CORRECTION_SORTS."""
    return store.query(
        "SELECT c.*, i.text AS item_text, s.full_name AS made_by_name FROM checklist_corrections c "
        "LEFT JOIN checklist_run_items i ON i.id = c.run_item_id LEFT JOIN staff s ON s.id = c.made_by "
        f"WHERE c.run_id = ? AND c.deleted_at IS NULL ORDER BY {order_by(sort, CORRECTION_SORTS, 'seq')}",
        (run_id,))
