"""core.hub.validate on PostgreSQL: the same row checks, refusals and line numbers.

The per-line checks of tables, columns and types (`validate.line_check_sql`) run as on SQLite:
on a second thread with its own in-memory SQLite, while the caller's thread COPYs the lines
into PostgreSQL (`PortableLineChecker`). So the rows a PostgreSQL hub accepts are, by
construction, the rows a SQLite hub accepts — duplicate columns, number forms and all — and the
checker costs the PostgreSQL server nothing. It also tells the PostgreSQL path what only SQLite
can: which lines SQLite cannot parse (nesting deeper than its limit, core/hub/apply_pg.py).

The stamps are checked in PostgreSQL on the staged columns (`_stamps_sql`), the purges against
the hub's `rows` (`check_purges`); a refused line is explained by the same code as on SQLite
(`validate.raise_line_problem`, given an in-memory SQLite to read the line with).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from core.hub import validate
from core.hub.validate import EARLIEST_STAMP, STAMP_OPTIONAL, STAMPS_REQUIRED, Catalogue, UnclaimedDelete

# validate.STAMP_GLOB's shape: every digit written as 0 gives this (translate() is one cheap pass;
# a regular expression per stamp cost more than the rest of the check).
STAMP_SHAPE = "0000-00-00T00:00:00.000Z"


class PortableLineChecker(validate.LineChecker):
    """validate.LineChecker for the PostgreSQL path: a line SQLite cannot parse is recorded
    ('json') and the check goes on with the next one, instead of stopping the checker (on the
    SQLite path the staging itself names that line)."""

    def __init__(self, catalogue: Catalogue):
        super().__init__(catalogue)  # the thread waits for the first batch
        self._one = (f"INSERT INTO found (n, problem) SELECT ?2, p FROM (SELECT CASE WHEN NOT json_valid(CAST(?1 AS TEXT)) "
                     f"THEN 'json' ELSE {validate.line_check_sql(catalogue)} END AS p) WHERE p IS NOT NULL")

    def _check_batch(self, lines: list, numbers: list[int]) -> None:
        # The lines not typed while staging, with their numbers (core.hub.typed_lines).
        numbered = list(zip(lines, numbers))
        try:
            self._conn.execute("BEGIN")
            self._conn.executemany(self._sql, numbered)
            self._conn.execute("COMMIT")
        except sqlite3.OperationalError:  # a line SQLite cannot parse: this batch line by line
            self._conn.execute("ROLLBACK")
            self._conn.executemany(self._one, numbered)

    def first_invalid_json(self) -> int | None:
        """n of the first line SQLite cannot parse, once every line was fed."""
        self.close()
        if self._error is not None:
            raise validate.BundleDamaged("Không kiểm tra được dữ liệu trong gói.", details=repr(self._error))
        row = self._conn.execute("SELECT n FROM found WHERE problem = 'json' ORDER BY n LIMIT 1").fetchone()
        return row[0] if row else None

    def first_problem(self) -> tuple[int, str] | None:
        self.close()
        if self._error is not None:
            raise validate.BundleDamaged("Không kiểm tra được dữ liệu trong gói.", details=repr(self._error))
        return self._conn.execute("SELECT n, problem FROM found WHERE problem != 'json' ORDER BY n LIMIT 1").fetchone()


def _stamp_bad_sql(value: str, upper: str) -> str:
    """validate._stamp_bad_sql over the staged column `value` and its SQLite type `value_k`: GLOB's
    [01], [0-3], [0-2], [0-5] first digits are the BETWEENs and the two `<= '5'` below."""
    text = f'{value} COLLATE "C"'
    return (f"{value}_k IS DISTINCT FROM 'text' OR translate({value}, '123456789', '000000000') <> '{STAMP_SHAPE}' "
            f"OR substr({text}, 6, 2) NOT BETWEEN '01' AND '12' OR substr({text}, 9, 2) NOT BETWEEN '01' AND '31' "
            f"OR substr({text}, 12, 2) > '23' OR substr({text}, 15, 1) > '5' OR substr({text}, 18, 1) > '5' "
            f"OR {text} < '{EARLIEST_STAMP}' OR {text} > '{upper}'")


def _stamps_sql(upper: str) -> str:
    checks = [f"WHEN {column} IS NULL OR {_stamp_bad_sql(column, upper)} THEN 'stamp:{column}'"
              for column in STAMPS_REQUIRED]
    checks.append(f"WHEN {STAMP_OPTIONAL} IS NOT NULL AND ({_stamp_bad_sql(STAMP_OPTIONAL, upper)}) "
                  f"THEN 'stamp:{STAMP_OPTIONAL}'")
    return f"CASE {' '.join(checks)} END"


def check_keys(db, checker: PortableLineChecker) -> None:
    """validate.check_keys on PostgreSQL's `incoming`: the same line, refusal and message."""
    n = checker.first_key_problem()
    if n is not None:
        line = db.conn.raw.execute("SELECT line FROM incoming WHERE n = %s", (n,)).fetchone()[0]
        reader = sqlite3.connect(":memory:")
        try:
            validate.raise_key_problem(reader, n, line)
        finally:
            reader.close()


def check_staged(db, *, unit: str, catalogue: Catalogue, now: dt.datetime, checker: PortableLineChecker,
                 scanned: dict) -> None:
    """validate.check_staged on PostgreSQL's `incoming` (`scanned`: core.hub.apply_pg.scan, made
    with validate.latest_stamp(now))."""
    first = checker.first_problem()
    bad = first
    if scanned["stamp"] is not None and (first is None or scanned["stamp"] < first[0]):
        code = db.conn.raw.execute(f"SELECT {_stamps_sql(scanned['upper'])} FROM incoming WHERE n = %s",
                                   (scanned["stamp"],)).fetchone()[0]
        bad = (scanned["stamp"], code)
    if bad:
        line = db.conn.raw.execute("SELECT line FROM incoming WHERE n = %s", (bad[0],)).fetchone()[0]
        reader = sqlite3.connect(":memory:")
        try:
            validate.raise_line_problem(reader, bad[0], bad[1], line, catalogue, now)
        finally:
            reader.close()
    check_purges(db, unit=unit)


def check_purges(db, *, unit: str) -> None:
    """validate.check_purges on PostgreSQL's `incoming`."""
    unclaimed = db.conn.raw.execute(
        "SELECT i.n, i.t, i.id FROM incoming AS i WHERE i.op = 'purge' AND NOT EXISTS "
        "(SELECT 1 FROM rows AS r WHERE r.table_name = i.t AND r.row_id = i.id AND r.unit = %s) "
        "ORDER BY i.n LIMIT 1", (unit,)).fetchone()
    if unclaimed:
        raise UnclaimedDelete(
            f"Dòng dữ liệu số {unclaimed[0]}: gói xóa hẳn bản ghi {str(unclaimed[2])[:40]} (bảng {unclaimed[1]}) "
            f"mà đơn vị {unit} chưa từng gửi lên tỉnh. Chỉ đơn vị đã tạo bản ghi mới được xóa nó. Gói bị từ chối.")
