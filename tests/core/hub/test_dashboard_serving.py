"""The dashboard while uploads run (issue 19): what keeps a page view cheap never shows wrong figures.

- a model shown without reading the data (`hub serve`) was found current at most `max_age` seconds ago;
- a refresh asked for while a pass runs is not lost (the pass goes round again), and the caller
  does not wait for it;
- a unit whose figures another worker made meanwhile is not computed again;
- one marks read per page view gives the same version and meeting date as the separate reads;
- request threads hand their connection on, never to a thread still alive.
"""

from __future__ import annotations

import gc
import threading
import time

import pytest

from core.clock import today_local
from core.dossiers.periods import month_period
from core.hub import dashboard, ingest
from core.hub import store as hubstore
from core.hub.thread_stores import ThreadStores
from core.sync import outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")


def _send(commune, hub, store, n: int = 2) -> None:
    add_rows(commune, n)
    cut = outbox.cut_bundle(commune.store, commune.paths)
    assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"


def _view():
    today = today_local()
    return {"today": today, "period": month_period(today.strftime("%Y-%m")), "meeting_date": None}


def _bundles(model, code: str) -> int:
    return model.unit(code).status["bundles"]


def test_a_model_shown_without_reading_the_data_was_current_at_most_max_age_ago(tmp_path, monkeypatch):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    # Each cache's builder thread its own connection (as `hub serve` gives it), never the test's.
    builder, builder2 = hubstore.open_hub(hub.paths), hubstore.open_hub(hub.paths)
    release = threading.Event()
    real_build = dashboard.build_model

    def build(*args, **kwargs):  # the background build held until the test lets it go
        if threading.current_thread().name == "dashboard-model":
            assert release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(dashboard, "build_model", build)
    caches = []
    try:
        with hub.store() as store:
            _send(a, hub, store)
            cache = dashboard.DashboardCache(max_age=60, builder_store=lambda: builder)
            caches.append(cache)
            first = cache.page(store, **_view())
            assert _bundles(first, "21484") == 1
            _send(a, hub, store)
            # Found current a moment ago: shown at once, whole, while the background checks again.
            assert cache.page(store, **_view()) is first
            # Past max_age the page never shows it, although the background build is not done.
            _age(cache, 61)
            now = cache.page(store, **_view())
            assert now is not first and _bundles(now, "21484") == 2
            # Negative check: without the age bound the same page shows older figures than the data.
            unbounded = dashboard.DashboardCache(max_age=float("inf"), builder_store=lambda: builder2)
            caches.append(unbounded)
            old = unbounded.page(store, **_view())
            _send(a, hub, store)
            _age(cache, 61)
            _age(unbounded, 61)
            assert unbounded.page(store, **_view()) is old and _bundles(old, "21484") == 2  # the data has 3
            assert _bundles(cache.page(store, **_view()), "21484") == 3
            # The background check, once let go, delivers the current model to the pages.
            release.set()
            deadline = time.monotonic() + 20
            while _bundles(unbounded.page(store, **_view()), "21484") != 3:
                assert time.monotonic() < deadline, "the background check never delivered"
                time.sleep(0.05)
    finally:
        release.set()
        for c in caches:
            _drained(c)
        builder.close()
        builder2.close()
        a.close()


def _age(cache: dashboard.DashboardCache, seconds: float) -> None:
    """As if every model of the cache had last been found current `seconds` earlier."""
    cache._current = {view: (model, at - seconds) for view, (model, at) in cache._current.items()}


def _drained(cache: dashboard.DashboardCache) -> None:
    """No background check running (its connection is about to be closed)."""
    deadline = time.monotonic() + 30
    while cache._pending and time.monotonic() < deadline:
        time.sleep(0.02)


