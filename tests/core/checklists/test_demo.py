import datetime as dt

from core import clock
from core.checklists import equipment, history
from core.demo import DemoContext, _foundation
from core.demo import checklists as demo

import random


def _fill(store, seed=3):
    ctx = DemoContext(store=store, rng=random.Random(seed), today=dt.date(2026, 5, 20))
    _foundation(ctx)
    return demo.generate(ctx)


def _summary(store):
    return [(r["meeting_title"], r["meeting_date"], r["start_time"], r["verdict"], r["incident_count"],
             r["attendance"]) for r in history.list_runs(store)]


def test_demo_year_of_meetings(store, tmp_path):
    clock.freeze(dt.datetime(2026, 5, 20, 9, 0, tzinfo=clock.LOCAL_TZ))
    try:
        line = _fill(store)
        rows = history.list_runs(store)
        closed = [r for r in rows if r["status"] == "closed"]
        assert len(closed) == 12 and len(rows) == 13
        assert 3 <= sum(r["verdict"] == "not_ready" for r in closed) <= 5
        assert sum(r["incident_count"] for r in rows) > 0
        assert min(r["meeting_date"] for r in closed) >= "2025-05-20"
        assert history.next_meeting(store)["status"] == "open"
        assert len(equipment.list_equipment(store)) == 7
        assert "12 phiếu đã khóa" in line
        assert store.scalar("SELECT count(*) FROM checklist_corrections") == 1
        assert demo.generate(DemoContext(store=store, rng=random.Random(3), today=dt.date(2026, 5, 20))).endswith("bỏ qua.")
        assert len(history.list_runs(store)) == 13
        assert clock.now_local() == dt.datetime(2026, 5, 20, 9, 0, tzinfo=clock.LOCAL_TZ)  # clock given back
    finally:
        clock.freeze(None)


def test_demo_is_deterministic(tmp_path):
    from core.paths import AppPaths
    from core.workspace import open_workspace

    summaries = []
    for name in ("a", "b"):
        s = open_workspace(AppPaths(tmp_path / name).ensure())
        _fill(s, seed=7)
        summaries.append(_summary(s))
        s.close()
    assert summaries[0] == summaries[1]
