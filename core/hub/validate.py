"""The hub checking every commune row against the app's own table catalogue before storing it.

A commune signs what it sends, but a signature only says who sent a row, not that the row is
one this app could have written. So, for every record of a commune bundle (docs/BUNDLE_FORMAT.md,
"Validation rules"):

- the manifest's `schema_version` is a version of the app's schema this hub knows (1 …
  the hub's newest); the rows are checked against the tables and columns *of that version*,
  taken from the app's own migrations run into an in-memory database;
- the table is one of that version's commune tables;
- the row has only declared columns (no `citizen_name`, no `cccd`: no personal data the schema
  does not hold), each at most once, each value of its column's declared type
  (TEXT → JSON string, INTEGER → JSON integer, REAL → JSON number; null only where the column
  may be NULL);
- `created_at`, `updated_at` (required) and `deleted_at` (optional) are UTC stamps written
  as the app writes them (`YYYY-MM-DDTHH:MM:SS.mmmZ`), not before 2000 and not later than the
  hub's clock plus FUTURE_TOLERANCE (a PC whose clock runs a few hours fast, or is set to
  local time as if it were UTC, is still accepted; a year-9999 stamp, which would win every
  later comparison, is not — and a bundle refused for a fast clock is accepted once the
  hub's clock has caught up, so retrying delivers it);
- no key of the record or of its row is given twice, nor written with an escape (`"\\u0074"`
  for `"t"`): SQLite's JSON functions read the first of two equal keys and PostgreSQL's jsonb the
  last, and only SQLite from 3.45 finds an escaped key by its name, so such a line would be one
  record to the checks and another to a store or a device (`key_check_sql`, refused before any
  field of the line is read);
- a `purge` (a row gone, sent with no content and so with no `origin`) names a row the sending
  unit created: one the hub already holds for that unit. The first unit that sends a row with
  its own origin owns that (table, id) for good; a purge cannot claim an id.

The per-line checks (tables, columns, types) are one SQL expression (`line_check_sql`) that a
second thread evaluates over the lines on its own in-memory SQLite while the caller's thread
stages them into the hub (`LineChecker`); a line spelled exactly as the app writes it is
recognised first by a regular expression built from the same catalogue (`canonical_line_patterns`,
five times cheaper) and needs no SQL check. The stamps are checked afterwards on the staged columns
(one cheap scan), the purges against the hub's `rows`. Only a refused bundle is looked at again,
in Python, to name the column.
Refusals raise typed BundleRejected subclasses; the caller's transaction rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache

from core.clock import now_utc, utc_iso
from core.sync.errors import BundleDamaged, BundleRejected, OwnershipViolation, UnsupportedFormat

STAMPS_REQUIRED = ("created_at", "updated_at")
STAMP_OPTIONAL = "deleted_at"
# The shape `core.clock.utc_iso` writes (and SQLite's strftime('%Y-%m-%dT%H:%M:%fZ')).
STAMP_GLOB = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z"
STAMP_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$")
EARLIEST_STAMP = "2000-01-01T00:00:00.000Z"
FUTURE_TOLERANCE = dt.timedelta(days=1)

_JSON_TYPE_WORDS = {"text": "chuỗi ký tự", "integer": "số nguyên", "real": "số thập phân", "null": "để trống",
                    "true": "giá trị đúng/sai", "false": "giá trị đúng/sai", "object": "đối tượng JSON",
                    "array": "mảng JSON"}


class RowInvalid(BundleRejected):
    """A record whose row is not one the app's schema could hold (columns, types, stamps)."""

    reason = "invalid_row"


class UnknownSchemaVersion(UnsupportedFormat):
    """A manifest naming a schema version this hub's app does not have."""

    reason = "unknown_schema"


class UnclaimedDelete(OwnershipViolation):
    """A purge of a row the sending unit never sent: it may be another unit's not-yet-sent id."""

    reason = "ownership"


@dataclass(frozen=True)
class Catalogue:
    """The syncable tables of one schema version: owner, and the JSON types each column accepts."""

    version: int
    owners: dict[str, str]
    columns: dict[str, dict[str, tuple[str, ...]]]

    def commune_tables(self) -> list[str]:
        return sorted(t for t, owner in self.owners.items() if owner == "commune")