def test_without_max_age_every_page_shows_the_current_data(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        with hub.store() as store:
            cache = dashboard.DashboardCache()  # what tests, the CLI and an app without `hub serve` use
            _send(a, hub, store)
            assert _bundles(cache.page(store, **_view()), "21484") == 1
            _send(a, hub, store)
            assert _bundles(cache.page(store, **_view()), "21484") == 2
    finally:
        a.close()


def test_a_refresh_asked_for_during_a_running_pass_is_not_lost(tmp_path, monkeypatch):
    """An upload's pass finds another pass running in its process: it returns at once (its thread
    serves pages again) and the running pass goes round once more for the unit it was asked for.
    Negative check: without that second round the unit's figures stay behind its data."""
    for lose_requests in (False, True):
        hub = make_hub(tmp_path / f"hub{int(lose_requests)}")
        a = make_commune(tmp_path / f"a{int(lose_requests)}", "21484", hub)
        b = make_commune(tmp_path / f"b{int(lose_requests)}", "21548", hub)
        entered, release = threading.Event(), threading.Event()
        real_unit = dashboard._refresh_unit

        def slow_unit(store, unit, version):
            if unit == "21484":
                entered.set()
                assert release.wait(30)
            return real_unit(store, unit, version)

        monkeypatch.setattr(dashboard, "_refresh_unit", slow_unit)
        if lose_requests:
            monkeypatch.setattr(dashboard, "_refresh_again", _ForgetfulEvent())
        try:
            with hub.store() as store, hub.store() as other:
                _send(a, hub, store)
                result: list = []
                running = threading.Thread(target=lambda: result.append(dashboard.refresh(other, wait=False)))
                running.start()
                assert entered.wait(30)
                _send(b, hub, store)
                started = time.monotonic()
                assert dashboard.refresh(store, wait=False) == []  # did not wait for the running pass
                assert time.monotonic() - started < 20 and running.is_alive()
                release.set()
                running.join(30)
                behind = dashboard._behind(dashboard._unit_marks(store.conn))
                if lose_requests:
                    assert behind == ["21548"] and result == [["21484"]]
                else:
                    assert behind == [] and result == [["21484", "21548"]]
        finally:
            release.set()
            monkeypatch.undo()
            a.close()
            b.close()


class _ForgetfulEvent(threading.Event):
    """A request made while a pass runs is forgotten: that pass never goes round again."""

    def set(self) -> None:
        if not dashboard._refresh_lock.locked():
            super().set()


def test_a_unit_made_by_another_worker_meanwhile_is_not_made_again(tmp_path, monkeypatch):
    """Two workers read the same marks; the first makes the unit's figures; the second, once it holds
    the unit, sees them made and skips it. Negative check: without the second read it computes again."""
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        with hub.store() as store:
            _send(a, hub, store)
            marks = dashboard._unit_marks(store.conn)  # the second worker's read, before the first's work
            assert dashboard.refresh(store) == ["21484"]  # the first worker
            assert dashboard._refresh_changed(store, marks) == []
            monkeypatch.setattr(dashboard, "_done_version", lambda conn, unit: None)
            assert dashboard._refresh_changed(store, marks) == ["21484"]  # the duplicate it avoids
    finally:
        a.close()


def test_a_page_views_one_read_of_the_marks_gives_the_same_version_and_meeting_date(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        with hub.store() as store:
            _send(a, hub, store)
            today = today_local()
            version, meeting = dashboard.page_version(store, today)  # recomputes the unit first
            assert dashboard._behind(dashboard._unit_marks(store.conn)) == []
            assert version == dashboard.data_version(store.conn)
            assert meeting == dashboard.default_meeting_date(store.conn, today)
            _send(a, hub, store)
            assert dashboard.page_version(store, today)[0] != version
    finally:
        a.close()


def test_request_threads_hand_their_connection_on_but_never_share_it():
    opened = []
    stores = ThreadStores(lambda: opened.append(object()) or opened[-1])
    got: dict[str, object] = {}
    hold, holding = threading.Event(), threading.Event()

    def use(name: str, wait: bool = False):
        got[name] = stores()
        assert stores() is got[name]  # the same one for the whole life of the thread
        if wait:
            holding.set()
            hold.wait(30)

    first = threading.Thread(target=use, args=("first", True))
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=use, args=("second",))
    second.start()
    second.join()
    assert got["second"] is not got["first"]  # the first thread is alive: its store is its own
    gc.collect()
    third = threading.Thread(target=use, args=("third",))
    third.start()
    third.join()
    assert got["third"] is got["second"] and len(opened) == 2  # handed on, not opened again
    hold.set()
    first.join()


PASSWORD = "mat-khau-du-dai"


def _bundles_shown(page: str, code: str) -> int:
    """The unit's "Số gói đã nhận" cell of the dashboard's table."""
    import re

    found = re.search(rf"<tr><td>{code}</td>.*?<td class=n>(\d+)</td>", page)
    assert found, page[:500]
    return int(found.group(1))


@pytest.mark.parametrize("max_age", [0.5, 60])
def test_a_served_page_shows_an_upload_once_max_age_has_passed_since_it(tmp_path, max_age):
    """`hub serve`'s setting through the real app and a logged-in page: right after an upload a page
    may still show the figures found current a moment before it; once `max_age` has passed since
    the upload, every page shows it. Negative check (max_age 60, as if unbounded for this test):
    the page then still shows the figures from before the upload."""
    from fastapi.testclient import TestClient

    from core.hub import accounts
    from core.hub.app import create_app
    from tests.core.hub.web_login import login

    hub = make_hub(tmp_path / "hub")
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "xem", "viewer", PASSWORD)
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        with TestClient(create_app(hub.paths, figures_max_age=max_age), follow_redirects=False) as c, \
                hub.store() as store:
            _send(a, hub, store)
            shown = login(c, "xem", PASSWORD)  # the login's redirect shows the dashboard
            assert shown.status_code == 200 and _bundles_shown(shown.text, "21484") == 1
            _send(a, hub, store)
            uploaded = time.monotonic()
            while time.monotonic() <= uploaded + 0.5:
                time.sleep(0.05)
            assert _bundles_shown(c.get("/").text, "21484") == (2 if max_age == 0.5 else 1)
    finally:
        a.close()
