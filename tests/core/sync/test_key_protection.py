"""The signing key at rest: plain (0600) on Linux, DPAPI on Windows, a passphrase in portable mode."""

from __future__ import annotations

import io
import os
import stat
import sys

import pytest

from core.passphrase_crypto import WrongPassphrase
from core.sync import key_protection as kp
from core.sync import keys
from core.sync.errors import SyncKeyError


@pytest.fixture(autouse=True)
def no_session_passphrase():
    kp.set_session_passphrase(None)
    yield
    kp.set_session_passphrase(None)


@pytest.fixture
def portable(monkeypatch):
    import core.paths

    monkeypatch.setattr(core.paths, "is_portable", lambda: True)


@pytest.mark.skipif(sys.platform == "win32", reason="an installed Windows PC protects its key with DPAPI "
                    "(test_windows_uses_dpapi_and_upgrades_a_plain_key, test_real_dpapi_key_file_made_and_read_back)")
def test_linux_installed_keeps_a_plain_owner_only_pem(tmp_path):
    pair = keys.load_or_create(tmp_path / "keys")
    data = pair.path.read_bytes()
    assert data.startswith(b"-----BEGIN PRIVATE KEY-----")
    if os.name == "posix":
        assert stat.S_IMODE(pair.path.stat().st_mode) == 0o600
    assert keys.load(pair.path).public_text == pair.public_text


def test_portable_mode_seals_the_key_and_asks_for_the_passphrase_once_per_session(tmp_path, portable):
    with pytest.raises(kp.PassphraseRequired) as caught:
        keys.load_or_create(tmp_path / "keys")
    assert caught.value.choose  # setup: a passphrase must be chosen
    kp.set_session_passphrase("cum mat khau cua xa")
    pair = keys.load_or_create(tmp_path / "keys")
    data = pair.path.read_bytes()
    assert b"PRIVATE KEY" not in data and kp.scheme_of(data) == "passphrase"
    assert keys.load(pair.path).public_text == pair.public_text  # same session: no question
    kp.set_session_passphrase(None)  # a new working session
    with pytest.raises(kp.PassphraseRequired) as caught:
        keys.load(pair.path)
    assert not caught.value.choose
    kp.set_session_passphrase("sai mat khau")
    with pytest.raises(WrongPassphrase):
        keys.load(pair.path)
    assert kp.session_passphrase() is None  # a wrong one is forgotten, so it is asked again
    kp.set_session_passphrase("cum mat khau cua xa")
    assert keys.load(pair.path).sign(b"x") == pair.sign(b"x")


def test_a_copied_sealed_key_is_useless_without_the_passphrase(tmp_path, portable):
    kp.set_session_passphrase("cum mat khau cua xa")
    pair = keys.load_or_create(tmp_path / "keys")
    stolen = pair.path.read_bytes()
    kp.set_session_passphrase("doan thu mot mat khau")
    with pytest.raises(WrongPassphrase):
        kp.unprotect(stolen)


def test_a_plain_key_from_before_is_sealed_when_the_passphrase_is_known(tmp_path, portable):
    kp.set_session_passphrase(None)
    import core.paths

    # Made by an earlier version: a plain PEM (on every platform: DPAPI came with this version).
    core.paths.is_portable, saved = (lambda: False), core.paths.is_portable
    saved_scheme, kp.default_scheme = kp.default_scheme, (lambda: "plain")
    try:
        pair = keys.load_or_create(tmp_path / "keys")
    finally:
        core.paths.is_portable = saved
        kp.default_scheme = saved_scheme
    assert kp.scheme_of(pair.path.read_bytes()) == "plain"
    assert keys.load(pair.path).public_text == pair.public_text  # still read without a passphrase
    kp.set_session_passphrase("cum mat khau cua xa")
    keys.load(pair.path)
    assert kp.scheme_of(pair.path.read_bytes()) == "passphrase"


def test_windows_uses_dpapi_and_upgrades_a_plain_key(tmp_path, monkeypatch):
    """The Windows path with DPAPI itself replaced (this runs on Linux); the real call is guarded below."""
    monkeypatch.setattr(kp.sys, "platform", "win32")
    import core.paths

    monkeypatch.setattr(core.paths, "is_portable", lambda: False)
    calls = []

    def fake_dpapi(data, *, protect):
        calls.append(protect)
        return bytes(b ^ 0x5A for b in data)
    monkeypatch.setattr(kp, "_dpapi", fake_dpapi)
    assert kp.default_scheme() == "dpapi"
    pair = keys.load_or_create(tmp_path / "keys")
    data = pair.path.read_bytes()
    assert data.startswith(kp.DPAPI_MAGIC) and b"PRIVATE KEY" not in data
    assert keys.load(pair.path).public_text == pair.public_text
    assert calls[0] is True and set(calls[1:]) == {False}  # protected once, read back with DPAPI
    plain = tmp_path / "old.pem"
    plain.write_bytes(kp.unprotect(data))
    keys.load(plain)
    assert plain.read_bytes().startswith(kp.DPAPI_MAGIC)  # upgraded in place


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows the real DPAPI runs")
def test_a_dpapi_key_copied_to_another_machine_is_refused_clearly(tmp_path):
    path = tmp_path / "commune_ed25519.pem"
    path.write_bytes(kp.DPAPI_MAGIC + b"AAAA\n")
    with pytest.raises(SyncKeyError) as caught:
        keys.load(path)
    assert "Windows" in caught.value.message


@pytest.mark.skipif(sys.platform != "win32", reason="DPAPI exists only on Windows")
def test_real_dpapi_round_trip():  # pragma: no cover - Windows CI
    secret = os.urandom(64)
    assert kp._dpapi(kp._dpapi(secret, protect=True), protect=False) == secret


def test_cli_init_in_portable_mode_takes_the_passphrase_from_stdin(tmp_path, portable, monkeypatch, capsys):
    from core.cli import run

    monkeypatch.setattr(sys, "stdin", io.StringIO("cum mat khau cua xa\n"))
    assert run(["--data-dir", str(tmp_path / "d"), "init", "--unit", "21484", "--passphrase-stdin"]) == 0
    key_file = tmp_path / "d" / "keys" / keys.COMMUNE_KEY_FILE
    assert kp.scheme_of(key_file.read_bytes()) == "passphrase"
    kp.set_session_passphrase(None)
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert run(["--data-dir", str(tmp_path / "e"), "init", "--unit", "21484", "--passphrase-stdin"]) == 2
    assert "ít nhất 8 ký tự" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "win32", reason="DPAPI exists only on Windows")
def test_real_dpapi_key_file_made_and_read_back(tmp_path):  # pragma: no cover - Windows CI
    """The key file holds the protected bytes verbatim: written in text mode (Windows' default
    for os.open), its "\\n" became "\\r\\n" and every new key read back as damaged."""
    made = keys.load_or_create(tmp_path)
    stored = (tmp_path / keys.COMMUNE_KEY_FILE).read_bytes()
    assert stored.startswith(kp.DPAPI_MAGIC) and b"\r\n" not in stored
    assert keys.load(tmp_path / keys.COMMUNE_KEY_FILE).fingerprint == made.fingerprint
