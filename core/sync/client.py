"""Talking to the province hub over HTTP(S) with httpx.

`trust_env=True` makes httpx use the office's system proxy (HTTPS_PROXY / the
Windows settings) and its CA bundle settings. Every call is retried on network
failures and 5xx with exponential backoff, jitter and a cap; a 4xx is the hub
refusing and is not retried. `health()` insists on the hub's own JSON, because a
captive portal or a proxy login page answers 200 too.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

import httpx

from core import __version__
from core.sync import auth, keys
from core.sync.errors import HubRefused, HubUnreachable, SyncError

API = "/api/v1"
SERVICE = "motcua-hub"


def normalise_hub_url(text: str, lan_hosts=()) -> str:
    """The address as stored; https:// unless the host is one the province lists as LAN (core.sync.hub_trust)."""
    url = (text or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SyncError("Địa chỉ máy chủ tỉnh phải bắt đầu bằng https:// (hoặc http:// trong mạng nội bộ).",
                        reason="bad_url")
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # noqa: BLE001 - httpx raises several types for bad URLs
        raise SyncError(f"Địa chỉ máy chủ tỉnh “{url}” không hợp lệ.", details=repr(exc), reason="bad_url") from exc
    if not parsed.host:
        raise SyncError(f"Địa chỉ máy chủ tỉnh “{url}” thiếu tên máy.", reason="bad_url")
    from core.sync.hub_trust import check_scheme

    check_scheme(parsed, lan_hosts)
    return url


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return (rng or random).uniform(ceiling / 2, ceiling)


UNREACHABLE = ("Không kết nối được máy chủ của tỉnh. Kiểm tra mạng (hoặc mạng truyền số liệu chuyên dùng); "
               "các gói vẫn nằm trong hàng chờ và sẽ được gửi lại tự động.")


class HubClient:
    def __init__(self, base_url: str, *, unit: str, keypair: keys.KeyPair, timeout: float = 30.0,
                 retry: RetryPolicy = RetryPolicy(), transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, lan_hosts=()):
        self.base_url = normalise_hub_url(base_url, lan_hosts)
        self.unit = unit
        self.keypair = keypair
        self.retry = retry
        self.sleep = sleep
        self.http = httpx.Client(base_url=self.base_url, trust_env=True, transport=transport,
                                 timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                 headers={"User-Agent": f"motcua-xa/{__version__}"})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------
    def health(self) -> dict:
        response = self._request("GET", f"{API}/health", retries=False)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("service") != SERVICE:
            raise HubUnreachable(
                "Địa chỉ máy chủ trả lời nhưng không phải máy chủ đồng bộ của tỉnh (có thể mạng đang yêu cầu "
                "đăng nhập, hoặc địa chỉ sai). Kiểm tra lại mạng và địa chỉ trong Cài đặt.",
                details=response.text[:300])
        return body

    def upload(self, data: bytes) -> dict:
        response = self._request("POST", f"{API}/bundles", content=data,
                                 headers={"Content-Type": "application/zip"})
        return response.json()

    def inbox(self, after: int) -> list[dict]:
        path = f"{API}/inbox?after={int(after)}"
        return self._request("GET", path, signed=True).json()["bundles"]

    def inbox_listing(self, after_seq: int, nonce: str) -> dict:
        """The province-signed listing of bundles numbered after `after_seq` (core.sync.province_inbox)."""
        return self._request("GET", f"{API}/inbox?after_seq={int(after_seq)}&nonce={nonce}", signed=True).json()

    def fetch(self, bundle_id: str) -> bytes:
        return self._request("GET", f"{API}/inbox/{bundle_id}", signed=True).content

    def ack(self, devices: list[str] | None = None) -> dict:
        path = f"{API}/ack" + (f"?devices={','.join(devices)}" if devices else "")
        return self._request("GET", path, signed=True).json()

    def unit_rows(self, after: int) -> bytes:
        """A `rows` bundle: the unit's rows the hub wrote after `after` (core.hub.unit_rows)."""
        return self._request("GET", f"{API}/rows?after={int(after)}", signed=True).content

    def conflicts(self, after: int) -> list[dict]:
        return self._request("GET", f"{API}/conflicts?after={int(after)}", signed=True).json()["conflicts"]

    # -- plumbing ---------------------------------------------------------------------
    def _request(self, method: str, path: str, *, signed: bool = False, retries: bool = True,
                 **kwargs) -> httpx.Response:
        attempts = self.retry.attempts if retries else 1
        base_headers = dict(kwargs.pop("headers", None) or {})
        last: Exception | None = None
        for attempt in range(1, attempts + 1):
            headers = dict(base_headers)
            if signed:  # fresh time and signature on every try
                headers.update(auth.sign_headers(self.keypair, self.unit, method, path))
            try:
                response = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                last = exc
            else:
                if response.status_code < 400:
                    return response
                if response.status_code < 500 and response.status_code not in (408, 429):
                    raise _refused(response)
                last = HubUnreachable(f"Máy chủ tỉnh đang gặp sự cố (mã {response.status_code}).",
                                      details=response.text[:300])
            if attempt < attempts:
                self.sleep(self.retry.delay(attempt))
        if isinstance(last, HubUnreachable):
            raise last
        raise HubUnreachable(UNREACHABLE, details=repr(last)) from last


def _refused(response: httpx.Response) -> HubRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail", body) if isinstance(body, dict) else {}
    if not isinstance(detail, dict):
        detail = {}
    message = detail.get("message") or f"Máy chủ tỉnh từ chối yêu cầu (mã {response.status_code})."
    return HubRefused(message, details=response.text[:500], reason=detail.get("reason") or "refused")
