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

import sqlite3

from core.sync.errors import BundleDamaged, OwnershipViolation

# One pass of SQLite's JSON parser over the lines (all known to be valid JSON by then),
# into plain columns; the checks and the upsert then read columns only. Types are
# checked with typeof(): json_extract gives an object or array back as text, which no
# table name, operation or integer can equal (and a line that is not an object has no
# "$.t" at all). An id that is JSON text of an object is merely an odd id.
_EXTRACT = """
    INSERT INTO temp.incoming (n, line, t, id, op, seq, row_type, row_id, origin, updated_at, deleted_at)
    VALUES (?1, ?2, json_extract(?2, '$.t'), json_extract(?2, '$.id'),
            json_extract(?2, '$.op'), json_extract(?2, '$.seq'), json_type(?2, '$.row'),
            json_extract(?2, '$.row.id'), json_extract(?2, '$.row.origin'), json_extract(?2, '$.row.updated_at'),
            json_extract(?2, '$.row.deleted_at'))"""

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
    """Read the non-empty lines of records.jsonl into temp.incoming; returns how many.

    Raises BundleDamaged at the first line that is not strict JSON (NaN, a cut line…).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleDamaged("Dữ liệu trong gói không phải văn bản UTF-8.", details=repr(exc)) from exc
    conn.execute("""CREATE TEMP TABLE IF NOT EXISTS incoming (
        n INTEGER PRIMARY KEY, line TEXT NOT NULL, t, id, op, seq, row_type TEXT, row_id, origin, updated_at,
        deleted_at)""")
    conn.execute("DELETE FROM temp.incoming")
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line and not line.isspace()]
    try:
        conn.executemany(_EXTRACT, lines)
    except sqlite3.OperationalError as exc:  # "malformed JSON": say which line
        for n, line in lines:
            if not conn.execute("SELECT json_valid(?)", (line,)).fetchone()[0]:
                raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: không phải JSON hợp lệ.",
                                    details=repr(exc)) from exc
        raise
    # json_extract accepts a few non-JSON forms json_valid refuses; only strict JSON passes.
    invalid = conn.execute("SELECT n FROM temp.incoming WHERE NOT json_valid(line) ORDER BY n LIMIT 1").fetchone()
    if invalid:
        raise BundleDamaged(f"Dòng dữ liệu số {invalid[0]} trong gói không hợp lệ: không phải JSON hợp lệ.")
    return len(lines)


def check_lines(conn: sqlite3.Connection, *, unit: str, manifest: dict, catalog: dict[str, str]) -> None:
    """Refuse the bundle at its first bad record (shape, counts, ownership)."""
    bad = conn.execute(f"SELECT n, problem FROM (SELECT n, {_LINE_PROBLEM} AS problem FROM temp.incoming) "
                       f"WHERE problem IS NOT NULL ORDER BY n LIMIT 1").fetchone()
    if bad:
        raise BundleDamaged(f"Dòng dữ liệu số {bad[0]} trong gói không hợp lệ: {bad[1]}.")
    counts = dict(conn.execute("SELECT t, count(*) FROM temp.incoming GROUP BY t"))
    if counts != manifest["counts"] or sum(counts.values()) != manifest["record_count"]:
        raise BundleDamaged("Số bản ghi trong gói không khớp với bản kê.")
    for table in counts:
        owner = catalog.get(table)
        if owner != "commune":
            what = "của tỉnh" if owner == "province" else "không có trong danh mục"
            raise OwnershipViolation(
                f"Gói sửa dữ liệu bảng “{table[:60]}” ({what}); xã chỉ được gửi dữ liệu của chính mình. "
                "Gói bị từ chối.")
    foreign = conn.execute("SELECT n, origin FROM temp.incoming WHERE row_type = 'object' AND origin IS NOT ? "
                           "ORDER BY n LIMIT 1", (unit,)).fetchone()
    if foreign:
        raise OwnershipViolation(
            f"Gói có bản ghi của đơn vị “{str(foreign[1])[:20]}” nhưng do đơn vị {unit} gửi. "
            "Mỗi xã chỉ gửi dữ liệu của chính mình. Gói bị từ chối.")
    clash = conn.execute(
        "SELECT r.row_id, r.table_name, r.unit FROM temp.incoming i "
        "JOIN rows r ON r.table_name = i.t AND r.row_id = i.id WHERE r.unit != ? LIMIT 1", (unit,)).fetchone()
    if clash:
        raise OwnershipViolation(
            f"Gói sửa bản ghi {clash[0][:40]} (bảng {clash[1]}) vốn thuộc đơn vị {clash[2]}. Gói bị từ chối.")


def apply_lines(conn: sqlite3.Connection, *, unit: str, created_at: str, now: str) -> None:
    """Upsert every checked line; an older state (lower seq) never replaces a newer one."""
    conn.execute(
        """INSERT INTO rows (table_name, row_id, unit, seq, op, updated_at, deleted, state, received_at)
           SELECT t, id, ?, seq, op, coalesce(updated_at, ?),
                  CASE WHEN row_type IS NOT 'object' OR deleted_at IS NOT NULL THEN 1 ELSE 0 END, line, ?
           FROM temp.incoming WHERE true ORDER BY n
           ON CONFLICT (table_name, row_id) DO UPDATE SET
               seq = excluded.seq, op = excluded.op, updated_at = excluded.updated_at,
               deleted = excluded.deleted, state = excluded.state, received_at = excluded.received_at
           WHERE excluded.seq > rows.seq AND rows.unit = excluded.unit""", (unit, created_at, now))
    conn.execute("DELETE FROM temp.incoming")
