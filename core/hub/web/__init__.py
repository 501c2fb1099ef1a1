"""The province staff's web pages on the hub: login, dashboard, unit pages, exports, admin, API docs.

`install(app, paths, store)` adds the routes (none in the OpenAPI document: that document
describes the communes' signed API) and the error handlers. Every page needs a session;
`/docs` and `/openapi.json` need an admin's. The communes' `/api/v1/…` is untouched: it
is authenticated by signatures alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from core.clock import today_local, to_local
from core.errors import AppError
from core.hub import accounts, dashboard
from core.hub.store import HubPaths
from core.hub.web import auth, pages
from core.hub.web.auth import Forbidden, LoginRequired

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _month(text: str | None) -> dt.date | None:
    """'12/2026' (as shown) or '2026-12'."""
    text = (text or "").strip()
    try:
        if "/" in text:
            month, year = text.split("/")
            return dt.date(int(year), int(month), 1)
        return dt.date(int(text[:4]), int(text[5:7]), 1) if text else None
    except (ValueError, TypeError):
        return None


def _day(text: str | None) -> dt.date | None:
    """'07/12/2026' (as shown) or '2026-12-07'."""
    from core.clock import parse_date_vn

    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_date_vn(text) if "/" in text else dt.date.fromisoformat(text)
    except (ValueError, AppError):
        return None


def parse_view(params: dict, today: dt.date) -> tuple:
    """(period, meeting date or None: the default) from the query:
    ?ky=YYYY-MM[&den=YYYY-MM]&hoi_nghi=YYYY-MM-DD."""
    from core.dossiers.periods import Period, _month_end

    start = _month(params.get("ky")) or today.replace(day=1)
    end_month = _month(params.get("den")) or start
    if end_month < start:
        end_month = start
    if (end_month.year - start.year) * 12 + end_month.month - start.month > 60:
        end_month = start
    period = Period(start, _month_end(end_month))
    return period, _day(params.get("hoi_nghi"))


def install(app: FastAPI, paths: HubPaths, store: Callable, *, figures_max_age: float = 0.0) -> None:
    """`figures_max_age` (`hub serve`: `dashboard.SERVED_MAX_AGE`): a page shows, without reading the
    data, a model found current at most that many seconds ago (`dashboard.DashboardCache.page`)."""
    # The builder's thread calls `store()` too: it gets that thread's own connection.
    cache = dashboard.DashboardCache(max_age=figures_max_age, builder_store=store)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if request.url.path in ("/openapi.json",) or request.url.path.startswith("/xuat/"):
            return JSONResponse({"reason": "login_required", "message": "Cần đăng nhập."}, status_code=401,
                                headers={"Cache-Control": "no-store"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + _q(next=target), status_code=303, headers={"Cache-Control": "no-store"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        if request.url.path == "/openapi.json":
            return JSONResponse({"reason": "forbidden", "message": exc.message}, status_code=403)
        return _html(pages.message_page("Không được phép", exc.message), 403)

    def model_for(request: Request):
        params = dict(request.query_params)
        today = today_local()
        period, meeting = parse_view(params, today)
        return params, cache.page(store(), today=today, period=period, meeting_date=meeting)

    # -- login / logout ------------------------------------------------------------------------
    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/"):
        if auth.session_of(store(), request):
            return RedirectResponse(auth.safe_next(next), status_code=303)
        token = auth.new_login_token()
        response = _html(pages.login_page(token, next_path=auth.safe_next(next)))
        auth.set_cookie(response, request, auth.LOGIN_COOKIE, token, max_age=3600)
        return response

    @app.post("/login", include_in_schema=False)
    async def login_submit(request: Request):
        form = await auth.read_form(request)
        auth.check_csrf(request.cookies.get(auth.LOGIN_COOKIE), form)
        from starlette.concurrency import run_in_threadpool

        def attempt():
            with store().transaction() as conn:
                try:
                    return accounts.login(conn, form.get("user", ""), form.get("password", ""),
                                          auth.client_address(request))
                except accounts.LoginRefused as exc:
                    return exc  # returned, not raised: the failed attempt is committed (it counts to the lockout)
        outcome = await run_in_threadpool(attempt)
        if isinstance(outcome, accounts.LoginRefused):
            exc = outcome
            new_token = auth.new_login_token()
            response = _html(pages.login_page(new_token, next_path=auth.safe_next(form.get("next")),
                                              error=exc.message, user_name=form.get("user", "")[:40]), 401)
            auth.set_cookie(response, request, auth.LOGIN_COOKIE, new_token, max_age=3600)
            return response
        token, _session = outcome
        response = RedirectResponse(auth.safe_next(form.get("next")), status_code=303)
        auth.set_cookie(response, request, auth.SESSION_COOKIE, token)
        auth.clear_cookie(response, request, auth.LOGIN_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request):
        form = await auth.read_form(request)
        session = auth.session_of(store(), request)
        if session is not None:
            auth.check_csrf(session.csrf, form)
            with store().transaction() as conn:
                accounts.logout(conn, request.cookies.get(auth.SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        auth.clear_cookie(response, request, auth.SESSION_COOKIE)
        return response

    # -- pages -----------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def home(request: Request):
        session = auth.require_session(store(), request)
        params, model = model_for(request)
        return _html(pages.dashboard_page(model, params, session))

    @app.get("/san-sang", include_in_schema=False)
    def readiness(request: Request):
        session = auth.require_session(store(), request)
        params, model = model_for(request)
        return _html(pages.readiness_page(model, params, session))

    @app.get("/chi-tieu", include_in_schema=False)
    def indicators(request: Request):
        session = auth.require_session(store(), request)
        params, model = model_for(request)
        return _html(pages.indicators_page(model, params, session))

    @app.get("/chi-dao", include_in_schema=False)
    def directives(request: Request):
        session = auth.require_session(store(), request)
        _params, model = model_for(request)
        return _html(pages.directives_page(model, session))

    @app.get("/tu-choi", include_in_schema=False)
    def rejections(request: Request):
        session = auth.require_session(store(), request)
        _params, model = model_for(request)
        return _html(pages.rejections_page(model, session))

    @app.get("/don-vi/{code}", include_in_schema=False)
    def unit(request: Request, code: str):
        session = auth.require_session(store(), request)
        params, model = model_for(request)
        if model.unit(code) is None:
            return _html(pages.message_page("Không có đơn vị", f"Không có đơn vị mã “{code[:20]}”.", session), 404)
        return _html(pages.unit_page(model, code, params, session, _unit_bundles(store(), code),
                                     _unit_months(store(), code, model.period)))

    @app.get("/quan-tri", include_in_schema=False)
    def admin(request: Request, ok: str | None = None):
        session = auth.require_session(store(), request, admin=True)
        return _html(pages.admin_page(session, accounts.list_users(store().conn), accounts.audit_log(store().conn),
                                      message=ok and {"1": "Đã đăng ký khóa của đơn vị.",
                                                      "revoked": "Đã thu hồi khóa."}.get(ok, "")))

    async def admin_action(request: Request, write: Callable, *, refused_title: str, done: str):
        """An admin's form post: session and CSRF checked, then `write(store, form, user_name)` and its
        audit line in one transaction off the event loop; a refusal shown as a page, else back to
        the admin page with `done`."""
        from starlette.concurrency import run_in_threadpool

        session = auth.require_session(store(), request, admin=True)
        form = await auth.read_form(request)
        auth.check_csrf(session.csrf, form)

        def run():
            s = store()
            with s.transaction() as conn:
                action, target, detail = write(s, form, session.user.name)
                accounts.audit(conn, actor=session.user.name, via="web", address=auth.client_address(request),
                               action=action, target=target, detail=detail)
        try:
            await run_in_threadpool(run)
        except AppError as exc:
            return _html(pages.message_page(refused_title, exc.message, session), 422)
        return RedirectResponse(f"/quan-tri?ok={done}", status_code=303)

    @app.post("/quan-tri/dang-ky", include_in_schema=False)
    async def admin_register(request: Request):
        from core.hub.store import register_unit

        def register(s, form, user):
            info = register_unit(s, form.get("unit", ""), form.get("public_key", ""), by=user)
            return "register_unit", info["unit"], {"fingerprint": info["fingerprint"]}
        return await admin_action(request, register, refused_title="Không đăng ký được", done="1")

    @app.post("/quan-tri/thu-hoi", include_in_schema=False)
    async def admin_revoke(request: Request):
        """End one device key of a unit (sync v2, `hub revoke`): audited like every admin action."""
        from core.hub.store import revoke_key

        def revoke(s, form, user):
            revoke_key(s, form.get("unit", ""), form.get("fingerprint", ""), by=user)
            return ("revoke_device", form.get("unit", "")[:20],
                    {"fingerprint": form.get("fingerprint", "").strip().upper()[:200]})
        return await admin_action(request, revoke, refused_title="Không thu hồi được", done="revoked")

    # -- exports ---------------------------------------------------------------------------------
    @app.get("/xuat/{name}.xlsx", include_in_schema=False)
    def export(request: Request, name: str):
        session = auth.require_session(store(), request)
        params, model = model_for(request)
        if name == "nhat-ky" and not session.user.is_admin:
            raise Forbidden("Nhật ký quản trị chỉ dành cho tài khoản quản trị.")
        made = _export(name, model, params, store())
        if made is None:
            return _html(pages.message_page("Không có bảng", "Không có bảng này để xuất.", session), 404)
        return Response(made, media_type=XLSX, headers={
            **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}.xlsx"'})

    @app.get("/xuat/don-vi/{code}.xlsx", include_in_schema=False)
    def export_unit(request: Request, code: str):
        auth.require_session(store(), request)
        _params, model = model_for(request)
        u = model.unit(code)
        if u is None:
            return JSONResponse({"reason": "not_found"}, status_code=404)
        return Response(_unit_export(u, model, store()), media_type=XLSX, headers={
            **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="don-vi-{code}.xlsx"'})

    # -- API documents (admins) ------------------------------------------------------------------
    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(request: Request):
        auth.require_session(store(), request, admin=True)
        return JSONResponse(app.openapi(), headers={"Cache-Control": "no-store"})

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        auth.require_session(store(), request, admin=True)
        return _html(pages.docs_page())

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init(request: Request):
        auth.require_session(store(), request, admin=True)
        return Response(pages.DOCS_INIT_JS, media_type="text/javascript", headers=SECURITY_HEADERS)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(request: Request, name: str):
        auth.require_session(store(), request, admin=True)
        path = _swagger_asset(name)
        if path is None:
            return JSONResponse({"reason": "not_found"}, status_code=404)
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return Response(path.read_bytes(), media_type=kind, headers={"Cache-Control": "private, max-age=86400"})


_SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js")


def _swagger_asset(name: str) -> Path | None:
    """Swagger UI's files (5.x: reads OpenAPI 3.1) from the fastapi-offline package, on this machine: no CDN."""
    if name not in _SWAGGER_FILES:
        return None
    import fastapi_offline

    path = Path(fastapi_offline.__file__).parent / "static" / name
    return path if path.is_file() else None


