"""Round trips through a real hub on 127.0.0.1 (network) and through folders (USB)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from core.hub import ingest, province
from core.sync import identity, inbox, outbox, service
from core.sync.client import RetryPolicy
from core.sync.errors import HubUnreachable
from tests.core.sync.harness import add_rows, make_commune, make_hub, province_target_row, running_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


FAST = RetryPolicy(attempts=3, base=0.01, cap=0.05)


def _hub_rows(hub, unit):
    with hub.store() as s:
        return {r["row_id"]: json.loads(r["state"])["row"] for r in
                s.query("SELECT row_id, state FROM rows WHERE unit = ? AND table_name = 'staff'", (unit,))}


def test_network_round_trip(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        c = make_commune(tmp_path / "c", "21484", hub, hub_url=url)
        ids = add_rows(c, 5)
        c.store.update("staff", ids[0], {"position": "Công chức một cửa"})
        c.store.delete("staff", ids[1])

        first = service.sync_now(c.store, c.paths, retry=FAST, timeout=5)
        assert first.errors == []
        assert first.sent == 1 and first.acknowledged == 1
        assert outbox.list_outbox(c.store)[0]["state_label"] == "tỉnh đã xác nhận"
        rows = _hub_rows(hub, "21484")
        local = {r["id"]: r for r in c.store.query("SELECT * FROM staff")}
        assert rows == local  # every row, latest state, tombstone included
        assert rows[ids[0]]["position"] == "Công chức một cửa"
        assert rows[ids[1]]["deleted_at"] is not None

        # The province sends a target down; the commune fetches and applies it.
        target = province_target_row(target=0.75)
        with hub.store() as s:
            made = province.publish(hub.paths, s, [("dossier_targets", target)], ["21484"])
        assert len(made) == 1
        second = service.sync_now(c.store, c.paths, retry=FAST, timeout=5)
        assert second.received == 1 and second.errors == []
        got = c.store.get("dossier_targets", target["id"])
        assert got["target"] == 0.75
        # Province rows are not sent back up; the commune's progress is.
        add_rows(c, 2, prefix="Tiến độ")
        third = service.sync_now(c.store, c.paths, retry=FAST, timeout=5)
        assert third.sent == 1 and third.received == 0
        assert len(_hub_rows(hub, "21484")) == c.store.scalar("SELECT count(*) FROM staff") == 9
        with hub.store() as s:
            assert s.scalar("SELECT count(*) FROM rows WHERE table_name = 'dossier_targets' AND unit = '21484'") == 0
        # Nothing new: a sync sends nothing and changes nothing.
        fourth = service.sync_now(c.store, c.paths, retry=FAST, timeout=5)
        assert fourth.sent == 0 and fourth.cut.path is None
        assert outbox.pending_bundle_count(c.store) == 0
        c.close()


def test_usb_round_trip(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    add_rows(c, 4)
    usb = tmp_path / "usb"
    cut = outbox.cut_bundle(c.store, c.paths)
    written = outbox.export_to_folder(c.store, c.paths, usb)
    assert [p.name for p in written] == [cut.path.name]
    assert outbox.list_outbox(c.store)[0]["state"] == "sent"
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, written[0].read_bytes(), via="usb").status == "applied"
        ack_path = province.ack_bundle(hub.paths, s, "21484", usb)
        province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
    for made in (hub.paths.outgoing_dir / "21484").glob("*.zip"):
        (usb / made.name).write_bytes(made.read_bytes())
    results = inbox.import_folder(c.store, c.paths, usb)
    statuses = sorted(r.kind for _, r in results)
    assert statuses == ["ack", "province"]
    assert outbox.list_outbox(c.store)[0]["state"] == "acked"
    assert c.store.scalar("SELECT count(*) FROM dossier_targets WHERE deleted_at IS NULL") == 1
    # Importing the same folder again changes nothing.
    again = inbox.import_folder(c.store, c.paths, usb)
    assert all(r.status == "duplicate" for _, r in again)
    assert ack_path.exists()
    c.close()


def test_missing_range_is_reported_and_filled(tmp_path):
    """v2: the hub tracks each device's bundle numbers; a lost bundle is a hole until it comes."""
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    add_rows(c, 2)
    lost = outbox.cut_bundle(c.store, c.paths)
    add_rows(c, 2)
    later = outbox.cut_bundle(c.store, c.paths)
    with hub.store() as s:
        result = ingest.ingest_bytes(hub.paths, s, later.path.read_bytes(), via="usb")
        assert result.status == "applied"
        assert result.missing == [[1, 1]]  # bundle number 1 of this device
        assert "1–1" in result.message
        ack_path = province.ack_bundle(hub.paths, s, "21484", tmp_path / "back")
    inbox.import_bundle_file(c.store, c.paths, ack_path)
    states = {r["bundle_id"]: r["state"] for r in outbox.list_outbox(c.store)}
    assert states[later.bundle_id] == "acked" and states[lost.bundle_id] != "acked"
    assert service.status(c.store)["missing"] == [[1, 1]]
    with hub.store() as s:
        filled = ingest.ingest_bytes(hub.paths, s, lost.path.read_bytes(), via="usb")
    assert filled.missing == [] and filled.applied_through == 2
    c.close()


def test_old_state_never_replaces_newer(tmp_path):
    """Out-of-order arrival: the row keeps its latest state."""
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    [rid] = add_rows(c, 1)
    old = outbox.cut_bundle(c.store, c.paths)
    c.store.update("staff", rid, {"position": "mới"})
    new = outbox.cut_bundle(c.store, c.paths)
    with hub.store() as s:
        ingest.ingest_bytes(hub.paths, s, new.path.read_bytes(), via="usb")
        ingest.ingest_bytes(hub.paths, s, old.path.read_bytes(), via="usb")
    assert _hub_rows(hub, "21484")[rid]["position"] == "mới"
    c.close()


