"""Upload limits: refused anonymous uploads counted (not one row each, never blamed on the named unit),
checks as the bytes arrive, the global byte budget, per-unit quotas, retention of raw bundles."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import zipfile

import httpx
import pytest

from core.hub import dashboard, limits
from core.sync import bundle as bundlemod
from core.sync import outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub


def _resigned_by_a_stranger(data: bytes) -> bytes:
    """The same bundle with its manifest signed by a key nobody registered (a forgery naming the unit)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate()
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    members = {info.filename: src.read(info) for info in src.infolist()}
    members[bundlemod.SIGNATURE] = base64.b64encode(stranger.sign(members[bundlemod.MANIFEST]))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


@pytest.mark.usefixtures("hub_database")
def test_anonymous_refusals_are_counted_per_address_reason_hour_and_never_blamed(tmp_path):
    hub = make_hub(tmp_path / "hub")
    victim = make_commune(tmp_path / "a", "21484", hub)  # registered: a forged bundle names it
    stranger = make_commune(tmp_path / "b", "21548")  # not registered at the hub
    try:
        add_rows(victim, 1)
        add_rows(stranger, 1)
        forged = _resigned_by_a_stranger(outbox.cut_bundle(victim.store, victim.paths).path.read_bytes())
        unknown = outbox.cut_bundle(stranger.store, stranger.paths).path.read_bytes()
        with running_hub(hub) as url, httpx.Client(base_url=url) as c:
            for _ in range(40):
                assert c.post("/api/v1/bundles", content=forged).status_code == 422
            for _ in range(10):
                r = c.post("/api/v1/bundles", content=unknown)
                assert r.status_code == 422 and r.json()["reason"] == "unknown_sender"
            for _ in range(5):
                assert c.post("/api/v1/bundles", content=b"GET / not a zip at all").json()["reason"] == "not_a_bundle"
        with hub.store() as store:
            counts = {(r["reason"], r["claimed_unit"]): r["count"] for r in store.query(
                "SELECT reason, claimed_unit, count FROM hub_refused_counts")}
            assert counts == {("bad_signature", "21484"): 40, ("unknown_sender", "21548"): 10, ("not_a_bundle", ""): 5}
            assert store.scalar("SELECT count(*) FROM hub_refused_counts") == 3
            assert store.scalar("SELECT count(*) FROM rejections") == 0
            from core.clock import today_local

            state = dashboard.unit_states(store.conn, today_local())["21484"]
            assert state["state"] == "never_sent" and state["rejections"] == []
    finally:
        victim.close()
        stranger.close()


@pytest.mark.usefixtures("hub_database")
def test_without_the_pre_check_every_attempt_was_a_row_blamed_on_the_unit(tmp_path):
    """Negative check: the ingest path alone (as before) logs one `rejections` row per forged upload,
    under the unit it names — the counting above is what prevents it."""
    from core.hub import ingest

    hub = make_hub(tmp_path / "hub")
    victim = make_commune(tmp_path / "a", "21484", hub)
    try:
        add_rows(victim, 1)
        forged = _resigned_by_a_stranger(outbox.cut_bundle(victim.store, victim.paths).path.read_bytes())
        with hub.store() as store:
            for _ in range(5):
                assert ingest.ingest_bytes(hub.paths, store, forged, via="network").status == "rejected"
            assert store.scalar("SELECT count(*) FROM rejections WHERE unit = '21484'") == 5
    finally:
        victim.close()


def _stream(chunks, seen):
    async def gen():
        for chunk in chunks:
            seen.append(len(chunk))
            yield chunk
    return gen()


def test_wrong_first_bytes_are_refused_before_the_rest_is_read(tmp_path):
    seen = []
    budget = limits.ByteBudget(10_000_000)
    chunks = [b"<html>" + b"x" * 1000] + [b"y" * 1000] * 100
    with pytest.raises(limits.UploadRefused) as err:
        asyncio.run(limits.spool(_stream(chunks, seen), tmp_path, budget, max_bytes=10_000_000, declared=None))
    assert err.value.status == 422 and len(seen) == 1
    assert budget.used == 0 and list(tmp_path.iterdir()) == []  # nothing left behind


def test_over_the_size_limit_is_refused_as_it_arrives(tmp_path):
    seen = []
    budget = limits.ByteBudget(10_000_000)
    chunks = [b"PK\x03\x04" + b"x" * 996] + [b"y" * 1000] * 100
    with pytest.raises(limits.UploadRefused) as err:
        asyncio.run(limits.spool(_stream(chunks, seen), tmp_path, budget, max_bytes=5000, declared=None))
    assert err.value.status == 413 and len(seen) == 6 and budget.used == 0
    with pytest.raises(limits.UploadRefused):  # a declared length over the limit: refused before reading
        asyncio.run(limits.spool(_stream([b"PK"], []), tmp_path, budget, max_bytes=5000, declared=6000))


