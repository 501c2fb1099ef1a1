"""A long backlog of changes must still reach the province.

The reader refuses a bundle whose records are larger than `bundle.Limits.max_member_bytes`
(512 MB unpacked), and the hub an upload over 64 MiB. A backlog of about a million changed rows
(`python -m bench.growth`) used to become one bundle the hub had to refuse, so the commune could
never send it. The writer now cuts a backlog into bundles of consecutive ranges, each under half
the reader's limits. Here the reader's limit is lowered (to 200 KB) so 3,000 rows need several
bundles; every row must arrive.
"""

from __future__ import annotations

import dataclasses

import pytest

from core.hub import ingest
from core.sync import bundle as bundlemod
from core.sync import outbox
from tests.core.sync.harness import make_commune, make_hub


pytestmark = pytest.mark.usefixtures("hub_database")  # every test on both hub stores (tests/conftest.py)


def test_a_backlog_larger_than_one_bundle_still_arrives(tmp_path, monkeypatch):
    small = dataclasses.replace(bundlemod.DEFAULT_LIMITS, max_member_bytes=200_000, max_total_bytes=400_000)
    monkeypatch.setattr(bundlemod, "DEFAULT_LIMITS", small)
    monkeypatch.setitem(bundlemod.open_bundle_bytes.__kwdefaults__, "limits", small)
    hub = make_hub(tmp_path / "hub")
    c = make_commune(tmp_path / "c", "21484", hub)
    c.store.insert_many("staff", [{"full_name": f"Cán bộ số {i}", "position": "công chức " * 5, "active": 1}
                                  for i in range(3000)])
    cut = outbox.cut_pending(c.store, c.paths)
    assert cut.bundles > 1 and cut.records >= 3000
    answers = []
    with hub.store() as s:
        for row in c.store.query("SELECT file_name FROM sync_outbox ORDER BY seq_from"):
            data = (c.paths.outbox_dir / row["file_name"]).read_bytes()
            answers.append(ingest.ingest_bytes(hub.paths, s, data, via="usb").status)
        at_hub = s.scalar("SELECT count(*) FROM rows WHERE table_name = 'staff'")
    local = c.store.scalar("SELECT count(*) FROM staff")
    c.close()
    assert answers and set(answers) == {"applied"}, answers
    assert at_hub == local
