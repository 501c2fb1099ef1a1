"""Who is asking: the session cookie, the CSRF token of each form, the login form's own token.

- Session cookie: random token (only its SHA-256 is stored), HttpOnly, SameSite=Strict, Secure
  when the request came over TLS (directly, or through the reverse proxy when the hub runs
  with `--behind-proxy`), Path=/.
- CSRF: every state-changing form carries the session's token in a hidden field; the login form
  (no session yet) carries a random value that must equal its own short-lived cookie
  (double submit, SameSite=Strict). A POST without the right token is refused (403).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request

from core.hub import accounts

SESSION_COOKIE = "motcua_hub_session"
LOGIN_COOKIE = "motcua_hub_login"
MAX_FORM_BYTES = 16 * 1024


class LoginRequired(Exception):
    """No live session: pages redirect to the login form, API documents answer 401."""


class Forbidden(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=is_tls(request))


def clear_cookie(response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=is_tls(request))


def session_of(store, request: Request) -> accounts.Session | None:
    return accounts.session_for(store.conn, request.cookies.get(SESSION_COOKIE))


def require_session(store, request: Request, *, admin: bool = False) -> accounts.Session:
    session = session_of(store, request)
    if session is None:
        raise LoginRequired()
    if admin and not session.user.is_admin:
        raise Forbidden("Trang này chỉ dành cho tài khoản quản trị.")
    return session


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (bounded), first value of each field."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Forbidden("Biểu mẫu quá lớn.")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise Forbidden("Biểu mẫu không hợp lệ.") from None
    return {k: v[0] for k, v in parsed.items()}


def check_csrf(expected: str | None, form: dict[str, str]) -> None:
    given = form.get("csrf", "")
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden("Biểu mẫu đã hết hạn hoặc không phải do trang này tạo (CSRF). Hãy tải lại trang và thử lại.")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
