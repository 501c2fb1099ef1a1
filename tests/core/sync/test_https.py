"""HTTPS: the hub served with a certificate, the commune trusting it through the system's CA settings."""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading
import time

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.hub.app import create_app
from core.sync import outbox, service
from core.sync.client import RetryPolicy
from core.sync.errors import HubUnreachable
from tests.core.sync.harness import add_rows, free_port, make_commune, make_hub


pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


def _self_signed(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "hub.crt", folder / "hub.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_sync_over_https_with_the_office_ca_settings(tmp_path, monkeypatch):
    hub = make_hub(tmp_path / "hub")
    cert_file, key_file = _self_signed(tmp_path)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(hub.paths), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    try:
        c = make_commune(tmp_path / "c", "21484", hub, hub_url=f"https://127.0.0.1:{port}")
        add_rows(c, 2)
        fast = RetryPolicy(attempts=1)
        # Not trusted yet: refused, kept in the outbox.
        with pytest.raises(HubUnreachable):
            service.sync_now(c.store, c.paths, retry=fast, timeout=5)
        assert outbox.pending_bundle_count(c.store) == 1
        # The office adds the certificate to its trusted set (SSL_CERT_FILE, read because trust_env=True).
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        summary = service.sync_now(c.store, c.paths, retry=fast, timeout=5)
        assert summary.errors == [] and summary.acknowledged == 1
        c.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