def json_types_for(declared: str, not_null: bool) -> tuple[str, ...]:
    """The JSON types a value of a column declared `declared` may have (SQLite's affinity rules)."""
    upper = (declared or "").upper()
    if "INT" in upper:
        allowed = ("integer",)
    elif any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        allowed = ("text",)
    elif any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        allowed = ("integer", "real")
    else:  # NUMERIC or no type: any scalar
        allowed = ("integer", "real", "text")
    return allowed if not_null else allowed + ("null",)


@lru_cache(maxsize=1)
def catalogues() -> dict[int, Catalogue]:
    """{schema version: Catalogue} for every version of the app's schema, from its own migrations."""
    from db.migrations import pending_migrations
    from db.store import connect

    conn = connect(":memory:")
    out: dict[int, Catalogue] = {}
    try:
        for number, module in pending_migrations(conn):
            conn.execute("BEGIN")
            module.up(conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
            out[number] = _snapshot(conn, number)
    finally:
        conn.close()
    return out


def _snapshot(conn: sqlite3.Connection, version: int) -> Catalogue:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'syncable_tables'").fetchone():
        return Catalogue(version, {}, {})
    owners = dict(conn.execute("SELECT table_name, owner FROM syncable_tables"))
    columns = {table: {c[1]: json_types_for(c[2], bool(c[3])) for c in conn.execute(f"PRAGMA table_info([{table}])")}
               for table in owners}
    return Catalogue(version, owners, columns)


# -- the manifest --------------------------------------------------------------------------

def check_manifest(manifest: dict) -> Catalogue:
    """The catalogue of the bundle's schema version; refuses an unknown version or a bad stamp."""
    known = catalogues()
    version = manifest.get("schema_version")
    newest = max(known)
    if not isinstance(version, int) or isinstance(version, bool) or version not in known:
        if isinstance(version, int) and not isinstance(version, bool) and version > newest:
            message = (f"Gói được tạo bởi phiên bản phần mềm có cấu trúc dữ liệu số {version}, mới hơn phiên bản "
                       f"máy chủ tỉnh đang chạy (số {newest}). Cần cập nhật phần mềm ở tỉnh rồi gửi lại gói.")
        else:
            message = (f"Gói ghi phiên bản cấu trúc dữ liệu “{str(version)[:20]}” không hợp lệ (máy chủ tỉnh "
                       f"biết các phiên bản 1–{newest}). Gói bị từ chối.")
        raise UnknownSchemaVersion(message, details=f"schema_version={version!r}, known=1..{newest}")
    problem = stamp_problem(manifest.get("created_at"), now_utc())
    if problem:
        raise RowInvalid(f"Thời điểm tạo gói trong bản kê {problem}. Gói bị từ chối.")
    return known[version]


def stamp_problem(value, now: dt.datetime) -> str | None:
    """Why `value` is not an acceptable stamp (Vietnamese, for a message), or None."""
    if not isinstance(value, str) or not STAMP_PATTERN.match(value):
        return f"“{str(value)[:40]}” không đúng dạng thời điểm UTC (YYYY-MM-DDTHH:MM:SS.mmmZ)"
    if value < EARLIEST_STAMP:
        return f"{value} sớm hơn năm 2000"
    if value > latest_stamp(now):
        return (f"{value} muộn hơn giờ của máy chủ tỉnh quá {FUTURE_TOLERANCE.days} ngày (đồng hồ máy tính ở xã có thể "
                "bị sai: hãy chỉnh ngày giờ; gói sẽ được nhận khi gửi lại)")
    return None


def latest_stamp(now: dt.datetime) -> str:
    return utc_iso(now + FUTURE_TOLERANCE)


# -- every line, while it is staged ---------------------------------------------------------

# The keys of a record line (docs/BUNDLE_FORMAT.md): those present are counted against all the
# line's keys, to tell cheaply whether one may be given twice (`key_check_sql`).
RECORD_KEYS = ("t", "id", "op", "seq", "hlc", "dev", "base", "row")


def _repeated_sql(line: str, path: str) -> str:
    """True when the object at `path` has a key twice: json_each decodes the keys, so "\\u0074"
    and "t" are the same key."""
    return f"EXISTS (SELECT 1 FROM json_each({line}, '{path}') GROUP BY key HAVING count(*) > 1)"


def _escaped_sql(line: str, path: str) -> str:
    """True when the object at `path` has a key written with an escape: json_each's `fullkey`
    keeps the key as written, so a backslash in it is an escape."""
    return f"EXISTS (SELECT 1 FROM json_each({line}, '{path}') WHERE instr(fullkey, '\\') > 0)"


# Record fields read as text, with the refusal check_lines gives a wrong one. SQLite's typeof(json_extract())
# calls an object or array 'text' (its JSON text), and the two stores write that text differently
# ({"a":1} and {"a": 1}): a device id, a table name or an origin given as an object would be
# accepted by both and stored as two different texts. Refused before any field is read.
TEXT_FIELDS = {"$.t": "tên bảng sai", "$.id": "mã bản ghi sai", "$.op": "thao tác sai",
               "$.dev": "phiên bản bản ghi sai", "$.base[1]": "phiên bản gốc sai", "$.row.origin": None}


def _nested_text_sql(line: str) -> str:
    return "(" + " OR ".join(f"json_type({line}, '{path}') IN ('object', 'array')" for path in TEXT_FIELDS) + ")"


def key_check_sql(line: str = "CAST(?1 AS TEXT)") -> str:
    """An SQL expression over one record line: 'key' when the record has a key twice or a key the
    format does not have (a line is "exactly these keys", docs/BUNDLE_FORMAT.md: an unknown key
    would be stored and sent back to devices unchecked — a place for personal data the row check
    keeps out of rows), or the record or its row a key written with an escape
    (`raise_key_problem` says which), else NULL; a column given twice is found by
    `line_check_sql`'s count of the row's keys.

    SQLite reads the first of two equal keys and PostgreSQL's jsonb the last, and only SQLite from
    3.45 (python.org's Windows builds) finds an escaped key such as "\\u0074" by its name: such a
    line would mean one record to the checks and to one store and another to the other store or to
    a device reading its row back. Deeper objects are not looked at: a column's value must be a
    scalar (an object there fails its type, `line_check_sql`), and nothing reads keys below the row.

    Cheap first: the record's keys are counted against the record keys present (one json_type
    each): more keys than that is a repeated or unknown key; only a line with a backslash
    somewhere has its keys looked at for an escape."""
    present = " + ".join(f"(json_type({line}, '$.{key}') IS NOT NULL)" for key in RECORD_KEYS)
    return (f"CASE WHEN json_type({line}) IS 'object' AND ("
            f"(SELECT count(*) FROM json_each({line})) != {present} "
            f"OR instr({line}, '\\') > 0 AND ({_escaped_sql(line, '$')} "
            f"OR json_type({line}, '$.row') IS 'object' AND {_escaped_sql(line, '$.row')}) "
            f"OR {_nested_text_sql(line)}) THEN 'key' END")


def line_check_sql(catalogue: Catalogue, line: str = "CAST(?1 AS TEXT)") -> str:
    """An SQL expression over one record line: NULL when the row passes the checks that need its
    JSON, else 'key' (a key given twice or written with an escape: `key_check_sql`), 'table' or
    'row' (an undeclared column, a column given twice or a value of the wrong type), which
    `raise_line_problem` explains. The stamps are checked after staging, on the staged columns
    (`check_staged`).

    The row passes when it has as many keys as it has declared columns holding a value of their
    type: each declared column adds 1 when present with a good value, 0 otherwise (json_type is
    NULL for an absent key), so any undeclared, repeated or mistyped column makes the sum fall
    short of the key count. One json_type per declared column and one count: cheaper than
    json_remove'ing the declared columns and typing them apart, and than one pass over the keys
    with a weight per column (measured, docs/PERFORMANCE.md). Only a row that falls short is
    then looked at for a column given twice ('key', refused before any field is read), as is the
    row of a table not in the catalogue.
    """
    row_keys = f"CASE WHEN {_repeated_sql(line, '$.row')} THEN 'key' ELSE"
    branches = []
    for table in catalogue.commune_tables():
        typed = " + ".join(f"coalesce(json_type({line}, '$.row.{column}') IN ({', '.join(repr(t) for t in types)}), 0)"
                           for column, types in catalogue.columns[table].items())
        branches.append(f"WHEN '{table}' THEN CASE WHEN (SELECT count(*) FROM json_each({line}, '$.row')) "
                        f"!= {typed} THEN {row_keys} 'row' END END")
    return (f"coalesce({key_check_sql(line)}, CASE WHEN json_type({line}, '$.row') IS NOT 'object' THEN NULL "
            f"ELSE CASE json_extract({line}, '$.t') {' '.join(branches)} ELSE {row_keys} 'table' END END END)")


def _stamp_bad_sql(value: str, upper: str) -> str:
    # GLOB fixes the shape (a JSON object or number never matches it); the BETWEENs refuse month 13,
    # day 00 and hour 24, which the shape alone lets through; text comparison then orders stamps.
    return (f"typeof({value}) IS NOT 'text' OR {value} NOT GLOB '{STAMP_GLOB}' "
            f"OR substr({value}, 6, 2) NOT BETWEEN '01' AND '12' OR substr({value}, 9, 2) NOT BETWEEN '01' AND '31' "
            f"OR substr({value}, 12, 2) > '23' OR {value} < '{EARLIEST_STAMP}' OR {value} > '{upper}'")


def _stamps_sql(upper: str) -> str:
    """The first row stamp problem of a staged record ('stamp:<col>'), over the staged columns
    (created_at, updated_at, deleted_at were extracted while staging: no JSON is parsed again).
    A canonical line's stamps have the right shape (its expression, `canonical_line_patterns`):
    only their bounds are compared."""
    checks = [f"WHEN {column} IS NULL OR {_stamp_bad_sql(column, upper)} THEN 'stamp:{column}'"
              for column in STAMPS_REQUIRED]
    checks.append(f"WHEN {STAMP_OPTIONAL} IS NOT NULL AND ({_stamp_bad_sql(STAMP_OPTIONAL, upper)}) "
                  f"THEN 'stamp:{STAMP_OPTIONAL}'")
    bounds = [f"WHEN {column} < '{EARLIEST_STAMP}' OR {column} > '{upper}' THEN 'stamp:{column}'"
              for column in (*STAMPS_REQUIRED, STAMP_OPTIONAL)]  # NULL (no deleted_at) compares as NULL
    return f"CASE WHEN canonical IS 1 THEN CASE {' '.join(bounds)} END ELSE CASE {' '.join(checks)} END END"


# -- the common case: a line exactly as the app writes it ------------------------------------------
# Nearly every line of a real bundle is `core.sync.bundle.encode_record` output: no spaces, the
# record's keys in their order, the row's keys in the table's column order. Such a line is
# recognised by one regular expression per table, built from the same catalogue, at ~3 µs a
# line on the caller's thread, where the SQL check costs ~12 µs (23 json_type look-ups and a
# json_each count for a dossier). The expression accepts only strict JSON spelled one way:
# literal keys (no escapes) each once and in order, strings without raw control characters,
# numbers in JSON's grammar, so SQLite reads exactly the keys and value types it matched. It is
# stricter than the checks, so that a line it matches passes more than the row checks:
# - `line_check_sql` (declared columns, each once, each of its type);
# - the record checks of `core.hub.apply` (`_LINE_PROBLEM`): an id of 1–100 characters without
#   escapes, repeated as the row's id; insert, update or delete (a purge has no row); seq, hlc
#   and base's clock non-negative integers of at most 18 digits (SQLite reads more as a real);
#   a device id of 1–100 characters;
# - the shape of the row's stamps (`STAMP_PATTERN`): only their bounds, which depend on the
#   hub's clock, are left to `_stamps_sql`.
# Such lines are staged with `canonical` = 1 and those checks are not made again in SQL. Every
# other line (another key order, spaces, an escape in an id, a missing or extra column, a wrong
# type, a purge, an unknown table…) goes through every SQL check, which alone decides and explains
# refusals. tests/core/hub/test_canonical_lines.py holds the expression to all of this on every
# commune table's line and hundreds of variants of it.
_STRING = rb'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+"'
_INTEGER = rb'-?+(?:0|[1-9][0-9]*+)'  # what SQLite's json_type calls 'integer'
_NUMBER = _INTEGER + rb'(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+'  # 'integer' or 'real'
_TYPE_PATTERNS = {"text": _STRING, "integer": _INTEGER, "null": b"null"}
_COUNTER = rb'(?:0|[1-9][0-9]{0,17}+)'  # a non-negative integer SQLite reads as an integer
_SHORT_TEXT = rb'"[^"\\\x00-\x1f]{1,100}+"'  # 1–100 bytes, so 1–100 characters, no escapes
_STAMP = (rb'"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])'
          rb'T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z"')
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


# For PostgreSQL's typed staging (core.hub.typed_lines): numbers that jsonb's `numeric` holds
# whatever their spelling — at most 1,000 digits before and after the point and a 4-digit exponent
# (numeric allows 131,072 and 16,383 digits); a line with a bigger number is left to the jsonb cast.
_INTEGER_BOUNDED = rb'-?+(?:0|[1-9][0-9]{0,999}+)'
_NUMBER_BOUNDED = _INTEGER_BOUNDED + rb'(?:\.[0-9]{1,1000}+)?+(?:[eE][+-]?+[0-9]{1,4}+)?+'


def _value_pattern(types: tuple[str, ...], bounded: bool = False) -> bytes:
    patterns = {**_TYPE_PATTERNS, "integer": _INTEGER_BOUNDED} if bounded else _TYPE_PATTERNS
    if "real" in types:  # json_types_for never allows a real without an integer
        alternatives = [_NUMBER_BOUNDED if bounded else _NUMBER] + [patterns[t] for t in types
                                                                    if t not in ("integer", "real")]
    else:
        alternatives = [patterns[t] for t in types]
    return b"(?>" + b"|".join(alternatives) + b")"


def _column_pattern(column: str, types: tuple[str, ...], capture: bool = False) -> bytes | None:
    if column == "id":
        return rb'"(?P=id)"' if "text" in types else None  # the record's id, byte for byte
    if column in STAMPS_REQUIRED:
        part = _STAMP if "text" in types else None
    elif column == STAMP_OPTIONAL:
        part = (b"(?:" + _STAMP + b"|null)") if {"text", "null"} <= set(types) else None
    else:
        part = _value_pattern(types, bounded=capture)
    if capture and part is not None and column in CAPTURED_COLUMNS:
        part = b"(?P<" + column.encode() + b">" + part + b")"
    return part


# The row's columns the hub reads from a record besides its id (core.hub.apply._PATHS).
CAPTURED_COLUMNS = ("origin", *STAMPS_REQUIRED, STAMP_OPTIONAL)


def canonical_line_patterns(catalogue: Catalogue, *, capture: bool = False) -> dict[bytes, "re.Pattern[bytes]"]:
    """{table name as bytes: compiled expression} matching a line of that table exactly as the app
    writes it (first or second format), every declared column present with a value of its type.

    capture=True (PostgreSQL's typed staging, core.hub.typed_lines): the same lines, each field
    the hub reads in a named group (op, seq, hlc, dev, bhlc, bdev, and CAPTURED_COLUMNS), and numbers
    only as big as PostgreSQL's numeric holds (the others are left to the jsonb cast)."""
    def group(name: bytes, part: bytes) -> bytes:
        return b"(?P<" + name + b">" + part + b")" if capture else part

    out = {}
    for table in catalogue.commune_tables():
        columns = catalogue.columns[table]
        if not _NAME.fullmatch(table) or not all(_NAME.fullmatch(column) for column in columns) \
                or not {"id", *STAMPS_REQUIRED} <= set(columns):
            continue  # left to the SQL checks (every syncable table has an id and its stamps)
        parts = [_column_pattern(column, types, capture) for column, types in columns.items()]
        if None in parts:
            continue
        row = b",".join(b'"' + column.encode() + b'":' + part for column, part in zip(columns, parts))
        out[table.encode()] = re.compile(
            rb'\{"t":"' + table.encode() + rb'","id":"(?P<id>[^"\\\x00-\x1f]{1,100}+)",'
            rb'"op":"' + group(b"op", rb"(?:insert|update|delete)") + rb'","seq":' + group(b"seq", _COUNTER)
            + rb'(?:,"hlc":' + group(b"hlc", _COUNTER) + rb',"dev":' + group(b"dev", _SHORT_TEXT)
            + rb',"base":(?:null|\[' + group(b"bhlc", _COUNTER) + rb',' + group(b"bdev", _STRING) + rb'\]))?+,"row":\{'
            + row + rb'\}\}')
    return out


class CheckedBatch(list):
    """A batch of lines as read (a list, for any stager) and, for staging, `canonical`: per line,
    1 when its table's expression matched it, else None."""

    canonical: list


def split_canonical(patterns: dict, lines: list, before: int) -> tuple[CheckedBatch, list, list]:
    """(the batch with its `canonical` marks, the other lines, their numbers): the lines the SQL
    check must look at. The batch's first line is number `before` + 1."""
    batch = CheckedBatch(lines)
    marks: list = []
    rest_lines, rest_numbers = [], []
    match = None  # the last table's expression: a bundle's lines come table by table
    for n, line in enumerate(lines, start=before + 1):
        if match is not None and isinstance(line, bytes) and match(line) is not None:
            marks.append(1)
            continue
        if isinstance(line, bytes) and line.startswith(b'{"t":"'):
            pattern = patterns.get(line[6:line.find(b'"', 6)])
            if pattern is not None and pattern.fullmatch(line) is not None:
                match = pattern.fullmatch
                marks.append(1)
                continue
        marks.append(None)
        rest_lines.append(line)
        rest_numbers.append(n)
    batch.canonical = marks
    return batch, rest_lines, rest_numbers


class LineChecker:
    """`line_check_sql` over every line, on a second thread with its own in-memory SQLite, while
    the caller's thread stages the same lines into the hub (`core.hub.apply.load_lines`).

    The check costs about as much CPU as staging itself (a second parse, one json_type per declared
    column); run
    beside it, on the second core, the upload takes little longer than without it
    (docs/PERFORMANCE.md). sqlite3 releases the GIL while each statement runs, so the two threads
    overlap. Use as a context manager around the staging: leaving it always ends the thread.
    """

    _QUEUED = 16  # batches the checker may fall behind before the stager waits

    def __init__(self, catalogue: Catalogue):
        self._sql = (f"INSERT INTO found (n, problem) SELECT ?2, p FROM (SELECT {line_check_sql(catalogue)} AS p) "
                     f"WHERE p IS NOT NULL")
        self._canonical = canonical_line_patterns(catalogue)
        self._queue: queue.Queue = queue.Queue(maxsize=self._QUEUED)
        self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._conn.execute("CREATE TABLE found (n INTEGER PRIMARY KEY, problem TEXT NOT NULL)")
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="bundle-row-checks", daemon=True)
        self._thread.start()

    def __enter__(self) -> "LineChecker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        self._conn.close()

    def feed(self, batches):
        """Pass the batches of lines on as `CheckedBatch`es (their canonical lines marked); the
        lines that are not canonical (nearly none in a real bundle) are also handed to the checker,
        with their numbers."""
        staged = 0
        for lines in batches:
            batch, rest, numbers = split_canonical(self._canonical, lines, staged)
            self.check(rest, numbers)
            staged += len(lines)
            yield batch

    def check(self, lines: list, numbers: list[int]) -> None:
        """Hand lines with their numbers to the checker's thread (for a stager that picks the lines
        to check itself: core.hub.typed_lines)."""
        if lines:
            self._queue.put((lines, numbers))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue  # keep draining so the stager never waits on a full queue
            try:
                self._check_batch(*item)
            except BaseException as exc:  # malformed JSON: the stager refuses the same line itself
                self._error = exc

    def _check_batch(self, lines: list, numbers: list[int]) -> None:
        self._conn.executemany(self._sql, zip(lines, numbers))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def first_key_problem(self) -> int | None:
        """n of the first line with a key given twice or written with an escape ('key'), once every
        line was fed."""
        self.close()
        if self._error is not None:
            raise BundleDamaged("Không kiểm tra được dữ liệu trong gói.", details=repr(self._error))
        return self._conn.execute("SELECT min(n) FROM found WHERE problem = 'key'").fetchone()[0]

    def first_problem(self) -> tuple[int, str] | None:
        """(line number, code) of the first line that fails, once every line was fed."""
        self.close()
        if self._error is not None:
            raise BundleDamaged("Không kiểm tra được dữ liệu trong gói.", details=repr(self._error))
        return self._conn.execute("SELECT n, problem FROM found ORDER BY n LIMIT 1").fetchone()


