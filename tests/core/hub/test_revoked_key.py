"""A bundle signed with a device key the province revoked (core/hub/revoked_keys.py).

The province wants to see a revoked PC that still sends: a bundle whose signature verifies with
the revoked key is refused as that unit's (reason `revoked_key`, logged in `rejections` under the
unit, verified, the message naming the device and the key); one that does not verify stays an
anonymous forgery (`bad_signature`): naming a revoked key's fingerprint must not let anyone pin
refusals on the unit. On both stores, by USB (ingest) and over the network (the pre-check).
"""

from __future__ import annotations

import httpx
import pytest

from core.clock import today_local
from core.hub import dashboard, ingest
from core.hub import store as hubstore
from core.hub.revoked_keys import RevokedKey
from core.sync import identity, outbox
from core.sync.errors import RevokedKeyUsed, SignatureInvalid
from tests.core.hub.test_limits import _resigned_by_a_stranger
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)

UNIT = "21484"


@pytest.fixture
def revoked(tmp_path):
    """(hub, genuine bundle cut after its key was revoked, the same re-signed by a stranger, fingerprint, device)."""
    hub = make_hub(tmp_path / "hub")
    pc = make_commune(tmp_path / "pc", UNIT, hub)
    try:
        add_rows(pc, 2)
        with hub.store() as s:
            first = outbox.cut_bundle(pc.store, pc.paths).path.read_bytes()
            assert ingest.ingest_bytes(hub.paths, s, first, via="usb").status == "applied"
            described = identity.describe(pc.store, pc.paths)
            hubstore.revoke_key(s, UNIT, described["fingerprint"], by="Sở KHCN")
        add_rows(pc, 1, prefix="Sau thu hồi")
        genuine = outbox.cut_bundle(pc.store, pc.paths).path.read_bytes()
    finally:
        pc.close()
    yield hub, genuine, _resigned_by_a_stranger(genuine), described["fingerprint"], described["device"]


def _ingest(hub, data: bytes):
    with hub.store() as s:
        return ingest.ingest_bytes(hub.paths, s, data, via="usb")


def _listed(hub) -> tuple[list[dict], dict]:
    """(the rejections page's list, the unit's dashboard status)."""
    with hub.store() as s:
        return dashboard.recent_rejections(s.conn), dashboard.unit_states(s.conn, today_local())[UNIT]


def test_a_genuine_bundle_signed_with_a_revoked_key_is_the_units_refusal(revoked):
    hub, genuine, _forged, fingerprint, device = revoked
    before = hub.snapshot()
    result = _ingest(hub, genuine)
    assert (result.status, result.reason, result.unit) == ("rejected", "revoked_key", UNIT)
    assert fingerprint in result.message and device in result.message and "thu hồi" in result.message
    assert hub.snapshot() == before  # nothing of it applied
    listed, status = _listed(hub)
    assert [(r["unit"], r["device"], r["reason"], r["verified"]) for r in listed] == [(UNIT, device, "revoked_key", True)]
    assert [(r["device"], r["reason"]) for r in status["rejections"]] == [(device, "revoked_key")]
    assert status["unverified_claims"] == []
    assert status["state"] == "rejected"  # sent after its last applied bundle: the unit shows red


def test_a_forged_bundle_naming_a_revoked_key_stays_anonymous(revoked):
    hub, _genuine, forged, fingerprint, device = revoked
    result = _ingest(hub, forged)
    assert (result.status, result.reason) == ("rejected", "bad_signature")
    assert device not in result.message and fingerprint not in result.message
    listed, status = _listed(hub)
    # The device it names is logged, as unverified as the unit beside it.
    assert [(r["reason"], r["device"], r["verified"]) for r in listed] == [("bad_signature", device, False)]
    assert status["rejections"] == [] and status["state"] != "rejected"  # never blamed on the unit


