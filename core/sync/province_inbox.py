"""The commune's inbox cursor over the province sequence: it moves only past what was verified.

Every province bundle the hub queues for this unit carries a number in its signed manifest
(`province_seq`: 1, 2, 3 … for this unit; core/hub/sequence.py). The cursor (setting
SEQ_CURSOR) is the highest N such that bundles 1 … N have all been received, their signature
checked and applied. A bundle that arrives before an earlier one (a USB stick, a page cut
short) is applied and remembered in SEQ_AHEAD; the cursor passes it once the gap before it is
filled. Nothing unsigned moves the cursor: the `/inbox` listing is asked for with a fresh nonce
and must come back signed by the pinned province key, echoing that nonce, the unit and the
position asked for. So a tampered listing (an `id` of 10^12, an entry left out, an old listing
replayed) can delay a bundle — it is reported as missing — but never makes the commune skip it.

A workspace from before the province sequence upgrades by itself: its cursor starts at 0, and
the signed listing's (number, bundle id) pairs mark the bundles already in `sync_inbox` as
received without fetching them again.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import uuid

from core.sync import identity, inbox, keys
from core.sync.errors import BundleDamaged, BundleRejected, HubRefused, HubUnreachable, SyncError, SyncKeyError
from db.settings import get_setting, set_setting
from db.store import Store

FIELD = "province_seq"
LISTING_FORMAT = "motcua-inbox-listing"
SEQ_CURSOR = "sync_province_seq"
SEQ_AHEAD = "sync_province_seq_ahead"
PAGE = 100


class ListingRejected(BundleRejected):
    """An /inbox answer that is not the province's signed answer to this request."""

    reason = "bad_listing"


def manifest_seq(manifest: dict) -> int | None:
    """The bundle's province sequence number, None for a bundle without one (an ack, an older hub)."""
    if manifest.get("kind") != "province" or FIELD not in manifest:
        return None
    value = manifest[FIELD]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BundleDamaged("Bản kê của gói ghi số thứ tự của tỉnh (province_seq) không hợp lệ.")
    return value


def cursor(store: Store) -> int:
    return int(get_setting(store, SEQ_CURSOR, 0) or 0)


def ahead(store: Store) -> list[int]:
    return [int(n) for n in (get_setting(store, SEQ_AHEAD, []) or [])]


def note_received(store: Store, seq: int | None) -> None:
    """Bundle `seq` is received, verified and applied: move the cursor over every number now
    complete. Call inside the transaction that records the bundle in sync_inbox."""
    if seq is None:
        return
    current = cursor(store)
    if seq <= current:
        return
    early = set(ahead(store)) | {seq}
    while current + 1 in early:
        current += 1
        early.discard(current)
    set_setting(store, SEQ_CURSOR, current)
    set_setting(store, SEQ_AHEAD, sorted(early))


def missing(store: Store, head_seq: int) -> list[list[int]]:
    """Ranges [first, last] of numbers up to `head_seq` not yet received."""
    have = set(ahead(store))
    gaps: list[list[int]] = []
    for n in range(cursor(store) + 1, head_seq + 1):
        if n in have:
            continue
        if gaps and gaps[-1][1] == n - 1:
            gaps[-1][1] = n
        else:
            gaps.append([n, n])
    return gaps


