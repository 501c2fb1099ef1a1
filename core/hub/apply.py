"""Writing a verified commune bundle's records into the hub's `rows`, checked and applied in SQL.

The hub keeps each record's JSON line as signed and reads it back with SQLite's JSON
functions (overview, report). So the lines are also checked with SQLite's JSON
functions, in C, instead of being parsed once more in Python: every record must be
strict JSON with the five keys of the format, a table owned by communes, the row
stamped with the sender's unit, and no row id already held by another unit.
Checking and reading with the same parser means there is no gap between what was
checked and what is read (duplicate keys, number forms…).

Everything runs inside the caller's transaction: any refusal rolls it all back.
"""

from __future__ import annotations

import itertools
import sqlite3

from core.sync.errors import BundleDamaged, OwnershipViolation, UnsupportedFormat

# SQLite's JSON functions walk the whole line on every call, and a line is ~750 bytes:
# so one multi-path json_extract gathers every field the hub needs into a small JSON
# array `f`, and the checks and the upsert read that array (plus the row's type). Types
# are checked with typeof(): an object or array comes back as JSON text, which no table
# name, operation or integer can equal (a line that is not an object has no "$.t").
_EXTRACT = """
    INSERT INTO temp.incoming (n, line, f, row_type)
    VALUES (?1, ?2, json_extract(?2, '$.t', '$.id', '$.op', '$.seq', '$.row.id', '$.row.origin',
                                 '$.row.updated_at', '$.row.deleted_at'),
            json_type(?2, '$.row'))"""

_FIELDS = {"t": 0, "id": 1, "op": 2, "seq": 3, "row_id": 4, "origin": 5, "updated_at": 6, "deleted_at": 7}
# Plain columns taken once out of the small gathered arrays, for the checks and the upsert.
_MATERIALISE = ("CREATE TEMP TABLE incoming_fields AS SELECT n, row_type, "
                + ", ".join(f"json_extract(f, '$[{i}]') AS {name}" for name, i in _FIELDS.items())
                + " FROM temp.incoming")

# The first problem of a line, in the order a reader would explain it.
_LINE_PROBLEM = """
    CASE
      WHEN typeof(t) IS NOT 'text' THEN 'tên bảng sai'
      WHEN typeof(id) IS NOT 'text' OR length(id) NOT BETWEEN 1 AND 100 THEN 'mã bản ghi sai'
      WHEN typeof(op) IS NOT 'text' OR op NOT IN ('insert', 'update', 'delete', 'purge') THEN 'thao tác sai'
      WHEN typeof(seq) IS NOT 'integer' OR seq < 0 THEN 'số thứ tự thay đổi sai'
      WHEN op = 'purge' AND row_type IS NOT 'null' THEN 'bản ghi đã xóa hẳn không được kèm nội dung'
      WHEN op != 'purge' AND (row_type IS NOT 'object' OR typeof(row_id) IS NOT 'text' OR row_id != id)
           THEN 'nội dung bản ghi sai'
    END"""


