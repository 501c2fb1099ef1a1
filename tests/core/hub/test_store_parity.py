"""The same bundle gets the same answer from a SQLite hub and from a PostgreSQL hub.

Each hostile line (the corpora of test_hostile_bundles and test_strict_json, and lines aimed at
where the two stores' JSON differ: \\u0000, numbers beyond PostgreSQL's numeric, number forms
jsonb cannot tell apart, duplicate keys, nesting deeper than SQLite reads, days past a month's
end…) is signed by a registered commune and sent to both hubs: the answer (status, reason,
Vietnamese message with its line number) must be identical, and so must the rows stored.
"""

from __future__ import annotations

import json

import pytest

from core.hub import ingest
from core.sync import bundle as bundlemod
from core.sync import keys, outbox
from tests.core.hub.test_hostile_bundles import ROW_OK, _signed_lines
from tests.core.hub.test_strict_json import JSON5_LINES
from tests.core.sync.harness import add_rows, make_commune, make_hub

HEAD = '"t":"staff","id":"q1","op":"insert"'


def _line(seq: str = "1", row: str = ROW_OK, head: str = HEAD, extra: str = "") -> str:
    return "{" + head + ',"seq":' + seq + extra + ',"row":' + row + "}"


def _row(**changes) -> str:
    row = json.loads(ROW_OK)
    text = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    for key, raw in changes.items():  # raw JSON text of the value, placed as written
        text = text[:-1] + f',"{key}":{raw}' + "}" if key not in row else \
            text.replace(f'"{key}":{json.dumps(row[key], ensure_ascii=False)}', f'"{key}":{raw}')
    return text


CHECKLIST_ITEM = ('{"id":"q1","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z",'
                  '"origin":"21484","run_id":"r","position":1,"category":"c","text":"t","kind":"number",'
                  '"threshold":THRESHOLD,"critical":0}')


def _item(threshold: str) -> str:
    return '{"t":"checklist_run_items","id":"q1","op":"insert","seq":1,"row":' + \
        CHECKLIST_ITEM.replace("THRESHOLD", threshold) + "}"


# name -> records.jsonl lines (v1: no versions)
V1 = {
    "valid": [_line()],
    "NaN": [_line("NaN")],
    "cut line": [_line()[:-1]],
    "array": ['["staff","q1"]'],
    "t a number": [_line(head='"t":1,"id":"q1","op":"insert"')],
    "t an object": [_line(head='"t":{"a":1},"id":"q1","op":"insert"')],
    "empty id": [_line(head='"t":"staff","id":"","op":"insert"')],
    "bad op": [_line(head='"t":"staff","id":"q1","op":"drop"')],
    "seq 1.5": [_line("1.5")], "seq -2": [_line("-2")], "seq 1e2": [_line("1e2")], "seq 1E+2": [_line("1E+2")],
    "seq 1.0": [_line("1.0")], "seq 2**63": [_line("9223372036854775808")], "seq -0": [_line("-0")],
    "seq true": [_line("true")], "seq 10**20": [_line("100000000000000000000")],
    "purge with row": [_line(head='"t":"staff","id":"q1","op":"purge"')],
    "row id differs": [_line(head='"t":"staff","id":"q2","op":"insert"')],
    "row a string": [_line(row='"x"')],
    "u0000 in a value": [_line(row=_row(full_name='"a\\u0000b"'))],
    "escaped backslash then u0000": [_line(row=_row(full_name='"a\\\\u0000b"'))],
    "escapes": [_line(row=_row(full_name='"\\"Nguy\\u1ec5n\\" \\\\ \\/ \\t"'))],
    "lone surrogate": [_line(row=_row(full_name='"\\ud800"'))],
    "raw tab in a string": [_line(row=_row(full_name='"a\tb"'))],
    "CR at the end": [_line() + "\r"],
    "origin a number": [_line(row=_row(origin="21484"))],
    "origin missing": [_line(row=ROW_OK.replace(',"origin":"21484"', ""))],
    "duplicate column": [_line(row=ROW_OK[:-1] + ',"full_name":"B"}')],
    "nested deeper than SQLite reads": [_line(row=_row(position="[" * 2100 + "]" * 2100))],
    "real 1e400": [_item("1e400")],
    "number beyond numeric, with an escape": [_item("1e131072").replace('"text":"t"', '"text":"\\u0074"')],
    "real 2.5": [_item("2.5")],
    "stamp past the month's end": [_line(row=_row(updated_at='"2026-02-30T10:00:00.123Z"'))],
    "stamp 9999": [_line(row=_row(updated_at='"9999-01-01T00:00:00.000Z"'))],
    "stamp not a string": [_line(row=_row(updated_at='20260101'))],
    "two lines, second bad": [_line(), _line("NaN").replace("q1", "q2")],
    "same row twice": [_line(), _line("2", row=_row(full_name='"B"'))],
    "u0000 then a cut line": [_line(row=_row(full_name='"\\u0000"')), _line()[:-1].replace("q1", "q2")],
    **{f"JSON5 {name}": [line] for name, line in JSON5_LINES.items()},
}


