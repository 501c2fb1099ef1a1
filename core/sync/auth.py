"""Signed requests: how a commune proves who it is when it reads its inbox at the hub.

The request line, the unit code and the time are signed with the commune's
Ed25519 key; the hub checks the signature against the registered key and refuses
times more than MAX_SKEW away, so a copied request stops working quickly. Uploads
need no header: the bundle's own signature says who sent it.
"""

from __future__ import annotations

import base64
import binascii

from core.clock import now_utc, parse_utc, utc_iso
from core.sync import keys

HEADER_UNIT = "X-Motcua-Unit"
HEADER_TIME = "X-Motcua-Time"
HEADER_SIGNATURE = "X-Motcua-Signature"
MAX_SKEW_SECONDS = 15 * 60


def _message(method: str, path: str, unit: str, when: str) -> bytes:
    return f"motcua-v1\n{method.upper()}\n{path}\n{unit}\n{when}".encode("utf-8")


def sign_headers(pair: keys.KeyPair, unit: str, method: str, path: str) -> dict[str, str]:
    """`path` is the URL path with its query string, exactly as sent."""
    when = utc_iso()
    signature = pair.sign(_message(method, path, unit, when))
    return {HEADER_UNIT: unit, HEADER_TIME: when, HEADER_SIGNATURE: base64.b64encode(signature).decode("ascii")}


def check_headers(headers, method: str, path: str, key_for_unit) -> str:
    """The unit code the request proves, or raise SignatureInvalid / UnknownSender."""
    from core.sync.errors import SignatureInvalid, UnknownSender

    unit = headers.get(HEADER_UNIT) or ""
    when = headers.get(HEADER_TIME) or ""
    signature_text = headers.get(HEADER_SIGNATURE) or ""
    if not unit or not when or not signature_text:
        raise SignatureInvalid("Yêu cầu không có chữ ký của đơn vị.")
    try:
        moment = parse_utc(when)
        signature = base64.b64decode(signature_text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise SignatureInvalid("Chữ ký của yêu cầu bị hỏng.") from exc
    if abs((now_utc() - moment).total_seconds()) > MAX_SKEW_SECONDS:
        raise SignatureInvalid("Đồng hồ của máy xã lệch quá 15 phút so với máy chủ tỉnh. Hãy chỉnh giờ máy tính.")
    key = key_for_unit(unit)
    if key is None:
        raise UnknownSender(f"Đơn vị mã “{unit[:20]}” chưa được đăng ký tại tỉnh.")
    # A unit has one key per device (sync v2): the request is the unit's if any of them signed it.
    candidates = key if isinstance(key, list) else [key]
    for candidate in candidates[:-1]:
        try:
            keys.verify(candidate, signature, _message(method, path, unit, when), what="yêu cầu")
            return unit
        except SignatureInvalid:
            continue
    keys.verify(candidates[-1], signature, _message(method, path, unit, when), what="yêu cầu")
    return unit
