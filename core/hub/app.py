"""The hub's HTTP API (FastAPI, served by uvicorn). OpenAPI at /docs and /openapi.json.

- GET  /api/v1/health                  -> the hub's own JSON (a captive portal cannot fake it)
- POST /api/v1/bundles                 -> upload one bundle (body = the zip); answer carries a signed ack
- GET  /api/v1/inbox?after=N           -> province bundles waiting for the calling unit (signed request)
- GET  /api/v1/inbox?after_seq=N&nonce=X -> the same by province sequence, as a listing signed by the province
- GET  /api/v1/inbox/{bundle_id}       -> one of them (signed request)
- GET  /api/v1/ack                     -> the calling unit's signed acknowledgement (signed request)
- GET  /                               -> the province's dashboard (staff login: core.hub.web)

Uploads need no login: the bundle's signature, checked against the key registered
for the unit it names, is the proof. Inbox reads are signed requests (core.sync.auth).
Uploads are streamed to a temporary file and checked before ingest (core.hub.limits);
the staff pages, /docs and /openapi.json need a login (core.hub.web); connection and
request limits are in core.hub.server.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from core import __version__
from core.hub import ingest, limits, province, sequence
from core.hub.openapi_docs import (ACK_RESPONSES, BUNDLE_RESPONSES, HEALTH_RESPONSES, INBOX_RESPONSES,
                                   UPLOAD_BODY, UPLOAD_RESPONSES, SignedHeaders)
from core.hub.store import HubPaths, bundle_key, open_hub, province_keypair, table_catalog, unit_key
from core.hub.thread_stores import ThreadStores
from core.sync import auth, keys
from core.sync.errors import BundleRejected

API = "/api/v1"
SERVICE = "motcua-hub"
API_VERSION = 1
MAX_UPLOAD_BYTES = limits.MAX_UPLOAD_BYTES


def create_app(paths: HubPaths, *, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               upload_budget_bytes: int = limits.UPLOAD_BUDGET_BYTES, quota_bundles: int = limits.QUOTA_BUNDLES_PER_DAY,
               quota_bytes: int = limits.QUOTA_BYTES_PER_DAY, requests_per_second: float | None = None,
               figures_max_age: float = 0.0) -> FastAPI:
    from core.hub import web
    from core.hub.server import RateLimitMiddleware

    paths.require()
    # No /docs, /redoc or /openapi.json of FastAPI's own: core.hub.web serves them to admins only,
    # Swagger UI from the fastapi-offline package's files (no CDN).
    app = FastAPI(title="Máy chủ đồng bộ tỉnh — Một Cửa Xã", version=__version__,
                  description="Nhận gói dữ liệu đã ký của các xã, gửi văn bản chỉ đạo và xác nhận về xã. "
                              "Mọi yêu cầu đọc dữ liệu của một đơn vị là yêu cầu ký (các tiêu đề X-Motcua-*); "
                              "gói gửi lên được xác thực bằng chữ ký trong gói.",
                  docs_url=None, redoc_url=None, openapi_url=None)
    if requests_per_second:
        app.add_middleware(RateLimitMiddleware, rate=requests_per_second)
    budget = limits.ByteBudget(upload_budget_bytes)
    province_public = keys.public_key_text(province_keypair(paths).public)
    table_catalog()  # the app's schema, once at start rather than on the first upload
    # One connection per request thread, reused (opening one per request costs a checkpoint each),
    # handed on to the next thread when the pool retires its thread (core.hub.thread_stores).
    store = ThreadStores(lambda: open_hub(paths))

    def authenticated_unit(request: Request) -> str:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            return auth.check_headers(request.headers, request.method, path, lambda u: unit_key(store(), u))
        except BundleRejected as exc:
            raise HTTPException(status_code=401, detail={"reason": exc.reason, "message": exc.message})

    @app.get(f"{API}/health", responses=HEALTH_RESPONSES, summary="Máy chủ tỉnh trả lời (không cần ký)")
    def health() -> dict:
        return {"service": SERVICE, "api": API_VERSION, "version": __version__,
                "province_fingerprint": keys.fingerprint(province_public)}

    @app.post(f"{API}/bundles", responses=UPLOAD_RESPONSES, openapi_extra=UPLOAD_BODY,
              summary="Gửi một gói dữ liệu đã ký của xã (thân yêu cầu là tệp zip)")
    async def upload(request: Request):
        declared = request.headers.get("content-length")
        address = request.client.host if request.client else "?"
        try:
            spooled = await limits.spool(request.stream(), paths.tmp_dir, budget, max_bytes=max_upload_bytes,
                                         declared=int(declared) if declared and declared.isdigit() else None)
        except limits.UploadRefused as exc:
            if exc.reason == "not_a_bundle":
                await run_in_threadpool(_count_refused, address, exc.reason, None)
            return _refusal(exc)
        try:
            return await run_in_threadpool(_checked_ingest, spooled, address)
        finally:
            limits.release(spooled, budget)

    def _ingest_and_ack(data: bytes) -> dict:
        result = ingest.ingest_bytes(paths, store(), data, via="network")
        answer = result.as_json()
        if result.status != "rejected":
            answer.update(ingest.signed_ack(paths, store(), result.unit, [result.device]))
        return answer

    def _count_refused(address: str, reason: str, claimed: str | None) -> None:
        with store().transaction() as conn:
            limits.count_refused(conn, address, reason, claimed)

    def _checked_ingest(spooled: limits.SpooledUpload, address: str):
        try:
            manifest = limits.verify_sender(spooled, lambda manifest: bundle_key(store(), manifest))
        except BundleRejected as exc:
            if not getattr(exc, "verified", False):
                # Anonymous: counted per (address, reason, hour), the named unit only a claim.
                _count_refused(address, exc.reason, getattr(exc, "claimed_unit", None))
                return JSONResponse({"status": "rejected", "bundle_id": None, "unit": None, "records": 0,
                                     "reason": exc.reason, "message": exc.message, "missing": [],
                                     "applied_through": 0}, status_code=422)
            manifest = None
        unit = str((manifest or {}).get("source") or "")
        try:
            if unit:
                with store().transaction() as conn:
                    limits.check_quota(conn, unit, spooled.size, bundles_per_day=quota_bundles,
                                       bytes_per_day=quota_bytes)
                    limits.record_usage(conn, unit, spooled.size)
        except limits.UploadRefused as exc:
            return _refusal(exc)
        result = _ingest_and_ack(spooled.path.read_bytes())
        # The unit's dashboard figures are recomputed after the answer is sent, not on the next page view
        # (only the province's units are on its dashboard: a national hub's other uploads skip it).
        after = (BackgroundTask(_refresh_figures)
                 if result["status"] == "applied" and result.get("unit") in _province_codes() else None)
        return JSONResponse(result, status_code=422 if result["status"] == "rejected" else 200, background=after)

    def _refresh_figures() -> None:
        from core.hub import dashboard

        try:
            # Not waiting for a pass already running in this process (it goes round once more for
            # this unit): a waiting thread would hold one of the threads that serve the pages.
            dashboard.refresh(store(), wait=False)
        except Exception:  # noqa: BLE001 - the next page view recomputes; never fail an upload for it
            import logging

            logging.getLogger(__name__).exception("dashboard refresh after upload failed")

    @app.get(f"{API}/inbox", responses=INBOX_RESPONSES, summary="Gói của tỉnh chờ đơn vị (yêu cầu ký)")
    def inbox(request: Request, signed: SignedHeaders, after: int = Query(0, ge=0, le=2**62),
              limit: int = Query(100, ge=1, le=500), after_seq: int | None = Query(None, ge=0, le=2**62),
              nonce: str = Query("", max_length=200)) -> dict:
        unit = authenticated_unit(request)
        if after_seq is not None:  # by province sequence, signed (core/hub/sequence.py)
            if not sequence.NONCE.match(nonce):
                raise HTTPException(status_code=422, detail={"reason": "bad_nonce",
                                                             "message": "Yêu cầu thiếu mã dùng một lần hợp lệ."})
            return sequence.signed_listing(store(), paths.outgoing_dir, province_keypair(paths), unit, after_seq,
                                           nonce, limit)
        return {"unit": unit, "bundles": province.inbox_for(store(), unit, after, limit)}

    @app.get(f"{API}/inbox/{{bundle_id}}", responses=BUNDLE_RESPONSES, response_class=Response,
             summary="Tải một gói của tỉnh (application/zip, yêu cầu ký)")
    def fetch(request: Request, signed: SignedHeaders, bundle_id: str):
        unit = authenticated_unit(request)
        path = province.outgoing_file(paths, store(), unit, bundle_id)
        if path is None or not path.exists():
            raise HTTPException(status_code=404, detail={"reason": "not_found",
                                                         "message": "Không có gói này cho đơn vị."})
        return Response(path.read_bytes(), media_type="application/zip")

    @app.get(f"{API}/ack", responses=ACK_RESPONSES, summary="Xác nhận đã ký của tỉnh cho đơn vị (yêu cầu ký)")
    def ack(request: Request, signed: SignedHeaders, devices: str = Query("", max_length=4000)) -> dict:
        unit = authenticated_unit(request)
        wanted = [d for d in devices.split(",") if d][:40] or None
        return ingest.signed_ack(paths, store(), unit, wanted)

    from core.hub import unit_rows  # sync v2: a unit's devices read each other's rows (issue 13)

    unit_rows.install(app, paths, store, authenticated_unit)

    web.install(app, paths, store, figures_max_age=figures_max_age)
    return app


@lru_cache(maxsize=1)
def _province_codes() -> frozenset[str]:
    from core.hub.dashboard import province_codes

    return frozenset(province_codes())


def _refusal(exc: limits.UploadRefused) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse({**exc.as_json(), "bundle_id": None, "unit": None, "records": 0, "missing": [],
                         "applied_through": 0}, status_code=exc.status, headers=headers)


def serve(paths: HubPaths, host: str, port: int, *, ssl_certfile: str | None = None,
          ssl_keyfile: str | None = None, behind_proxy: bool = False) -> None:
    """Serve with the connection guard and the per-address request rate (core.hub.server)."""
    import uvicorn

    from core.hub.server import requests_per_second, uvicorn_config

    from core.hub import dashboard

    app = create_app(paths, requests_per_second=requests_per_second(), figures_max_age=dashboard.SERVED_MAX_AGE)

    dashboard.refresh_in_background(paths)  # a hub upgraded in place: every unit's figures, off the page path
    uvicorn.Server(uvicorn_config(app, host, port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                                  behind_proxy=behind_proxy)).run()
