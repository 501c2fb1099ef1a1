"""PostgreSQL's typed staging (core.hub.typed_lines) against PostgreSQL's own parse of the same lines.

A line exactly as the app writes it is typed by the hub's worker and COPYed into `incoming`
already typed; PostgreSQL then neither parses it nor checks it again (core.hub.apply_pg). That is
only right if, for every line typed so, the staged fields are exactly what the SQL parse makes
of it, and the checks made while staging find exactly what the SQL pass finds. Compared here on
every commune table's canonical line and the hundreds of variants of test_canonical_lines (every
column given every JSON type, keys repeated, escapes, spaces, bad ids, counters, stamps…), plus the
lines only this staging cares about (escapes in origin and device ids, `\\u` escapes, numbers
beyond jsonb's numeric), for several units, both formats and several hub clocks. The negatives
weaken the staging and show the comparison, and a real upload, then go wrong.
"""

from __future__ import annotations

import json

import pytest

from core.hub import apply_pg, typed_lines, validate
from core.hub.database import PostgresHubDatabase
from core.sync import bundle as bundlemod
from tests.core.hub.test_canonical_lines import UPPERS, _catalogue, _line, _row, _variants
from tests.core.hub.test_row_validation import _bundle, _ingest, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("hub_database")


@pytest.fixture
def pg(hub_database):
    if not hub_database:
        pytest.skip("PostgreSQL only: the SQLite path has no typed staging (its canonical lines: test_canonical_lines)")
    with PostgresHubDatabase(hub_database) as db:
        yield db


def _extra_lines(catalogue: validate.Catalogue) -> list[bytes]:
    """Lines the typed staging must leave to SQL, or type exactly despite a twist."""
    if "dossiers" not in catalogue.columns:
        return []
    row = _row(catalogue, "dossiers")
    out = []
    for origin in ("21484", '21"484', "2148\x01", "21484\\", "", 21484, None, "xã"):
        out.append(_line("dossiers", dict(row, origin=origin)))
    canonical = _line("dossiers", dict(row, origin="21484")).decode()
    out += [t.encode() for t in (
        canonical.replace('"dev-2"]', '"dev\\\\-2"]', 1),  # an escape in base's device id
        canonical.replace('"dev-2"]', '"dev\\u002d2"]', 1),
        canonical.replace('"dev-2"]', '"dev\\t2"]', 1),
        canonical.replace('"base":[100,"dev-2"]', '"base":null', 1),
        canonical.replace('"x"', '"x\\u0000"', 1),  # jsonb refuses it: left to the jsonb cast
        canonical.replace('"x"', '"\\ud800"', 1),
        canonical.replace('"x"', '"a\\"b\\\\c\\/d\\n"', 1),  # escapes in another column: typed
        canonical.replace('"deleted_at":null', '"deleted_at":"2026-01-01T00:00:00.000Z"', 1),
    )]
    real = [column for column, types in catalogue.columns["dossiers"].items() if "real" in types]
    integer = [column for column, types in catalogue.columns["dossiers"].items()
               if types[0] == "integer" and column not in ("id",)]
    for column in integer[:2]:
        for number in ("1" + "0" * 999, "1" + "0" * 1000, "-" + "9" * 1000, "1" + "0" * 140000):
            changed = canonical.replace(f'"{column}":1,', f'"{column}":{number},', 1)
            assert changed != canonical
            out.append(changed.encode())
    for column in real[:1]:
        for number in ("1e9999", "1e10000", "1.5e-9999", "1e131072", "0." + "1" * 1000, "0." + "1" * 20000):
            changed = canonical.replace(f'"{column}":2.5', f'"{column}":{number}', 1)
            assert changed != canonical
            out.append(changed.encode())
    return out


COLUMNS = ["n", "line"] + [c for name in typed_lines.FIELDS for c in (name, f"{name}_k")] + ["row_type"]