def check_keys(conn: sqlite3.Connection, checker: LineChecker) -> None:
    """Refuse the bundle at its first line with a key given twice or written with an escape
    (`key_check_sql`). Called once the lines are staged and known to be JSON, before any check
    that reads a field (core.hub.apply.check_lines): those fields are only the line's meaning
    once its keys are unique and plain."""
    n = checker.first_key_problem()
    if n is not None:
        line = conn.execute("SELECT line FROM staging.incoming WHERE n = ?", (n,)).fetchone()[0]
        raise_key_problem(conn, n, line)


def raise_key_problem(conn: sqlite3.Connection, n: int, line: str) -> None:
    """Explain `key_check_sql`'s 'key' for line `n` (read with SQLite's json_each, as it was checked)."""
    for path in ("$", "$.row"):
        if path == "$.row" and conn.execute("SELECT json_type(?, '$.row')", (line,)).fetchone()[0] != "object":
            continue
        seen: set = set()
        for key, fullkey in conn.execute("SELECT key, fullkey FROM json_each(?, ?) ORDER BY id", (line, path)):
            written = fullkey[len(path):].lstrip(".")
            if "\\" not in written and key not in seen and (path != "$" or key in RECORD_KEYS):
                seen.add(key)
                continue
            if path == "$":
                problem = (f"tên trường “{str(key)[:40]}” viết bằng ký tự thoát ({written[:40]})" if "\\" in written
                           else f"trường “{str(key)[:40]}” ghi hai lần" if key in seen
                           else f"có trường lạ “{str(key)[:40]}” (một dòng chỉ có các trường "
                                f"{', '.join(RECORD_KEYS)})")
                raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: {problem}.")
            table = conn.execute("SELECT json_extract(?, '$.t')", (line,)).fetchone()[0]
            where = f"Dòng dữ liệu số {n} (bảng {str(table)[:60]})"
            if "\\" in written:
                raise RowInvalid(f"{where}: tên cột “{str(key)[:60]}” viết bằng ký tự thoát ({written[:40]}); "
                                 "máy chủ tỉnh chỉ nhận tên cột viết thẳng. Gói bị từ chối.")
            raise RowInvalid(f"{where} ghi cột “{str(key)[:60]}” hai lần. Gói bị từ chối.")
    for path, problem in TEXT_FIELDS.items():
        if path == "$.base[1]" and conn.execute("SELECT json_type(?, '$.base')", (line,)).fetchone()[0] != "array":
            continue
        found = conn.execute("SELECT json_type(?, ?)", (line, path)).fetchone()[0]
        if found not in ("object", "array"):
            continue
        if problem is not None:
            raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: {problem}.")
        table = conn.execute("SELECT json_extract(?, '$.t')", (line,)).fetchone()[0]
        raise RowInvalid(f"Dòng dữ liệu số {n} (bảng {str(table)[:60]}): giá trị cột “origin” phải là "
                         f"{_JSON_TYPE_WORDS['text']}, gói ghi {_JSON_TYPE_WORDS[found]}. Gói bị từ chối.")


