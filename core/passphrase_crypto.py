"""Encryption with a passphrase: scrypt for the key, AES-256-GCM for the data (`cryptography`).

Two shapes:
- `seal`/`unseal` for a small secret (the signing key in portable mode): one JSON line of
  parameters, then the ciphertext in base64;
- `encrypt_stream`/`decrypt_stream` for a file of any size (a backup): a header line, then
  chunks of at most 1 MiB, each sealed with its own nonce (a random prefix, the chunk's number,
  a last-chunk flag) and the header as associated data, so a reordered, cut or altered file
  is refused, never half-read.

A wrong passphrase and a tampered file look the same to AES-GCM: both raise `WrongPassphrase`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import BinaryIO

from core.errors import UserInputError

STREAM_MAGIC = b"MOTCUA-ENCRYPTED 1\n"
SEAL_MAGIC = b"MOTCUA-SEALED 1\n"
CHUNK = 1024 * 1024
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1  # ~32 MiB and ~0.1 s per derivation
MIN_PASSPHRASE = 8


class WrongPassphrase(UserInputError):
    pass


class PassphraseTooShort(UserInputError):
    pass


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise PassphraseTooShort(f"Cụm mật khẩu phải có ít nhất {MIN_PASSPHRASE} ký tự.")
    return passphrase


def derive_key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if not (2 ** 10 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):  # a crafted file must not exhaust memory
        raise WrongPassphrase("Tệp mã hóa có tham số không hợp lệ.")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _wrong(exc: Exception | None = None) -> WrongPassphrase:
    return WrongPassphrase("Cụm mật khẩu không đúng, hoặc tệp đã bị sửa hay bị cắt.",
                           details=repr(exc) if exc else None)


# -- a small secret ---------------------------------------------------------------------

def seal(secret: bytes, passphrase: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    header = json.dumps({"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                         "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode(),
                         "cipher": "AES-256-GCM"}, sort_keys=True).encode() + b"\n"
    sealed = AESGCM(derive_key(passphrase, salt)).encrypt(nonce, secret, SEAL_MAGIC + header)
    return SEAL_MAGIC + header + base64.b64encode(sealed) + b"\n"


def is_sealed(data: bytes) -> bool:
    return data.startswith(SEAL_MAGIC)


def unseal(data: bytes, passphrase: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        header, body = data[len(SEAL_MAGIC):].split(b"\n", 1)
        params = json.loads(header)
        key = derive_key(passphrase, base64.b64decode(params["salt"]), params["n"], params["r"], params["p"])
        return AESGCM(key).decrypt(base64.b64decode(params["nonce"]), base64.b64decode(body.strip()),
                                   SEAL_MAGIC + header + b"\n")
    except InvalidTag as exc:
        raise _wrong(exc) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise _wrong(exc) from exc


# -- a file ---------------------------------------------------------------------------------

def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, passphrase: str) -> str:
    """Encrypt `src` into `dst`; returns the SHA-256 of the plaintext (to verify the copy)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, prefix = os.urandom(16), os.urandom(7)
    header = STREAM_MAGIC + json.dumps({"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                                        "salt": base64.b64encode(salt).decode(),
                                        "nonce_prefix": base64.b64encode(prefix).decode(),
                                        "chunk": CHUNK, "cipher": "AES-256-GCM"}, sort_keys=True).encode() + b"\n"
    aes = AESGCM(derive_key(passphrase, salt))
    dst.write(header)
    digest = hashlib.sha256()
    index = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK) if chunk else b""
        last = not following
        digest.update(chunk)
        sealed = aes.encrypt(_nonce(prefix, index, last), chunk, header)
        dst.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            break
        chunk, index = following, index + 1
    return digest.hexdigest()


def is_encrypted_file(path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(STREAM_MAGIC)) == STREAM_MAGIC
    except OSError:
        return False


def decrypt_stream(src: BinaryIO, dst: BinaryIO | None, passphrase: str) -> str:
    """Decrypt `src` into `dst` (None: only check); returns the SHA-256 of the plaintext."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if src.read(len(STREAM_MAGIC)) != STREAM_MAGIC:
        raise WrongPassphrase("Tệp này không phải bản sao lưu mã hóa của phần mềm.")
    line = src.readline(4096)
    header = STREAM_MAGIC + line
    try:
        params = json.loads(line)
        aes = AESGCM(derive_key(passphrase, base64.b64decode(params["salt"]), params["n"], params["r"], params["p"]))
        prefix = base64.b64decode(params["nonce_prefix"])
        limit = int(params["chunk"]) + 16
    except (ValueError, KeyError, TypeError) as exc:
        raise _wrong(exc) from exc
    digest = hashlib.sha256()
    index = 0
    while True:
        size_bytes = src.read(4)
        if len(size_bytes) != 4:
            raise _wrong()  # cut before the last chunk
        (size,) = struct.unpack(">I", size_bytes)
        sealed = src.read(size)
        if size > limit or len(sealed) != size:
            raise _wrong()
        try:  # the flag in the nonce says whether this is the last chunk: a cut file never ends "last"
            plain, last = aes.decrypt(_nonce(prefix, index, False), sealed, header), False
        except InvalidTag:
            try:
                plain, last = aes.decrypt(_nonce(prefix, index, True), sealed, header), True
            except InvalidTag as exc:
                raise _wrong(exc) from exc
        digest.update(plain)
        if dst is not None:
            dst.write(plain)
        if last:
            if src.read(1):
                raise _wrong()  # something after the last chunk
            return digest.hexdigest()
        index += 1