def load_lines(conn: sqlite3.Connection, raw: bytes) -> int:
    """Stage the lines of records.jsonl (temp.incoming, temp.incoming_fields); returns how many.

    Raises BundleDamaged at the first line that is not strict JSON (NaN, a cut line, a blank line).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleDamaged("Dữ liệu trong gói không phải văn bản UTF-8.", details=repr(exc)) from exc
    drop_staging(conn)
    conn.execute("CREATE TEMP TABLE incoming (n INTEGER PRIMARY KEY, line TEXT NOT NULL, f TEXT, row_type TEXT)")
    # One record per line, no blank lines (the writer never makes them): a blank line is not JSON.
    lines = text[:-1].split("\n") if text.endswith("\n") else (text.split("\n") if text else [])
    try:
        conn.executemany(_EXTRACT, zip(itertools.count(1), lines))
    except sqlite3.OperationalError as exc:  # "malformed JSON": say which line
        for n, line in enumerate(lines, start=1):
            if not conn.execute("SELECT json_valid(?)", (line,)).fetchone()[0]:
                raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: không phải JSON hợp lệ.",
                                    details=repr(exc)) from exc
        raise
    # json_extract parses the whole line, so every line stored here is strict JSON.
    conn.execute(_MATERIALISE)
    return len(lines)


def check_lines(conn: sqlite3.Connection, *, unit: str, manifest: dict, catalog: dict[str, str]) -> None:
    """Refuse the bundle at its first bad record (shape, counts, ownership)."""
    bad = conn.execute(f"SELECT n, problem FROM (SELECT n, {_LINE_PROBLEM} AS problem FROM temp.incoming_fields) "
                       f"WHERE problem IS NOT NULL ORDER BY n LIMIT 1").fetchone()
    if bad:
        raise BundleDamaged(f"Dòng dữ liệu số {bad[0]} trong gói không hợp lệ: {bad[1]}.")
    counts = dict(conn.execute("SELECT t, count(*) FROM temp.incoming_fields GROUP BY t"))
    if counts != manifest["counts"] or sum(counts.values()) != manifest["record_count"]:
        raise BundleDamaged("Số bản ghi trong gói không khớp với bản kê.")
    for table in counts:
        owner = catalog.get(table)
        if owner is None:  # a newer commune version, or a table that never travels
            raise UnsupportedFormat(
                f"Máy chủ tỉnh không có bảng dữ liệu “{table[:60]}” trong danh mục đồng bộ. Nếu xã dùng phiên bản "
                "phần mềm mới hơn, cần cập nhật phần mềm ở tỉnh rồi gửi lại.")
        if owner != "commune":
            raise OwnershipViolation(
                f"Gói sửa dữ liệu bảng “{table[:60]}” (của tỉnh); xã chỉ được gửi dữ liệu của chính mình. "
                "Gói bị từ chối.")
    foreign = conn.execute("SELECT n, origin FROM temp.incoming_fields WHERE row_type = 'object' AND origin IS NOT ? "
                           "ORDER BY n LIMIT 1", (unit,)).fetchone()
    if foreign:
        raise OwnershipViolation(
            f"Gói có bản ghi của đơn vị “{str(foreign[1])[:20]}” nhưng do đơn vị {unit} gửi. "
            "Mỗi xã chỉ gửi dữ liệu của chính mình. Gói bị từ chối.")
    clash = conn.execute(
        "SELECT r.row_id, r.table_name, r.unit FROM temp.incoming_fields i "
        "JOIN rows r ON r.table_name = i.t AND r.row_id = i.id WHERE r.unit != ? LIMIT 1", (unit,)).fetchone()
    if clash:
        raise OwnershipViolation(
            f"Gói sửa bản ghi {clash[0][:40]} (bảng {clash[1]}) vốn thuộc đơn vị {clash[2]}. Gói bị từ chối.")


def apply_lines(conn: sqlite3.Connection, *, unit: str, created_at: str, now: str) -> None:
    """Upsert every checked line; an older state (lower seq) never replaces a newer one."""
    conn.execute(
        """INSERT INTO rows (table_name, row_id, unit, seq, op, updated_at, deleted, state, received_at)
           SELECT x.t, x.id, ?, x.seq, x.op, coalesce(x.updated_at, ?),
                  CASE WHEN x.row_type IS NOT 'object' OR x.deleted_at IS NOT NULL THEN 1 ELSE 0 END, i.line, ?
           FROM temp.incoming_fields AS x JOIN temp.incoming AS i ON i.n = x.n WHERE true ORDER BY x.n
           ON CONFLICT (table_name, row_id) DO UPDATE SET
               seq = excluded.seq, op = excluded.op, updated_at = excluded.updated_at,
               deleted = excluded.deleted, state = excluded.state, received_at = excluded.received_at
           WHERE excluded.seq > rows.seq AND rows.unit = excluded.unit""", (unit, created_at, now))
    drop_staging(conn)


def drop_staging(conn: sqlite3.Connection) -> None:
    """Free the staged lines (a failed upload's are rolled back with its transaction)."""
    conn.execute("DROP TABLE IF EXISTS temp.incoming_fields")
    conn.execute("DROP TABLE IF EXISTS temp.incoming")