def _v2(seq: str = "1", hlc: str = "1000", dev: str = "DEV", base: str = "null", row: str = ROW_OK) -> str:
    return _line(seq, row=row, extra=f',"hlc":{hlc},"dev":"{dev}","base":{base}')


V2 = {
    "valid v2": [_v2()],
    "hlc 1e3": [_v2(hlc="1e3")],
    "hlc 1.0": [_v2(hlc="1.0")],
    "hlc a string": [_v2(hlc='"1000"')],
    "base an object": [_v2(base='{"0":5,"1":"DEV"}')],
    "base [1e2, dev]": [_v2(base='[1e2,"DEV"]')],
    "base good": [_v2(base='[500,"DEV"]')],
    "no hlc in v2": [_line()],
    "dev empty": [_v2(dev="")],
}


@pytest.fixture
def hubs(tmp_path, monkeypatch):
    from core.hub.config import DATABASE_ENV
    from tests import pg_cluster

    if pg_cluster.server_url() is None:
        pytest.skip(pg_cluster.skip_reason())
    url = pg_cluster.fresh_database()
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    lite = make_hub(tmp_path / "sqlite-hub")
    monkeypatch.setenv(DATABASE_ENV, url)
    pg = make_hub(tmp_path / "pg-hub")
    monkeypatch.delenv(DATABASE_ENV)
    a = make_commune(tmp_path / "a", "21484", lite)
    pg.register(a)
    add_rows(a, 3)
    first = outbox.cut_bundle(a.store, a.paths).path.read_bytes()
    for hub in (lite, pg):
        assert _ingest(hub, first).status == "applied"
    with lite.store() as s:
        device = s.scalar("SELECT device_id FROM device_keys WHERE unit = '21484'")
    yield lite, pg, a, device
    a.close()
    pg_cluster.drop_database(url)


def _ingest(hub, data: bytes):
    with hub.store() as s:
        return ingest.ingest_bytes(hub.paths, s, data, via="usb")


def _rows(hub) -> list[dict]:
    with hub.store() as s:
        return s.query("SELECT table_name, row_id, unit, seq, op, updated_at, deleted, state, hlc, device "
                       "FROM rows ORDER BY table_name, row_id")


def _send_to_both(hubs, tmp_path, lines: list[str], extra: dict | None = None):
    lite, pg, a, device = hubs
    pair = keys.load_or_create(a.paths.keys_dir)
    raw = "".join(line + "\n" for line in lines).encode("utf-8")
    counts: dict = {}
    for line in lines:
        try:
            table = json.loads(line).get("t")
        except Exception:  # noqa: BLE001 - the count only has to match what a hub counts
            table = None
        if isinstance(table, str):
            counts[table] = counts.get(table, 0) + 1
    if not counts:
        counts = {"staff": len(lines)}
    data = _signed_lines(tmp_path, pair, a.code, raw, counts) if extra is None else \
        _signed_v2(tmp_path, pair, a.code, raw, counts, extra)
    answers = [_ingest(hub, data) for hub in (lite, pg)]
    seen = [(r.status, r.reason, r.message, r.conflicts) for r in answers]
    assert seen[0] == seen[1], f"SQLite: {seen[0]}\nPostgreSQL: {seen[1]}"
    assert _rows(lite) == _rows(pg)
    return answers[0]


