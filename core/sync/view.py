"""What the Đồng bộ page shows, prepared off the UI thread: rows, labels and plain-Vietnamese advice.

Every error reason a bundle can carry maps to a sentence a commune clerk can act on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from core.clock import format_datetime_local
from core.sync import identity, outbox
from core.sync.errors import SyncError
from db.settings import get_setting
from db.store import Store

ADVICE = {
    "unreachable": "Không kết nối được máy chủ tỉnh. Kiểm tra mạng (hoặc mạng truyền số liệu chuyên dùng); "
                   "phần mềm sẽ tự gửi lại. Nếu mất mạng lâu ngày, bấm “Xuất gói ra USB” và mang lên tỉnh.",
    "unknown_sender": "Tỉnh chưa đăng ký khóa của xã. Bấm “In phiếu đăng ký khóa”, gửi phiếu cho tỉnh, "
                      "chờ tỉnh đăng ký rồi bấm “Gửi ngay”.",
    "bad_signature": "Khóa của xã không khớp khóa tỉnh đã đăng ký (có thể máy đã cài lại). In phiếu đăng ký "
                     "khóa mới và gửi tỉnh đăng ký lại.",
    # The hub's own message already says the key was revoked and to send a new key's form.
    "revoked_key": "Sau khi tỉnh đăng ký khóa mới của máy, bấm “Gửi ngay”.",
    "file_missing": "Tệp gói đã bị xóa khỏi thư mục dữ liệu. Liên hệ cán bộ kỹ thuật của tỉnh để gửi lại dữ liệu.",
    "too_large": "Gói quá lớn để gửi qua mạng. Bấm “Xuất gói ra USB” và mang lên tỉnh.",
    "ownership": "Tỉnh từ chối vì gói có dữ liệu không thuộc quyền của xã. Liên hệ cán bộ kỹ thuật của tỉnh.",
    "damaged": "Tỉnh báo gói bị hỏng. Liên hệ cán bộ kỹ thuật của tỉnh.",
    "unsupported_format": "Phần mềm ở tỉnh hoặc ở xã cần cập nhật lên cùng phiên bản.",
}
DEFAULT_ADVICE = "Bấm “Gửi ngay” để thử lại; nếu vẫn lỗi, liên hệ cán bộ kỹ thuật của tỉnh."
VIA_LABELS = {"network": "mạng", "usb": "USB"}
# What staff call the province's tables (unknown tables show their code name).
TABLE_LABELS = {"directives": "văn bản chỉ đạo", "tasks": "nhiệm vụ", "dossier_targets": "chỉ tiêu số hóa",
                "checklist_templates": "mẫu phiếu kiểm tra HNTH"}


@dataclass
class SyncView:
    bundles: list[dict]
    received: list[dict]
    summary_lines: list[str]
    warnings: list[str] = field(default_factory=list)
    pending: int = 0
    hub_configured: bool = False
    due: int = 0


def advice_for(reason: str | None) -> str:
    return ADVICE.get(reason or "", DEFAULT_ADVICE)


def load_view(store: Store, *, outbox_sort=None, received_sort=None) -> SyncView:
    """Sorts: (column key, descending) of core.sync.list_orders, from a click on the page's headers."""
    from core.listing import order_by
    from core.sync.list_orders import RECEIVED_DEFAULT, RECEIVED_SORTS

    bundles = []
    for row in outbox.list_outbox(store, sort=outbox_sort):
        problem = ""
        if row["state"] == "error":
            problem = f"{row['last_error']} {advice_for(row['last_error_reason'])}"
            if row["next_try_at"]:
                problem += f" Lần thử tự động tiếp theo: {format_datetime_local(row['next_try_at'])}."
        bundles.append({**row, "created_local": format_datetime_local(row["created_at"]),
                        "range": f"{row['seq_from']}–{row['seq_to']}",
                        "via_label": VIA_LABELS.get(row["sent_via"] or "", ""),
                        "acked_local": format_datetime_local(row["acked_at"]),
                        "problem": problem})
    received = []
    received_order = order_by(received_sort or RECEIVED_DEFAULT, RECEIVED_SORTS, "received_local")
    for row in store.query(f"SELECT * FROM sync_inbox ORDER BY {received_order} LIMIT 200"):
        kind = {"province": "Văn bản, dữ liệu của tỉnh", "ack": "Xác nhận của tỉnh"}.get(row["kind"], row["kind"])
        received.append({**row, "kind_label": kind, "received_local": format_datetime_local(row["received_at"]),
                         "via_label": VIA_LABELS.get(row["via"], row["via"]),
                         "tables": ", ".join(f"{TABLE_LABELS.get(t, t)} ({n})" for t, n in
                                             json.loads(row["summary"] or "{}").items())})
    last = get_setting(store, outbox.LAST_SUCCESS)
    pending = outbox.pending_bundle_count(store)
    waiting = outbox.waiting_changes(store)
    lines = [f"Lần đồng bộ thành công gần nhất: {format_datetime_local(last) if last else 'chưa có'}.",
             f"Đang chờ: {pending} gói chưa được tỉnh xác nhận"
             + (f", {waiting} thay đổi mới chưa đóng gói." if waiting else ".")]
    warnings = []
    hub = identity.hub_url(store)
    if hub:
        lines.append(f"Máy chủ của tỉnh: {hub}")
    else:
        warnings.append("Chưa có địa chỉ máy chủ của tỉnh: chỉ gửi được bằng USB. Nhập địa chỉ và khóa của "
                        "tỉnh ở mục “Kết nối với tỉnh” bên dưới.")
    try:
        identity.province_key(store)
    except SyncError:
        warnings.append("Chưa có khóa công khai của tỉnh: chưa nhận được văn bản và xác nhận của tỉnh.")
    missing = get_setting(store, outbox.MISSING_RANGES, []) or []
    if missing:
        warnings.append("Tỉnh báo còn thiếu các gói số " + ", ".join(f"{a}–{b}" for a, b in missing)
                        + ". Bấm “Gửi ngay” (hoặc “Xuất gói ra USB”) để gửi lại các gói chưa được xác nhận.")
    due = len(outbox.bundles_to_send(store, force=False))
    return SyncView(bundles, received, lines, warnings, pending, bool(hub), due)