def _stage_both(db, lines: list[bytes], *, unit: str, versioned: bool, upper: str, catalogue):
    """(the typed staging, {n: staged row} typed here, {n: staged row} of the SQL parse of every line
    jsonb can parse)."""
    raw = db.conn.raw
    staging = typed_lines.TypedStaging(catalogue, unit=unit, versioned=versioned, upper=upper)
    with db.transaction():
        raw.execute(typed_lines.create_sql())
        with raw.cursor().copy("COPY incoming FROM STDIN") as copy:
            data, rest, numbers = staging.copy_data(lines)
            copy.write(data)
        typed = {row[0]: row for row in raw.execute(f"SELECT {', '.join(COLUMNS)} FROM incoming WHERE typed")}
        # The same lines, none typed: PostgreSQL parses them all (those jsonb refuses are dropped first).
        raw.execute("UPDATE incoming SET typed = false")
        raw.execute("""DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT n, line FROM incoming LOOP
              BEGIN PERFORM r.line::jsonb; EXCEPTION WHEN OTHERS THEN DELETE FROM incoming WHERE n = r.n; END;
            END LOOP; END $$""")
        raw.execute(apply_pg._PARSE)
        parsed = {row[0]: row for row in raw.execute(f"SELECT {', '.join(COLUMNS)} FROM incoming")}
        firsts_typed = {}
        for key in ("unversioned", "foreign", "stamp"):
            # The SQL pass's verdict on the typed lines alone.
            firsts_typed[key] = _first_in(db, key, set(typed), unit=unit, versioned=versioned, upper=upper)
        raw.execute("DROP TABLE incoming")
    assert set(rest) | {lines[n - 1] for n in typed} == set(lines)
    return staging, typed, parsed, firsts_typed


def _first_in(db, key: str, ns: set[int], *, unit: str, versioned: bool, upper: str) -> int | None:
    """The first of lines `ns` failing one check, as core.hub.apply_pg.scan's SQL finds it."""
    from core.hub import validate_pg

    where, arguments = {
        "unversioned": ("(hlc_k IS NULL) = %s", [versioned]),
        "foreign": ("row_type = 'object' AND (origin_k IS DISTINCT FROM 'text' OR origin IS DISTINCT FROM %s)",
                    [unit]),
        "stamp": (f"row_type = 'object' AND ({validate_pg._stamps_sql(upper)}) IS NOT NULL", []),
    }[key]
    return db.conn.raw.execute(f"SELECT min(n) FROM incoming WHERE n = ANY(%s) AND {where}",
                               [sorted(ns), *arguments]).fetchone()[0]


def _compare(db, catalogue, lines, *, unit, versioned, upper) -> tuple[list, list, int]:
    staging, typed, parsed, firsts = _stage_both(db, lines, unit=unit, versioned=versioned, upper=upper,
                                                        catalogue=catalogue)
    wrong = [(n, row, parsed.get(n)) for n, row in typed.items() if parsed.get(n) != row]
    scan_wrong = [(key, staging.firsts[key], firsts[key]) for key in firsts if staging.firsts[key] != firsts[key]]
    counts = {}
    for n in typed:
        counts[typed[n][2]] = counts.get(typed[n][2], 0) + 1
    assert staging.table_counts() == counts
    return wrong, scan_wrong, len(typed)


def _all_lines(catalogue) -> list[bytes]:
    lines = []
    for table in catalogue.commune_tables():
        lines += _variants(catalogue, table)
    return lines + _extra_lines(catalogue)


@pytest.mark.parametrize("unit, versioned", [("21484", True), ("21484", False), ("r1", True)])
def test_typed_lines_are_staged_exactly_as_postgresql_parses_them(pg, unit, versioned):
    catalogue = _catalogue()
    lines = _all_lines(catalogue)
    for upper in UPPERS:
        wrong, scan_wrong, typed = _compare(pg, catalogue, lines, unit=unit, versioned=versioned, upper=upper)
        assert wrong == [] and scan_wrong == []
        assert typed > len(catalogue.commune_tables())  # the canonical lines, at least, were typed