def test_over_the_network_genuine_is_logged_for_the_unit_forged_only_counted(revoked):
    hub, genuine, forged, fingerprint, device = revoked
    with running_hub(hub) as url, httpx.Client(base_url=url) as c:
        answer = c.post("/api/v1/bundles", content=genuine)
        assert answer.status_code == 422 and answer.json()["reason"] == "revoked_key", answer.text
        assert device in answer.json()["message"]
        for _ in range(3):
            answer = c.post("/api/v1/bundles", content=forged)
            assert answer.status_code == 422 and answer.json()["reason"] == "bad_signature", answer.text
    with hub.store() as s:
        logged = s.query("SELECT unit, reason, via FROM rejections")
        counted = s.query("SELECT reason, claimed_unit, count FROM hub_refused_counts")
    assert [(r["unit"], r["reason"], r["via"]) for r in logged] == [(UNIT, "revoked_key", "network")]
    assert [(r["reason"], r["claimed_unit"], r["count"]) for r in counted] == [("bad_signature", UNIT, 3)]
    listed, status = _listed(hub)
    assert [(r["reason"], r["verified"]) for r in listed] == [("revoked_key", True)]
    assert status["state"] == "rejected"


def test_negative_without_checking_the_signature_a_forger_pins_refusals_on_the_unit(revoked, monkeypatch):
    """A revoked key that refused as the unit's without verifying first: the stranger's bundle would
    be logged as the unit's revoked PC still sending."""
    hub, _genuine, forged, fingerprint, device = revoked

    def unchecked(self, signature, data):
        raise RevokedKeyUsed(f"máy {self.device} khóa {self.fingerprint} đã bị thu hồi")

    monkeypatch.setattr(RevokedKey, "verify", unchecked)
    result = _ingest(hub, forged)
    assert result.reason == "revoked_key"
    listed, status = _listed(hub)
    assert listed[0]["verified"] and status["state"] == "rejected"


def test_negative_refused_before_the_signature_the_revoked_pc_is_anonymous(revoked, monkeypatch):
    """As before this change (refused before the signature was checked): the genuine bundle of the
    revoked PC is logged as an unverified claim, indistinguishable from a forgery."""
    hub, genuine, _forged, fingerprint, device = revoked

    def refused_unchecked(self, signature, data):
        raise SignatureInvalid("Khóa ký gói này đã bị tỉnh thu hồi trước khi gói được tạo. Gói bị từ chối.")

    monkeypatch.setattr(RevokedKey, "verify", refused_unchecked)
    result = _ingest(hub, genuine)
    assert result.reason == "bad_signature"
    listed, status = _listed(hub)
    assert not listed[0]["verified"] and status["rejections"] == [] and status["state"] != "rejected"


def test_a_bundle_cut_before_the_revocation_is_still_delivered(tmp_path):
    """The rule that decides which bundles a revoked key still signs is unchanged: cut before the
    revocation, applied."""
    hub = make_hub(tmp_path / "hub")
    pc = make_commune(tmp_path / "pc", UNIT, hub)
    try:
        add_rows(pc, 1)
        early = outbox.cut_bundle(pc.store, pc.paths).path.read_bytes()
        with hub.store() as s:
            hubstore.revoke_key(s, UNIT, identity.describe(pc.store, pc.paths)["fingerprint"], by="Sở KHCN")
    finally:
        pc.close()
    assert _ingest(hub, early).status == "applied"


def test_the_revoked_pc_is_told_why_and_what_to_do(tmp_path):
    """The PC whose key was revoked syncs over the network: its bundle is kept in its outbox with
    the reason `revoked_key`, the hub's message and the advice to register a new key."""
    from core.sync import service, view
    from core.sync.client import RetryPolicy

    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        pc = make_commune(tmp_path / "pc", UNIT, hub, hub_url=url)
        try:
            with hub.store() as s:
                hubstore.revoke_key(s, UNIT, identity.describe(pc.store, pc.paths)["fingerprint"], by="Sở KHCN")
            add_rows(pc, 1)
            summary = service.sync_now(pc.store, pc.paths, retry=RetryPolicy(attempts=2, base=0.01, cap=0.02),
                                       timeout=10)
            row = pc.store.query("SELECT state, last_error, last_error_reason FROM sync_outbox")[0]
        finally:
            pc.close()
    assert summary.errors and "thu hồi" in summary.errors[0]
    assert (row["state"], row["last_error_reason"]) == ("error", "revoked_key")
    assert "khóa mới" in view.advice_for(row["last_error_reason"])


