"""The province's figures from a hub on PostgreSQL are the figures of a hub in SQLite holding the
same data — and the commune's own (one definition in core/, run on core.hub.mirror's copy).

The SQLite hub is fed by real bundles of a commune with a year of demo data and a province
directive; the PostgreSQL hub receives the same tables row for row (what `hub migrate-store`
does), so this proves the read side alone: the mirror's copy from a database server, the
dashboard's portable SQL, the overview, the report, the rows and conflicts a unit's devices read.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core import demo
from core.clock import today_local
from core.dossiers.indicators import compute_indicators
from core.dossiers.periods import Period, month_period
from core.hub import dashboard, directives, ingest, mirror, overview, province, report, unit_rows
from core.hub import store as hubstore
from core.sync import outbox
from tests import pg_cluster
from tests.core.sync.harness import make_commune, make_hub

UNIT = "21484"
# Every table of the hub that holds data (dash_* are the figures, computed by each hub itself).
DATA_TABLES = ("units", "device_keys", "bundles", "rows", "outgoing", "outgoing_seqs", "deliveries", "rejections",
               "conflicts")
DATA_META = ("province_seq", "row_rev", "verified_rejections_since")


def _copy_tables(source, target) -> int:
    """Every data row of `source` into `target`, column for column (ids kept)."""
    copied = 0
    for table in DATA_TABLES:
        rows = source.query(f"SELECT * FROM {table}")
        if not rows:
            continue
        cols = list(rows[0])
        target.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                [tuple(r[c] for c in cols) for r in rows])
        copied += len(rows)
    for key in DATA_META:
        value = source.scalar("SELECT value FROM hub_meta WHERE key = ?", (key,))
        if value is not None:
            target.conn.execute("INSERT INTO hub_meta(key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    return copied


@pytest.fixture(scope="module")
def two_hubs(tmp_path_factory):
    """(SQLite hub, PostgreSQL hub with the same data, the commune)."""
    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    root = tmp_path_factory.mktemp("pgdash")
    url = pg_cluster.fresh_database()
    commune = None
    try:
        lite = make_hub(root / "lite", "")  # SQLite, whatever the environment says
        commune = make_commune(root / "xa", UNIT, lite)
        demo.fill(commune.store, seed=11, today=today_local())
        with lite.store() as store:
            while (cut := outbox.cut_bundle(commune.store, commune.paths)) is not None and cut.path is not None:
                assert ingest.ingest_bytes(lite.paths, store, cut.path.read_bytes(), via="usb").status == "applied"
        sample = root / "cv.txt"
        sample.write_text(
            "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 7/UBND-KGVX\nQuảng Ngãi, ngày 05 tháng 01 năm 2026\n"
            "V/v triển khai số hóa hồ sơ\n"
            "1. UBND các xã, phường: số hóa 100% hồ sơ tiếp nhận, hoàn thành trước ngày 31/01/2026.\n"
            "2. UBND các xã, phường: báo cáo kết quả trước ngày 15/02/2099.\n", encoding="utf-8")
        rows, attachments = directives.directive_rows(sample)
        with lite.store() as store:
            province.publish(lite.paths, store, rows, [UNIT], attachments=attachments)
        pg_paths = hubstore.HubPaths(root / "pg")
        hubstore.init_hub(pg_paths, database=url)
        with lite.store() as source, hubstore.open_hub(pg_paths) as target:
            assert target.dialect == "postgresql"
            with target.transaction():
                assert _copy_tables(source, target) > 1000
        yield lite.paths, pg_paths, commune
    finally:
        if commune is not None:
            commune.close()
        pg_cluster.drop_database(url)


def _year() -> list[Period]:
    today = today_local()
    months = [month_period(m) for m in Period(today - dt.timedelta(days=364), today).months()]
    return months + [Period(months[0].start, months[-1].end)]


def _indicator_tuples(values) -> dict:
    return {k: (v.numerator, v.denominator, v.value, v.rag) for k, v in values.items()}


def test_indicators_of_a_postgresql_hub_are_the_sqlite_hubs_and_the_communes(two_hubs):
    lite_paths, pg_paths, commune = two_hubs
    with hubstore.open_hub(lite_paths) as lite, hubstore.open_hub(pg_paths) as pg:
        assert dashboard.refresh(pg) == [UNIT] and dashboard.refresh(pg) == []  # computed once, then kept
        for period in _year():
            ours = _indicator_tuples(dashboard.unit_indicators(pg, None, UNIT, period))
            assert ours == _indicator_tuples(dashboard.unit_indicators(lite, None, UNIT, period)), period
            assert ours == _indicator_tuples(compute_indicators(commune.store, period).values), period
        year = _year()[-1]
        assert dashboard.unit_indicators(pg, None, UNIT, year)["digitised_rate"].numerator > 500  # real data


def test_the_dashboard_model_of_a_postgresql_hub_is_the_sqlite_hubs(two_hubs):
    lite_paths, pg_paths, commune = two_hubs
    today = today_local()
    meetings = sorted({r["meeting_date"] for r in commune.store.query(
        "SELECT meeting_date FROM checklist_runs WHERE deleted_at IS NULL")})
    assert meetings
    seen_verdicts = set()
    with hubstore.open_hub(lite_paths) as lite, hubstore.open_hub(pg_paths) as pg:
        assert dashboard.default_meeting_date(pg.conn, today) == dashboard.default_meeting_date(lite.conn, today)
        for meeting in meetings:
            meeting_date = dt.date.fromisoformat(meeting)
            a = dashboard.DashboardCache().model(lite, today=today, period=_year()[-1], meeting_date=meeting_date)
            b = dashboard.DashboardCache().model(pg, today=today, period=_year()[-1], meeting_date=meeting_date)
            assert len(b.units) == 96
            for x, y in zip(a.units, b.units):
                assert (x.code, x.status, x.sums, x.overdue, x.tasks_open, x.readiness) == \
                       (y.code, y.status, y.sums, y.overdue, y.tasks_open, y.readiness), x.code
                assert _indicator_tuples(x.values) == _indicator_tuples(y.values)
            assert (a.trend, a.directives, a.rejections, a.refused) == (b.trend, b.directives, b.rejections, b.refused)
            unit = b.unit(UNIT)
            if unit.readiness:
                seen_verdicts.add(unit.readiness["ready"])
        assert seen_verdicts == {True, False}  # both verdicts of the demo's checklists
        assert unit.status["state"] == "ok" and unit.status["bundles"] >= 1 and unit.sums.received > 1000
        [directive] = b.directives
        assert directive["units_sent"] == 1 and directive["overdue_codes"] == [UNIT]  # its task of January
        assert unit.overdue >= 1 and unit.tasks_open > unit.overdue  # the 2099 task is open, not overdue


def test_overview_report_rows_conflicts_and_inbox_read_the_same_from_postgresql(two_hubs):
    lite_paths, pg_paths, _commune = two_hubs
    with hubstore.open_hub(lite_paths) as lite, hubstore.open_hub(pg_paths) as pg:
        assert overview.unit_status(pg) == overview.unit_status(lite)
        assert overview.unit_overview(pg) == overview.unit_overview(lite)
        assert overview._latest_verdicts(pg) == overview._latest_verdicts(lite) != {}
        assert report.report_sheet(pg).rows == report.report_sheet(lite).rows
        after, pages = 0, 0
        while True:  # the unit's rows for its devices, page by page in the hub's order of writes
            a, last_a = unit_rows._records(lite, UNIT, after, 1000)
            b, last_b = unit_rows._records(pg, UNIT, after, 1000)
            assert (a, last_a) == (b, last_b)
            if not a:
                break
            after, pages = last_a, pages + 1
        assert pages >= 2
        assert unit_rows.unit_conflicts(pg, UNIT) == unit_rows.unit_conflicts(lite, UNIT)
        assert province.inbox_for(pg, UNIT) == province.inbox_for(lite, UNIT) != []
        published = lite.query("SELECT state FROM rows WHERE unit = 'province' AND table_name = 'directives'")
        assert len(published) == 1
        row = json.loads(published[0]["state"])["row"]
        assert directives.published_before(pg, row) and directives.published_before(lite, row)
        assert not directives.published_before(pg, {**row, "number": "8/UBND-KGVX"})
        assert "Xã Ba Tơ" in overview.render_overview_html(pg)


def test_a_units_devices_read_rows_conflicts_inbox_and_ack_from_a_postgresql_hub_over_http(two_hubs):
    """The signed API a unit's devices read (`/api/v1/rows`, `/conflicts`, `/inbox`, `/ack`) served by
    a real hub on 127.0.0.1 from each store: the same answers, bundles signed by each hub's key."""
    from core.sync import bundle as bundlemod
    from core.sync import identity, keys
    from core.sync.client import HubClient
    from tests.core.sync.harness import Hub, running_hub

    lite_paths, pg_paths, commune = two_hubs
    answers = []
    for paths in (lite_paths, pg_paths):
        province_key = hubstore.province_keypair(paths).public
        with running_hub(Hub(paths, keys.public_key_text(province_key))) as url, \
                HubClient(url, unit=UNIT, keypair=identity.commune_keypair(commune.paths)) as client:
            records, after = [], 0
            while True:
                opened = bundlemod.open_bundle_bytes(client.unit_rows(after), lambda manifest: province_key)
                assert opened.manifest["destination"] == UNIT
                records += opened.records()
                after = opened.manifest["rev_to"]
                if not opened.manifest["more"]:
                    break
            ack = json.loads(client.ack()["ack"])
            answers.append((records, client.conflicts(0), client.inbox(0), ack["bundles"], ack["missing_by_device"]))
    lite, pg = answers
    assert pg == lite
    records, _conflicts, inbox, acked, _holes = pg
    assert len(records) > 1000 and len(inbox) == 1 and acked


