"""PostgreSQL's staging of a bundle's lines: the app's own lines typed here, the others in SQL.

Nearly every line of a real bundle is exactly as the app writes it (core.hub.validate's canonical
lines: one regular expression per table, keys in order, each value of its column's type). For
such a line the hub already knows, from the match itself, every field its checks and its upsert
read and how SQLite would type it: the table and id are text, op one of three words, seq, hlc and
base's clock non-negative integers of at most 18 digits, the device ids text without escapes, the
stamps text of the right shape, the row an object whose id is the record's. So the line goes to
PostgreSQL already typed, by COPY, and PostgreSQL neither parses it as jsonb nor types its fields
(`core.hub.apply_pg`'s parse: most of the server's work per line), and the one pass of checks
over the staged columns (`apply_pg.scan`) is made here for these lines, as it goes.

A line is typed here only when nothing about it is in doubt; every other one is staged as text
and parsed and typed in SQL exactly as before (`typed` false), so the answers stay those of the
SQLite path (tests/core/hub/test_store_parity.py, tests/core/hub/test_typed_lines.py):
- a line holding a `\\u` escape (it may hold what jsonb refuses: core.hub.portable_json);
- a line with a number bigger than jsonb's numeric holds (the capture expressions accept only
  numbers it holds: core.hub.validate._NUMBER_BOUNDED);
- a line whose origin is not a plain string, or whose base device id holds an escape (their
  values would need JSON decoding; the app never writes either).
Typed lines cannot hold duplicate keys, nesting, JSON5 or anything the SQLite checker would
refuse (the expression is stricter than the checks), so they skip that checker too.
"""

from __future__ import annotations

from core.hub import validate
from core.hub.validate import EARLIEST_STAMP

# The staged columns, in order: the line's number, its text, whether it was typed here, then each
# field and SQLite's type of it (core.hub.apply_pg._FIELDS), then the JSON type of its row.
FIELDS = ("t", "id", "op", "seq", "row_id", "origin", "updated_at", "deleted_at", "hlc", "dev", "base_hlc",
          "base_dev", "created_at")
INTEGER_FIELDS = ("seq", "hlc", "base_hlc")


def create_sql() -> str:
    columns = ["n bigint NOT NULL", "line text NOT NULL", "typed boolean NOT NULL"]
    for name in FIELDS:
        columns.append(f"{name} {'bigint' if name in INTEGER_FIELDS else 'text'}")
        columns.append(f"{name}_k text")
    columns.append("row_type text")
    return f"CREATE TEMP TABLE incoming ({', '.join(columns)}) ON COMMIT DROP"


_NULLS = b"\t\\N" * (2 * len(FIELDS) + 1)
_TEXT, _INTEGER, _OBJECT = b"text", b"integer", b"object"
_NULL_PAIR = (b"\\N", b"\\N")


def _copy_escaped(line: bytes) -> bytes:
    """A line as one value of COPY's text format (no NUL or LF in a line: core.hub.receive)."""
    if b"\\" in line:
        line = line.replace(b"\\", b"\\\\")
    if b"\t" in line:
        line = line.replace(b"\t", b"\\t")
    if b"\r" in line:
        line = line.replace(b"\r", b"\\r")
    return line


class TypedStaging:
    """Turns batches of lines into COPY data for `incoming` and keeps, for the typed lines, what
    `core.hub.apply_pg.scan` finds: the lines per table and the first line failing each check."""

    def __init__(self, catalogue: validate.Catalogue, *, unit: str, versioned: bool, upper: str):
        self._patterns = validate.canonical_line_patterns(catalogue, capture=True)
        self._unit = unit.encode()
        self._versioned = versioned
        self._earliest, self._upper = EARLIEST_STAMP.encode(), upper.encode()
        self.counts: dict[bytes, int] = {}
        self.firsts: dict[str, int | None] = {"unversioned": None, "foreign": None, "stamp": None}
        self.untyped = 0
        self.staged = 0

    def _first(self, key: str, n: int) -> None:
        if self.firsts[key] is None:
            self.firsts[key] = n

    def _stamp_bad(self, token: bytes) -> bool:
        # The expression fixed the stamp's shape (validate._STAMP); only its bounds, which depend on
        # the hub's clock, are left (as validate._stamps_sql does for canonical lines on SQLite).
        value = token[1:-1]
        return value < self._earliest or value > self._upper

    def copy_data(self, lines: list) -> tuple[bytes, list, list[int]]:
        """(COPY text for the batch, the lines left to the SQLite checker, their numbers)."""
        out: list[bytes] = []
        rest: list = []
        numbers: list[int] = []
        patterns, counts = self._patterns, self.counts
        match = None  # the last table's expression: a bundle's lines come table by table
        table = b""
        for n, line in enumerate(lines, start=self.staged + 1):
            found = None
            if isinstance(line, bytes):
                if match is not None:
                    found = match(line)
                if found is None and line.startswith(b'{"t":"'):
                    name = line[6:line.find(b'"', 6)]
                    pattern = patterns.get(name)
                    if pattern is not None:
                        found = pattern.fullmatch(line)
                        if found is not None:
                            match, table = pattern.fullmatch, name
            row = self._typed(n, line, table, found) if found is not None and b"\\u" not in line else None
            if row is None:
                self.untyped += 1
                rest.append(line)
                numbers.append(n)
                text = line if isinstance(line, bytes) else line.encode("utf-8")
                out.append(b"%d\t%s\tf%s" % (n, _copy_escaped(text), _NULLS))
                continue
            counts[table] = counts.get(table, 0) + 1
            out.append(row)
        self.staged += len(lines)
        out.append(b"")
        return b"\n".join(out), rest, numbers

    def _typed(self, n: int, line: bytes, table: bytes, found) -> bytes | None:
        record_id, op, seq, hlc, dev, bhlc, bdev, origin, created, updated, deleted = found.group(
            "id", "op", "seq", "hlc", "dev", "bhlc", "bdev", "origin", "created_at", "updated_at", "deleted_at")
        if origin is None or origin[:1] != b'"' or b"\\" in origin or (bdev is not None and b"\\" in bdev):
            return None  # a value that would need decoding: typed in SQL
        if (hlc is None) == self._versioned:
            self._first("unversioned", n)
        if origin[1:-1] != self._unit:
            self._first("foreign", n)
        if self._stamp_bad(created) or self._stamp_bad(updated) or (deleted not in (None, b"null")
                                                                     and self._stamp_bad(deleted)):
            self._first("stamp", n)
        deleted_pair = _NULL_PAIR if deleted in (None, b"null") else (deleted[1:-1], _TEXT)
        version = (hlc, _INTEGER, dev[1:-1], _TEXT) if hlc is not None else _NULL_PAIR * 2
        base = (bhlc, _INTEGER, bdev[1:-1], _TEXT) if bhlc is not None else _NULL_PAIR * 2
        return b"\t".join((
            b"%d" % n, _copy_escaped(line), b"t",
            table, _TEXT, record_id, _TEXT, op, _TEXT, seq, _INTEGER, record_id, _TEXT, origin[1:-1], _TEXT,
            updated[1:-1], _TEXT, *deleted_pair, *version, *base, created[1:-1], _TEXT, _OBJECT))

    def table_counts(self) -> dict[str, int]:
        return {name.decode(): count for name, count in self.counts.items()}
