"""Province staff accounts on the hub: users, sessions, failed-login lockout and the audit log.

Passwords are hashed with argon2id (argon2-cffi). A session is a random token held in a
cookie; the hub stores only its SHA-256, so a copy of the database does not hand out
live sessions. Each session carries its own CSRF token for the forms it shows.

Lockout: after MAX_USER_FAILURES failed logins for one user name within LOCK_WINDOW,
that name is refused (even with the right password) until the window has passed; after
MAX_IP_FAILURES failures from one address within the window, that address is refused.
Attempts are kept for a day, then dropped.

Audit log: every admin action — from the command line or the web — is one row
(`audit(...)`): who, from where (cli / web and the address), what and on what.

`ensure_schema(conn)` is additive (CREATE … IF NOT EXISTS), called when an SQLite hub opens:
a hub made by an older version gains these tables in place. On PostgreSQL the same tables come
from core.hub.pg_schema's numbered migrations (a change here needs a new migration there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from core.clock import now_utc, utc_iso
from core.errors import NotFoundError, UserInputError
from core.hub.database import Connection

ROLES = ("admin", "viewer")
ROLE_LABELS = {"admin": "Quản trị", "viewer": "Xem báo cáo"}
MIN_PASSWORD = 10
MAX_USER_FAILURES = 5
MAX_IP_FAILURES = 20
LOCK_WINDOW = dt.timedelta(minutes=15)
SESSION_IDLE = dt.timedelta(hours=8)
SESSION_MAX = dt.timedelta(hours=12)
_NAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS hub_users (
        name TEXT PRIMARY KEY NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS hub_sessions (
        token_sha256 TEXT PRIMARY KEY NOT NULL,
        user_name TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        address TEXT)""",
    """CREATE TABLE IF NOT EXISTS hub_login_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        address TEXT NOT NULL,
        ok INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_hub_login_attempts_user ON hub_login_attempts(user_name, at)",
    "CREATE INDEX IF NOT EXISTS idx_hub_login_attempts_address ON hub_login_attempts(address, at)",
    """CREATE TABLE IF NOT EXISTS hub_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        via TEXT NOT NULL,
        address TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT)""",
]

AUDIT_LABELS = {
    "user_add": "Thêm tài khoản", "user_password": "Đổi mật khẩu", "user_disable": "Khóa tài khoản",
    "register_unit": "Đăng ký khóa đơn vị", "register_device": "Đăng ký thiết bị",
    "revoke_device": "Thu hồi thiết bị", "directive": "Gửi văn bản chỉ đạo", "targets": "Gửi chỉ tiêu",
    "template": "Gửi mẫu phiếu kiểm tra", "retention": "Dọn gói gốc quá hạn lưu",
}


def ensure_schema(conn: Connection) -> None:
    for statement in SCHEMA:
        conn.execute(statement)


class LoginRefused(UserInputError):
    """Wrong name or password, or locked out; the message never says which name exists."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's current recommended parameters


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise UserInputError("Tên đăng nhập gồm 2–40 ký tự: chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.")
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UserInputError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")


def add_user(conn: Connection, name: str, role: str, password: str, *, replace: bool = False) -> User:
    name = _check_name(name)
    if role not in ROLES:
        raise UserInputError("Vai trò phải là admin hoặc viewer.")
    _check_password(password)
    exists = conn.execute("SELECT 1 FROM hub_users WHERE name = ?", (name,)).fetchone()
    if exists and not replace:
        raise UserInputError(f"Tài khoản “{name}” đã có. Dùng “hub user passwd” để đổi mật khẩu.")
    now = utc_iso()
    conn.execute("INSERT INTO hub_users(name, role, password_hash, created_at, password_changed_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                 "password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at, "
                 "disabled = 0", (name, role, _hasher().hash(password), now, now))
    conn.execute("DELETE FROM hub_sessions WHERE user_name = ?", (name,))
    return User(name, role)


def set_password(conn: Connection, name: str, password: str) -> None:
    _check_password(password)
    if not conn.execute("SELECT 1 FROM hub_users WHERE name = ?", (name,)).fetchone():
        raise NotFoundError(f"Không có tài khoản “{name}”.")
    conn.execute("UPDATE hub_users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
                 (_hasher().hash(password), utc_iso(), name))
    conn.execute("DELETE FROM hub_sessions WHERE user_name = ?", (name,))


def disable_user(conn: Connection, name: str) -> None:
    if conn.execute("UPDATE hub_users SET disabled = 1 WHERE name = ?", (name,)).rowcount == 0:
        raise NotFoundError(f"Không có tài khoản “{name}”.")
    conn.execute("DELETE FROM hub_sessions WHERE user_name = ?", (name,))


