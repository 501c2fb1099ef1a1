"""`hub check-rows` (core/hub/row_audit.py): lines a hub stored before today's checks, found and named.

Every hub in use holds lines checked by the rules of its day. Here real lines from a commune's
bundle pass, and lines as an older hub could have stored them (JSON5, a key twice, an escaped key,
a NUL, a number beyond PostgreSQL's numeric) are each named, on both stores, across batches.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.hub import ingest, portable_json, row_audit
from core.sync import outbox
from tests.cli_env import scrubbed_env
from tests.core.sync.harness import add_rows, make_commune, make_hub

pytestmark = pytest.mark.usefixtures("hub_database")  # both hub stores (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[3]
GOOD = '{"t":"staff","id":"q1","op":"insert","seq":1,"row":{"id":"q1","name":"Nguyễn Thị Hồng Nhung"}}'
# As a hub could have stored them before each check came in, and what the report names.
OLD_LINES = {
    "json5": ('{t:"staff","id":"j1","op":"insert","seq":1,"row":{"id":"j1"}}', "RFC 8259"),
    "nan": ('{"t":"staff","id":"j2","op":"insert","seq":1,"row":{"id":"j2","score":NaN}}', "RFC 8259"),
    "key twice": ('{"t":"staff","id":"j3","op":"insert","seq":1,"row":{"id":"j3","origin":"21484",'
                  '"origin":"99999"}}', "“origin” xuất hiện hai lần"),
    "escaped key": ('{"\\u0074":"staff","id":"j4","op":"insert","seq":1,"row":{"id":"j4"}}', "ký tự thoát"),
    "nul": ('{"t":"staff","id":"j5","op":"insert","seq":1,"row":{"id":"j5","name":"a\\u0000b"}}', "U+0000"),
    "lone surrogate": ('{"t":"staff","id":"j6","op":"insert","seq":1,"row":{"id":"j6","name":"\\ud800"}}',
                       "U+D800"),
    "huge number": ('{"t":"staff","id":"j7","op":"insert","seq":1,"row":{"id":"j7","n":1e200000}}', "PostgreSQL"),
}


@pytest.mark.parametrize("name", OLD_LINES)
def test_each_rule_names_its_line(name):
    line, words = OLD_LINES[name]
    assert words in row_audit.line_problem(line)


@pytest.mark.parametrize("line", [
    GOOD,
    '{"t":"staff","id":"q2","op":"insert","seq":1,"row":{"id":"q2","note":"đã \\"ký\\": xong","x":"3e41"}}',
    '{"t":"staff","id":"q3","op":"delete","seq":2,"row":null}',
])
def test_lines_the_app_writes_pass(line):
    assert row_audit.line_problem(line) is None


@pytest.fixture
def held(tmp_path):
    """A hub holding a commune's real lines (applied from its bundle), then the old ones planted
    as an older version could have stored them."""
    hub = make_hub(tmp_path / "hub")
    commune = make_commune(tmp_path / "a", "21484", hub)
    add_rows(commune, 5)
    with hub.store() as s:
        data = outbox.cut_bundle(commune.store, commune.paths).path.read_bytes()
        assert ingest.ingest_bytes(hub.paths, s, data, via="usb").status == "applied"
        real = s.scalar("SELECT count(*) FROM rows")
        with s.transaction() as conn:
            for name, (line, _words) in OLD_LINES.items():
                conn.execute("INSERT INTO rows (table_name, row_id, unit, seq, op, deleted, state, received_at) "
                             "VALUES ('staff', ?, '21484', 1, 'insert', 0, ?, '2026-01-01T00:00:00Z')",
                             (f"old-{name}", line))
    yield hub, real
    commune.close()


def test_the_audit_names_every_old_line_and_no_real_one_across_batches(held):
    hub, real = held
    with hub.store() as s:
        audit = row_audit.audit_rows(s, batch_rows=2)
    assert audit.checked == real + len(OLD_LINES)
    assert sorted(p.row_id for p in audit.problems) == sorted(f"old-{n}" for n in OLD_LINES)
    assert audit.problem_count == len(OLD_LINES) and not audit.clean
    named = {p.row_id: p.problem for p in audit.problems}
    for name, (_line, words) in OLD_LINES.items():
        assert words in named[f"old-{name}"], name


def test_negative_without_the_portability_rule_the_nul_line_passes(held, monkeypatch):
    hub, _real = held
    monkeypatch.setattr(portable_json, "unportable_reason", lambda line: None)
    with hub.store() as s:
        found = {p.row_id for p in row_audit.audit_rows(s).problems}
    assert "old-nul" not in found and "old-huge number" not in found and "old-json5" in found


def _check_rows(hub, *args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "hub", "check-rows", *args,
                           "--data-dir", str(hub.paths.root)], capture_output=True, encoding="utf-8", cwd=ROOT,
                          timeout=120, env=scrubbed_env(PYTHONPATH=str(ROOT)))


def test_check_rows_exits_1_naming_the_rows_then_0_once_they_are_sent_again(held):
    hub, real = held
    done = _check_rows(hub)
    assert done.returncode == 1, done.stderr
    assert f"{real + len(OLD_LINES)} dòng" in done.stdout and "old-nul" in done.stdout and "21484" in done.stdout
    report = json.loads(_check_rows(hub, "--json").stdout)
    assert report["problem_count"] == len(OLD_LINES) and not report["clean"]
    with hub.store() as s, s.transaction() as conn:  # the unit's corrected records replace the lines
        conn.execute("UPDATE rows SET state = ? WHERE row_id LIKE 'old-%'", (GOOD,))
    clean = _check_rows(hub)
    assert clean.returncode == 0 and "tất cả đạt" in clean.stdout, clean.stdout + clean.stderr
