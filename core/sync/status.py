"""What the status bar asks of sync on every change: kept apart from the outbox module so
that asking does not load the bundle, signing and network code at start-up."""

from __future__ import annotations

STATE_LABELS = {
    "pending": "chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "acked": "tỉnh đã xác nhận",
    "error": "lỗi",
}
UNACKED = ("pending", "sending", "sent", "error")


def pending_bundle_count(store) -> int:
    """Bundles the province has not yet confirmed (for the status bar)."""
    return int(store.scalar(
        f"SELECT count(*) FROM sync_outbox WHERE state IN ({','.join('?' * len(UNACKED))})", UNACKED))
