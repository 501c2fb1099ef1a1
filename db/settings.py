"""Local settings (JSON values): the unit's identity, current staff member, sync endpoint, targets…"""

from __future__ import annotations

import json
from typing import Any

from core.clock import utc_iso
from db.store import Store

UNIT_CODE = "unit_code"
CURRENT_STAFF = "current_staff_id"
HUB_URL = "hub_url"
PROVINCE_KEY = "province_public_key"
LAST_AUTO_BACKUP = "last_auto_backup_date"


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    raw = store.scalar("SELECT value FROM settings WHERE key = ?", (key,))
    return default if raw is None else json.loads(raw)


def set_setting(store: Store, key: str, value: Any) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value, ensure_ascii=False), utc_iso()))
    if key == UNIT_CODE:
        store.forget_identity()


def all_settings(store: Store) -> dict[str, Any]:
    return {row["key"]: json.loads(row["value"]) for row in store.query("SELECT key, value FROM settings")}
