"""The province's dashboard figures: the same as the commune's own screens, unit states, readiness,
directive progress, the cache, exports, and a hub made by the previous version upgraded in place."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3

import pytest

from core import demo
from core.checklists.runs import load_run
from core.clock import now_utc, today_local, utc_iso
from core.dossiers.indicators import compute_indicators
from core.dossiers.periods import Period, month_period
from core.hub import dashboard, ingest
from core.hub import store as hubstore
from core.hub.database import json_path
from core.sync import outbox
from tests.core.sync.harness import make_commune, make_hub


def _send_all(commune, hub) -> int:
    sent = 0
    with hub.store() as store:
        while True:
            cut = outbox.cut_bundle(commune.store, commune.paths)
            if cut is None or getattr(cut, "path", None) is None:
                break
            result = ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb")
            assert result.status == "applied", result.message
            sent += 1
    return sent


@pytest.fixture(scope="module")
def synced(tmp_path_factory, hub_database_module):
    """One commune with a year of demo data (dossiers, tallies, checklists, tasks), all sent to the hub."""
    root = tmp_path_factory.mktemp("dash")
    hub = make_hub(root / "hub", hub_database_module)
    commune = make_commune(root / "xa", "21484", hub)
    demo.fill(commune.store, seed=7, today=today_local())
    assert _send_all(commune, hub) >= 1
    yield hub, commune
    commune.close()


def test_hub_indicators_equal_the_communes_own_for_every_month_and_the_year(synced):
    hub, commune = synced
    today = today_local()
    periods = [month_period(m) for m in Period(today - dt.timedelta(days=364), today).months()]
    periods.append(Period(periods[0].start, periods[-1].end))
    with hub.store() as store:
        for period in periods:
            theirs = compute_indicators(commune.store, period).values
            ours = dashboard.unit_indicators(store, hub.paths.db_file, "21484", period)
            for key, value in theirs.items():
                assert (ours[key].numerator, ours[key].denominator, ours[key].value, ours[key].rag) == \
                       (value.numerator, value.denominator, value.value, value.rag), (period, key)
    year = periods[-1]
    assert compute_indicators(commune.store, year).total.received > 1000  # real data, not an empty match


def test_the_old_hub_definition_disagreed_with_the_commune(synced):
    """Negative check: the hub's former "Tỉ lệ số hóa TPHS" (share of dossiers with digitised
    components, register only) is not the commune's 4.2 — the agreement above is not vacuous."""
    hub, commune = synced
    month = month_period((today_local().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"))
    with hub.store() as store:
        digitised = json_path(store, "state", "row.components_digitised")
        received = json_path(store, "state", "row.received_on")
        old = store.query(
            f"SELECT count(*) AS n, sum(CASE WHEN CAST({digitised} AS INTEGER) = 1 THEN 1 ELSE 0 END) AS d FROM rows "
            "WHERE table_name = 'dossiers' AND unit = '21484' AND deleted = 0 "
            f"AND substr({received}, 1, 7) = ?", (month.start.strftime("%Y-%m"),))[0]
    commune_value = compute_indicators(commune.store, month).values["digitised_rate"].value
    assert old["n"] and abs(old["d"] / old["n"] - commune_value) > 0.001


def test_readiness_per_meeting_date_is_the_communes_verdict(synced):
    hub, commune = synced
    runs = commune.store.query("SELECT id, meeting_date FROM checklist_runs WHERE deleted_at IS NULL")
    assert runs
    today = today_local()
    with hub.store() as store:
        cache = dashboard.DashboardCache(hub.paths.db_file)
        seen = set()
        for run in runs:
            expected = load_run(commune.store, run["id"]).verdict
            model = cache.model(store, today=today, period=month_period(today.strftime("%Y-%m")),
                                meeting_date=dt.date.fromisoformat(run["meeting_date"]))
            got = model.unit("21484").readiness
            assert got is not None and got["ready"] == expected.ready
            assert got["failing"] == [f"{f.item.text}: {f.reason}" for f in expected.failing]
            seen.add(expected.ready)
            other = model.unit("21025") if model.unit("21025") else model.units[0]
            if other.code != "21484":
                assert other.readiness is None  # no checklist: said so, not "not ready"
        assert seen == {True, False}  # the demo has both verdicts


@pytest.mark.usefixtures("hub_database")
def test_unit_states(tmp_path):
    from core.clock import freeze

    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)  # will sync
    b = make_commune(tmp_path / "b", "21548", hub)  # registered, never sends
    try:
        from tests.core.sync.harness import add_rows

        add_rows(a, 3)
        first = outbox.cut_bundle(a.store, a.paths)
        add_rows(a, 2)
        second = outbox.cut_bundle(a.store, a.paths)
        with hub.store() as store:
            conn = store.conn
            assert ingest.ingest_bytes(hub.paths, store, second.path.read_bytes(), via="usb").status == "applied"
            states = dashboard.unit_states(conn, today_local())
            assert len(states) == 96
            assert states["21484"]["state"] == "missing" and states["21484"]["missing"]
            assert states["21548"]["state"] == "never_sent"
            assert sum(1 for s in states.values() if s["state"] == "unregistered") == 94
            assert ingest.ingest_bytes(hub.paths, store, first.path.read_bytes(), via="usb").status == "applied"
            assert dashboard.unit_states(conn, today_local())["21484"]["state"] == "ok"
            # A signed bundle the hub refuses (wrong destination kind is simplest: a damaged copy of a real one
            # is refused before its signature): logged as verified rejection -> "có gói bị từ chối".
            conn.execute("INSERT INTO rejections(received_at, unit, bundle_id, reason, message, via) "
                         "VALUES (?, '21484', 'x', 'ownership', 'Bản ghi của đơn vị khác', 'network')",
                         (utc_iso(now_utc() + dt.timedelta(seconds=1)),))
            assert dashboard.unit_states(conn, today_local())["21484"]["state"] == "rejected"
            # An unsigned upload naming a unit is only a claim: it never marks the unit.
            conn.execute("INSERT INTO rejections(received_at, unit, bundle_id, reason, message, via) "
                         "VALUES (?, '21548', 'y', 'unknown_sender', 'chưa đăng ký', 'usb')",
                         (utc_iso(now_utc() + dt.timedelta(seconds=2)),))
            states = dashboard.unit_states(conn, today_local())
            assert states["21548"]["state"] == "never_sent" and states["21548"]["unverified_claims"]
            freeze(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=dashboard.STALE_DAYS + 1))
            try:
                conn.execute("DELETE FROM rejections")
                assert dashboard.unit_states(conn, today_local())["21484"]["state"] == "stale"
            finally:
                freeze(None)
    finally:
        a.close()
        b.close()


