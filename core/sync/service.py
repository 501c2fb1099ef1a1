"""One sync run of a commune: cut new changes, send the outbox, read the acknowledgements,
fetch what the province has for this unit.

Used by `python main.py sync` and by the Đồng bộ page (on a worker thread, with its
own Store). A run that loses the network half-way leaves every bundle in a state
from which the next run simply continues: the hub answers "duplicate" for what it
already has, and acknowledgements are signed by the province, so nobody else can
mark a bundle as confirmed.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from typing import Callable

from core.clock import utc_iso
from core.paths import AppPaths
from core.sync import identity, inbox, keys, outbox, province_inbox
from core.sync.client import HubClient, RetryPolicy
from core.sync.errors import BundleRejected, HubRefused, HubUnreachable, SyncError, SyncKeyError
from db.settings import get_setting, set_setting
from db.store import Store

log = logging.getLogger(__name__)

INBOX_CURSOR = "sync_inbox_cursor"  # by hub listing id: before the province sequence (unused since)
INBOX_PAGE = 100  # the hub's default page size for /inbox
Report = Callable[[int, int, str], None]


@dataclass
class SyncSummary:
    cut: outbox.CutResult | None = None
    sent: int = 0
    duplicates: int = 0
    acknowledged: int = 0
    received: int = 0
    pulled: int = 0  # rows of the unit's other devices written here
    missing: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    changed_tables: set[str] = field(default_factory=set)  # local tables written by received bundles

    def as_json(self) -> dict:
        return {"new_bundle": self.cut.as_json() if self.cut else None, "sent": self.sent,
                "duplicates": self.duplicates, "acknowledged": self.acknowledged, "received": self.received,
                "pulled": self.pulled,
                "missing": self.missing, "errors": self.errors}

    def lines(self) -> list[str]:
        """Plain sentences for people: what happened, then each distinct problem once."""
        out = []
        if self.errors:
            out.append("Chưa đồng bộ xong với tỉnh.")
        parts = []
        if self.sent:
            parts.append(f"đã gửi {self.sent} gói" + (f" ({self.duplicates} gói tỉnh đã có từ trước)"
                                                      if self.duplicates else ""))
        if self.acknowledged:
            parts.append(f"tỉnh đã xác nhận {self.acknowledged} gói")
        if self.received:
            parts.append(f"đã nhận {self.received} gói từ tỉnh")
        if self.pulled:
            parts.append(f"đã nhận {self.pulled} bản ghi từ các máy khác của đơn vị")
        if parts:
            text = ", ".join(parts)
            out.append(text[0].upper() + text[1:] + ".")
        elif not self.errors:
            out.append("Đã đồng bộ: không có gói mới cần gửi hay nhận.")
        if self.missing:
            out.append("Tỉnh báo còn thiếu các gói số: "
                       + ", ".join(f"{a}–{b}" for a, b in self.missing) + ".")
        seen = set()
        for error in self.errors:
            if error not in seen:
                seen.add(error)
                out.append(error)
        return out


def make_client(store: Store, paths: AppPaths, **kwargs) -> HubClient:
    url = identity.hub_url(store)
    if not url:
        raise SyncError("Chưa có địa chỉ máy chủ của tỉnh. Nhập địa chỉ trong Cài đặt (hoặc "
                        "“python main.py init --unit MÃ --hub https://…”).", reason="no_hub")
    from core.sync.hub_trust import lan_hosts

    return HubClient(url, unit=identity.own_unit_code(store), keypair=identity.commune_keypair(paths, store),
                     lan_hosts=lan_hosts(store), **kwargs)


def sync_now(store: Store, paths: AppPaths, *, force: bool = True, client: HubClient | None = None,
             report: Report | None = None, retry: RetryPolicy | None = None, timeout: float = 30.0) -> SyncSummary:
    report = report or (lambda done, total, text: None)
    summary = SyncSummary()
    summary.cut = outbox.cut_pending(store, paths)
    own_client = client is None
    if client is None:
        client = make_client(store, paths, timeout=timeout, **({"retry": retry} if retry else {}))
    try:
        report(0, 1, "Đang kiểm tra kết nối tới máy chủ tỉnh…")
        health = client.health()
        # Before anything is sent: the hub must carry the province key pinned on this PC.
        from core.sync.hub_trust import check_province_fingerprint

        check_province_fingerprint(health, identity.province_key(store))
        refused = _send_outbox(store, paths, client, summary, force, report)
        if not refused:
            _fetch_inbox(store, paths, client, summary, report)
        if not refused and not summary.errors:
            if _pull_unit_rows(store, paths, client, summary, report):
                # Merging the same key entered on two PCs made changes of our own: send them now.
                more = outbox.cut_pending(store, paths)
                if more.path is not None:
                    _send_outbox(store, paths, client, summary, force, report)
        if not summary.errors:
            _refresh_ack(store, client, summary)
    finally:
        if own_client:
            client.close()
    outbox.sweep(store, paths)
    if not summary.errors:
        set_setting(store, outbox.LAST_SUCCESS, utc_iso())
    return summary


def _send_outbox(store, paths, client, summary, force, report) -> bool:
    """Send due bundles; True when the hub refused this unit (e.g. not registered) or went away."""
    todo = outbox.bundles_to_send(store, force=force)
    stopped = False
    for number, row in enumerate(todo, start=1):
        report(number - 1, len(todo), f"Đang gửi gói {number}/{len(todo)}…")
        path = outbox.bundle_path(paths, row)
        if not path.exists():
            outbox.mark_error(store, row["bundle_id"], "Tệp gói đã bị mất khỏi thư mục hàng chờ.", "file_missing")
            summary.errors.append(f"Tệp của gói {row['bundle_id'][:8]} đã bị mất.")
            continue
        outbox.mark_sending(store, row["bundle_id"])
        try:
            answer = client.upload(path.read_bytes())
        except HubRefused as exc:
            # The hub read it and said no (not registered, damaged…): retry in an hour, not in a loop.
            outbox.mark_error(store, row["bundle_id"], exc.message, exc.reason, retry_in=3600)
            summary.errors.append(exc.message)
            stopped = stopped or exc.reason in ("unknown_sender", "bad_signature", "revoked_key")
            continue
        except HubUnreachable as exc:
            outbox.mark_error(store, row["bundle_id"], exc.message, exc.reason)
            summary.errors.append(exc.message)
            return True  # the network is gone: the rest would fail the same way
        outbox.mark_sent(store, row["bundle_id"], "network")
        summary.sent += 1
        summary.duplicates += answer.get("status") == "duplicate"
        _apply_signed_ack(store, answer, summary)
    report(len(todo), len(todo), "Đã gửi xong hàng chờ.")
    return stopped


def _apply_signed_ack(store: Store, answer: dict, summary: SyncSummary) -> None:
    text, signature = answer.get("ack"), answer.get("ack_signature")
    if not isinstance(text, str) or not isinstance(signature, str):
        return
    try:
        key = identity.province_key(store)
        keys.verify(key, base64.b64decode(signature, validate=True), text.encode("utf-8"), what="xác nhận")
        ack = json.loads(text)
    except SyncKeyError:
        return  # no pinned key yet: the bundle stays "đã gửi" until a verifiable ack arrives
    except (BundleRejected, binascii.Error, ValueError) as exc:
        log.warning("ack not accepted: %r", exc)
        summary.errors.append("Xác nhận của tỉnh không có chữ ký hợp lệ; gói được giữ lại để gửi lại sau.")
        return
    if isinstance(ack, dict) and ack.get("unit") == identity.own_unit_code(store):
        summary.acknowledged += outbox.apply_ack(store, ack)
        summary.missing = get_setting(store, outbox.MISSING_RANGES, []) or []


def _fetch_inbox(store, paths, client, summary, report) -> None:
    """Fetch and apply every province bundle this unit has not received (by the signed province
    sequence: core/sync/province_inbox.py)."""
    province_inbox.fetch_all(store, paths, client, summary, report)


def _pull_unit_rows(store, paths, client, summary, report) -> bool:
    """Receive the rows the unit's other devices wrote (core.sync.pull); True when merging the
    same key entered on two PCs made local changes that must be sent."""
    from core.sync import bundle as bundlemod
    from core.sync import pull

    unit = identity.own_unit_code(store)
    merged = False

    def province_only(manifest: dict):
        if manifest["source"] != bundlemod.PROVINCE or manifest["kind"] != "rows" or manifest["destination"] != unit:
            raise BundleRejected("Gói dữ liệu của đơn vị không do tỉnh gửi cho đơn vị này.", reason="wrong_destination")
        return identity.province_key(store)

    try:
        for _ in range(10_000):
            cursor = int(get_setting(store, pull.ROWS_CURSOR, 0) or 0)
            report(0, 1, "Đang nhận dữ liệu của các máy khác trong đơn vị…")
            opened = bundlemod.open_bundle_bytes(client.unit_rows(cursor), province_only)
            result = pull.import_rows_bundle(store, opened, unit)
            summary.changed_tables.update(result.counts)
            summary.pulled += sum(result.counts.values())
            merged = merged or result.merged > 0
            if not opened.manifest.get("more") or int(get_setting(store, pull.ROWS_CURSOR, 0) or 0) <= cursor:
                break
        hub_cursor = int(get_setting(store, pull.HUB_CONFLICTS_CURSOR, 0) or 0)
        pull.store_hub_conflicts(store, client.conflicts(hub_cursor))
    except (HubRefused, HubUnreachable, BundleRejected, SyncKeyError) as exc:
        summary.errors.append(f"Chưa nhận được dữ liệu của các máy khác: {exc.message}")
    return merged


def _refresh_ack(store, client, summary) -> None:
    """Ask for the acknowledgement when nothing was sent (e.g. bundles carried by USB)."""
    if not store.scalar("SELECT 1 FROM sync_outbox WHERE state IN ('sent', 'error', 'pending', 'sending')"):
        return
    from core.sync import device

    try:
        _apply_signed_ack(store, client.ack(device.lineage(store)), summary)
    except (HubRefused, HubUnreachable) as exc:
        summary.errors.append(exc.message)


def status(store: Store) -> dict:
    """What the Đồng bộ page and `sync --status` show."""
    return {"waiting_changes": outbox.waiting_changes(store),
            "pending_bundles": outbox.pending_bundle_count(store),
            "last_success": get_setting(store, outbox.LAST_SUCCESS),
            "missing": get_setting(store, outbox.MISSING_RANGES, []) or [],
            "hub_url": identity.hub_url(store)}


# -- entry points for a worker thread (each opens and closes its own Store) ---------------

def _worker_store(paths: AppPaths) -> Store:
    from core.workspace import open_workspace

    return open_workspace(paths, check_integrity=False)


def run_sync(paths: AppPaths, *, force: bool = True, report: Report | None = None,
             automatic: bool = False) -> SyncSummary | None:
    """One sync on a worker thread. `automatic` (timer, network back): quietly nothing (None)
    when no hub is set or nothing is due, so an idle office PC does no work."""
    store = _worker_store(paths)
    try:
        if automatic:
            if not identity.hub_url(store):
                return None
            if not outbox.bundles_to_send(store, force=False) and not outbox.waiting_changes(store) \
                    and not _inbox_check_due(store):
                return None
        return sync_now(store, paths, force=force, report=report)
    finally:
        store.close()


INBOX_CHECK_EVERY_SECONDS = 30 * 60


def _inbox_check_due(store: Store) -> bool:
    """Whether it is time to look for new province bundles even with nothing to send."""
    from core.clock import now_utc, parse_utc

    last = get_setting(store, outbox.LAST_SUCCESS)
    return not last or (now_utc() - parse_utc(last)).total_seconds() >= INBOX_CHECK_EVERY_SECONDS


def run_export(paths: AppPaths, folder, report: Report | None = None) -> tuple[outbox.CutResult, list]:
    store = _worker_store(paths)
    try:
        if report:
            report(0, 1, "Đang đóng gói các thay đổi…")
        cut = outbox.cut_pending(store, paths)
        return cut, outbox.export_to_folder(store, paths, folder)
    finally:
        store.close()


def run_import(paths: AppPaths, folder, report: Report | None = None) -> list:
    store = _worker_store(paths)
    try:
        if report:
            report(0, 1, "Đang nhập các gói của tỉnh…")
        return inbox.import_folder(store, paths, folder)
    finally:
        store.close()
