"""The hub under concurrent load (test size): 12 communes upload at once, 6 at a time, some
bundles twice; every bundle is applied once, every row is there once, nothing is lost.
The figures (uploads per second, latency percentiles) come from `python -m bench.hub_load`."""

from __future__ import annotations

import pytest
from bench.hub_load import check_hub, make_units, start_hub, upload_all


pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


def test_concurrent_uploads_lose_and_duplicate_nothing(tmp_path):
    units = make_units(tmp_path / "units", 12, 3, 20)
    server, url, hub_paths = start_hub(tmp_path, units)
    try:
        load = upload_all(url, units, concurrency=6, repeat_every=4, time_limit=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    sent = sum(len(u.bundles) for u in units)
    assert load.errors == []
    assert load.statuses == {"applied": sent, "duplicate": sent // 4}
    assert check_hub(hub_paths, units) == []
    assert len(load.latencies) == sent + sent // 4 and load.percentile(99) >= load.percentile(50) > 0