@pytest.mark.usefixtures("hub_database")
def test_model_is_cached_until_a_bundle_is_applied(tmp_path, monkeypatch):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        from tests.core.sync.harness import add_rows

        add_rows(a, 2)
        cut = outbox.cut_bundle(a.store, a.paths)
        today = today_local()
        period = month_period(today.strftime("%Y-%m"))
        with hub.store() as store:
            cache = dashboard.DashboardCache(hub.paths.db_file)
            built = []
            real = dashboard.build_model
            monkeypatch.setattr(dashboard, "build_model", lambda *a, **k: built.append(1) or real(*a, **k))
            first = cache.model(store, today=today, period=period, meeting_date=today)
            assert cache.model(store, today=today, period=period, meeting_date=today) is first
            assert len(built) == 1
            assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
            again = cache.model(store, today=today, period=period, meeting_date=today)
            assert again is not first and len(built) == 2 and again.unit("21484").status["bundles"] == 1
    finally:
        a.close()


def test_directive_progress_counts_units_sent_reported_and_overdue(synced):
    """A directive sent to the unit: it shows as sent; once the unit syncs its progress, as reported."""
    hub, commune = synced
    with hub.store() as store:
        directives = dashboard.directive_progress(store.conn, today_local())
    # The demo commune's own letters are local directives; the province sent none in this fixture.
    assert directives == []