def test_global_budget_bounds_uploads_in_flight(tmp_path):
    budget = limits.ByteBudget(3000)
    first = asyncio.run(limits.spool(_stream([b"PK\x03\x04" + b"x" * 1996], []), tmp_path, budget,
                                     max_bytes=10_000, declared=None))
    assert budget.used == 2000 and first.path.exists()
    with pytest.raises(limits.UploadRefused) as err:
        asyncio.run(limits.spool(_stream([b"PK\x03\x04" + b"x" * 1996], []), tmp_path, budget,
                                 max_bytes=10_000, declared=None))
    assert err.value.status == 503 and err.value.retry_after
    limits.release(first, budget)
    assert budget.used == 0 and not first.path.exists()


@pytest.mark.usefixtures("hub_database")
def test_per_unit_quota_per_day(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "a", "21484", hub)
    try:
        cuts = []
        for _ in range(3):
            add_rows(c, 1)
            cuts.append(outbox.cut_bundle(c.store, c.paths).path.read_bytes())
        with running_hub(hub, quota_bundles=2) as url, httpx.Client(base_url=url) as client:
            assert client.post("/api/v1/bundles", content=cuts[0]).json()["status"] == "applied"
            assert client.post("/api/v1/bundles", content=cuts[1]).json()["status"] == "applied"
            over = client.post("/api/v1/bundles", content=cuts[2])
            assert over.status_code == 429 and over.json()["reason"] == "quota" and "Retry-After" in over.headers
        with hub.store() as store:
            assert store.scalar("SELECT count(*) FROM bundles") == 2
    finally:
        c.close()


@pytest.mark.usefixtures("hub_database")
def test_retention_deletes_old_raw_files_and_keeps_duplicates_detected(tmp_path):
    from core.hub import ingest

    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "a", "21484", hub)
    try:
        add_rows(c, 2)
        data = outbox.cut_bundle(c.store, c.paths).path.read_bytes()
        with hub.store() as store:
            assert ingest.ingest_bytes(hub.paths, store, data, via="usb").status == "applied"
            files = list(hub.paths.bundles_dir.rglob("*.zip"))
            assert len(files) == 1
            with store.transaction() as conn:
                assert limits.apply_retention(hub.paths.bundles_dir, conn, 30) == 0  # too recent
                later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31)
                assert limits.apply_retention(hub.paths.bundles_dir, conn, 30, now=later) == 1
            assert not files[0].exists()
            assert store.scalar("SELECT count(*) FROM rows WHERE unit = '21484'") > 0
            assert ingest.ingest_bytes(hub.paths, store, data, via="usb").status == "duplicate"
    finally:
        c.close()


@pytest.mark.usefixtures("hub_database")
def test_requests_per_address_are_rate_limited(tmp_path):
    from fastapi.testclient import TestClient

    from core.hub.app import create_app
    from core.hub.server import REQUEST_BURST

    hub = make_hub(tmp_path / "hub")
    client = TestClient(create_app(hub.paths, requests_per_second=0.001))
    statuses = [client.get("/api/v1/health").status_code for _ in range(REQUEST_BURST + 5)]
    assert statuses[:REQUEST_BURST] == [200] * REQUEST_BURST
    assert statuses[REQUEST_BURST:] == [429] * 5
    limited = client.get("/api/v1/health")
    assert limited.headers["retry-after"] and limited.json()["reason"] == "rate_limited"


def test_the_operator_sets_or_lifts_the_rate_per_address(monkeypatch):
    """A province whose communes all reach the hub through one shared address raises the rate,
    or lifts it with 0; a wrong value is refused with a Vietnamese message."""
    from core.errors import UserInputError
    from core.hub import server

    monkeypatch.delenv(server.RATE_ENV, raising=False)
    assert server.requests_per_second() == server.REQUESTS_PER_SECOND
    for text, rate in (("200", 200.0), (" 0.5 ", 0.5), ("0", 0.0), ("", server.REQUESTS_PER_SECOND)):
        monkeypatch.setenv(server.RATE_ENV, text)
        assert server.requests_per_second() == rate, text
    for wrong in ("-1", "nhiều", "nan", "inf", "1e9"):
        monkeypatch.setenv(server.RATE_ENV, wrong)
        with pytest.raises(UserInputError, match="MOTCUA_HUB_REQUESTS_PER_SECOND"):
            server.requests_per_second()


def test_with_the_rate_lifted_one_address_is_never_refused(tmp_path):
    from fastapi.testclient import TestClient

    from core.hub.app import create_app
    from core.hub.server import REQUEST_BURST

    hub = make_hub(tmp_path / "hub")
    client = TestClient(create_app(hub.paths, requests_per_second=0))
    assert {client.get("/api/v1/health").status_code for _ in range(REQUEST_BURST + 20)} == {200}


def test_hub_serve_refuses_a_wrong_rate_before_it_starts(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from core.hub import server

    root = Path(__file__).resolve().parents[3]
    hub = make_hub(tmp_path / "hub")
    env = dict(os.environ, PYTHONPATH=str(root), **{server.RATE_ENV: "nhiều"})
    done = subprocess.run([sys.executable, str(root / "main.py"), "hub", "serve", "--data-dir", str(hub.paths.root),
                           "--host", "127.0.0.1", "--port", "0"], capture_output=True, encoding="utf-8", env=env,
                          cwd=str(root), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "MOTCUA_HUB_REQUESTS_PER_SECOND" in done.stderr