@pytest.mark.parametrize("older", [1, 6])
def test_an_older_schema_versions_lines_too(pg, older):
    catalogue = validate.catalogues()[older]
    if not catalogue.commune_tables():
        pytest.skip(f"schema version {older} has no commune tables")
    wrong, scan_wrong, _ = _compare(pg, catalogue, _all_lines(catalogue), unit="21484", versioned=True,
                                    upper=UPPERS[0])
    assert wrong == [] and scan_wrong == []


def test_what_only_jsonb_refuses_is_never_typed(pg):
    catalogue = _catalogue()
    lines = _extra_lines(catalogue)
    staging = typed_lines.TypedStaging(catalogue, unit="21484", versioned=True, upper=UPPERS[0])
    _data, rest, _ = staging.copy_data(lines)
    for line in lines:
        if b"\\u0000" in line or b"\\ud800" in line or b"e10000" in line or b"0" * 1000 + b"," in line \
                or len(line) > 100_000:
            assert line in rest
    assert lines[0] not in rest  # the plain line is typed


def test_negative_a_wrong_field_is_caught(pg, monkeypatch):
    """Write one field wrongly (the device id of the base as the row's device): the comparison sees it."""
    original = typed_lines.TypedStaging._typed

    def swapped(self, n, line, table, found):
        row = original(self, n, line, table, found)
        return row.replace(b"\tdev-2\ttext\t", b"\tdev-1\ttext\t") if row else row

    monkeypatch.setattr(typed_lines.TypedStaging, "_typed", swapped)
    wrong, _, _ = _compare(pg, _catalogue(), _all_lines(_catalogue()), unit="21484", versioned=True,
                           upper=UPPERS[0])
    assert wrong


def test_negative_a_skipped_check_is_caught(pg, monkeypatch):
    monkeypatch.setattr(typed_lines.TypedStaging, "_stamp_bad", lambda self, token: False)
    _, scan_wrong, _ = _compare(pg, _catalogue(), _all_lines(_catalogue()), unit="21484", versioned=True,
                                upper=UPPERS[1])
    assert [key for key, *_ in scan_wrong] == ["stamp"]


def test_negative_without_the_staging_checks_a_future_stamp_is_stored(world, tmp_path, monkeypatch, hub_database):
    """End to end on a PostgreSQL hub: a canonical line stamped in 2100 is refused; with the staging's
    stamp check removed, it is stored (the SQL pass no longer reads typed lines)."""
    if not hub_database:
        pytest.skip("PostgreSQL only")
    hub, a, _b, _second = world
    row = dict(_row(validate.catalogues()[max(validate.catalogues())], "staff"), id="v9", origin=a.code,
               deleted_at=None, created_by=None, updated_by=None, updated_at="2100-01-01T00:00:00.000Z")
    data = _bundle(tmp_path, a, [("staff", "v9", "insert", 500, row)])
    refused = _ingest(hub, data)
    assert refused.status == "rejected" and "updated_at" in refused.message, refused
    monkeypatch.setattr(typed_lines.TypedStaging, "_stamp_bad", lambda self, token: False)
    assert _ingest(hub, data).status == "applied"


def test_the_record_encoder_writes_lines_the_staging_types():
    """The app's own writer (core.sync.bundle.encode_record) and the expression agree: its lines are typed."""
    catalogue = _catalogue()
    staging = typed_lines.TypedStaging(catalogue, unit="21484", versioned=True, upper=UPPERS[0])
    lines = [bundlemod.encode_record(t, "r1", "update", 7, dict(_row(catalogue, t), origin="21484"), 9, "d",
                                     [8, "e"]).rstrip(b"\n") for t in catalogue.commune_tables()]
    _data, rest, _ = staging.copy_data(lines)
    assert rest == [] and sum(staging.counts.values()) == len(lines)
    assert json.loads(lines[0])["row"]["origin"] == "21484"