def check_staged(conn: sqlite3.Connection, *, unit: str, catalogue: Catalogue, now: dt.datetime,
                 checker: LineChecker) -> None:
    """After `core.hub.apply.check_lines`: refuse the bundle at its first invalid row (the first
    line either the checker or the stamp check finds), then at its first purge of a row the
    sender never sent."""
    first = checker.first_problem()
    stamps = _stamps_sql(latest_stamp(now))
    bad = conn.execute(f"SELECT n, {stamps} AS found FROM staging.incoming WHERE row_type = 'object' "
                       f"AND found IS NOT NULL AND n < ? ORDER BY n LIMIT 1",
                       (first[0] if first else 1 << 62,)).fetchone() or first
    if bad:
        line = conn.execute("SELECT line FROM staging.incoming WHERE n = ?", (bad[0],)).fetchone()[0]
        raise_line_problem(conn, bad[0], bad[1], line, catalogue, now)
    check_purges(conn, unit=unit)


def check_purges(conn: sqlite3.Connection, *, unit: str) -> None:
    """Refuse a purge of a row the hub does not hold for `unit` (never sent by it, or another's)."""
    unclaimed = conn.execute(
        "SELECT i.n, i.t, i.id FROM staging.incoming AS i WHERE i.op = 'purge' AND NOT EXISTS "
        "(SELECT 1 FROM rows AS r WHERE r.table_name = i.t AND r.row_id = i.id AND r.unit = ?) "
        "ORDER BY i.n LIMIT 1", (unit,)).fetchone()
    if unclaimed:
        raise UnclaimedDelete(
            f"Dòng dữ liệu số {unclaimed[0]}: gói xóa hẳn bản ghi {str(unclaimed[2])[:40]} (bảng {unclaimed[1]}) "
            f"mà đơn vị {unit} chưa từng gửi lên tỉnh. Chỉ đơn vị đã tạo bản ghi mới được xóa nó. Gói bị từ chối.")


