"""The hub client: the office's system proxy is used, retries back off, refusals are not retried."""

from __future__ import annotations

import http.server
import json
import threading

import httpx
import pytest

from core.sync import keys
from core.sync.client import HubClient, RetryPolicy, normalise_hub_url
from core.sync.errors import HubRefused, HubUnreachable, SyncError


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy stand-in: records the absolute request line, answers like the hub."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server API
        type(self).seen.append(self.requestline)
        body = json.dumps({"service": "motcua-hub", "api": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_system_proxy_from_the_environment_is_used(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with HubClient("http://dongbo.quangngai.example", unit="21484", lan_hosts=["dongbo.quangngai.example"],
                       keypair=keys.load_or_create(tmp_path)) as client:
            assert client.health()["service"] == "motcua-hub"
        assert _RecordingProxy.seen == ["GET http://dongbo.quangngai.example/api/v1/health HTTP/1.1"]
    finally:
        server.shutdown()


def test_retries_back_off_then_give_up_with_a_vietnamese_message(tmp_path):
    calls, sleeps = [], []

    def flaky(request):
        calls.append(request.url.path)
        return httpx.Response(503, text="bảo trì")

    client = HubClient("https://hub.example", unit="21484", keypair=keys.load_or_create(tmp_path),
                       retry=RetryPolicy(attempts=4, base=1.0, cap=3.0), transport=httpx.MockTransport(flaky),
                       sleep=sleeps.append)
    with pytest.raises(HubUnreachable) as err:
        client.upload(b"x")
    assert len(calls) == 4 and len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0 and 1.5 <= sleeps[2] <= 3.0
    assert "sự cố" in err.value.message


def test_a_refusal_is_not_retried(tmp_path):
    calls = []

    def refuse(request):
        calls.append(1)
        return httpx.Response(422, json={"status": "rejected", "reason": "unknown_sender",
                                         "message": "Đơn vị chưa được đăng ký."})

    client = HubClient("https://hub.example", unit="21484", keypair=keys.load_or_create(tmp_path),
                       transport=httpx.MockTransport(refuse), sleep=lambda s: None)
    with pytest.raises(HubRefused) as err:
        client.upload(b"x")
    assert calls == [1] and err.value.reason == "unknown_sender" and "chưa được đăng ký" in err.value.message


@pytest.mark.parametrize("url", ["", "dongbo.quangngai.gov.vn", "ftp://x", "http://"])
def test_bad_hub_addresses(url):
    with pytest.raises(SyncError) as err:
        normalise_hub_url(url)
    assert "Địa chỉ máy chủ tỉnh" in err.value.message
