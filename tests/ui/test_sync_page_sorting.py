"""The Đồng bộ page's bundle lists: ordered in SQL by a click on a column header, widths kept.
(Its own file: tests/ui/test_sync_page.py drives the page against a real hub.)"""

from __future__ import annotations

from core.workspace import open_workspace
from tests.ui.conftest import wait_idle
from tests.ui.helpers import cell, click_header, drag_column_border
from ui.pages.sync_page import SyncPage

OUTBOX = [  # bundle_id, seq_from, seq_to, records, created_at, state
    ("b1", 1, 40, 40, "2026-03-01T02:00:00Z", "acked"),
    ("b2", 41, 45, 5, "2026-03-02T02:00:00Z", "error"),
    ("b3", 46, 300, 255, "2026-03-03T02:00:00Z", "pending"),
]
INBOX = [("p1", "province", "2026-03-01T03:00:00Z", "usb", 12), ("p2", "ack", "2026-03-04T03:00:00Z", "network", 1)]


def _fill(paths):
    store = open_workspace(paths)
    with store.conn:
        store.conn.executemany(
            "INSERT INTO sync_outbox (bundle_id, file_name, kind, seq_from, seq_to, records, size, created_at, state, "
            "last_error, last_error_reason) VALUES (?, ?, 'commune', ?, ?, ?, 100, ?, ?, ?, ?)",
            [(b, f"{b}.bundle", a, z, n, at, state, "Lỗi mạng" if state == "error" else None,
              "unreachable" if state == "error" else None) for b, a, z, n, at, state in OUTBOX])
        store.conn.executemany(
            "INSERT INTO sync_inbox (bundle_id, kind, source, received_at, via, records, summary) "
            "VALUES (?, ?, 'province', ?, ?, ?, '{}')", INBOX)
    store.close()


def test_bundle_lists_sorted_by_a_header_click(qtbot, ui_ctx, paths):
    _fill(paths)
    page = SyncPage(ui_ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    wait_idle(qtbot, ui_ctx)
    ids = lambda model: [r["bundle_id"] for r in model.rows]  # noqa: E731
    assert ids(page.bundles_model) == ["b3", "b2", "b1"]  # newest first
    click_header(page.bundles_view, 2)  # Số bản ghi
    wait_idle(qtbot, ui_ctx)
    assert ids(page.bundles_model) == ["b2", "b1", "b3"]
    assert [cell(page.bundles_view, r, 2) for r in range(3)] == ["5", "40", "255"]
    click_header(page.bundles_view, 2)
    wait_idle(qtbot, ui_ctx)
    assert ids(page.bundles_model) == ["b3", "b1", "b2"]
    click_header(page.bundles_view, 3)  # Trạng thái: in the order a bundle goes through them
    wait_idle(qtbot, ui_ctx)
    assert ids(page.bundles_model) == ["b3", "b1", "b2"]  # chờ gửi, đã xác nhận, lỗi

    assert ids(page.received_model) == ["p2", "p1"]
    click_header(page.received_view, 0)  # Nhận lúc: oldest first now
    wait_idle(qtbot, ui_ctx)
    assert ids(page.received_model) == ["p1", "p2"]
    assert ids(page.bundles_model) == ["b3", "b1", "b2"]  # the other list keeps its own order

    wider = drag_column_border(page.received_view, 1, 60)
    qtbot.waitUntil(lambda: not page.received_view._save_timer.isActive(), timeout=3000)
    wait_idle(qtbot, ui_ctx)
    again = SyncPage(ui_ctx)
    qtbot.addWidget(again)
    again.resize(1366, 768)
    again.show()
    wait_idle(qtbot, ui_ctx)
    assert again.received_view.horizontalHeader().sectionSize(1) == wider
    assert ui_ctx.errors == []
