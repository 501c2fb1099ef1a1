"""What the commune trusts about the hub before sending it anything.

- **https:// only**, except for addresses the province lists as its own LAN (`lan_hosts` in
  provision.json, kept in the `hub_lan_hosts` setting: host names, IP addresses or networks such
  as 10.20.0.0/16) and the machine itself (localhost, 127.0.0.0/8, ::1).
- **The province's fingerprint**: before the first upload of a sync, the fingerprint the hub
  announces at /api/v1/health must be the one of the province key pinned on this PC; otherwise
  the sync stops (a wrong address, or a machine posing as the hub).
- **Changing the pinned key** is shown as old and new fingerprints and must be confirmed
  (`key_change`; the Đồng bộ page asks).
"""

from __future__ import annotations

import ipaddress

from core.sync import keys
from core.sync.errors import SyncError

HUB_LAN_HOSTS = "hub_lan_hosts"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class ProvinceKeyMismatch(SyncError):
    reason = "province_key_mismatch"


def is_lan_host(host: str, lan_hosts) -> bool:
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        return True
    for entry in lan_hosts or ():
        entry = str(entry).strip().lower()
        if not entry:
            continue
        if "/" in entry and address is not None:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        elif entry == host:
            return True
    return False


def check_scheme(url, lan_hosts) -> None:
    """Raise unless the address is https://, or http:// to a LAN address the province listed."""
    if url.scheme == "https":
        return
    if url.scheme == "http" and is_lan_host(url.host, lan_hosts):
        return
    raise SyncError(
        "Địa chỉ máy chủ tỉnh phải dùng https:// để dữ liệu được mã hóa trên đường truyền. Chỉ các địa chỉ trong "
        "mạng nội bộ do tỉnh liệt kê (mục lan_hosts của tệp thiết lập provision.json) mới được dùng http://.",
        details=str(url), reason="insecure_url")


def lan_hosts(store) -> list[str]:
    from db.settings import get_setting

    value = get_setting(store, HUB_LAN_HOSTS) or []
    return [str(v) for v in value] if isinstance(value, list) else []


def check_lan_hosts(value) -> list[str]:
    """The province's list as given in provision.json: strings, each a host, an address or a network."""
    from core.errors import UserInputError

    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UserInputError("Mục lan_hosts phải là danh sách tên máy hoặc địa chỉ, ví dụ [\"10.20.0.0/16\"].")
    out = []
    for v in value:
        v = v.strip()
        if "/" in v:
            try:
                ipaddress.ip_network(v, strict=False)
            except ValueError:
                raise UserInputError(f"Mạng “{v}” trong lan_hosts không hợp lệ.") from None
        out.append(v)
    return out


def check_province_fingerprint(health: dict, pinned) -> None:
    """Stop when the hub's announced province fingerprint is not the pinned key's."""
    expected = keys.fingerprint(pinned)
    announced = str((health or {}).get("province_fingerprint") or "")
    if announced != expected:
        raise ProvinceKeyMismatch(
            "Máy chủ trả lời không mang khóa của tỉnh đã lưu trên máy này, nên phần mềm dừng, không gửi dữ liệu. "
            f"Dấu vân tay khóa đã lưu: {expected}; máy chủ báo: {announced or '(không có)'}. "
            "Kiểm tra lại địa chỉ máy chủ, hoặc hỏi bộ phận kỹ thuật của tỉnh nếu tỉnh đã đổi khóa.",
            details=f"expected {expected}, hub announced {announced!r}")


def key_change(current_text: str | None, new_text: str) -> tuple[str, str] | None:
    """(old fingerprint, new fingerprint) when `new_text` would replace a different pinned key, else None."""
    new = keys.parse_public_key(new_text)
    if not current_text:
        return None
    old = keys.parse_public_key(current_text)
    if keys.public_key_text(old) == keys.public_key_text(new):
        return None
    return keys.fingerprint(old), keys.fingerprint(new)
