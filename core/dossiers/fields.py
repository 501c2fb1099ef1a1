"""The commune's list of procedure fields (lĩnh vực), seeded from procedure_fields.csv."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from core.clock import utc_iso
from core.errors import UserInputError
from core.textfold import fold
from db.store import Store

UNKNOWN_FIELD = "Chưa rõ lĩnh vực"


def list_fields(store: Store, *, active_only: bool = True) -> list[dict]:
    return store.query("SELECT name, note, position, active FROM procedure_fields"
                       + (" WHERE active = 1" if active_only else "") + " ORDER BY position, name COLLATE VI")


def field_names(store: Store) -> list[str]:
    return [r["name"] for r in list_fields(store)]


def field_order(store: Store) -> dict[str, int]:
    """Position of each field, for ordering counter rows as the list orders them."""
    return {r["name"]: r["position"] for r in list_fields(store, active_only=False)}


def field_resolver(store: Store) -> Callable[[str | None], str]:
    """A function giving the list's spelling of a field typed or imported in another
    case or accent form (unknown names are kept as written; empty -> UNKNOWN_FIELD)."""
    known = {fold(row["name"]): row["name"] for row in list_fields(store, active_only=False)}

    @lru_cache(maxsize=1024)
    def resolve(text: str | None) -> str:
        name = " ".join(str(text or "").split())
        if not name:
            return UNKNOWN_FIELD
        return known.get(fold(name), name)

    return resolve


def canonical_field(store: Store, text: str | None) -> str:
    return field_resolver(store)(text)


def add_field(store: Store, name: str, note: str | None = None) -> None:
    name = " ".join((name or "").split())
    if not name:
        raise UserInputError("Tên lĩnh vực không được để trống.")
    if len(name) > 200:
        raise UserInputError("Tên lĩnh vực quá dài (tối đa 200 ký tự).")
    with store.transaction() as conn:
        existing = conn.execute("SELECT active FROM procedure_fields WHERE name = ?", (name,)).fetchone()
        if existing and existing[0]:
            raise UserInputError(f"Lĩnh vực “{name}” đã có trong danh sách.")
        if existing:
            conn.execute("UPDATE procedure_fields SET active = 1, updated_at = ? WHERE name = ?", (utc_iso(), name))
            return
        position = (conn.execute("SELECT max(position) FROM procedure_fields").fetchone()[0] or 0) + 1
        conn.execute("INSERT INTO procedure_fields(name, note, position, active, updated_at) VALUES (?, ?, ?, 1, ?)",
                     (name, (note or "").strip() or None, position, utc_iso()))


def set_field_active(store: Store, name: str, active: bool) -> None:
    """Hide a field from the pick lists; dossiers already filed under it keep it."""
    with store.transaction() as conn:
        cursor = conn.execute("UPDATE procedure_fields SET active = ?, updated_at = ? WHERE name = ?",
                              (1 if active else 0, utc_iso(), name))
        if cursor.rowcount == 0:
            raise UserInputError(f"Không có lĩnh vực “{name}”.")
