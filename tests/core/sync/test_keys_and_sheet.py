"""Keys: creation, permissions, parsing typed keys, fingerprints; the registration sheet PDF."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from core.hub import store as hubstore
from core.sync import keys, outbox
from core.sync.errors import SyncKeyError
from core.sync.registration import grouped, qr_payload, registration_sheet
from tests.core.sync.harness import add_rows, make_commune, make_hub
from tests.pdftools import pdftotext


def test_key_pair_is_created_once_with_owner_only_permissions(tmp_path):
    first = keys.load_or_create(tmp_path / "keys")
    again = keys.load_or_create(tmp_path / "keys")
    assert first.public_text == again.public_text and len(first.public_text) == 44
    if os.name == "posix":
        assert stat.S_IMODE(os.stat(first.path).st_mode) == 0o600
    assert len(first.fingerprint) == 19 and first.fingerprint.count("-") == 3


@pytest.mark.parametrize("typed", ["", "abc", "Zm9v", "!!!!" * 11])
def test_bad_typed_keys_are_refused_in_vietnamese(typed):
    with pytest.raises(SyncKeyError) as err:
        keys.parse_public_key(typed)
    assert "Khóa công khai không hợp lệ" in err.value.message


def test_typed_key_with_spaces_and_breaks_is_accepted(tmp_path):
    pair = keys.load_or_create(tmp_path)
    typed = grouped(pair.public_text).replace(" ", " \n")
    assert keys.fingerprint(keys.parse_public_key(typed)) == pair.fingerprint


@pytest.mark.usefixtures("hub_database")
def test_private_key_never_travels_in_a_bundle(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    add_rows(c, 2)
    cut = outbox.cut_bundle(c.store, c.paths)
    # The key in every form: the stored file (a plain PEM, or DPAPI/passphrase-protected), the PEM
    # body and the 32 raw bytes.
    from cryptography.hazmat.primitives import serialization

    path = c.paths.keys_dir / keys.COMMUNE_KEY_FILE
    private = keys.load(path).private
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    forms = [pem.split(b"-----")[2].strip(), private.private_bytes_raw(), path.read_bytes().strip()]
    with zipfile.ZipFile(cut.path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            assert not any(form in data for form in forms)
    c.close()


@pytest.mark.usefixtures("hub_database")
def test_registration_sheet_pdf(tmp_path):
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484")
    built = registration_sheet(c.store, c.paths, tmp_path / "phieu.pdf")
    text = pdftotext(built.path, layout=True)
    pair = keys.load_or_create(c.paths.keys_dir)
    assert "PHIẾU ĐĂNG KÝ" in text and "Xã Ba Tơ" in text and "21484" in text
    assert pair.fingerprint in text
    assert grouped(pair.public_text)[:24] in text
    # The QR payload registers the unit at the hub directly; another unit's QR is refused.
    with hub.store() as s:
        info = hubstore.register_unit(s, "21484", qr_payload("21484", pair.public_text))
        assert info["fingerprint"] == pair.fingerprint
        from core.errors import UserInputError

        with pytest.raises(UserInputError):
            hubstore.register_unit(s, "21478", qr_payload("21484", pair.public_text))
    c.close()