def _signed_v2(tmp_path, pair, source, raw: bytes, counts: dict, extra: dict) -> bytes:
    import base64
    import hashlib

    from tests.core.hub.test_hostile_bundles import _rezip

    empty, manifest = bundlemod.write_bundle(tmp_path / "rogue2", kind="changes", source=source,
                                             destination="province", signer=pair, seq_from=70, seq_to=70,
                                             extra=extra)
    manifest["members"] = {"records.jsonl": {"sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}}
    manifest["counts"] = counts
    manifest["record_count"] = sum(counts.values())
    manifest_bytes = json.dumps(manifest).encode()
    return _rezip(empty, drop={bundlemod.RECORDS, bundlemod.MANIFEST, bundlemod.SIGNATURE},
                  extra=[(bundlemod.RECORDS, raw), (bundlemod.MANIFEST, manifest_bytes),
                         (bundlemod.SIGNATURE, base64.b64encode(pair.sign(manifest_bytes)))])


# Known difference (core/hub/portable_json.py): a number beyond PostgreSQL's numeric, in a line
# with no \u escape, is refused by PostgreSQL as not JSON; SQLite checks it as any number.
BEYOND_NUMERIC = {
    "number beyond numeric": [_line(row=_row(position="1e131072"))],
    "tiny number beyond numeric": [_line(row=_row(position="1e-16384"))],
    "real 1e131072": [_item("1e131072")],
}


@pytest.mark.parametrize("name", BEYOND_NUMERIC)
def test_a_number_beyond_numeric_is_refused_by_postgresql_as_not_json(hubs, tmp_path, name):
    lite, pg, a, device = hubs
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code,
                         (BEYOND_NUMERIC[name][0] + "\n").encode(), {json.loads(BEYOND_NUMERIC[name][0])["t"]: 1})
    on_pg = _ingest(pg, data)
    assert (on_pg.status, on_pg.reason) == ("rejected", "damaged")
    assert "số 1" in on_pg.message and "JSON" in on_pg.message
    on_sqlite = _ingest(lite, data)
    assert "JSON" not in on_sqlite.message


@pytest.mark.parametrize("name", V1)
def test_first_format_line_same_answer_on_both_stores(hubs, tmp_path, name):
    _send_to_both(hubs, tmp_path, V1[name])


@pytest.mark.parametrize("name", V2)
def test_versioned_line_same_answer_on_both_stores(hubs, tmp_path, name):
    lite, pg, a, device = hubs
    lines = [line.replace('"DEV"', json.dumps(device)) for line in V2[name]]
    _send_to_both(hubs, tmp_path, lines, extra={"device": device, "device_seq": 2})


def test_the_corpus_has_both_answers():
    """Not a corpus of refusals only: some lines must be stored, by both."""
    assert {"valid", "escapes", "escaped backslash then u0000", "CR at the end", "real 2.5",
            "stamp past the month's end", "same row twice"} <= set(V1)


def test_without_the_portable_check_sqlite_would_store_what_postgresql_refuses(hubs, tmp_path, monkeypatch):
    """The negative check of core.hub.portable_json on the SQLite path: switched off, a \\u0000 line
    is stored by the SQLite hub and refused by the PostgreSQL hub."""
    from core.hub import portable_json

    monkeypatch.setattr(portable_json, "refuse_unportable", lambda conn: None)
    lite, pg, a, device = hubs
    line = V1["u0000 in a value"][0]
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, (line + "\n").encode(),
                         {"staff": 1})
    assert _ingest(lite, data).status == "applied"
    assert _ingest(pg, data).status == "rejected"


def test_conflicts_between_two_devices_are_the_same_on_both_stores(hubs, tmp_path):
    """Versions from two PCs of one unit, in an order that makes the hub keep an older edit as a
    conflict, replace its version by a concurrent newer one (keeping the old one too), and ignore
    a stale copy: the same rows, revs in the same order and the same conflicts on both stores."""
    lite, pg, a, device = hubs
    second = make_commune(tmp_path / "a2", "21484", lite)
    pg.register(second)
    try:
        pair_a, pair_b = keys.load_or_create(a.paths.keys_dir), keys.load_or_create(second.paths.keys_dir)
        other = "ffffffff-0000-7000-8000-000000000002"
        row = lambda name: _row(full_name=json.dumps(name, ensure_ascii=False)).replace('"q1"', '"c1"')  # noqa: E731
        head = '"t":"staff","id":"c1","op":"insert"'
        sends = [  # (signer, device, device_seq, hlc, base)
            (pair_a, device, 2, "5000", "null", "Bản A"),
            (pair_b, other, 1, "4000", "null", "Bản B cũ hơn"),            # older, other device: a conflict
            (pair_b, other, 2, "6000", f'[4000,"{other}"]', "Bản B mới"),  # newer, made without seeing A's: replaces, keeps A's
            (pair_a, device, 3, "5500", f'[5000,"{device}"]', "Bản A muộn"),  # older than the hub's now: a conflict
            (pair_a, device, 4, "7000", f'[6000,"{other}"]', "Bản A cuối"),   # made on top of the hub's: no conflict
        ]
        for i, (pair, dev, dseq, hlc, base, name) in enumerate(sends):
            line = "{" + head + f',"seq":{10 + i},"hlc":{hlc},"dev":"{dev}","base":{base},"row":' + row(name) + "}"
            raw = (line + "\n").encode()
            answers = []
            for hub in (lite, pg):
                data = _signed_v2(tmp_path / f"s{i}", pair, a.code, raw, {"staff": 1},
                                  {"device": dev, "device_seq": dseq})
                answers.append(_ingest(hub, data))
            assert [(r.status, r.conflicts, r.message) for r in answers][0] == \
                [(r.status, r.conflicts, r.message) for r in answers][1], answers
            assert answers[0].status == "applied", answers[0]
        assert _rows(lite) == _rows(pg)
        conflict_sql = ("SELECT table_name, row_id, kept_hlc, kept_device, lost_hlc, lost_device, lost_state "
                        "FROM conflicts ORDER BY id")
        with lite.store() as s1, pg.store() as s2:
            assert s1.query(conflict_sql) == s2.query(conflict_sql)
            assert len(s1.query(conflict_sql)) == 3
            order = "SELECT row_id FROM rows WHERE unit = '21484' ORDER BY rev"
            assert [r["row_id"] for r in s1.query(order)] == [r["row_id"] for r in s2.query(order)]
    finally:
        second.close()