def _q(**values) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def _unit_bundles(store, code: str, limit: int = 50) -> list[dict]:
    return store.query("SELECT bundle_id, seq_from, seq_to, records, received_at, via FROM bundles "
                       "WHERE unit = ? ORDER BY received_at DESC LIMIT ?", (code, limit))


def _unit_months(store, code: str, period) -> list[tuple]:
    from core.dossiers.indicators import Sums

    fields = ", ".join(f"sum({f})" for f in dashboard.SUM_FIELDS)
    sums = {r[0]: Sums(*(int(v or 0) for v in r[1:])) for r in store.conn.execute(
        f"SELECT month, {fields} FROM dash_unit_month WHERE unit = ? AND month BETWEEN ? AND ? GROUP BY month",
        (code, period.months()[0], period.months()[-1]))}
    return [(m, sums.get(m, Sums()).rates(), sums.get(m, Sums())) for m in period.months()]


# -- exports -------------------------------------------------------------------------------------

def _local_dt(iso: str | None):
    return to_local(iso) if iso else None


def _iso_date(text: str | None):
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _export(name: str, model, params: dict, store) -> bytes | None:
    from core.dossiers.indicators import INDICATORS
    from core.hub.web.xlsx import table_xlsx

    period = f"Kỳ {model.period.label()}; lập lúc {pages.E(model.made_at)}"
    if name == "don-vi":
        rows = pages.select_units(model, params)
        cols = [("Mã", "text"), ("Đơn vị", "text"), ("Trạng thái đồng bộ", "text"), ("Lần gửi cuối", "datetime"),
                ("Số gói đã nhận", "int"), ("Thiếu gói", "text"),
                (f"Hội nghị {model.meeting_date.strftime('%d/%m/%Y')}", "text"), ("Hồ sơ tiếp nhận", "int")]
        cols += [(f"{INDICATORS[k].number} {INDICATORS[k].name}", "pct") for k in pages.SHOWN_INDICATORS]
        cols += [("Nhiệm vụ quá hạn", "int")]
        data = [[u.code, u.name, u.status["state_label"], _local_dt(u.status["last_sync"]), u.status["bundles"],
                 dashboard.missing_text(u.status), _ready_text(u.readiness), u.sums.received]
                + [u.values[k].value for k in pages.SHOWN_INDICATORS] + [u.overdue] for u in rows]
        return table_xlsx("Đơn vị", cols, data, note=period)
    if name == "chi-tieu":
        rows = pages.select_units(model, params)
        cols = [("Mã", "text"), ("Đơn vị", "text"), ("Hồ sơ tiếp nhận", "int")]
        cols += [(f"{d.number} {d.name}", "pct") for d in INDICATORS.values()]
        cols += [(f"Mức {d.number}", "text") for d in INDICATORS.values()]
        from core.dossiers.targets import RAG_LABELS
        data = [[u.code, u.name, u.sums.received] + [u.values[k].value for k in INDICATORS]
                + [RAG_LABELS.get(u.values[k].rag or "", "") for k in INDICATORS] for u in rows]
        return table_xlsx("Chỉ tiêu", cols, data, note=period)
    if name == "san-sang":
        cols = [("Mã", "text"), ("Đơn vị", "text"), ("Ngày hội nghị", "date"), ("Kết luận", "text"),
                ("Cuộc họp", "text"), ("Giờ", "text"), ("Mục thiết yếu chưa đạt", "text")]
        data = [[u.code, u.name, model.meeting_date, _ready_text(u.readiness), (u.readiness or {}).get("title"),
                 (u.readiness or {}).get("start_time"), "; ".join((u.readiness or {}).get("failing", []))]
                for u in model.units]
        return table_xlsx("Sẵn sàng", cols, data)
    if name == "chi-dao":
        cols = [("Số", "text"), ("Ngày", "date"), ("Trích yếu", "text"), ("Đơn vị được giao", "int"),
                ("Đơn vị đã báo cáo", "int"), ("Đơn vị đã hoàn thành", "int"), ("Đơn vị có nhiệm vụ quá hạn", "int"),
                ("Mã đơn vị quá hạn", "text")]
        data = [[d["number"], _iso_date(d["issued_on"]), d["subject"], d["units_sent"], d["reported"],
                 d["units_done"], d["overdue_units"], ", ".join(d["overdue_codes"])] for d in model.directives]
        return table_xlsx("Văn bản chỉ đạo", cols, data)
    if name == "tu-choi":
        cols = [("Lúc", "datetime"), ("Đơn vị ghi trong gói", "text"), ("Thiết bị ghi trong gói", "text"),
                ("Chữ ký", "text"), ("Lý do", "text"), ("Chi tiết", "text"), ("Kênh", "text"), ("Mã gói", "text")]
        data = [[_local_dt(r["received_at"]), r["unit"], r["device"], "đã xác thực" if r["verified"] else "chưa xác thực",
                 r["reason"], r["message"], r["via"], r["bundle_id"]] for r in model.rejections]
        return table_xlsx("Gói bị từ chối", cols, data)
    if name == "khong-xac-thuc":
        cols = [("Giờ", "datetime"), ("Địa chỉ", "text"), ("Lý do", "text"), ("Đơn vị tự xưng", "text"),
                ("Số lần", "int")]
        data = [[_local_dt(r["hour"]), r["address"], r["reason"], r["claimed_unit"], r["count"]] for r in model.refused]
        return table_xlsx("Không xác thực", cols, data)
    if name == "nhat-ky":
        cols = [("Lúc", "datetime"), ("Người", "text"), ("Qua", "text"), ("Địa chỉ", "text"), ("Việc", "text"),
                ("Đối tượng", "text"), ("Chi tiết", "text")]
        data = [[_local_dt(a["at"]), a["actor"], a["via"], a["address"], accounts.AUDIT_LABELS.get(a["action"], a["action"]),
                 a["target"], a["detail"]] for a in accounts.audit_log(store.conn, 10_000)]
        return table_xlsx("Nhật ký quản trị", cols, data)
    return None


