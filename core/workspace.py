"""A commune workspace: its folder, its database, who the unit is and who is working.

`open_workspace` is what both the GUI and the CLI call first: it checks the file,
runs pending migrations (after a safety backup) and hands back a ready Store.
"""

from __future__ import annotations

import sqlite3
from core.identity import Identity
from core.errors import DatabaseDamagedError, NotInitialisedError, UserInputError
from core.paths import AppPaths
from core.textfold import vi_name_sort_key
from core.units import Unit, find_unit
from db.integrity import check_or_raise
from db.migrations import migrate
from db.settings import CURRENT_STAFF, UNIT_CODE, get_setting, set_setting
from db.store import Store


def open_workspace(paths: AppPaths, *, check_integrity: bool = True, quick: bool = False) -> Store:
    """Open (creating if needed) and migrate the workspace database.

    `quick` checks with quick_check only; the GUI then runs the full integrity check in
    the background (`full_integrity_check`) so a large file does not hold up the window.
    """
    paths.ensure()
    existed = paths.db_file.exists() and paths.db_file.stat().st_size > 0
    if existed and check_integrity:
        check_or_raise(paths.db_file, quick=quick)
    store = Store(paths.db_file)
    try:
        migrate(store.conn, before=lambda: _backup_before_upgrade(store, paths))
    except sqlite3.DatabaseError as exc:
        store.conn.close()
        raise DatabaseDamagedError("Cơ sở dữ liệu bị hỏng.", details=repr(exc)) from exc
    except Exception:
        store.conn.close()
        raise
    store.actor = get_setting(store, CURRENT_STAFF)
    _check_device(store, paths)
    return store


def _check_device(store: Store, paths: AppPaths) -> None:
    """A database restored from a backup or a data folder copied from another PC becomes a new
    sync device here, before anything can be cut or signed with the old identity (issue 13)."""
    from core.sync.device import ensure_device

    try:
        ensure_device(store, paths)
    except Exception:
        store.conn.close()
        raise


def _backup_before_upgrade(store: Store, paths: AppPaths) -> None:
    from db import backup  # only when a migration is about to run, not at every start

    backup.backup_database(store.conn, paths.backups_dir / "before-upgrade", "before-upgrade")


def full_integrity_check(paths: AppPaths) -> None:
    """PRAGMA integrity_check on its own read-only connection; raises DatabaseDamagedError."""
    check_or_raise(paths.db_file)


def is_initialised(store: Store) -> bool:
    return bool(get_setting(store, UNIT_CODE))


def require_initialised(store: Store) -> Unit:
    code = get_setting(store, UNIT_CODE)
    if not code:
        raise NotInitialisedError(
            "Chưa thiết lập đơn vị cho dữ liệu này. Chạy “python main.py init --unit MÃ_ĐƠN_VỊ” "
            "hoặc mở phần mềm để dùng trình thiết lập.")
    return find_unit(code)


def initialise(store: Store, unit_code: str, staff_names: list[str], current: str | None = None) -> Identity:
    """First-run setup: the unit and the staff members who use this PC (one transaction)."""
    unit = find_unit(unit_code)
    names = [n.strip() for n in staff_names if n and n.strip()]
    existing_code = get_setting(store, UNIT_CODE)
    if existing_code and existing_code != unit.code:
        raise UserInputError(
            f"Dữ liệu này đã thuộc đơn vị mã {existing_code}; không thể chuyển sang {unit.code}. "
            "Hãy dùng một thư mục dữ liệu khác (--data-dir).")
    with store.transaction():
        set_setting(store, UNIT_CODE, unit.code)
        ids = {}
        for name in names:
            ids[name] = add_staff(store, name)
        chosen = ids.get(current) if current else (next(iter(ids.values()), None))
        if chosen:
            set_current_staff(store, chosen)
    return identity(store)


def add_staff(store: Store, full_name: str, position: str | None = None) -> str:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise UserInputError("Họ tên cán bộ không được để trống.")
    if len(full_name) > 100:
        raise UserInputError("Họ tên cán bộ quá dài (tối đa 100 ký tự).")
    existing = store.scalar("SELECT id FROM staff WHERE full_name = ? AND deleted_at IS NULL", (full_name,))
    if existing:
        return existing
    return store.insert("staff", {"full_name": full_name, "position": position, "active": 1})


def list_staff(store: Store, *, active_only: bool = True) -> list[dict]:
    rows = store.query("SELECT id, full_name, position, active FROM staff WHERE deleted_at IS NULL"
                       + (" AND active = 1" if active_only else ""))
    return sorted(rows, key=lambda r: vi_name_sort_key(r["full_name"]))


def set_current_staff(store: Store, staff_id: str | None) -> None:
    if staff_id is not None:
        store.get("staff", staff_id)
    set_setting(store, CURRENT_STAFF, staff_id)
    store.actor = staff_id


def identity(store: Store) -> Identity:
    code = get_setting(store, UNIT_CODE)
    unit = find_unit(code) if code else None
    staff_id = get_setting(store, CURRENT_STAFF)
    name = store.scalar("SELECT full_name FROM staff WHERE id = ?", (staff_id,)) if staff_id else None
    return Identity(unit, staff_id, name)
