"""Ed25519 keys: the commune's own key pair, the pinned province key, fingerprints.

The private key is a PKCS#8 PEM in the data folder's `keys/` (owner-only permissions
where the OS supports them), protected at rest by `core.sync.key_protection` (DPAPI on
Windows, a passphrase in portable mode), and never leaves it: bundles carry only
a signature. Public keys travel as base64 of the 32 raw bytes (44 characters),
short enough to type from the registration sheet; the fingerprint is the first
8 bytes of its SHA-256 in four hex groups, for reading aloud over the phone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core import durable
from core.sync import key_protection
from core.fileio import replace_file
from core.sync.errors import SignatureInvalid, SyncKeyError

COMMUNE_KEY_FILE = "commune_ed25519.pem"
PROVINCE_KEY_FILE = "province_ed25519.pem"


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey
    path: Path

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_text(self) -> str:
        return public_key_text(self.public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key typed or pasted by a person: base64 of 32 bytes, spaces and line breaks ignored."""
    cleaned = "".join((text or "").split())
    if cleaned.lower().startswith("ed25519:"):
        cleaned = cleaned[len("ed25519:"):]
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SyncKeyError("Khóa công khai không hợp lệ: phải là 44 ký tự base64 như in trên phiếu đăng ký.",
                           details=f"got {len(cleaned)} characters")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PublicKey | str) -> str:
    if isinstance(key, str):
        key = parse_public_key(key)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def verify(key: Ed25519PublicKey, signature: bytes, data: bytes, *, what: str = "gói dữ liệu") -> None:
    try:
        key.verify(signature, data)
    except InvalidSignature as exc:
        raise SignatureInvalid(f"Chữ ký của {what} không đúng: tệp đã bị sửa hoặc không do bên gửi đã đăng ký ký.",
                               details="Ed25519 verification failed") from exc


def load_or_create(keys_dir: Path, file_name: str = COMMUNE_KEY_FILE) -> KeyPair:
    """The key pair in `keys_dir`, created on first use (O_EXCL, so two processes cannot both make one)."""
    path = Path(keys_dir) / file_name
    if path.exists():
        return load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = key_protection.protect(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    tmp = path.with_suffix(".tmp")
    # O_BINARY: Windows opens in text mode by default and would write the protected key's "\n" as
    # "\r\n", so the DPAPI header no longer matched and the new key read back as damaged.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, flags, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails if another process won the race; then its key is the one.
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # file systems without hard links (FAT USB sticks)
        if not path.exists():
            replace_file(tmp, path)
    tmp.unlink(missing_ok=True)
    _restrict(path)
    return load(path)


def load(path: Path) -> KeyPair:
    try:
        stored = Path(path).read_bytes()
        pem = key_protection.unprotect(stored)
        key = serialization.load_pem_private_key(pem, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SyncKeyError(f"Không đọc được tệp khóa “{path}”. Tệp bị hỏng hoặc không phải khóa của phần mềm.",
                           details=repr(exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SyncKeyError(f"Tệp khóa “{path}” không phải khóa Ed25519.")
    if key_protection.upgrade_needed(stored):  # a plain PEM from before: protect it now
        durable.write_bytes_atomic(Path(path), key_protection.protect(pem))
    return KeyPair(key, Path(path))


def _restrict(path: Path) -> None:
    try:
        os.chmod(path, 0o600)
        os.chmod(path.parent, 0o700)
    except OSError:  # Windows: ACLs of the user profile already keep other users out
        pass
