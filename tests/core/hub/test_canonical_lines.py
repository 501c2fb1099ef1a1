"""The hub's fast path for row validation (core.hub.validate.canonical_line_patterns).

A line spelled exactly as the app writes it is accepted by a regular expression instead of the
SQL row check, and staged as `canonical`, which skips the record checks (`_LINE_PROBLEM`) and the
shape of the stamps. That is only safe if the expression never accepts a line those SQL checks
would refuse (or read differently): checked here over every commune table's canonical line and
hundreds of variants of it — each column given every JSON type, columns missing, extra, repeated,
reordered, keys spelled with escapes, spaces, a second `row`, bad ids, operations, counters and
stamps, malformed strings and numbers. The negative checks loosen one piece of the expression and
show both this comparison and a real upload then let a wrong row through.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from core.hub import apply, validate
from core.sync import bundle as bundlemod
from tests.core.hub.test_row_validation import _bundle, _ingest, world  # noqa: F401 (fixture)

NOW = "2026-01-02T03:04:05.678Z"
ODD_VALUES = [12, 0, -0.0, 1.5, 1e5, 10 ** 30, -7, "s", "", "a\"b", "\u0001", None, True, False, {"x": 1}, [1], []]


def _catalogue() -> validate.Catalogue:
    return validate.catalogues()[max(validate.catalogues())]


def _row(catalogue: validate.Catalogue, table: str) -> dict:
    sample = {"text": "x", "integer": 1, "real": 2.5, "null": None}
    row = {column: sample[types[0]] for column, types in catalogue.columns[table].items()}
    row.update({k: NOW for k in ("created_at", "updated_at") if k in row})
    row.update(id="r1", deleted_at=None)  # as a real line: the record's id, a live row
    return row


def _line(table: str, row, *, versioned: bool = True) -> bytes:
    if versioned:
        return bundlemod.encode_record(table, "r1", "insert", 5, row, 123, "dev-1", [100, "dev-2"]).rstrip(b"\n")
    return bundlemod.encode_record(table, "r1", "insert", 5, row).rstrip(b"\n")


def _variants(catalogue: validate.Catalogue, table: str) -> list[bytes]:
    row = _row(catalogue, table)
    columns = list(row)
    out = [_line(table, row), _line(table, row, versioned=False),
           _line(table, dict(row, **{"cccd": "051234567890"})),  # an undeclared column
           _line(table, {c: row[c] for c in columns[1:] + columns[:1]}),  # another order
           _line(table, None)]  # a purge
    for column in columns:
        out.append(_line(table, {c: v for c, v in row.items() if c != column}))  # missing
        for value in ODD_VALUES:
            out.append(_line(table, dict(row, **{column: value})))
    canonical = _line(table, row).decode()
    first = columns[0]
    text_forms = [
        canonical.replace(f'"{first}":', f'"{first}":{json.dumps(row[first])},"{first}":', 1),  # repeated
        canonical.replace(f'"row":{{"{first}":', f'"row":{{"\\u{ord(first[0]):04x}{first[1:]}":', 1),  # escaped key
        canonical.replace(":", ": ", 1),  # a space
        canonical.replace('"row":', '"row":null,"row":', 1),  # two rows: SQLite reads the first
        canonical[:-1] + ',"row":{}}',
        canonical.replace('"t":"', '"t":"x', 1),
        canonical.replace('"seq":5', '"seq":5.0', 1),
        canonical.replace('"seq":5', '"seq":05', 1),
        canonical.replace('"base":[100,"dev-2"]', '"base":[100,"dev-2",1]', 1),
        canonical.replace('"x"', '"x\t"', 1),  # a raw control character in a string
        canonical.replace('"x"', '"x\\q"', 1),  # an escape JSON does not have
        canonical.replace(':1,', ':+1,', 1),
        canonical.replace(':1,', ':0x1,', 1),
        canonical.replace(':1,', ':1.,', 1),
        canonical.replace('null', 'NaN', 1),
        canonical + " ",
        canonical + "\r",
        canonical.replace('"id":"r1"', '"id":""', 1),
        canonical.replace('"id":"r1"', '"id":"' + "r" * 101 + '"', 1),
        canonical.replace('"id":"r1"', '"id":"r\\u0031"', 1),
        canonical.replace('"op":"insert"', '"op":"drop"', 1),
        canonical.replace('"op":"insert"', '"op":"purge"', 1),
        canonical.replace('"seq":5', '"seq":-5', 1),
        canonical.replace('"seq":5', '"seq":' + "9" * 19, 1),
        canonical.replace('"hlc":123', '"hlc":-123', 1),
        canonical.replace('"hlc":123', '"hlc":"123"', 1),
        canonical.replace('"dev":"dev-1"', '"dev":""', 1),
        canonical.replace('"dev":"dev-1"', '"dev":"' + "d" * 101 + '"', 1),
        canonical.replace('"base":[100,', '"base":[-100,', 1),
        canonical.replace('"base":[100,', '"base":["100",', 1),
        canonical.replace('"base":[100,"dev-2"]', '"base":{"hlc":100}', 1),
    ]
    for stamp in ("2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "2026-01-32T00:00:00.000Z",
                  "2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T23:60:00.000Z",
                  "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00Z", "1999-12-31T23:59:59.999Z",
                  "9999-12-31T23:59:59.999Z", "2026-01-01T00:00:00.000z"):
        for column in ("created_at", "updated_at", "deleted_at"):
            if column in row:
                out.append(_line(table, dict(row, **{column: stamp})))
    out += [t.encode("utf-8") for t in text_forms]
    return out


UPPERS = ("9999-12-31T23:59:59.999Z", "2026-01-02T03:04:05.677Z", "2026-01-02T03:04:05.678Z")


def _sql_passes(conn: sqlite3.Connection, sql: str, line: bytes) -> bool:
    """The SQL checks a canonical line skips, made on it as on any other line: the row check, the
    record checks, and the stamps (the canonical shortcut must give the same verdict, whatever the
    hub's clock)."""
    try:
        if conn.execute(f"SELECT {sql}", (line,)).fetchone()[0] is not None \
                or conn.execute("SELECT json_valid(CAST(? AS TEXT))", (line,)).fetchone()[0] != 1:
            return False
        conn.execute("DELETE FROM staging.incoming")
        conn.execute(apply._STAGE, (line, None))
    except sqlite3.OperationalError:  # malformed JSON: the stager refuses the line
        return False
    if conn.execute(f"SELECT {apply._LINE_PROBLEM} FROM staging.incoming").fetchone()[0] is not None:
        return False
    for upper in UPPERS:
        stamps = validate._stamps_sql(upper)
        full = conn.execute(f"SELECT {stamps} FROM staging.incoming").fetchone()[0]
        conn.execute("UPDATE staging.incoming SET canonical = 1")
        shortcut = conn.execute(f"SELECT {stamps} FROM staging.incoming").fetchone()[0]
        conn.execute("UPDATE staging.incoming SET canonical = NULL")
        if full != shortcut:
            return False
    return True


def _disagreements(catalogue: validate.Catalogue) -> tuple[list[bytes], int, int]:
    patterns = validate.canonical_line_patterns(catalogue)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("ATTACH ':memory:' AS staging")
    conn.execute(apply._STAGING)
    sql = validate.line_check_sql(catalogue)
    wrong, fast, total = [], 0, 0
    for table in catalogue.commune_tables():
        for line in _variants(catalogue, table):
            total += 1
            batch, rest, _ = validate.split_canonical(patterns, [line], 0)
            assert batch.canonical == [None if rest else 1]
            if not rest:
                fast += 1
                if not _sql_passes(conn, sql, line) or not json.loads(line)["row"]:
                    wrong.append(line)
    return wrong, fast, total


def test_the_fast_path_accepts_only_lines_the_sql_check_passes():
    catalogue = _catalogue()
    wrong, fast, total = _disagreements(catalogue)
    assert wrong == []
    assert total > 1000 and fast > 0


def test_every_commune_tables_canonical_line_takes_the_fast_path():
    catalogue = _catalogue()
    patterns = validate.canonical_line_patterns(catalogue)
    assert set(patterns) == {t.encode() for t in catalogue.commune_tables()}
    for table in catalogue.commune_tables():
        for line in (_line(table, _row(catalogue, table)), _line(table, _row(catalogue, table), versioned=False)):
            assert validate.split_canonical(patterns, [line], 0)[1:] == ([], []), table


@pytest.mark.parametrize("older", [1, 6])
def test_an_older_schema_versions_lines_are_matched_against_that_version(older):
    catalogues = validate.catalogues()
    if older not in catalogues or not catalogues[older].commune_tables():
        pytest.skip(f"schema version {older} has no commune tables")
    wrong, _, _ = _disagreements(catalogues[older])
    assert wrong == []


@pytest.mark.parametrize("name, loose", [
    ("_TYPE_PATTERNS", rb'[^,}]++'),  # any value is an integer
    ("_COUNTER", rb'-?[0-9]++'),  # negative or overlong counters
    ("_SHORT_TEXT", _STRING_LOOSE := rb'"[^"]*+"'),  # empty or overlong device ids
    ("_STAMP", _STRING_LOOSE),  # any text for a stamp
])
def test_negative_a_loose_piece_of_the_expression_is_caught(monkeypatch, name, loose):
    if name == "_TYPE_PATTERNS":
        monkeypatch.setitem(validate._TYPE_PATTERNS, "integer", loose)
    else:
        monkeypatch.setattr(validate, name, loose)
    wrong, _, _ = _disagreements(_catalogue())
    assert wrong  # the comparison above catches it


def test_negative_a_loose_pattern_stores_a_wrong_row_at_the_hub(world, tmp_path, monkeypatch):
    hub, a, b, second = world
    catalogue = validate.catalogues()[max(validate.catalogues())]
    row = dict(_row(catalogue, "staff"), id="v9", origin=a.code, deleted_at=None, created_by=None, updated_by=None,
               active="yes")
    data = _bundle(tmp_path, a, [("staff", "v9", "insert", 500, row)])
    refused = _ingest(hub, data)
    assert refused.status == "rejected" and "active" in refused.message, refused
    monkeypatch.setitem(validate._TYPE_PATTERNS, "integer", rb'[^,}]++')
    monkeypatch.setattr(validate, "_INTEGER_BOUNDED", rb'[^,}]++')  # its twin in PostgreSQL's typed staging
    result = _ingest(hub, data)
    assert result.status == "applied", result  # the fast path alone decided, wrongly


def test_an_app_bundle_never_reaches_the_sql_line_checks(tmp_path, monkeypatch):
    """The SQL line checks (the row check and the repeated/escaped key check, `line_check_sql`)
    cost nothing for the app's own bundles: a year of demo data of every table, cut by the app and
    uploaded, takes the fast path line for line; none is handed to the checker's SQLite."""
    from core import demo
    from core.hub import ingest
    from core.hub.config import DATABASE_ENV
    from core.sync import outbox
    from tests.core.sync import harness

    handed, seen = [], []
    real = validate.split_canonical

    def spy(patterns, lines, before):
        out = real(patterns, lines, before)
        seen.extend(lines)
        handed.extend(out[1])
        return out

    monkeypatch.setattr(validate, "split_canonical", spy)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    hub = harness.make_hub(tmp_path / "hub")
    commune = harness.make_commune(tmp_path / "c", "21484", hub)
    try:
        demo.fill(commune.store, seed=3)
        data = outbox.cut_bundle(commune.store, commune.paths).path.read_bytes()
    finally:
        commune.close()
    with hub.store() as s:
        assert ingest.ingest_bytes(hub.paths, s, data, via="usb").status == "applied"
    tables = {json.loads(line)["t"] for line in seen}
    assert len(seen) > 1000 and len(tables) >= 8, (len(seen), tables)
    assert handed == []
