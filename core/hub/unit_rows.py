"""A unit's rows going back down to its devices: one commune, one picture (issue 13).

Every row the hub holds for a unit, whichever of the unit's devices wrote it, is sent to the
unit's devices in `rows` bundles signed by the province key, in the hub's order of writes
(`rows.rev`). A device keeps the last `rev` it applied; a new or replaced PC starts from 0 and
receives the unit's whole history (the hub is the commune's off-site copy). Over USB the same
bundle is written by `hub pull --unit CODE --out DIR`.

- GET /api/v1/rows?after=N&limit=M   (signed request) -> a `rows` bundle (zip), its manifest
  carries `rev_from`, `rev_to` and `more`
- GET /api/v1/conflicts?after=N      (signed request) -> the unit's recorded conflicts after id N
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import HTTPException, Query, Request
from fastapi.responses import Response

from core.hub.database import HubDatabase
from core.hub.openapi_docs import CONFLICTS_RESPONSES, ROWS_RESPONSES, SignedHeaders
from core.hub.store import HubPaths, province_keypair
from core.sync import bundle as bundlemod
from core.units import find_unit

API = "/api/v1"
PAGE_ROWS = 20_000
MAX_PAGE_ROWS = 50_000


def _records(store: HubDatabase, unit: str, after: int, limit: int) -> tuple[list[tuple], int]:
    out, last = [], after
    for rev, table, row_id, op, seq, state, hlc, device in store.conn.execute(
            "SELECT rev, table_name, row_id, op, seq, state, hlc, device FROM rows "
            "WHERE unit = ? AND rev > ? ORDER BY rev LIMIT ?", (unit, after, limit)):
        row = _state(state).get("row") if state else None
        out.append((table, row_id, "purge" if row is None else op, seq, row, hlc or 0, device or "hub", None))
        last = rev
    return out, last


def _state(state) -> dict:
    """The stored JSON line: text (SQLite, or a TEXT column) or already parsed (a JSONB column)."""
    return state if isinstance(state, dict) else json.loads(state)


def rows_bundle(paths: HubPaths, store: HubDatabase, unit: str, out_dir: Path, *, after: int = 0,
                limit: int = PAGE_ROWS) -> tuple[Path, dict]:
    """Write a signed `rows` bundle of the unit's rows with rev > `after` (at most `limit`)."""
    code = find_unit(unit).code
    records, last = _records(store, code, after, min(limit, MAX_PAGE_ROWS))
    more = bool(store.scalar("SELECT 1 FROM rows WHERE unit = ? AND rev > ? LIMIT 1", (code, last)))
    return bundlemod.write_bundle(Path(out_dir), kind="rows", source=bundlemod.PROVINCE, destination=code,
                                  signer=province_keypair(paths), records=records,
                                  extra={"rev_from": after + 1, "rev_to": last, "more": more})


def unit_conflicts(store: HubDatabase, unit: str, after: int = 0, limit: int = 500) -> list[dict]:
    return store.query("SELECT id, table_name, row_id, bundle_id, kept_hlc, kept_device, lost_hlc, lost_device, "
                       "lost_state, recorded_at FROM conflicts WHERE unit = ? AND id > ? ORDER BY id LIMIT ?",
                       (unit, after, limit))


def install(app, paths: HubPaths, store, authenticated_unit) -> None:
    """Add the routes to the hub's FastAPI app (`store()` is the thread's hub Store)."""

    @app.get(f"{API}/rows", responses=ROWS_RESPONSES, response_class=Response,
             summary="Các dòng dữ liệu của đơn vị cho các máy của đơn vị (gói zip, yêu cầu ký)")
    def unit_rows(request: Request, signed: SignedHeaders, after: int = Query(0, ge=0, le=2**62),
                  limit: int = Query(PAGE_ROWS, ge=1, le=MAX_PAGE_ROWS)):
        unit = authenticated_unit(request)
        path, _ = rows_bundle(paths, store(), unit, paths.tmp_dir / "rows", after=after, limit=limit)
        try:
            data = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
        return Response(data, media_type="application/zip")

    @app.get(f"{API}/conflicts", responses=CONFLICTS_RESPONSES,
             summary="Xung đột đã ghi của đơn vị (yêu cầu ký)")
    def conflicts(request: Request, signed: SignedHeaders, after: int = Query(0, ge=0, le=2**62)) -> dict:
        unit = authenticated_unit(request)
        if unit is None:
            raise HTTPException(status_code=401)
        return {"unit": unit, "conflicts": unit_conflicts(store(), unit, after)}