def _ready_text(r: dict | None) -> str:
    if r is None:
        return "Chưa có phiếu"
    return "SẴN SÀNG" if r["ready"] else "CHƯA SẴN SÀNG"


def _unit_export(u, model, store) -> bytes:
    """Every table of a unit's page, one sheet each."""
    from core.hub.web.xlsx import tables_xlsx

    note = f"{u.name} — kỳ {model.period.label()}"
    indicators = ([("Số", "text"), ("Chỉ tiêu", "text"), ("Tử số", "int"), ("Mẫu số", "int"), ("Tỉ lệ", "pct"),
                   ("Chỉ tiêu giao", "pct"), ("Áp dụng từ", "date")],
                  [[v.definition.number, v.definition.name, v.numerator, v.denominator, v.value,
                    v.target.target if v.target else None, _iso_date(v.target.effective_from) if v.target else None]
                   for v in u.values.values()])
    months = ([("Tháng", "date"), ("Hồ sơ tiếp nhận", "int")]
              + [(f"{d.number} {d.name}", "pct") for d in (pages.INDICATORS[k] for k in pages.SHOWN_INDICATORS)],
              [[dt.date(int(m[:4]), int(m[5:7]), 1), sums.received] + [rates[k] for k in pages.SHOWN_INDICATORS]
               for m, rates, sums in _unit_months(store, u.code, model.period)])
    bundles = ([("Nhận lúc", "datetime"), ("Từ thay đổi số", "int"), ("Đến thay đổi số", "int"), ("Bản ghi", "int"),
                ("Kênh", "text"), ("Mã gói", "text")],
               [[_local_dt(b["received_at"]), b["seq_from"], b["seq_to"], b["records"], b["via"], b["bundle_id"]]
                for b in _unit_bundles(store, u.code, 10_000)])
    rejected = ([("Lúc", "datetime"), ("Thiết bị", "text"), ("Lý do", "text"), ("Chi tiết", "text"), ("Mã gói", "text")],
                [[_local_dt(r["received_at"]), r["device"], r["reason"], r["message"], r["bundle_id"]]
                 for r in u.status["rejections"]])
    devices = ([("Thiết bị", "text"), ("Dấu vân tay khóa", "text"), ("Đăng ký lúc", "datetime"),
                ("Thu hồi lúc", "datetime"), ("Lần gửi cuối", "datetime"), ("Số gói", "int"),
                ("Gói liền mạch đến số", "int"), ("Thiếu gói", "text")],
               [[d["device"], str(d["fingerprint"] or ""), _local_dt(d["registered_at"]), _local_dt(d["revoked_at"]),
                 _local_dt(d["last_sync"]), d["bundles"], d["bundles_through"],
                 ", ".join(f"{a}–{b}" for a, b in d["missing"])] for d in u.status["devices"]])
    return tables_xlsx([("Chỉ tiêu", *indicators, note), ("Theo tháng", *months, note),
                        ("Gói đã nhận", *bundles, note), ("Gói bị từ chối", *rejected, note),
                        ("Thiết bị", *devices, note)])