# -- a hub made by the previous version ---------------------------------------------------------

PREVIOUS_SCHEMA = [statement for statement in hubstore._SCHEMA]  # unchanged tables of the previous version


@pytest.mark.usefixtures("hub_database")
@pytest.mark.sqlite_only("the previous version's hub is an SQLite file; PostgreSQL hubs upgrade by numbered "
                         "migrations (tests/core/hub/test_hub_postgres.py)")
def test_hub_of_the_previous_version_gains_the_new_tables_in_place(tmp_path):
    """A hub database made before accounts/dashboard/limits existed: opened, upgraded, data intact."""
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        from tests.core.sync.harness import add_rows

        add_rows(a, 3)
        cut = outbox.cut_bundle(a.store, a.paths)
    finally:
        a.close()
    # Rebuild the file as the previous version left it: only its own tables, with data.
    with hub.store() as store:
        assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
    conn = sqlite3.connect(hub.paths.db_file)
    new_tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'hub\\_%' ESCAPE '\\' "
        "OR name LIKE 'dash\\_%' ESCAPE '\\') AND name != 'hub_meta'")]
    assert {"hub_users", "hub_sessions", "hub_audit", "hub_refused_counts", "dash_unit_month"} <= set(new_tables)
    for name in new_tables:
        conn.execute(f"DROP TABLE {name}")
    conn.execute("DELETE FROM hub_meta WHERE key = 'verified_rejections_since'")
    conn.commit()
    conn.close()
    with hub.store() as store:  # open_hub: the additive upgrade
        tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(new_tables) <= tables
        assert store.scalar("SELECT count(*) FROM rows WHERE unit = '21484'") == cut.records
        model = dashboard.DashboardCache(hub.paths.db_file).model(
            store, today=today_local(), period=month_period(today_local().strftime("%Y-%m")),
            meeting_date=today_local())
        assert model.unit("21484").status["state"] == "ok" and len(model.units) == 96


# -- exports -------------------------------------------------------------------------------------

def test_export_has_real_dates_widths_frozen_header_and_autofilter():
    import openpyxl

    from core.hub.web.xlsx import table_xlsx

    data = table_xlsx("Đơn vị", [("Mã", "text"), ("Ngày", "date"), ("Tỉ lệ", "pct"), ("Lúc", "datetime")],
                      [["21484", dt.date(2026, 3, 5), 0.914,
                        dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))]])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D2"
    assert isinstance(ws["B2"].value, dt.datetime) and ws["B2"].value.date() == dt.date(2026, 3, 5)
    assert ws["B2"].number_format == "dd/mm/yyyy" and ws["C2"].number_format == "0.0%"  # core.excel's formats
    assert ws["D2"].value == dt.datetime(2026, 3, 5, 8, 30)
    assert ws.column_dimensions["B"].width >= 10


@pytest.mark.usefixtures("hub_database")
def test_a_page_does_not_wait_for_a_first_pass_running_elsewhere(tmp_path):
    """While another thread holds the figures' lock (the first pass after an upgrade), a page is built
    from what is materialised so far instead of waiting; the next page after it shows the rest."""
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    try:
        from tests.core.sync.harness import add_rows

        add_rows(a, 2)
        cut = outbox.cut_bundle(a.store, a.paths)
        today = today_local()
        period = month_period(today.strftime("%Y-%m"))
        with hub.store() as store:
            assert ingest.ingest_bytes(hub.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
            cache = dashboard.DashboardCache(hub.paths.db_file)
            dashboard._refresh_lock.acquire()
            try:
                model = cache.model(store, today=today, period=period, meeting_date=today)
                assert store.scalar("SELECT count(*) FROM dash_unit_version") == 0  # nothing recomputed
                assert model.unit("21484").status["bundles"] == 1  # the sync state is read live
            finally:
                dashboard._refresh_lock.release()
            cache.model(store, today=today, period=period, meeting_date=today)
            assert store.scalar("SELECT count(*) FROM dash_unit_version") == 1
    finally:
        a.close()
