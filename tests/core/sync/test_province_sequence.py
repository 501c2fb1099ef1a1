"""The signed province sequence: a tampered /inbox answer can delay a province bundle, never make
the commune skip it (core/hub/sequence.py, core/sync/province_inbox.py).

A real hub on 127.0.0.1; the "man in the middle" is an httpx transport between the commune and
that hub that rewrites the answers. Tests marked with `protected` run twice: with the protection
switched off in the setup, the same scenario loses a bundle (or hides that one is missing).
"""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from pathlib import Path

import httpx
import pytest

from core.hub import province, sequence
from core.sync import bundle as bundlemod
from core.sync import identity, inbox, keys, province_inbox, service
from core.sync.client import HubClient, RetryPolicy
from db.settings import get_setting, set_setting
from tests.core.sync.harness import make_commune, make_hub, province_target_row, running_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


FIXTURE = Path(__file__).parent / "fixtures" / "pre_sequence.zip"


class Tamper(httpx.BaseTransport):
    """Forwards to the real hub; `listing(body)` rewrites /inbox answers, `fetch(bundle_id, data)`
    the bundles fetched."""

    def __init__(self, *, listing=None, fetch=None):
        self.inner = httpx.HTTPTransport()
        self.listing, self.fetch = listing, fetch
        self.fetched: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        path = request.url.path
        if path.startswith("/api/v1/inbox/"):
            response.read()
            self.fetched.append(path.rsplit("/", 1)[1])
            if self.fetch and response.status_code == 200:
                return httpx.Response(200, content=self.fetch(path.rsplit("/", 1)[1], response.content))
        elif path == "/api/v1/inbox" and self.listing and response.status_code == 200:
            response.read()
            return httpx.Response(200, json=self.listing(json.loads(response.content)))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def world(tmp_path):
    hub = make_hub(tmp_path / "hub")
    with running_hub(hub) as url:
        commune = make_commune(tmp_path / "c", "21484", hub, hub_url=url)
        yield hub, commune, url
        commune.close()


def _publish(hub, n: int, start: float = 0.1) -> None:
    with hub.store() as s:
        for i in range(n):
            province.publish(hub.paths, s, [("dossier_targets", province_target_row(target=round(start + i / 100, 3)))],
                             ["21484"])


def _sync(commune, url, transport=None):
    client = HubClient(url, unit=commune.code, keypair=identity.commune_keypair(commune.paths),
                       retry=RetryPolicy(attempts=1), transport=transport)
    try:
        return service.sync_now(commune.store, commune.paths, client=client)
    finally:
        client.close()


def _targets(commune) -> int:
    return commune.store.scalar("SELECT count(*) FROM dossier_targets")


# -- the hub numbers what it queues --------------------------------------------------------------

