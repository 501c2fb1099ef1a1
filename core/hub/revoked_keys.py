"""A bundle signed with a device key the province has revoked: verified first, then refused as the unit's.

When the province revokes a device key (`hub revoke`), a bundle cut later with that key is
refused. The refusal used to come before the signature was checked, so it was counted like an
anonymous or forged upload; but a revoked PC that still sends is something the province wants to
see, by unit and device. So the key is still used to verify the bundle's signature
(`RevokedKey.verify`, called where any key is, `core.sync.keys.verify`):

- the signature matches: the unit's own PC sent it; refused with `RevokedKeyUsed`
  (reason `revoked_key`), logged in `rejections` under the unit as a verified refusal, the
  message naming the device and the key;
- it does not: `core.sync.keys.verify` raises SignatureInvalid as for any forged bundle —
  anonymous, so nobody can pin refusals on a unit by naming its revoked key's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import format_datetime_local
from core.sync.errors import RevokedKeyUsed


@dataclass(frozen=True)
class RevokedKey:
    """A revoked device key standing in for the public key that must have signed a bundle."""

    key: object  # Ed25519PublicKey
    fingerprint: str
    revoked_at: str
    device: str | None

    def verify(self, signature: bytes, data: bytes) -> None:
        """As Ed25519PublicKey.verify (InvalidSignature when it does not match), then, since it
        does, RevokedKeyUsed: the bundle is the unit's, and refused."""
        self.key.verify(signature, data)
        device = f"máy {self.device[:40]}" if self.device else "máy"
        raise RevokedKeyUsed(
            f"Gói do {device} ký bằng khóa (dấu vân tay {self.fingerprint}) mà tỉnh đã thu hồi lúc "
            f"{format_datetime_local(self.revoked_at)}, trước khi gói được tạo: máy này không còn được gửi "
            "dữ liệu lên tỉnh. Gói bị từ chối. Nếu máy vẫn dùng cho đơn vị, hãy in phiếu đăng ký khóa mới "
            "của máy và gửi tỉnh đăng ký.",
            details=f"fingerprint={self.fingerprint}, revoked_at={self.revoked_at}, device={self.device}")
