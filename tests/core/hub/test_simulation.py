"""A small multi-unit simulation: communes with a year of demo data, one hub, status, overview, report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from core import demo
from core.hub import ingest, overview, province
from core.hub.report import write_report
from core.sync import changes, inbox, outbox
from tests.core.sync.harness import make_commune, make_hub

UNITS = ["21484", "21478", "23284"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, hub_database_module):
    root = tmp_path_factory.mktemp("sim")
    hub = make_hub(root / "hub", hub_database_module)
    communes = []
    for seed, code in enumerate(UNITS, start=1):
        c = make_commune(root / code, code, hub)
        demo.fill(c.store, seed=seed)
        communes.append(c)
    with hub.store() as s:
        for c in communes:
            cut = outbox.cut_bundle(c.store, c.paths)
            assert ingest.ingest_bytes(hub.paths, s, cut.path.read_bytes(), via="usb").status == "applied"
    yield hub, communes
    for c in communes:
        c.close()


def test_every_unit_arrives_complete(simulated):
    hub, communes = simulated
    with hub.store() as s:
        for c in communes:
            for table in changes.owned_tables(c.store.conn, "commune"):
                local = c.store.scalar(f"SELECT count(*) FROM [{table}]")
                at_hub = s.scalar("SELECT count(*) FROM rows WHERE unit = ? AND table_name = ?", (c.code, table))
                assert at_hub == local, (c.code, table)
        assert s.scalar("SELECT count(DISTINCT unit) FROM bundles") == len(UNITS)


def test_status_overview_and_report(simulated, tmp_path):
    hub, communes = simulated
    with hub.store() as s:
        status = {u["code"]: u for u in overview.unit_status(s)}
        rows = overview.unit_overview(s)
        html = overview.render_overview_html(s)
        out = write_report(s, tmp_path / "bao_cao.xlsx")
    assert set(status) == set(UNITS)
    assert all(status[c]["bundles_applied"] == 1 and status[c]["rows"]["dossiers"] > 100 for c in UNITS)
    assert len(rows) == 96
    by_code = {r["code"]: r for r in rows}
    assert not by_code["21484"]["stale"] and by_code["21025"]["stale"]
    assert by_code["21484"]["verdict"] in ("ready", "not_ready")
    assert "Xã Ba Tơ" in html and html.count('>Chưa đăng ký</td>') == 96 - len(UNITS)
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row == 3 + 96
    codes = [sheet.cell(row=r, column=1).value for r in range(4, 100)]
    assert set(UNITS) <= set(codes)
    # Excel conventions (core.excel): typed cells, header frozen and filtered, A4 landscape, fitted to width.
    assert sheet.title.startswith("Đồng bộ các xã") and sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:L99" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    synced = next(r for r in range(4, 100) if sheet.cell(r, 1).value == "21484")
    assert sheet.cell(synced, 3).is_date and sheet.cell(synced, 3).number_format == "dd/mm/yyyy hh:mm"
    assert sheet.cell(synced, 7).data_type == "n" and sheet.cell(synced, 10).number_format == "0.0%"


def test_directive_reaches_every_registered_unit(simulated, tmp_path):
    hub, communes = simulated
    sample = tmp_path / "cv.txt"
    sample.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/UBND-KGVX\nQuảng Ngãi, ngày 05 tháng 01 năm 2026\n"
        "V/v triển khai số hóa hồ sơ\n"
        "1. UBND các xã, phường: số hóa 100% hồ sơ tiếp nhận, hoàn thành trước ngày 31/01/2026.\n"
        "2. UBND các xã, phường: báo cáo kết quả trước ngày 15/02/2026.\n", encoding="utf-8")
    from core.hub.directives import directive_rows

    rows, attachments = directive_rows(sample)
    assert rows[0][0] == "directives" and any(t == "tasks" for t, _ in rows)
    with hub.store() as s:
        made = province.publish(hub.paths, s, rows, None, attachments=attachments)
    assert sorted(m["unit"] for m in made) == sorted(UNITS)
    for c in communes:
        [mine] = [m for m in made if m["unit"] == c.code]
        result = inbox.import_bundle_file(c.store, c.paths, Path(mine["file"]))
        assert result.status == "applied"
        assert c.store.scalar("SELECT count(*) FROM tasks") == len(rows) - 1
    with hub.store() as s:
        overdue = {r["code"]: r["overdue_tasks"] for r in overview.unit_overview(s)}
    # The same count as the commune's own screen (province tasks and its own, core.tasks.queries).
    from core.clock import today_local
    from core.tasks.queries import task_alert_counts

    for c in communes:
        assert overdue[c.code] == task_alert_counts(c.store, today_local())["overdue"] >= len(rows) - 1