def raise_line_problem(conn: sqlite3.Connection, n: int, code: str, line: str, catalogue: Catalogue,
                       now: dt.datetime) -> None:
    if code == "key":
        raise_key_problem(conn, n, line)
    table = conn.execute("SELECT json_extract(?, '$.t')", (line,)).fetchone()[0]
    where = f"Dòng dữ liệu số {n} (bảng {str(table)[:60]})"
    if code == "table":
        raise RowInvalid(f"{where}: bảng này không có trong cấu trúc dữ liệu phiên bản {catalogue.version} mà gói "
                         "ghi. Gói bị từ chối.")
    columns = catalogue.columns.get(table, {})
    if code == "row":
        seen: set = set()
        for key, found in conn.execute("SELECT key, type FROM json_each(?, '$.row')", (line,)):
            if key not in columns:
                raise RowInvalid(
                    f"{where} có cột “{str(key)[:60]}” không có trong cấu trúc dữ liệu của bảng. Máy chủ tỉnh chỉ "
                    "nhận các cột đã khai báo (không nhận thông tin cá nhân của công dân). Gói bị từ chối.",
                    details=f"declared columns: {sorted(columns)}")
            if key in seen:
                raise RowInvalid(f"{where} ghi cột “{key}” hai lần. Gói bị từ chối.")
            seen.add(key)
            if found not in columns[key]:
                expected = " hoặc ".join(_JSON_TYPE_WORDS[t] for t in columns[key])
                raise RowInvalid(f"{where}: giá trị cột “{key}” phải là {expected}, gói ghi "
                                 f"{_JSON_TYPE_WORDS.get(found, found)}. Gói bị từ chối.")
        raise RowInvalid(f"{where}: nội dung bản ghi không đúng cấu trúc dữ liệu của bảng. Gói bị từ chối.")
    column = code.partition(":")[2]
    value = conn.execute(f"SELECT json_extract(?, '$.row.{column}')", (line,)).fetchone()[0]
    problem = (stamp_problem(value, now) if value is not None else "bị thiếu") or "không hợp lệ"
    raise RowInvalid(f"{where}: thời điểm “{column}” {problem}. Gói bị từ chối.")
