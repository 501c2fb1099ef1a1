"""Uploads arriving at the same moment, on separate connections (as from several `hub serve` workers).

- two uploads of one unit never interleave: each one's rows get a block of `rev`s of its own,
  all of one upload's before all of the other's (devices read rows back in rev order);
- uploads of different units do not wait for each other on PostgreSQL (no process-wide lock);
- the same bundle sent twice at once is applied once.

Each upload is slowed down inside its transaction, after its rows are checked and before they
are written (`slow_writes`), so the two always overlap. The protections are switched off in the
same tests (`protected=False`) to show that the tests catch their absence.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.hub import apply, apply_pg, ingest, ingest_pg
from core.sync import outbox
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")

PAUSE = 1.5


@pytest.fixture
def world(tmp_path):
    hub = make_hub(tmp_path / "hub")
    a = make_commune(tmp_path / "a", "21484", hub)
    b = make_commune(tmp_path / "b", "21478", hub)
    yield hub, a, b
    a.close()
    b.close()


@pytest.fixture
def slow_writes(monkeypatch):
    """Every upload waits PAUSE seconds inside its transaction, once its lines are checked."""
    base_pg, apply_sqlite = apply_pg.next_rev_base, apply.apply_lines

    def slow_base(db, unit):
        value = base_pg(db, unit)
        time.sleep(PAUSE)  # read the unit's rev, then let the other upload run
        return value

    def slow_apply(conn, **kwargs):
        time.sleep(PAUSE)
        return apply_sqlite(conn, **kwargs)

    monkeypatch.setattr(apply_pg, "next_rev_base", slow_base)
    monkeypatch.setattr(apply, "apply_lines", slow_apply)


def _at_once(hub, payloads: list[bytes]) -> list:
    """Ingest each payload on its own thread and connection, all released together."""
    start = threading.Barrier(len(payloads))
    results: list = [None] * len(payloads)
    errors: list = []

    def run(i: int, data: bytes) -> None:
        try:
            with hub.store() as s:
                start.wait()
                results[i] = ingest.ingest_bytes(hub.paths, s, data, via="network")
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, data)) for i, data in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


def _unlocked(monkeypatch) -> None:
    monkeypatch.setattr(ingest_pg, "lock_unit", lambda db, unit: None)


def _two_bundles(commune, n: int) -> tuple[bytes, bytes, list[str], list[str]]:
    first_ids = add_rows(commune, n, prefix="Một")
    first = outbox.cut_bundle(commune.store, commune.paths).path.read_bytes()
    second_ids = add_rows(commune, n, prefix="Hai")
    second = outbox.cut_bundle(commune.store, commune.paths).path.read_bytes()
    return first, second, first_ids, second_ids


@pytest.mark.parametrize("protected", [True, False])
def test_two_uploads_of_one_unit_never_interleave(world, slow_writes, monkeypatch, protected, hub_database):
    hub, a, b = world
    if not protected:
        if hub_database is None:
            pytest.skip("SQLite lets one writer in at a time (BEGIN IMMEDIATE): there is no lock to remove")
        _unlocked(monkeypatch)
    first, second, first_ids, second_ids = _two_bundles(a, 40)
    results = _at_once(hub, [first, second])
    assert [r.status for r in results] == ["applied", "applied"], results
    with hub.store() as s:
        revs = s.query("SELECT row_id, rev FROM rows WHERE unit = ? AND table_name = 'staff' ORDER BY rev, row_id",
                       (a.code,))
    ours = {*first_ids, *second_ids}
    order = [r["row_id"] for r in revs if r["row_id"] in ours]
    numbers = [r["rev"] for r in revs]
    blocks = ["first" if row_id in first_ids else "second" for row_id in order]
    ordered = len(set(numbers)) == len(numbers) and \
        blocks in (["first"] * 40 + ["second"] * 40, ["second"] * 40 + ["first"] * 40)
    assert ordered == protected, (numbers, blocks)


def test_uploads_of_two_units_run_side_by_side(world, slow_writes, hub_database):
    """The other unit's upload is not held up by the first one's transaction."""
    if hub_database is None:
        pytest.skip("SQLite has one writer at a time: uploads are applied one after the other")
    hub, a, b = world
    add_rows(a, 20)
    add_rows(b, 20)
    payloads = [outbox.cut_bundle(c.store, c.paths).path.read_bytes() for c in (a, b)]
    started = time.monotonic()
    results = _at_once(hub, payloads)
    took = time.monotonic() - started
    assert [r.status for r in results] == ["applied", "applied"], results
    # Each waits PAUSE inside its transaction; one after the other would take at least 2 * PAUSE.
    assert took < 2 * PAUSE, took


def test_uploads_of_two_units_wait_for_each_other_under_one_shared_lock(world, slow_writes, monkeypatch,
                                                                        hub_database):
    """The negative of the test above: locking one key for every unit makes it wait."""
    if hub_database is None:
        pytest.skip("PostgreSQL only")
    from core.hub import database

    monkeypatch.setattr(ingest_pg, "lock_unit", lambda db, unit: database.lock_unit(db, "every unit"))
    hub, a, b = world
    add_rows(a, 20)
    add_rows(b, 20)
    payloads = [outbox.cut_bundle(c.store, c.paths).path.read_bytes() for c in (a, b)]
    started = time.monotonic()
    assert [r.status for r in _at_once(hub, payloads)] == ["applied", "applied"]
    assert time.monotonic() - started >= 2 * PAUSE


@pytest.mark.parametrize("protection", ["all", "key only", "none"])
def test_the_same_bundle_twice_at_once_is_applied_once(world, slow_writes, monkeypatch, protection, hub_database):
    hub, a, b = world
    if protection != "all":
        if hub_database is None:
            pytest.skip("PostgreSQL's protections (unit lock, primary key)")
        _unlocked(monkeypatch)
    if protection == "none":
        with hub.store() as s, s.transaction() as conn:
            conn.execute("ALTER TABLE bundles DROP CONSTRAINT bundles_pkey")
    add_rows(a, 30)
    data = outbox.cut_bundle(a.store, a.paths).path.read_bytes()
    results = _at_once(hub, [data, data])
    with hub.store() as s:
        held = s.scalar("SELECT count(*) FROM bundles WHERE unit = ?", (a.code,))
        conflicts = s.scalar("SELECT count(*) FROM conflicts")
    once = sorted(r.status for r in results) == ["applied", "duplicate"] and held == 1 and conflicts == 0
    assert once == (protection != "none"), (results, held, conflicts)