def test_each_units_province_bundles_are_numbered_in_their_signed_manifests(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21478", hub)
    with hub.store() as s:
        for _ in range(3):
            province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484", "21478"])
        province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
        numbered = s.query("SELECT s.unit, s.seq, o.file_name FROM outgoing_seqs s JOIN outgoing o USING (bundle_id) "
                           "ORDER BY s.unit, s.seq")
    assert [(r["unit"], r["seq"]) for r in numbered] == [("21478", 1), ("21478", 2), ("21478", 3),
                                                         ("21484", 1), ("21484", 2), ("21484", 3), ("21484", 4)]
    province_key = keys.parse_public_key(hub.province_key)
    for row in numbered:
        opened = bundlemod.open_bundle(hub.paths.outgoing_dir / row["file_name"], lambda m: province_key)
        assert opened.manifest["province_seq"] == row["seq"] and opened.destination == row["unit"]
    a.close()
    b.close()


def test_the_listing_is_signed_and_echoes_the_request(world):
    hub, commune, url = world
    _publish(hub, 2)
    client = HubClient(url, unit=commune.code, keypair=identity.commune_keypair(commune.paths))
    nonce = "n" * 20
    answer = client.inbox_listing(0, nonce)
    client.close()
    listing = province_inbox.verify_listing(commune.store, answer, unit="21484", after_seq=0, nonce=nonce)
    assert listing["head_seq"] == 2 and [e["seq"] for e in listing["bundles"]] == [1, 2]
    with pytest.raises(province_inbox.ListingRejected):
        province_inbox.verify_listing(commune.store, answer, unit="21484", after_seq=0, nonce="m" * 20)


# -- a tampered /inbox answer ----------------------------------------------------------------------

def _legacy_fetch_inbox(store, paths, client, summary, report):
    """The inbox before the province sequence: the cursor is the last listed `id` (unsigned)."""
    while True:
        cursor = int(get_setting(store, service.INBOX_CURSOR, 0) or 0)
        listed = client.inbox(cursor)
        for item in listed:
            result = inbox.import_bundle_bytes(store, paths, client.fetch(item["bundle_id"]), via="network")
            summary.received += result.status == "applied"
            set_setting(store, service.INBOX_CURSOR, int(item["id"]))
        if len(listed) < service.INBOX_PAGE:
            return


@pytest.mark.parametrize("protected", [True, False])
def test_a_listing_with_huge_ids_does_not_stop_later_bundles(world, monkeypatch, protected):
    hub, commune, url = world
    if not protected:
        monkeypatch.setattr(service, "_fetch_inbox", _legacy_fetch_inbox)

    def huge(body):
        for entry in body["bundles"]:
            entry["id"] = 10 ** 12
            entry["seq"] = 10 ** 12
        return body

    _publish(hub, 3)
    _sync(commune, url, Tamper(listing=huge))
    assert _targets(commune) == 3
    _publish(hub, 2, start=0.5)  # later directives, targets, templates
    summary = _sync(commune, url)
    if protected:
        assert summary.errors == [] and _targets(commune) == 5
        assert province_inbox.cursor(commune.store) == 5
    else:
        assert _targets(commune) == 3  # the old cursor jumped to 10^12: nothing after it ever arrives


def _drop_second_signed_entry(body):
    listing = json.loads(body["listing"])
    listing["bundles"] = [e for e in listing["bundles"] if e["seq"] != 2]
    body["listing"] = json.dumps(listing, ensure_ascii=False, sort_keys=True)
    body["bundles"] = listing["bundles"]
    return body


@pytest.mark.parametrize("protected", [True, False])
def test_a_listing_with_an_entry_left_out_fails_its_signature(world, monkeypatch, protected):
    hub, commune, url = world
    if not protected:
        monkeypatch.setattr(province_inbox, "check_signature", lambda *args: None)
    _publish(hub, 3)
    summary = _sync(commune, url, Tamper(listing=_drop_second_signed_entry))
    if protected:
        assert summary.received == 0 and any("Chữ ký" in e or "chữ ký" in e for e in summary.errors), summary.errors
    else:
        assert summary.received == 2
    # Either way nothing is skipped: the next honest sync brings what is missing.
    assert _sync(commune, url).errors == []
    assert _targets(commune) == 3 and province_inbox.cursor(commune.store) == 3


def _naive_note(store, seq):
    """A cursor that trusts the highest number seen, as if there could be no gap."""
    if seq is not None and seq > province_inbox.cursor(store):
        set_setting(store, province_inbox.SEQ_CURSOR, seq)


@pytest.mark.parametrize("protected", [True, False])
def test_an_omitted_entry_is_a_named_gap_fetched_later(world, monkeypatch, protected):
    """Even a listing that got through with an entry missing cannot move the cursor past it."""
    hub, commune, url = world
    monkeypatch.setattr(province_inbox, "check_signature", lambda *args: None)  # let the listing through
    if not protected:
        monkeypatch.setattr(province_inbox, "note_received", _naive_note)
    _publish(hub, 3)
    summary = _sync(commune, url, Tamper(listing=_drop_second_signed_entry))
    assert summary.received == 2
    if protected:
        assert province_inbox.cursor(commune.store) == 1 and province_inbox.ahead(commune.store) == [3]
        assert any("thiếu gói số 2" in e for e in summary.errors), summary.errors
    _sync(commune, url)
    if protected:
        assert _targets(commune) == 3 and province_inbox.cursor(commune.store) == 3
    else:
        assert _targets(commune) == 2  # the cursor passed 2 without it: skipped for good


@pytest.mark.parametrize("protected", [True, False])
def test_a_replayed_listing_is_refused_not_taken_for_up_to_date(world, monkeypatch, protected):
    hub, commune, url = world
    if not protected:
        real = province_inbox.verify_listing

        def without_nonce(store, answer, *, unit, after_seq, nonce):
            return real(store, answer, unit=unit, after_seq=after_seq, nonce=json.loads(answer["listing"])["nonce"])

        monkeypatch.setattr(province_inbox, "verify_listing", without_nonce)
    old = {}
    _sync(commune, url, Tamper(listing=lambda body: old.setdefault("body", body)))
    assert old["body"]["bundles"] == []
    _publish(hub, 1)
    summary = _sync(commune, url, Tamper(listing=lambda body: old["body"]))  # the old, empty, signed answer
    if protected:
        assert summary.received == 0 and summary.errors, summary  # never "up to date" in silence
    else:
        assert summary.received == 0 and summary.errors == []


@pytest.mark.parametrize("protected", [True, False])
def test_a_replayed_bundle_does_not_stand_for_a_later_one(world, monkeypatch, protected):
    hub, commune, url = world
    if not protected:  # trust the listing's number rather than the one signed in the bundle
        monkeypatch.setattr(province_inbox, "manifest_seq", lambda manifest: None)
    _publish(hub, 1)
    first = {}
    _sync(commune, url, Tamper(fetch=lambda bundle_id, data: first.setdefault("data", data)))
    _publish(hub, 1, start=0.5)
    summary = _sync(commune, url, Tamper(fetch=lambda bundle_id, data: first["data"]))  # bundle 1 again, for 2
    if protected:
        assert summary.errors and province_inbox.cursor(commune.store) == 1
    _sync(commune, url)
    if protected:
        assert _targets(commune) == 2 and province_inbox.cursor(commune.store) == 2
    else:
        assert _targets(commune) == 1


@pytest.mark.parametrize("protected", [True, False])
def test_bundles_carried_out_of_order_move_the_cursor_only_when_complete(tmp_path, monkeypatch, protected):
    if not protected:
        monkeypatch.setattr(province_inbox, "note_received", _naive_note)
    hub = make_hub(tmp_path / "hub")
    commune = make_commune(tmp_path / "c", "21484", hub)
    _publish(hub, 3)
    with hub.store() as s:
        files = [hub.paths.outgoing_dir / r["file_name"] for r in
                 s.query("SELECT o.file_name FROM outgoing_seqs s JOIN outgoing o USING (bundle_id) ORDER BY s.seq")]
    for path in (files[2], files[1]):  # a USB stick with 3 and 2, not 1
        assert inbox.import_bundle_file(commune.store, commune.paths, path).status == "applied"
    if protected:
        assert province_inbox.cursor(commune.store) == 0
        assert province_inbox.missing(commune.store, 3) == [[1, 1]]
    else:
        assert province_inbox.missing(commune.store, 3) == []  # bundle 1 would never be asked for
    inbox.import_bundle_file(commune.store, commune.paths, files[0])
    assert province_inbox.cursor(commune.store) == 3 and province_inbox.missing(commune.store, 3) == []
    assert inbox.import_bundle_file(commune.store, commune.paths, files[1]).status == "duplicate"
    assert province_inbox.cursor(commune.store) == 3
    commune.close()


# -- upgrade in place ----------------------------------------------------------------------------

def _unpack_fixture(tmp_path: Path) -> tuple[Path, Path]:
    with zipfile.ZipFile(FIXTURE) as zf:
        zf.extractall(tmp_path / "old")
    return tmp_path / "old" / "hub", tmp_path / "old" / "commune"


@pytest.mark.parametrize("protected", [True, False])
@pytest.mark.sqlite_only("the previous version's hub is an SQLite file (fixtures/pre_sequence.zip)")
def test_a_hub_and_a_workspace_from_before_the_sequence_upgrade_in_place(tmp_path, monkeypatch, protected):
    """Made by the previous version (fixtures/make_pre_sequence.py): the hub queued three bundles, the
    commune fetched two (its cursor is the hub's listing id). After the upgrade the three get numbers
    1–3 inside their re-signed manifests, and the commune fetches only the third."""
    from core.hub import store as hubstore
    from core.paths import AppPaths
    from core.workspace import open_workspace
    from tests.core.sync.harness import Hub

    if not protected:
        monkeypatch.setattr(sequence, "ensure_sequenced", lambda *args, **kwargs: 0)
    hub_dir, commune_dir = _unpack_fixture(tmp_path)
    paths = hubstore.HubPaths(hub_dir)
    pair = hubstore.province_keypair(paths)
    hub = Hub(paths, pair.public_text)
    with hub.store() as s:
        numbered = s.query("SELECT s.seq, o.file_name FROM outgoing_seqs s JOIN outgoing o USING (bundle_id) "
                           "ORDER BY s.seq")
        queued = s.query("SELECT file_name FROM outgoing ORDER BY id")
    if protected:
        assert [r["file_name"] for r in numbered] == [r["file_name"] for r in queued]
        for row in numbered:
            opened = bundlemod.open_bundle(paths.outgoing_dir / row["file_name"], lambda m: pair.public)
            assert opened.manifest["province_seq"] == row["seq"]
    store = open_workspace(AppPaths(commune_dir))
    assert store.scalar("SELECT count(*) FROM sync_inbox") == 2
    commune_paths = AppPaths(commune_dir)
    with running_hub(hub) as url:
        identity.configure(store, commune_paths, hub=url)
        transport = Tamper()
        client = HubClient(url, unit="21484", keypair=identity.commune_keypair(commune_paths),
                           retry=RetryPolicy(attempts=1), transport=transport)
        summary = service.sync_now(store, commune_paths, client=client)
        client.close()
    targets = sorted(r["target"] for r in store.query("SELECT target FROM dossier_targets"))
    store.close()
    if protected:
        assert summary.errors == [] and summary.received == 1, summary
        assert len(transport.fetched) == 1  # the two already there are known by their signed numbers
        assert targets == [0.5, 0.6, 0.7]
    else:
        assert targets == [0.5, 0.6]


@pytest.mark.sqlite_only("the previous version's hub is an SQLite file (fixtures/pre_sequence.zip)")
def test_numbering_an_old_hub_again_after_a_crash_gives_the_same_numbers(tmp_path, monkeypatch):
    from core.hub import store as hubstore

    hub_dir, _ = _unpack_fixture(tmp_path)
    paths = hubstore.HubPaths(hub_dir)
    real_record, calls = sequence.record, []

    def crash_on_third(conn, unit, seq, bundle_id):
        calls.append(seq)
        if len(calls) == 3:
            raise OSError("power cut")
        real_record(conn, unit, seq, bundle_id)

    monkeypatch.setattr(sequence, "record", crash_on_third)
    with pytest.raises(OSError):
        hubstore.open_hub(paths)
    monkeypatch.setattr(sequence, "record", real_record)
    pair = hubstore.province_keypair(paths)
    with hubstore.open_hub(paths) as s:
        numbered = s.query("SELECT s.seq, o.file_name FROM outgoing_seqs s JOIN outgoing o USING (bundle_id)")
    assert sorted(r["seq"] for r in numbered) == [1, 2, 3]
    for row in numbered:
        opened = bundlemod.open_bundle(paths.outgoing_dir / row["file_name"], lambda m: pair.public)
        assert opened.manifest["province_seq"] == row["seq"]
