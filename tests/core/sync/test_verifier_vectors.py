"""The test vectors of docs/BUNDLE_FORMAT.md ("For a third-party verifier") stay true."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.sync import auth, keys

DOC = (Path(__file__).parents[3] / "docs" / "BUNDLE_FORMAT.md").read_text(encoding="utf-8")
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_public_key_and_fingerprint_vector():
    public = keys.public_key_text(PRIVATE.public_key())
    assert f"`{public}`" in DOC
    assert f"`{keys.fingerprint(PRIVATE.public_key())}`" in DOC
    # The fingerprint's input is the 32 raw bytes, as the document says.
    import hashlib

    digest = hashlib.sha256(base64.b64decode(public)).hexdigest()[:16].upper()
    assert keys.fingerprint(public) == "-".join(re.findall("....", digest))


def test_signed_request_vector():
    path = "/api/v1/inbox?after_seq=0&nonce=AAAAAAAAAAAAAAAAAAAAAAAA"
    message = b"motcua-v1\nGET\n" + path.encode() + b"\n21484\n2026-12-06T20:00:00.000Z"
    assert auth._message("GET", path, "21484", "2026-12-06T20:00:00.000Z") == message
    signature = base64.b64encode(PRIVATE.sign(message)).decode()
    assert f"`{signature}`" in DOC
    PRIVATE.public_key().verify(base64.b64decode(signature), message)
