"""The unit's signing key at rest: bound to the Windows user, or locked with a passphrase.

`protect(private_key_bytes)` gives the bytes to write in the key file, `unprotect(data)`
the key back. The scheme is chosen by where the app runs (`default_scheme`):
- Windows (installed): DPAPI for the current user (CryptProtectData through ctypes, no extra
  dependency): a copied `keys` folder is useless on another PC or to another Windows user;
- portable mode (a USB stick): the key sealed with a passphrase chosen at setup (scrypt +
  AES-GCM, `core.passphrase_crypto`); the passphrase is asked once per working session, when
  something must be signed, and kept in this process only (`set_session_passphrase`);
- elsewhere (Linux, the hub's server): the PEM as it is, in an owner-only (0600) file.

Key files written by earlier versions (a plain PEM) are still read; `upgrade_needed` tells
the caller to write them again protected. Nothing here imports Qt.
"""

from __future__ import annotations

import base64
import os
import sys

from core import passphrase_crypto
from core.sync.errors import SyncKeyError

DPAPI_MAGIC = b"MOTCUA-DPAPI 1\n"
_ENTROPY = b"mot-cua-xa signing key"  # extra input to DPAPI: another program of the same user needs it too
_session_passphrase: str | None = None


class PassphraseRequired(SyncKeyError):
    """The key is sealed with a passphrase and none was given in this session."""

    def __init__(self, message: str | None = None, *, choose: bool = False):
        super().__init__(message or ("Khóa ký của đơn vị được khóa bằng cụm mật khẩu (chế độ di động). "
                                     "Hãy nhập cụm mật khẩu để ký gói dữ liệu."))
        self.choose = choose  # True: a new passphrase must be chosen (setup), not an existing one typed


def set_session_passphrase(passphrase: str | None) -> None:
    global _session_passphrase
    _session_passphrase = passphrase or None


def session_passphrase() -> str | None:
    return _session_passphrase


def default_scheme() -> str:
    from core.paths import is_portable

    if is_portable():
        return "passphrase"
    if sys.platform == "win32":
        return "dpapi"
    return "plain"


def scheme_of(data: bytes) -> str:
    if data.startswith(DPAPI_MAGIC):
        return "dpapi"
    if passphrase_crypto.is_sealed(data):
        return "passphrase"
    return "plain"


def protect(private_key_bytes: bytes, scheme: str | None = None) -> bytes:
    scheme = scheme or default_scheme()
    if scheme == "plain":
        return private_key_bytes
    if scheme == "dpapi":
        return DPAPI_MAGIC + base64.b64encode(_dpapi(private_key_bytes, protect=True)) + b"\n"
    if scheme == "passphrase":
        if not _session_passphrase:
            raise PassphraseRequired("Ở chế độ di động, khóa ký phải được khóa bằng cụm mật khẩu: hãy chọn "
                                     "một cụm mật khẩu (ít nhất 8 ký tự) và ghi nhớ nó.", choose=True)
        return passphrase_crypto.seal(private_key_bytes, _session_passphrase)
    raise ValueError(f"unknown key protection scheme {scheme!r}")


def unprotect(data: bytes) -> bytes:
    scheme = scheme_of(data)
    if scheme == "plain":
        return data
    if scheme == "dpapi":
        return _dpapi(base64.b64decode(data[len(DPAPI_MAGIC):].strip()), protect=False)
    if not _session_passphrase:
        raise PassphraseRequired()
    try:
        return passphrase_crypto.unseal(data, _session_passphrase)
    except passphrase_crypto.WrongPassphrase:
        set_session_passphrase(None)  # ask again next time
        raise


def upgrade_needed(data: bytes) -> bool:
    """A key file weaker than this machine's scheme (a plain PEM on Windows or on a USB stick)."""
    wanted = default_scheme()
    return scheme_of(data) == "plain" and wanted != "plain" and (wanted != "passphrase" or bool(_session_passphrase))


# -- Windows DPAPI --------------------------------------------------------------------------

def _dpapi(data: bytes, *, protect: bool) -> bytes:
    if sys.platform != "win32":
        raise SyncKeyError("Tệp khóa này được bảo vệ cho một người dùng Windows; không mở được trên máy này.",
                           details="DPAPI is Windows-only")
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    def blob(raw: bytes) -> Blob:
        buffer = ctypes.create_string_buffer(raw, len(raw))
        return Blob(len(raw), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))

    crypt32, kernel32 = ctypes.windll.crypt32, ctypes.windll.kernel32
    CRYPTPROTECT_UI_FORBIDDEN = 0x01
    source, entropy, out = blob(data), blob(_ENTROPY), Blob()
    call = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
    ok = call(ctypes.byref(source), None, ctypes.byref(entropy), None, None, CRYPTPROTECT_UI_FORBIDDEN,
              ctypes.byref(out))
    if not ok:
        code = ctypes.GetLastError()
        raise SyncKeyError("Không mở được khóa ký: tệp khóa được bảo vệ cho người dùng Windows khác hoặc máy "
                           "khác (có thể đã bị sao chép sang đây).", details=f"DPAPI error {code}")
    try:
        return ctypes.string_at(out.pbData, out.cbData)
    finally:
        kernel32.LocalFree(out.pbData)


def _self_test() -> None:  # pragma: no cover - run by hand on Windows: python -m core.sync.key_protection
    secret = os.urandom(48)
    assert _dpapi(_dpapi(secret, protect=True), protect=False) == secret
    print("DPAPI round trip ok")


if __name__ == "__main__":  # pragma: no cover
    _self_test()