def test_without_the_mirrors_copy_from_the_server_the_figures_differ(two_hubs, monkeypatch):
    """Negative check: the agreement above comes from the mirror's copy of the unit's rows from
    PostgreSQL (`_fill_from_server`); without it the PostgreSQL hub's figures are empty."""
    lite_paths, pg_paths, _commune = two_hubs
    monkeypatch.setattr(mirror, "_fill_from_server", lambda conn, hub, selections: None)
    with hubstore.open_hub(lite_paths) as lite, hubstore.open_hub(pg_paths) as pg:
        pg.conn.execute("DELETE FROM dash_unit_version")  # figures made again, without the copy
        assert dashboard.refresh(pg) == [UNIT]
        year = _year()[-1]
        assert _indicator_tuples(dashboard.unit_indicators(pg, None, UNIT, year)) != \
               _indicator_tuples(dashboard.unit_indicators(lite, None, UNIT, year))
    monkeypatch.undo()
    with hubstore.open_hub(pg_paths) as pg:
        pg.conn.execute("DELETE FROM dash_unit_version")
        assert dashboard.refresh(pg) == [UNIT]  # the figures of the other tests restored


@pytest.mark.usefixtures("hub_database")
def test_every_devices_holes_in_one_query_are_device_coverages(tmp_path):
    """The page reads every device's bundle numbers in one query (`device_gaps`, a window over the
    index) instead of one query per device: the same (bundles_through, missing) as
    `core.hub.store.device_coverage`, on either store — holes at the start, inside, repeated numbers,
    a device of another province's unit left out."""
    hub = make_hub(tmp_path / "hub")
    numbers = {("21484", "pc-a"): [1, 2, 3, 7, 8, 10], ("21484", "pc-b"): [2, 2, 3], ("21548", "pc-c"): [1, 2, 3],
               ("99999", "pc-x"): [5]}
    with hub.store() as store:
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO bundles (bundle_id, unit, kind, seq_from, seq_to, records, file_sha256, file_name, "
                "created_at, received_at, via, device, device_seq) VALUES (?, ?, 'changes', ?, ?, 1, 'x', 'f', "
                "'2026-01-01T00:00:00.000Z', ?, 'usb', ?, ?)",
                [(f"{unit}-{device}-{i}", unit, n, n, f"2026-01-01T00:00:{i:02d}.000Z", device, n)
                 for (unit, device), ns in numbers.items() for i, n in enumerate(ns)])
        devices = dashboard.unit_devices(store.conn)
        assert "99999" not in devices
        got = {(unit, d["device"]): (d["bundles_through"], d["missing"], d["bundles"])
               for unit, ds in devices.items() for d in ds}
        expected = {(unit, device): (*hubstore.device_coverage(store.conn, unit, device), len(ns))
                    for (unit, device), ns in numbers.items() if unit != "99999"}
        assert got == expected
        assert got[("21484", "pc-a")][:2] == (3, [[4, 6], [9, 9]]) and got[("21484", "pc-b")][:2] == (0, [[1, 1]])


