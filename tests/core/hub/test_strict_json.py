"""Every line the hub stores is strict JSON, on every SQLite: JSON5 is refused.

SQLite 3.42+ (python.org's Windows CPython bundles 3.45) lets json_extract read JSON5; the hub
must refuse such lines all the same (core/hub/strict_json.py).
"""

from __future__ import annotations

import sqlite3

import pytest

from core.hub import strict_json
from core.sync import keys
from tests.core.hub.test_hostile_bundles import ROW_OK, _ingest, _refused, _signed_lines, world  # noqa: F401

HEAD = '"t":"staff","id":"q1","op":"insert"'
STRICT = '{' + HEAD + ',"seq":1,"row":' + ROW_OK + '}'
ROW_NAN = ROW_OK[:-1] + ',"score":NaN}'

# Each is accepted by SQLite's JSON5 reader with the same fields as STRICT (so, unchecked, it
# would be stored), and none is RFC 8259 JSON.
JSON5_LINES = {
    "trailing comma": '{' + HEAD + ',"seq":1,"row":' + ROW_OK + ',}',
    "unquoted key": '{t:"staff","id":"q1","op":"insert","seq":1,"row":' + ROW_OK + '}',
    "single quotes": "{'t':'staff','id':'q1','op':'insert','seq':1,'row':" + ROW_OK + '}',
    "comment": '/* xã */ {' + HEAD + ',"seq":1,"row":' + ROW_OK + '} // cuối',
    "hexadecimal": '{' + HEAD + ',"seq":0x1,"row":' + ROW_OK + '}',
    "leading plus": '{' + HEAD + ',"seq":+1,"row":' + ROW_OK + '}',
    "NaN in the row": '{' + HEAD + ',"seq":1,"row":' + ROW_NAN + '}',
    "Infinity in the row": '{' + HEAD + ',"seq":1,"row":' + ROW_NAN.replace("NaN", "-Infinity") + '}',
}
SQLITE_READS_JSON5 = sqlite3.sqlite_version_info >= strict_json.JSON5_VERSION


@pytest.mark.parametrize("name", JSON5_LINES)
def test_python_check_refuses_json5(name):
    assert strict_json.is_strict(STRICT)
    assert not strict_json.is_strict(JSON5_LINES[name])


def _staged(lines: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("ATTACH ':memory:' AS staging")
    conn.execute("CREATE TABLE staging.incoming (n INTEGER PRIMARY KEY, line TEXT NOT NULL)")
    conn.executemany("INSERT INTO staging.incoming (line) VALUES (?)", [(line,) for line in lines])
    return conn


@pytest.mark.parametrize("version", [(3, 42, 0), (3, 44, 2), (3, 45, 1)], ids=["3.42", "3.44", "3.45"])
@pytest.mark.parametrize("name", JSON5_LINES)
def test_each_sqlite_version_path_names_the_first_json5_line(version, name):
    if version >= strict_json.STRICT_FLAG_VERSION and sqlite3.sqlite_version_info < strict_json.STRICT_FLAG_VERSION:
        pytest.skip(f"json_valid(X, 1) needs SQLite 3.45; this Python has SQLite {sqlite3.sqlite_version}")
    conn = _staged([STRICT, STRICT, JSON5_LINES[name], STRICT])
    assert strict_json.first_lenient_line(conn, version=version) == 3
    assert strict_json.first_lenient_line(_staged([STRICT] * 3), version=version) is None


def test_before_sqlite_3_42_nothing_more_is_checked():
    # json_extract itself refuses JSON5 there: the staged table holds nothing lenient.
    assert strict_json.first_lenient_line(_staged([JSON5_LINES["comment"]]), version=(3, 40, 1)) is None


@pytest.mark.parametrize("name", JSON5_LINES)
def test_signed_json5_lines_are_refused_on_this_sqlite(world, tmp_path, name):  # noqa: F811
    hub, a, b, path = world
    raw = (STRICT.replace("q1", "q0") + "\n"
           + JSON5_LINES[name] + "\n").encode()
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 2})
    _refused(hub, data, "damaged", "số 2", "JSON")


@pytest.mark.sqlite_only("the negative removes the SQLite store's own JSON5 check; PostgreSQL's jsonb reads strict JSON only")
@pytest.mark.skipif(not SQLITE_READS_JSON5,
                    reason=f"SQLite {sqlite3.sqlite_version}'s json_extract refuses JSON5 by itself (JSON5 from 3.42)")
def test_without_the_strict_check_this_sqlite_would_store_json5(world, tmp_path, monkeypatch):  # noqa: F811
    # The negative check: with the protection removed, SQLite's JSON5 reader lets the line in.
    monkeypatch.setattr(strict_json, "first_lenient_line", lambda conn, **kw: None)
    hub, a, b, path = world
    raw = (JSON5_LINES["comment"] + "\n").encode()
    data = _signed_lines(tmp_path, keys.load_or_create(a.paths.keys_dir), a.code, raw, {"staff": 1})
    assert _ingest(hub, data).status == "applied"
