"""The commune's trust in the hub: https:// unless the province lists the address as LAN; the hub's
province fingerprint checked before anything is sent; a change of the pinned key shown and confirmed."""

from __future__ import annotations

import json

import httpx
import pytest

from core.sync import hub_trust, identity, keys, outbox, service
from core.sync.client import RetryPolicy, normalise_hub_url
from core.sync.errors import SyncError
from tests.core.sync.harness import add_rows, make_commune, make_hub, running_hub

ONCE = RetryPolicy(attempts=1, base=0.01, cap=0.05)


@pytest.mark.parametrize("url, lan, ok", [
    ("https://dongbo.quangngai.gov.vn", [], True),
    ("http://dongbo.quangngai.gov.vn", [], False),
    ("http://10.20.3.4:8765", [], False),
    ("http://10.20.3.4:8765", ["10.20.0.0/16"], True),
    ("http://10.21.3.4:8765", ["10.20.0.0/16"], False),
    ("http://hub.lan", ["hub.lan"], True),
    ("http://127.0.0.1:8765", [], True),
    ("http://localhost:8765", [], True),
    ("http://[::1]:8765", [], True),
])
def test_http_only_for_the_provinces_lan(url, lan, ok):
    if ok:
        assert normalise_hub_url(url, lan) == url
    else:
        with pytest.raises(SyncError) as err:
            normalise_hub_url(url, lan)
        assert err.value.reason == "insecure_url" and "https://" in err.value.message


def test_provision_file_lists_the_lan(tmp_path):
    from core.provision import read_provision

    path = tmp_path / "provision.json"
    path.write_text(json.dumps({"hub_url": "http://10.20.3.4:8765", "lan_hosts": ["10.20.0.0/16"]}), encoding="utf-8")
    assert read_provision(path).lan_hosts == ["10.20.0.0/16"]
    path.write_text(json.dumps({"hub_url": "http://10.20.3.4:8765"}), encoding="utf-8")
    from core.provision import ProvisionError

    with pytest.raises(ProvisionError) as err:
        read_provision(path)
    assert "https://" in err.value.message


@pytest.mark.usefixtures("hub_database")
def test_sync_stops_before_sending_when_the_hub_carries_another_province_key(tmp_path, other_hub_database):
    real = make_hub(tmp_path / "real")
    # The impostor knows the commune's key (registered), not the province's.
    impostor = make_hub(tmp_path / "impostor", other_hub_database)
    c = make_commune(tmp_path / "xa", "21484", real)
    impostor.register(c)
    try:
        add_rows(c, 2)
        with running_hub(impostor) as url:
            identity.configure(c.store, c.paths, hub=url)
            with pytest.raises(hub_trust.ProvinceKeyMismatch) as err:
                service.sync_now(c.store, c.paths, retry=ONCE, timeout=5)
            assert keys.fingerprint(real.province_key) in err.value.message
            assert keys.fingerprint(impostor.province_key) in err.value.message
        with impostor.store() as s:
            assert s.scalar("SELECT count(*) FROM bundles") == 0  # nothing was sent
        assert outbox.pending_bundle_count(c.store) == 1
    finally:
        c.close()


@pytest.mark.usefixtures("hub_database")
def test_without_the_check_the_impostor_would_have_received_the_data(tmp_path, monkeypatch, other_hub_database):
    """Negative check: with the fingerprint check removed, the same sync uploads to the impostor."""
    monkeypatch.setattr(hub_trust, "check_province_fingerprint", lambda health, pinned: None)
    real = make_hub(tmp_path / "real")
    impostor = make_hub(tmp_path / "impostor", other_hub_database)
    c = make_commune(tmp_path / "xa", "21484", real)
    impostor.register(c)
    try:
        add_rows(c, 2)
        with running_hub(impostor) as url:
            identity.configure(c.store, c.paths, hub=url)
            service.sync_now(c.store, c.paths, retry=ONCE, timeout=5)
        with impostor.store() as s:
            assert s.scalar("SELECT count(*) FROM bundles") == 1
    finally:
        c.close()


def test_key_change_names_both_fingerprints():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    a = keys.public_key_text(Ed25519PrivateKey.generate().public_key())
    b = keys.public_key_text(Ed25519PrivateKey.generate().public_key())
    assert hub_trust.key_change(None, a) is None
    assert hub_trust.key_change(a, a) is None
    assert hub_trust.key_change(a, b) == (keys.fingerprint(a), keys.fingerprint(b))
    assert httpx  # imported for parity with the other sync tests
