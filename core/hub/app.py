"""The hub's HTTP API (FastAPI, served by uvicorn). OpenAPI at /docs and /openapi.json.

- GET  /api/v1/health                  -> the hub's own JSON (a captive portal cannot fake it)
- POST /api/v1/bundles                 -> upload one bundle (body = the zip); answer carries a signed ack
- GET  /api/v1/inbox?after=N           -> province bundles waiting for the calling unit (signed request)
- GET  /api/v1/inbox?after_seq=N&nonce=X -> the same by province sequence, as a listing signed by the province
- GET  /api/v1/inbox/{bundle_id}       -> one of them (signed request)
- GET  /api/v1/ack                     -> the calling unit's signed acknowledgement (signed request)
- GET  /                               -> overview page of the 96 units (Vietnamese HTML)

Uploads need no login: the bundle's signature, checked against the key registered
for the unit it names, is the proof. Inbox reads are signed requests (core.sync.auth).
"""

from __future__ import annotations

import threading

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from core import __version__
from core.hub import ingest, overview, province, sequence
from core.hub.store import HubPaths, open_hub, province_keypair, table_catalog, unit_key
from core.sync import auth, keys
from core.sync.errors import BundleRejected

API = "/api/v1"
SERVICE = "motcua-hub"
API_VERSION = 1
MAX_UPLOAD_BYTES = 64 * 1024 * 1024


def create_app(paths: HubPaths, *, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> FastAPI:
    paths.require()
    app = FastAPI(title="Máy chủ đồng bộ tỉnh — Một Cửa Xã", version=__version__,
                  description="Nhận gói dữ liệu đã ký của các xã, gửi văn bản chỉ đạo và xác nhận về xã.")
    province_public = keys.public_key_text(province_keypair(paths).public)
    table_catalog()  # the app's schema, once at start rather than on the first upload
    local = threading.local()

    def store():
        # One connection per worker thread, reused: opening one per request costs a checkpoint each.
        if getattr(local, "store", None) is None:
            local.store = open_hub(paths)
        return local.store

    def authenticated_unit(request: Request) -> str:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            return auth.check_headers(request.headers, request.method, path, lambda u: unit_key(store(), u))
        except BundleRejected as exc:
            raise HTTPException(status_code=401, detail={"reason": exc.reason, "message": exc.message})

    @app.get(f"{API}/health")
    def health() -> dict:
        return {"service": SERVICE, "api": API_VERSION, "version": __version__,
                "province_fingerprint": keys.fingerprint(province_public)}

    @app.post(f"{API}/bundles")
    async def upload(request: Request):
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_upload_bytes:
            return _too_large(max_upload_bytes)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_upload_bytes:
                return _too_large(max_upload_bytes)
        result = await run_in_threadpool(_ingest_and_ack, bytes(body))
        return JSONResponse(result, status_code=422 if result["status"] == "rejected" else 200)

    def _ingest_and_ack(data: bytes) -> dict:
        result = ingest.ingest_bytes(paths, store(), data, via="network")
        answer = result.as_json()
        if result.status != "rejected":
            answer.update(ingest.signed_ack(paths, store(), result.unit, [result.device]))
        return answer

    @app.get(f"{API}/inbox")
    def inbox(request: Request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=500),
              after_seq: int | None = Query(None, ge=0), nonce: str = Query("")) -> dict:
        unit = authenticated_unit(request)
        if after_seq is not None:  # by province sequence, signed (core/hub/sequence.py)
            if not sequence.NONCE.match(nonce):
                raise HTTPException(status_code=422, detail={"reason": "bad_nonce",
                                                             "message": "Yêu cầu thiếu mã dùng một lần hợp lệ."})
            return sequence.signed_listing(store(), paths.outgoing_dir, province_keypair(paths), unit, after_seq,
                                           nonce, limit)
        return {"unit": unit, "bundles": province.inbox_for(store(), unit, after, limit)}

    @app.get(f"{API}/inbox/{{bundle_id}}")
    def fetch(request: Request, bundle_id: str):
        unit = authenticated_unit(request)
        path = province.outgoing_file(paths, store(), unit, bundle_id)
        if path is None or not path.exists():
            raise HTTPException(status_code=404, detail={"reason": "not_found",
                                                         "message": "Không có gói này cho đơn vị."})
        return Response(path.read_bytes(), media_type="application/zip")

    @app.get(f"{API}/ack")
    def ack(request: Request, devices: str = Query("", max_length=4000)) -> dict:
        unit = authenticated_unit(request)
        wanted = [d for d in devices.split(",") if d][:40] or None
        return ingest.signed_ack(paths, store(), unit, wanted)

    from core.hub import unit_rows  # sync v2: a unit's devices read each other's rows (issue 13)

    unit_rows.install(app, paths, store, authenticated_unit)

    @app.get("/", response_class=HTMLResponse)
    def overview_page() -> str:
        return overview.render_overview_html(store())

    return app


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"status": "rejected", "reason": "too_large",
                         "message": f"Gói quá lớn để gửi qua mạng (tối đa {limit // (1024 * 1024)} MB). "
                                    "Hãy chép gói ra USB mang lên tỉnh."}, status_code=413)


def serve(paths: HubPaths, host: str, port: int, *, ssl_certfile: str | None = None,
          ssl_keyfile: str | None = None) -> None:
    import uvicorn

    app = create_app(paths)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False,
                limit_concurrency=64, timeout_keep_alive=10, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
