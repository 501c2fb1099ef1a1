"""Province staff on the hub's pages: login, sessions, CSRF, lockout, roles, the audit log, API docs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from core.hub import accounts
from core.hub.app import create_app
from tests.core.hub.web_login import hidden_fields, login
from tests.core.sync.harness import make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


PASSWORD = "mat-khau-du-dai"


@pytest.fixture()
def hub(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "xem", "viewer", PASSWORD)
        accounts.add_user(conn, "quantri", "admin", PASSWORD)
    return hub


def client(hub, base_url="http://testserver") -> TestClient:
    return TestClient(create_app(hub.paths), base_url=base_url, follow_redirects=False)


def test_pages_and_api_documents_need_a_login_and_show_no_unit_data(hub):
    c = client(hub)
    for path in ("/", "/don-vi/21484", "/chi-tieu", "/san-sang", "/chi-dao", "/tu-choi", "/quan-tri", "/docs",
                 "/docs/assets/swagger-ui-bundle.js"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
        assert "Ba Tơ" not in r.text and "21484" not in r.text
    for path in ("/openapi.json", "/xuat/don-vi.xlsx"):
        r = c.get(path)
        assert r.status_code == 401 and "paths" not in r.text, path
    assert c.get("/api/v1/health").status_code == 200  # the communes' API: no login


def test_login_form_gives_the_dashboard_with_all_96_units_and_logout_ends_it(hub):
    c = client(hub)
    r = login(c, "xem", PASSWORD)
    assert r.status_code == 200 and r.url.path == "/"
    rows = re.findall(r'<tr><td>(\d{5})</td>', r.text)
    assert len(rows) == 96 and "Xã Ba Tơ" in r.text
    cookie = r.history[0].headers["set-cookie"] if r.history else ""
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "secure" not in cookie.lower()
    # Logout is a form with the session's CSRF token.
    fields = hidden_fields(r.text)
    assert c.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert c.get("/").status_code == 200
    out = c.post("/logout", data={"csrf": fields["csrf"]})
    assert out.status_code == 303
    assert c.get("/").status_code == 303


def test_cookie_is_secure_over_tls(hub):
    c = client(hub, base_url="https://testserver")
    form = c.get("/login")
    assert "secure" in form.headers["set-cookie"].lower()
    r = c.post("/login", data={**hidden_fields(form.text), "user": "xem", "password": PASSWORD})
    assert r.status_code == 303
    assert "secure" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()


def test_login_without_the_forms_token_is_refused(hub):
    c = client(hub)
    r = c.post("/login", data={"user": "xem", "password": PASSWORD, "csrf": "x", "next": "/"})
    assert r.status_code == 403 and "set-cookie" not in r.headers
    # A token from another browser (cookie missing) is refused too.
    token = hidden_fields(c.get("/login").text)["csrf"]
    other = client(hub)
    assert other.post("/login", data={"user": "xem", "password": PASSWORD, "csrf": token}).status_code == 403


def test_wrong_password_then_lockout_even_with_the_right_one(hub):
    c = client(hub)
    for _ in range(accounts.MAX_USER_FAILURES):
        r = login(c, "xem", "sai-mat-khau-roi")
        assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    r = login(c, "xem", PASSWORD)
    assert r.status_code == 401 and "quá nhiều lần" in r.text
    assert login(c, "quantri", PASSWORD).status_code == 200  # another name is not locked


def test_lockout_is_what_refuses(hub, monkeypatch):
    """Negative check: with the lockout weakened, the same sequence logs in — the test above relies on it."""
    monkeypatch.setattr(accounts, "MAX_USER_FAILURES", 10_000)
    c = client(hub)
    for _ in range(5):
        login(c, "xem", "sai-mat-khau-roi")
    assert login(c, "xem", PASSWORD).status_code == 200


def test_open_redirect_after_login_is_not_followed(hub):
    c = client(hub)
    form = c.get("/login?next=//evil.example/")
    r = c.post("/login", data={**hidden_fields(form.text), "user": "xem", "password": PASSWORD})
    assert r.headers["location"] == "/"


def test_viewer_cannot_read_api_docs_admin_can_without_any_cdn(hub):
    viewer = client(hub)
    login(viewer, "xem", PASSWORD)
    assert viewer.get("/docs").status_code == 403
    assert viewer.get("/openapi.json").status_code == 403
    assert viewer.get("/quan-tri").status_code == 403
    admin = client(hub)
    login(admin, "quantri", PASSWORD)
    page = admin.get("/docs")
    assert page.status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # nothing from another host
    for asset in re.findall(r'(?:src|href)="(/docs/[^"]+)"', page.text):
        got = admin.get(asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    spec = admin.get("/openapi.json").json()
    assert "/api/v1/bundles" in spec["paths"] and "/" not in spec["paths"]


def test_admin_web_action_needs_csrf_and_is_audited(hub, tmp_path):
    commune = make_commune(tmp_path / "xa", "21548")
    try:
        admin = client(hub)
        page = login(admin, "quantri", PASSWORD, "/quan-tri")
        assert admin.post("/quan-tri/dang-ky", data={"unit": "21548", "public_key": commune.public_key,
                                                     "csrf": "sai"}).status_code == 403
        csrf = hidden_fields(page.text)["csrf"]
        r = admin.post("/quan-tri/dang-ky", data={"unit": "21548", "public_key": commune.public_key, "csrf": csrf})
        assert r.status_code == 303
        with hub.store() as store:
            [entry] = [a for a in accounts.audit_log(store.conn) if a["action"] == "register_unit"]
        assert entry["actor"] == "quantri" and entry["via"] == "web" and entry["target"] == "21548"
        assert "21548" in admin.get("/quan-tri").text
    finally:
        commune.close()


def test_revoking_a_device_key_from_the_web_needs_csrf_and_is_audited(hub, tmp_path):
    from core.hub import store as hubstore

    commune = make_commune(tmp_path / "xa", "21548", hub)
    try:
        from core.sync import identity

        fp = identity.describe(commune.store, commune.paths)["fingerprint"]
        admin = client(hub)
        page = login(admin, "quantri", PASSWORD, "/quan-tri")
        assert admin.post("/quan-tri/thu-hoi", data={"unit": "21548", "fingerprint": fp,
                                                     "csrf": "sai"}).status_code == 403
        viewer = client(hub)
        viewer_page = login(viewer, "xem", PASSWORD, "/")
        assert viewer.post("/quan-tri/thu-hoi", data={"unit": "21548", "fingerprint": fp, "csrf": hidden_fields(
            viewer_page.text).get("csrf", "")}).status_code == 403  # admins only
        with hub.store() as store:
            assert hubstore.device_list(store, "21548")[0]["status"] == "active"
        csrf = hidden_fields(page.text)["csrf"]
        r = admin.post("/quan-tri/thu-hoi", data={"unit": "21548", "fingerprint": fp, "csrf": csrf})
        assert r.status_code == 303
        with hub.store() as store:
            [device] = hubstore.device_list(store, "21548")
            assert device["status"] == "revoked" and device["revoked_by"] == "quantri"
            [entry] = [a for a in accounts.audit_log(store.conn) if a["action"] == "revoke_device"]
        assert entry["actor"] == "quantri" and entry["via"] == "web" and entry["target"] == "21548"
        assert fp in entry["detail"]
        unknown = admin.post("/quan-tri/thu-hoi", data={"unit": "21548", "fingerprint": "AB:CD", "csrf": csrf})
        assert unknown.status_code == 422
        with hub.store() as store:  # a refused action leaves no audit row
            assert len([a for a in accounts.audit_log(store.conn) if a["action"] == "revoke_device"]) == 1
    finally:
        commune.close()


def test_sessions_are_stored_hashed_and_expire(hub):
    import datetime as dt

    from core.clock import now_utc

    with hub.store() as store, store.transaction() as conn:
        token, session = accounts.login(conn, "xem", PASSWORD, "127.0.0.1")
        assert token not in str(conn.execute("SELECT * FROM hub_sessions").fetchall())
        assert accounts.session_for(conn, token).user.name == "xem"
        assert accounts.session_for(conn, token, now_utc() + accounts.SESSION_IDLE + dt.timedelta(minutes=1)) is None
        assert accounts.session_for(conn, "not-a-token") is None


def test_cli_user_add_with_password_stdin_and_audit(hub, capsys, monkeypatch):
    import io

    from core.cli import run

    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-khac\n"))
    assert run(["hub", "user", "add", "canbo", "--role", "viewer", "--password-stdin",
                "--data-dir", str(hub.paths.root)]) == 0
    with hub.store() as store:
        users = {u["name"]: u["role"] for u in accounts.list_users(store.conn)}
        audit = accounts.audit_log(store.conn)
    assert users["canbo"] == "viewer" and audit[0]["action"] == "user_add" and audit[0]["via"] == "cli"
    c = client(hub)
    assert login(c, "canbo", "mot-mat-khau-khac").status_code == 200
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert run(["hub", "user", "add", "khac", "--role", "viewer", "--password-stdin",
                "--data-dir", str(hub.paths.root)]) == 2
    assert "ít nhất" in capsys.readouterr().err


def test_every_table_exports_to_excel(hub):
    import io

    import openpyxl

    admin = client(hub)
    login(admin, "quantri", PASSWORD)
    for name in ("don-vi", "chi-tieu", "san-sang", "chi-dao", "tu-choi", "khong-xac-thuc", "nhat-ky"):
        r = admin.get(f"/xuat/{name}.xlsx")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml"), name
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        assert sheet.freeze_panes and sheet.auto_filter.ref, name
    units = openpyxl.load_workbook(io.BytesIO(admin.get("/xuat/don-vi.xlsx").content)).active
    assert units.max_row == 2 + 96  # note, header, 96 units
    assert admin.get("/xuat/khong-co.xlsx").status_code == 404
    viewer = client(hub)
    login(viewer, "xem", PASSWORD)
    assert viewer.get("/xuat/nhat-ky.xlsx").status_code == 403  # the audit log: admins only
