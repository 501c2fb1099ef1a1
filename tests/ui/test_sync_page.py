"""The Đồng bộ page: states, "Gửi ngay" against a real hub, USB export and import, errors with advice."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.hub import ingest, province
from core.sync import identity, outbox
from core.workspace import add_staff, open_workspace
from tests.core.sync.harness import make_hub, province_target_row, running_hub
from tests.ui.conftest import wait_idle
from ui.pages.sync_page import SyncPage

import os

# Screenshots for looking at the page: only when asked (MOTCUA_SCREENSHOTS=DIR), never into the repo.
SHOTS = Path(os.environ["MOTCUA_SCREENSHOTS"]) if os.environ.get("MOTCUA_SCREENSHOTS") else None


def _with_store(ctx, fn):
    store = open_workspace(ctx.paths)
    try:
        return fn(store)
    finally:
        store.close()


@pytest.fixture
def hub(tmp_path, hub_database):
    # On both hub stores (tests/conftest.py): the page must not care which one the province runs.
    return make_hub(tmp_path / "hub")


@pytest.fixture
def page(qtbot, ui_ctx, hub):
    def setup(store):
        identity.configure(store, ui_ctx.paths, province_key_text=hub.province_key)
        with hub.store() as s:
            from core.hub.store import register_unit

            register_unit(s, "21484", identity.describe(store, ui_ctx.paths)["public_key"])
        add_staff(store, "Phạm Minh Tuấn")
    _with_store(ui_ctx, setup)
    p = SyncPage(ui_ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    wait_idle(qtbot, ui_ctx)
    return p


def _states(page):
    return [r["state_label"] for r in page.bundles_model.rows]


def test_send_now_through_a_real_hub(qtbot, ui_ctx, page, hub):
    assert "chưa có" in page.summary.text()  # never synced
    assert "Chưa có địa chỉ máy chủ" in page.warnings.text()
    assert not page.send_button.isEnabled()
    with running_hub(hub) as url:
        page.hub_edit.setText(url)
        page.save_connection()
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: page.send_button.isEnabled(), timeout=10_000)
        page.send_button.click()
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=30_000)
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: _states(page) == ["tỉnh đã xác nhận"], timeout=10_000)
        assert "Đã gửi 1 gói" in page.progress_text.text() and "tỉnh đã xác nhận 1 gói" in page.progress_text.text()
        assert "chưa có" not in page.summary.text()
        with hub.store() as s:
            assert s.scalar("SELECT count(*) FROM rows WHERE unit = '21484'") == 3
        # The province sends a target; the next "Gửi ngay" brings it down and lists it.
        with hub.store() as s:
            province.publish(hub.paths, s, [("dossier_targets", province_target_row())], ["21484"])
        changed = []
        ui_ctx.signals.data_changed.connect(changed.append)
        page.send_button.click()
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=30_000)
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: len(page.received_model.rows) == 1, timeout=10_000)
        assert page.received_model.rows[0]["kind_label"] == "Văn bản, dữ liệu của tỉnh"
        assert "dossier_targets" in changed
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.grab().save(str(SHOTS / "sync_page.png"))


def test_unreachable_hub_shows_plain_error_and_advice(qtbot, ui_ctx, page, hub):
    _with_store(ui_ctx, lambda s: identity.configure(s, ui_ctx.paths, hub="http://127.0.0.1:9"))
    page.reload()
    wait_idle(qtbot, ui_ctx)
    page.send_button.click()
    qtbot.waitUntil(lambda: not page.scheduler.running, timeout=60_000)
    wait_idle(qtbot, ui_ctx)
    text = page.progress_text.text()
    assert "Không kết nối được máy chủ" in text and "USB" in text
    assert ui_ctx.errors == []  # shown on the page, not as an unexpected error
    qtbot.waitUntil(lambda: _states(page) == ["chờ gửi"], timeout=10_000)


def test_usb_export_and_import(qtbot, ui_ctx, page, hub, tmp_path):
    usb = tmp_path / "usb"
    page.export_to(usb)
    qtbot.waitUntil(lambda: "Đã chép 1 gói" in page.progress_text.text(), timeout=20_000)
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: _states(page) == ["đã gửi"], timeout=10_000)
    [bundle] = list(usb.glob("changes-*.zip"))
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, bundle.read_bytes(), via="usb").status == "applied"
        province.ack_bundle(hub.paths, s, "21484", usb)
    (usb / "rac.zip").write_bytes(b"not a bundle")
    page.import_from(usb)
    qtbot.waitUntil(lambda: "xác nhận" in page.progress_text.text(), timeout=20_000)
    assert "rac.zip: bị từ chối" in page.progress_text.text()
    wait_idle(qtbot, ui_ctx)
    qtbot.waitUntil(lambda: _states(page) == ["tỉnh đã xác nhận"], timeout=10_000)
    assert _with_store(ui_ctx, outbox.pending_bundle_count) == 0


def test_unregistered_unit_error_row_says_what_to_do(qtbot, ui_ctx, page, tmp_path, other_hub_database):
    other = make_hub(tmp_path / "other", other_hub_database)  # a hub that never registered this commune
    with running_hub(other) as url:
        _with_store(ui_ctx, lambda s: identity.configure(s, ui_ctx.paths, hub=url, province_key_text=other.province_key))
        page.reload()
        wait_idle(qtbot, ui_ctx)
        page.send_now()
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=30_000)
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: _states(page) == ["lỗi"], timeout=10_000)
    problem = page.bundles_model.rows[0]["problem"]
    assert "chưa được đăng ký" in problem and "In phiếu đăng ký khóa" in problem
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.grab().save(str(SHOTS / "sync_page_error.png"))


def test_revoked_key_error_row_says_to_register_a_new_key(qtbot, ui_ctx, page, hub):
    """The province revoked this PC's key: the refusal is the unit's (the hub verified it with that
    key) and the row tells the staff what to do, in Vietnamese."""
    import time

    from core.hub.store import revoke_key

    fingerprint = _with_store(ui_ctx, lambda s: identity.describe(s, ui_ctx.paths)["fingerprint"])
    with hub.store() as s:
        revoke_key(s, "21484", fingerprint, by="test")
    time.sleep(0.01)  # the bundle is cut after the revocation
    with running_hub(hub) as url:
        _with_store(ui_ctx, lambda s: identity.configure(s, ui_ctx.paths, hub=url))
        page.reload()
        wait_idle(qtbot, ui_ctx)
        page.send_now()
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=30_000)
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: _states(page) == ["lỗi"], timeout=10_000)
    problem = page.bundles_model.rows[0]["problem"]
    assert "thu hồi" in problem and "phiếu đăng ký khóa mới" in problem and "Gửi ngay" in problem, problem
    with hub.store() as s:
        assert s.scalar("SELECT reason FROM rejections ORDER BY id DESC LIMIT 1") == "revoked_key"
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.grab().save(str(SHOTS / "sync_page_revoked_key.png"))


def test_bad_province_key_is_refused_with_message(qtbot, ui_ctx, page):
    page.key_edit.setText("không phải khóa")
    page.save_connection()
    qtbot.waitUntil(lambda: bool(ui_ctx.errors), timeout=10_000)
    assert "Khóa công khai không hợp lệ" in ui_ctx.errors[0].message


def test_automatic_try_does_nothing_without_a_hub_or_work(qtbot, ui_ctx, page, hub):
    finished = []
    page.scheduler.sync_finished.connect(finished.append)
    assert page.scheduler.start(force=False, automatic=True)
    assert page.progress_text.text() == "Đang đồng bộ với tỉnh…"
    qtbot.waitUntil(lambda: not page.scheduler.running, timeout=10_000)
    assert finished == [] and _states(page) == []  # no hub set: no bundle cut, nothing sent
    # The try is over: the page no longer says it is syncing (it used to, for ever).
    assert "Đang đồng bộ" not in page.progress_text.text() and not page.progress.isVisible()
    with running_hub(hub) as url:
        _with_store(ui_ctx, lambda s: identity.configure(s, ui_ctx.paths, hub=url))
        qtbot.waitUntil(lambda: page.scheduler.network is not None, timeout=5_000)
        page.scheduler.network.came_back.emit()  # what QNetworkInformation reports when the line is back
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=30_000)
        wait_idle(qtbot, ui_ctx)
        qtbot.waitUntil(lambda: _states(page) == ["tỉnh đã xác nhận"], timeout=10_000)
        page.scheduler.start(force=False, automatic=True)  # nothing due any more
        qtbot.waitUntil(lambda: not page.scheduler.running, timeout=10_000)
        assert "Đang đồng bộ" not in page.progress_text.text()
    assert len(finished) == 1


def test_replacing_the_pinned_province_key_shows_both_fingerprints_and_needs_confirming(qtbot, ui_ctx, page, hub,
                                                                                        tmp_path, other_hub_database):
    from PySide6.QtWidgets import QMessageBox

    from core.sync import keys
    from db.settings import PROVINCE_KEY, get_setting

    other = make_hub(tmp_path / "other", other_hub_database)
    page.key_edit.setText(other.province_key)
    page.save_connection()
    qtbot.waitUntil(lambda: getattr(page, "_key_box", None) is not None and page._key_box.isVisible(), timeout=10_000)
    text = page._key_box.text()
    assert keys.fingerprint(hub.province_key) in text and keys.fingerprint(other.province_key) in text
    page._key_box.button(QMessageBox.StandardButton.Cancel).click()  # "Giữ khóa cũ"
    wait_idle(qtbot, ui_ctx)
    assert _with_store(ui_ctx, lambda s: get_setting(s, PROVINCE_KEY)) == hub.province_key
    page._key_box = None
    page.save_connection()
    qtbot.waitUntil(lambda: getattr(page, "_key_box", None) is not None and page._key_box.isVisible(), timeout=10_000)
    page._key_box.button(QMessageBox.StandardButton.Yes).click()  # "Thay khóa"
    qtbot.waitUntil(lambda: _with_store(ui_ctx, lambda s: get_setting(s, PROVINCE_KEY)) == other.province_key,
                    timeout=10_000)


def test_merged_dossiers_and_conflicts_are_shown_to_staff(qtbot, ui_ctx, page, tmp_path):
    """Sync v2 (issue 13): the same code typed at two counters, and an edit that lost, are listed."""
    import datetime as dt

    from core.clock import today_local
    from core.dossiers.register import add_dossier

    assert not page.notices_view.isVisible()  # nothing to show: the list stays out of the way

    def make(store):
        day = (today_local() - dt.timedelta(days=1)).isoformat()
        kept = add_dossier(store, {"code": "000.00.53.H48-250601-0009", "field": "Hộ tịch", "received_on": day})
        other = add_dossier(store, {"code": "000.00.53.H48-250601-0010", "field": "Hộ tịch", "received_on": day})
        store.update("dossiers", other, {"code": "000.00.53.H48-250601-0009", "deleted_at": store.get(
            "dossiers", kept)["updated_at"], "merged_into": kept})
        with store.transaction() as conn:
            conn.execute("INSERT INTO sync_conflicts (recorded_at, where_found, table_name, row_id, lost_state) "
                         "VALUES ('2026-12-01T03:00:00.000Z', 'hub', 'dossiers', ?, '{}')", (kept,))
    _with_store(ui_ctx, make)
    page.reload()
    wait_idle(qtbot, ui_ctx)
    kinds = [r["kind"] for r in page.notices_model.rows]
    assert sorted(kinds) == ["Hồ sơ trùng mã đã gộp", "Xung đột đồng bộ"]
    assert page.notices_view.isVisible()
    merged = next(r for r in page.notices_model.rows if r["kind"] == "Hồ sơ trùng mã đã gộp")
    assert "000.00.53.H48-250601-0009" in merged["text"] and "hai quầy" in merged["text"]
    assert "máy " in page.own_key.text()
    if SHOTS:
        page.grab().save(str(SHOTS / "sync_page_notices.png"))