def test_the_refusals_pages_and_their_excel_name_the_device(revoked):
    import io

    import openpyxl
    from fastapi.testclient import TestClient

    from core.hub import accounts
    from core.hub.app import create_app
    from tests.core.hub.web_login import login

    hub, genuine, _forged, _fingerprint, device = revoked
    _ingest(hub, genuine)
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "xem", "viewer", "mat-khau-du-dai")
    c = TestClient(create_app(hub.paths), base_url="http://testserver", follow_redirects=False)
    login(c, "xem", "mat-khau-du-dai")
    for path, table in (("/tu-choi", "rejections"), (f"/don-vi/{UNIT}", "unit-rejections")):
        page = c.get(path).text
        listed = page.split(f'<table id="{table}">')[1].split("</table>")[0]
        assert "Thiết bị" in listed and device in listed and "revoked_key" in listed, path
    for path in ("/xuat/tu-choi.xlsx", f"/xuat/don-vi/{UNIT}.xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(c.get(path).content))
        cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
        assert device in cells and any(v.startswith("Thiết bị") for v in cells), path


OLD_REFUSAL = ("INSERT INTO rejections(received_at, unit, bundle_id, reason, message, via) "
               "VALUES ('2026-12-01T01:00:00Z', '21484', 'b-old', 'damaged', 'cũ', 'usb')")


@pytest.mark.sqlite_only("the previous version's hub is an SQLite file (fixtures/pre_sequence.zip)")
def test_an_sqlite_hub_of_the_previous_version_gains_the_device_column_in_place(tmp_path):
    import sqlite3
    import zipfile
    from contextlib import closing

    from tests.core.sync.test_province_sequence import FIXTURE

    with zipfile.ZipFile(FIXTURE) as zf:
        zf.extractall(tmp_path)
    db_file = tmp_path / "hub" / "hub.sqlite3"
    with closing(sqlite3.connect(db_file)) as old, old:  # as that version logged a refusal: no device column
        assert "device" not in {r[1] for r in old.execute("PRAGMA table_info(rejections)")}
        old.execute(OLD_REFUSAL)
    paths = hubstore.HubPaths(tmp_path / "hub")
    with hubstore.open_hub(paths) as s:
        listed = dashboard.recent_rejections(s.conn)
        s.conn.execute("INSERT INTO rejections(received_at, unit, bundle_id, reason, message, via, device) "
                       "VALUES ('2026-12-02T01:00:00Z', '21484', 'b-new', 'damaged', 'mới', 'usb', 'may-2')")
        both = [(r["bundle_id"], r["device"]) for r in dashboard.recent_rejections(s.conn)]
    assert [(r["bundle_id"], r["device"]) for r in listed] == [("b-old", None)]
    assert both == [("b-new", "may-2"), ("b-old", None)]


def test_a_postgresql_hub_at_migration_2_gains_the_device_column(tmp_path, hub_database, monkeypatch):
    from core.hub import pg_schema

    if not hub_database:
        pytest.skip("PostgreSQL only: SQLite hubs gain columns in place (the test above)")
    paths = hubstore.HubPaths(tmp_path / "hub")
    every = pg_schema.MIGRATIONS
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every[:2])  # the previous version
    hubstore.init_hub(paths, database=hub_database)
    with hubstore.open_hub(paths) as s:
        s.conn.execute(OLD_REFUSAL)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", every)  # this version
    with hubstore.open_hub(paths) as s:
        assert pg_schema.current_version(s) == 3
        assert [(r["bundle_id"], r["device"]) for r in dashboard.recent_rejections(s.conn)] == [("b-old", None)]