@pytest.mark.usefixtures("hub_database")
def test_sync_facts_read_again_only_the_units_that_sent_something_and_stay_exact(tmp_path, monkeypatch):
    """`SyncFacts` keeps each unit's bundle counts and holes until its last bundle changes: after new
    bundles (one filling a hole, one opening another) the page's facts equal a fresh read, and only
    the unit that sent them was read again. Negative check: a cache that never re-reads is caught."""
    hub = make_hub(tmp_path / "hub")

    def add(store, unit, device, numbers, tag):
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO bundles (bundle_id, unit, kind, seq_from, seq_to, records, file_sha256, file_name, "
                "created_at, received_at, via, device, device_seq) VALUES (?, ?, 'changes', ?, ?, 1, 'x', 'f', "
                "'2026-01-01T00:00:00.000Z', ?, 'usb', ?, ?)",
                [(f"{tag}-{unit}-{device}-{n}", unit, n, n, f"2026-01-0{1 + len(tag)}T00:00:{n:02d}.000Z", device, n)
                 for n in numbers])

    codes = dashboard.province_codes()
    with hub.store() as store:
        add(store, "21484", "pc-a", [1, 2, 5], "a")
        add(store, "21548", "pc-c", [1, 3], "a")
        facts = dashboard.SyncFacts()
        assert facts.read(store.conn, codes) == (dashboard.bundle_stats(store.conn, codes),
                                                 dashboard.device_gaps(store.conn, codes))
        add(store, "21484", "pc-a", [3, 4, 8], "bb")
        read_for = []
        real = dashboard.bundle_stats
        monkeypatch.setattr(dashboard, "bundle_stats", lambda conn, units: read_for.append(units) or real(conn, units))
        fresh = (real(store.conn, codes), dashboard.device_gaps(store.conn, codes))
        assert facts.read(store.conn, codes) == fresh and read_for == [["21484"]]
        assert fresh[1][("21484", "pc-a")] == [[6, 7]] and fresh[1][("21548", "pc-c")] == [[2, 2]]
        stale = dashboard.SyncFacts()
        stale.read(store.conn, codes)
        add(store, "21548", "pc-c", [2], "ccc")
        marks = dict(store.conn.execute("SELECT unit, max(id) FROM bundles GROUP BY unit").fetchall())
        stale._units = {c: (marks.get(c), *rest) for c, (_mark, *rest) in stale._units.items()}  # as if unmoved
        assert stale.read(store.conn, codes) != facts.read(store.conn, codes)  # the stale one is told apart
        assert facts.read(store.conn, codes)[1].get(("21548", "pc-c")) is None  # the hole was filled