def list_users(conn: Connection) -> list[dict]:
    cur = conn.execute("SELECT name, role, created_at, disabled FROM hub_users ORDER BY name")
    return [dict(zip(("name", "role", "created_at", "disabled"), r)) for r in cur]


# A hash made once, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher().hash(secrets.token_hex(16))
    return _DUMMY_HASH


def locked_out(conn: Connection, name: str, address: str, now: dt.datetime | None = None) -> bool:
    since = utc_iso((now or now_utc()) - LOCK_WINDOW)
    by_user = conn.execute("SELECT count(*) FROM hub_login_attempts WHERE user_name = ? AND at > ? AND ok = 0",
                           (name, since)).fetchone()[0]
    by_address = conn.execute("SELECT count(*) FROM hub_login_attempts WHERE address = ? AND at > ? AND ok = 0",
                              (address, since)).fetchone()[0]
    return by_user >= MAX_USER_FAILURES or by_address >= MAX_IP_FAILURES


def login(conn: Connection, name: str, password: str, address: str) -> tuple[str, Session]:
    """(cookie token, session) or LoginRefused. Writes the attempt; call inside a transaction that
    commits even when this raises (the failed attempt must count towards the lockout)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    name = (name or "").strip()[:40]
    now = now_utc()
    conn.execute("DELETE FROM hub_login_attempts WHERE at < ?", (utc_iso(now - dt.timedelta(days=1)),))
    if locked_out(conn, name, address, now):
        conn.execute("INSERT INTO hub_login_attempts(at, user_name, address, ok) VALUES (?, ?, ?, 0)",
                     (utc_iso(now), name, address))
        raise LoginRefused(f"Đăng nhập sai quá nhiều lần. Hãy thử lại sau {int(LOCK_WINDOW.total_seconds() // 60)} phút.")
    row = conn.execute("SELECT role, password_hash FROM hub_users WHERE name = ? AND disabled = 0", (name,)).fetchone()
    ok = False
    try:
        ok = _hasher().verify(row[1] if row else _dummy_hash(), password or "") and row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    conn.execute("INSERT INTO hub_login_attempts(at, user_name, address, ok) VALUES (?, ?, ?, ?)",
                 (utc_iso(now), name, address, int(ok)))
    if not ok:
        raise LoginRefused("Sai tên đăng nhập hoặc mật khẩu.")
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    conn.execute("INSERT INTO hub_sessions(token_sha256, user_name, csrf, created_at, last_seen, address) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (_sha(token), name, csrf, utc_iso(now), utc_iso(now), address))
    return token, Session(User(name, row[0]), csrf)


def session_for(conn: Connection, token: str | None, now: dt.datetime | None = None) -> Session | None:
    """The live session of a cookie token (idle and absolute expiry), or None."""
    if not token or len(token) > 100:
        return None
    now = now or now_utc()
    row = conn.execute(
        "SELECT s.user_name, u.role, s.csrf, s.created_at, s.last_seen FROM hub_sessions s "
        "JOIN hub_users u ON u.name = s.user_name AND u.disabled = 0 WHERE s.token_sha256 = ?",
        (_sha(token),)).fetchone()
    if row is None:
        return None
    created, last_seen = dt.datetime.fromisoformat(row[3].replace("Z", "+00:00")), \
        dt.datetime.fromisoformat(row[4].replace("Z", "+00:00"))
    if now - last_seen > SESSION_IDLE or now - created > SESSION_MAX:
        return None
    if now - last_seen > dt.timedelta(minutes=1):  # one write a minute at most, not one per page
        conn.execute("UPDATE hub_sessions SET last_seen = ? WHERE token_sha256 = ?", (utc_iso(now), _sha(token)))
    return Session(User(row[0], row[1]), row[2])


def logout(conn: Connection, token: str | None) -> None:
    if token:
        conn.execute("DELETE FROM hub_sessions WHERE token_sha256 = ?", (_sha(token),))


def audit(conn: Connection, *, actor: str, via: str, action: str, target: str | None = None,
          detail: dict | str | None = None, address: str | None = None) -> None:
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    conn.execute("INSERT INTO hub_audit(at, actor, via, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (utc_iso(), actor, via, address, action, target, detail))


def audit_log(conn: Connection, limit: int = 500) -> list[dict]:
    cur = conn.execute("SELECT at, actor, via, address, action, target, detail FROM hub_audit "
                       "ORDER BY id DESC LIMIT ?", (limit,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur]


def cli_actor() -> str:
    """Who ran a hub command: the operating-system account."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "?"


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