def test_captive_portal_is_not_taken_for_the_hub(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub, hub_url="https://hub.example")
    add_rows(c, 1)

    def portal(request):
        return httpx.Response(200, html="<html>Đăng nhập Wi-Fi</html>")

    client = service.make_client(c.store, c.paths, retry=FAST, transport=httpx.MockTransport(portal))
    with pytest.raises(HubUnreachable) as err:
        service.sync_now(c.store, c.paths, client=client)
    assert "không phải máy chủ đồng bộ" in err.value.message
    assert outbox.list_outbox(c.store)[0]["state"] == "pending"  # kept for the next try
    c.close()


def test_hub_down_marks_error_with_next_try(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        c = make_commune(tmp_path / "c", "21484", hub, hub_url=url)
    add_rows(c, 1)
    with pytest.raises(HubUnreachable) as err:
        service.sync_now(c.store, c.paths, retry=FAST, timeout=2)
    assert "Không kết nối được" in err.value.message
    assert outbox.pending_bundle_count(c.store) == 1
    c.close()


def test_unregistered_commune_gets_the_reason_and_a_later_retry(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        c = make_commune(tmp_path / "c", "21484", hub=None, hub_url=url)
        identity.configure(c.store, c.paths, province_key_text=hub.province_key)  # the province's key, pinned
        add_rows(c, 1)
        summary = service.sync_now(c.store, c.paths, retry=FAST, timeout=5)
        row = outbox.list_outbox(c.store)[0]
        assert row["state"] == "error" and row["last_error_reason"] == "unknown_sender"
        assert "chưa được đăng ký" in row["last_error"]
        assert row["next_try_at"] > row["created_at"]
        assert any("chưa được đăng ký" in e for e in summary.errors)
        c.close()


def test_inbox_of_another_unit_cannot_be_read(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        a = make_commune(tmp_path / "a", "21484", hub, hub_url=url)
        b = make_commune(tmp_path / "b", "21478", hub, hub_url=url)
        with hub.store() as s:
            [made] = province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
        with service.make_client(b.store, b.paths, retry=FAST) as client:
            assert client.inbox(0) == []
            with pytest.raises(Exception) as err:
                client.fetch(made["bundle_id"])
            assert "Không có gói" in err.value.message
        # An unsigned request is refused outright.
        response = httpx.get(f"{url}/api/v1/inbox")
        assert response.status_code == 401
        # A request signed by B but claiming to be A fails the signature check.
        from core.sync import auth, keys

        headers = auth.sign_headers(keys.load_or_create(b.paths.keys_dir), "21484", "GET", "/api/v1/inbox?after=0")
        assert httpx.get(f"{url}/api/v1/inbox?after=0", headers=headers).status_code == 401
        a.close()
        b.close()


def test_upload_size_limit(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub, max_upload_bytes=1000) as url:
        response = httpx.post(f"{url}/api/v1/bundles", content=b"x" * 5000)
        assert response.status_code == 413
        assert "quá lớn" in response.json()["message"]
        health = httpx.get(f"{url}/api/v1/health").json()
        assert health["service"] == "motcua-hub"
        assert httpx.get(f"{url}/openapi.json").status_code == 401  # API documents: admins only


def test_province_bundle_with_wrong_key_or_unit_is_refused_by_the_commune(tmp_path, other_hub_database):
    hub = make_hub(tmp_path / "hub")
    other_hub = make_hub(tmp_path / "other", other_hub_database)
    c = make_commune(tmp_path / "c", "21484", hub)
    other_hub.register(c)
    with other_hub.store() as s:
        [forged] = province.publish(other_hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
    from core.sync.errors import SignatureInvalid, WrongDestination

    with pytest.raises(SignatureInvalid):
        inbox.import_bundle_file(c.store, c.paths, Path(forged["file"]))
    b = make_commune(tmp_path / "b", "21478", hub)
    with hub.store() as s:
        [for_b] = province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21478"])
    with pytest.raises(WrongDestination) as err:
        inbox.import_bundle_file(c.store, c.paths, Path(for_b["file"]))
    assert "21478" in err.value.message
    assert c.store.scalar("SELECT count(*) FROM dossier_targets") == 0
    c.close()
    b.close()


def test_tampered_upload_over_http_is_refused_with_reason(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    add_rows(c, 2)
    cut = outbox.cut_bundle(c.store, c.paths)
    data = bytearray(cut.path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    with running_hub(hub) as url:
        before = hub.snapshot()
        response = httpx.post(f"{url}/api/v1/bundles", content=bytes(data))
        assert response.status_code == 422
        body = response.json()
        assert body["status"] == "rejected" and body["reason"] in ("damaged", "bad_signature", "unsafe_member")
        assert "ack" not in body
        assert hub.snapshot() == before
        # The intact bundle then goes through, once.
        assert httpx.post(f"{url}/api/v1/bundles", content=cut.path.read_bytes()).json()["status"] == "applied"
        assert httpx.post(f"{url}/api/v1/bundles", content=cut.path.read_bytes()).json()["status"] == "duplicate"
    c.close()


def test_more_than_one_page_of_province_bundles_arrives_in_one_sync(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        c = make_commune(tmp_path / "c", "21484", hub, hub_url=url)
        with hub.store() as s:
            for _ in range(service.INBOX_PAGE + 5):
                province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
        summary = service.sync_now(c.store, c.paths, retry=FAST, timeout=10)
        assert summary.errors == [] and summary.received == service.INBOX_PAGE + 5
        assert c.store.scalar("SELECT count(*) FROM dossier_targets") == service.INBOX_PAGE + 5
        c.close()
