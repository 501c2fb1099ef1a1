"""Demo dossiers: deterministic from the seed, a year, every channel, seasonal, some tallies."""

import datetime as dt
import random

from core.demo import DemoContext, _foundation
from core.dossiers.demo import demo_dossiers
from core.paths import AppPaths
from core.workspace import open_workspace


def _run(store, seed):
    # Only this capability's generator: the others have their own tests.
    ctx = DemoContext(store=store, rng=random.Random(seed), today=dt.date(2025, 12, 31))
    _foundation(ctx)
    return demo_dossiers(ctx)


def _fill(tmp_path, name, seed):
    store = open_workspace(AppPaths(tmp_path / name).ensure())
    _run(store, seed)
    return store


def test_demo_dossiers_deterministic_and_realistic(tmp_path):
    a, b = _fill(tmp_path, "a", 7), _fill(tmp_path, "b", 7)
    query = "SELECT id, code, field, channel, received_on, finished_on FROM dossiers ORDER BY code"
    assert a.query(query) == b.query(query)
    count = a.scalar("SELECT count(*) FROM dossiers")
    assert 2000 <= count <= 5000
    assert {r["channel"] for r in a.query("SELECT DISTINCT channel FROM dossiers")} == {1, 2, 3}
    months = {r["m"]: r["n"] for r in a.query(
        "SELECT substr(received_on, 1, 7) AS m, count(*) AS n FROM dossiers GROUP BY 1")}
    assert len(months) >= 12
    assert months["2025-02"] < months["2025-01"]  # the Tết dip
    assert a.scalar("SELECT count(*) FROM dossier_tallies") > 0
    assert a.scalar("SELECT max(received_on) FROM dossiers") <= "2025-12-31"
    assert a.scalar("SELECT count(*) FROM dossier_month_locks") >= 9
    # Running again adds nothing.
    assert "đã có dữ liệu" in _run(a, 7)
    assert a.scalar("SELECT count(*) FROM dossiers") == count