def verify_listing(store: Store, answer: dict, *, unit: str, after_seq: int, nonce: str) -> dict:
    """The listing the province signed for exactly this request, or ListingRejected."""
    text, signature = answer.get("listing") if isinstance(answer, dict) else None, \
        answer.get("listing_signature") if isinstance(answer, dict) else None
    if not isinstance(text, str) or not isinstance(signature, str):
        raise ListingRejected("Máy chủ tỉnh trả danh sách gói không có chữ ký của tỉnh (máy chủ cần cập nhật "
                              "phần mềm, hoặc câu trả lời đã bị sửa trên đường truyền). Chưa nhận gói nào theo "
                              "danh sách này.")
    try:
        check_signature(store, base64.b64decode(signature, validate=True), text.encode("utf-8"))
        listing = json.loads(text)
    except (binascii.Error, ValueError) as exc:
        raise ListingRejected("Danh sách gói của tỉnh bị hỏng.", details=repr(exc)) from exc
    if not isinstance(listing, dict) or listing.get("format") != LISTING_FORMAT or listing.get("unit") != unit \
            or listing.get("nonce") != nonce or listing.get("after_seq") != after_seq:
        raise ListingRejected("Danh sách gói của tỉnh không phải câu trả lời cho yêu cầu này (có thể bị phát lại). "
                              "Chưa nhận gói nào theo danh sách này.")
    head_seq, entries = listing.get("head_seq"), listing.get("bundles")
    if not _is_count(head_seq) or not isinstance(entries, list):
        raise ListingRejected("Danh sách gói của tỉnh không đúng dạng.")
    previous = after_seq
    for entry in entries:
        if not isinstance(entry, dict) or not _is_count(entry.get("seq")) or not previous < entry["seq"] <= head_seq \
                or not _is_uuid(entry.get("bundle_id")):
            raise ListingRejected("Danh sách gói của tỉnh không đúng dạng.")
        previous = entry["seq"]
    return listing


def check_signature(store: Store, signature: bytes, data: bytes) -> None:
    """The listing's bytes signed by the province key this workspace pinned (raises SignatureInvalid)."""
    keys.verify(identity.province_key(store), signature, data, what="danh sách gói")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
        return True
    except (TypeError, ValueError, AttributeError):
        return False


def fetch_all(store: Store, paths, client, summary, report) -> None:
    """Fetch and apply every province bundle this unit has not received, page by page; report
    (in summary.errors) any number still missing at the end. One bundle that fails does not stop
    the others: the cursor waits before it and the next sync asks for it again."""
    unit = identity.own_unit_code(store)
    nonce = secrets.token_urlsafe(24)
    after = cursor(store)
    head_seq = after
    while True:
        try:
            listing = verify_listing(store, client.inbox_listing(after, nonce), unit=unit, after_seq=after,
                                     nonce=nonce)
        except (HubRefused, HubUnreachable, BundleRejected, SyncKeyError) as exc:
            summary.errors.append(exc.message)
            return
        head_seq = max(head_seq, listing["head_seq"])
        entries = listing["bundles"]
        for number, entry in enumerate(entries, start=1):
            report(number - 1, len(entries), f"Đang nhận gói {number}/{len(entries)} từ tỉnh…")
            _receive(store, paths, client, summary, entry)
        if len(entries) < PAGE or not entries:
            break
        after = entries[-1]["seq"]
    gaps = missing(store, head_seq)
    if gaps:
        summary.errors.append("Chưa nhận đủ các gói tỉnh gửi: còn thiếu gói số "
                              + ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in gaps)
                              + ". Sẽ nhận lại ở lần đồng bộ sau.")


def _receive(store: Store, paths, client, summary, entry: dict) -> None:
    seq, bundle_id = entry["seq"], entry["bundle_id"]
    if seq <= cursor(store) or seq in ahead(store):
        return
    if store.scalar("SELECT 1 FROM sync_inbox WHERE bundle_id = ?", (bundle_id,)):
        # Applied before (e.g. by a version that had no sequence): the signed listing says its number.
        with store.transaction():
            note_received(store, seq)
        return
    try:
        data = client.fetch(bundle_id)
        result = inbox.import_bundle_bytes(store, paths, data, via="network", listed_seq=seq)
    except (HubRefused, HubUnreachable, BundleRejected, SyncKeyError, SyncError) as exc:
        summary.errors.append(f"Chưa nhận được gói số {seq} của tỉnh: {exc.message}")
        return
    summary.received += result.status == "applied"
    summary.changed_tables.update(result.counts)