def test_a_page_leaves_a_unit_to_the_worker_already_recomputing_it(two_hubs):
    """Several `hub serve` workers on PostgreSQL: the worker that applied a unit's upload recomputes its
    figures; a page served meanwhile by another worker does not do the same work again on its
    request (it shows the figures made so far), and recomputes the unit once nobody else is."""
    from core.hub.database import PostgresHubDatabase, try_lock

    _lite_paths, pg_paths, _commune = two_hubs
    with hubstore.open_hub(pg_paths) as page, PostgresHubDatabase(page.url) as other_worker:
        page.conn.execute("DELETE FROM dash_unit_version WHERE unit = ?", (UNIT,))
        with try_lock(other_worker, f"dashboard-compute:{UNIT}") as held:
            assert held
            assert dashboard.refresh(page) == []  # left to the other worker, the page did not wait
            with try_lock(page, f"dashboard-compute:{UNIT}") as second:
                assert not second  # the lock is what made the page skip it
        assert dashboard.refresh(page) == [UNIT]


def test_two_publications_on_postgresql_number_their_rows_one_after_the_other(tmp_path, hub_database, monkeypatch):
    """`province.publish` reads the province's sequence and each unit's next bundle number, then writes
    them: on PostgreSQL (no single writer) it holds the province's lock for that. A publication started
    while another holds it waits, then completes with the next numbers. Negative check: without the
    lock it does not wait."""
    import threading

    from core.hub.database import lock_unit
    from core.sync import keys
    from tests.core.sync.harness import province_target_row

    if not hub_database:
        pytest.skip("SQLite lets one writer in at a time (BEGIN IMMEDIATE): nothing to interleave")
    hub = make_hub(tmp_path / "hub")
    pair = keys.load_or_create(tmp_path / "pc")
    with hub.store() as store:
        hubstore.register_unit(store, UNIT, keys.public_key_text(pair.public))
        province.publish(hub.paths, store, [("dossier_targets", province_target_row())], [UNIT])

    def publish_while_held() -> tuple[bool, list]:
        done: list = []

        def run():
            with hub.store() as store:
                done.append(province.publish(hub.paths, store, [("dossier_targets", province_target_row())], [UNIT]))

        with hub.store() as other, other.transaction():
            lock_unit(other, "province")
            thread = threading.Thread(target=run)
            thread.start()
            thread.join(1.5)
            waited = thread.is_alive()
        thread.join(30)
        return waited, done

    waited, done = publish_while_held()
    assert waited and len(done) == 1
    with hub.store() as store:
        assert store.scalar("SELECT value FROM hub_meta WHERE key = 'province_seq'") == "2"
        assert [r["seq"] for r in store.query("SELECT seq FROM outgoing_seqs WHERE unit = ? ORDER BY seq",
                                              (UNIT,))] == [1, 2]
    monkeypatch.setattr(province, "lock_unit", lambda db, unit: None)
    waited, done = publish_while_held()
    assert not waited and len(done) == 1  # without the lock nothing made it wait
