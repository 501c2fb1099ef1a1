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

import contextlib
import itertools
import sqlite3
from typing import Iterable, Iterator

from core.hub import strict_json
from core.sync.errors import BundleDamaged, OwnershipViolation, UnsupportedFormat

# SQLite keeps the last few JSON texts a statement parsed and compares the text
# of each call with them, so the nine calls below on the same line parse it once: the
# fields go straight into plain columns, with no intermediate array to take apart.
# Types are checked with typeof(): an object or array comes back as JSON text, which no
# table name, operation or integer can equal (a line that is not an object has no "$.t").
# Lines are bound as bytes (no decode, no re-encode) and CAST to TEXT: from SQLite 3.45
# a BLOB given to a JSON function would be read as JSONB, so the functions only ever see
# TEXT, and the UTF-8 was validated before (`core.hub.receive`).
_PATHS = {"t": "$.t", "id": "$.id", "op": "$.op", "seq": "$.seq", "row_id": "$.row.id", "origin": "$.row.origin",
          "updated_at": "$.row.updated_at", "deleted_at": "$.row.deleted_at", "hlc": "$.hlc", "dev": "$.dev",
          "base_hlc": "$.base[0]", "base_dev": "$.base[1]",
          "created_at": "$.row.created_at"}  # created_at: for the stamp checks (core.hub.validate)

# The first problem of a line, in the order a reader would explain it.
_LINE_PROBLEM = """
    CASE
      WHEN typeof(t) IS NOT 'text' THEN 'tên bảng sai'
      WHEN typeof(id) IS NOT 'text' OR length(id) NOT BETWEEN 1 AND 100 THEN 'mã bản ghi sai'
      WHEN typeof(op) IS NOT 'text' OR op NOT IN ('insert', 'update', 'delete', 'purge') THEN 'thao tác sai'
      WHEN typeof(seq) IS NOT 'integer' OR seq < 0 THEN 'số thứ tự thay đổi sai'
      WHEN hlc IS NOT NULL AND (typeof(hlc) IS NOT 'integer' OR hlc < 0 OR typeof(dev) IS NOT 'text'
                                OR length(dev) NOT BETWEEN 1 AND 100) THEN 'phiên bản bản ghi sai'
      WHEN base_hlc IS NOT NULL AND (typeof(base_hlc) IS NOT 'integer' OR typeof(base_dev) IS NOT 'text')
           THEN 'phiên bản gốc sai'
      WHEN op = 'purge' AND row_type IS NOT 'null' THEN 'bản ghi đã xóa hẳn không được kèm nội dung'
      WHEN op != 'purge' AND (row_type IS NOT 'object' OR typeof(row_id) IS NOT 'text' OR row_id != id)
           THEN 'nội dung bản ghi sai'
    END"""

# The line is the last column, after the fields the checks read.
# (Checking each line's shape with a CHECK constraint while staging was tried: it made
# staging 0.2 s slower per 100,000 lines, four times what the separate scan costs.)
# A single-row INSERT … VALUES, not INSERT … SELECT: SQLite treats a SELECT source as
# possibly many rows and sets up more per execution (0.03 s per 100,000 lines).
# `canonical` is 1 for a line its table's expression matched (core.hub.validate.canonical_line_patterns:
# it then passes `_LINE_PROBLEM` and its stamps have their shape), else NULL.
_STAGING = (f"CREATE TABLE staging.incoming (n INTEGER PRIMARY KEY, {', '.join(_PATHS)}, row_type, canonical, "
            f"line TEXT NOT NULL)")
# n is left to SQLite (NULL: the next rowid, 1, 2, … in this new table): one parameter less to bind.
# A canonical line skips the look-ups only checks it already passed read: the row's id (equal to the
# record's, by its expression) and the base version (read by the conflict checks alone, so fetched by
# `_fill_bases` for the few lines that meet a row the hub holds).
_NOT_FOR_CANONICAL = ("row_id", "base_hlc", "base_dev")
_STAGE = ("INSERT INTO staging.incoming VALUES (NULL, "
          + ", ".join(f"CASE WHEN ?2 IS 1 THEN NULL ELSE json_extract(CAST(?1 AS TEXT), '{path}') END"
                      if field in _NOT_FOR_CANONICAL else f"json_extract(CAST(?1 AS TEXT), '{path}')"
                      for field, path in _PATHS.items())
          + ", CASE WHEN ?2 IS 1 THEN 'object' ELSE json_type(CAST(?1 AS TEXT), '$.row') END, ?2, CAST(?1 AS TEXT))")


def load_lines(conn: sqlite3.Connection, batches: Iterable[list[bytes]]) -> int:
    """Stage the lines of records.jsonl, given in batches, with their fields (staging.incoming);
    returns how many.

    The lines must already be checked UTF-8 without NUL bytes (`core.hub.receive`).
    Raises BundleDamaged at the first line that is not strict JSON (NaN, a cut line, a blank line).
    """
    conn.execute(_STAGING)
    staged = 0
    for lines in batches:
        _stage(conn, lines, staged)
        staged += len(lines)
    # json_extract parses the whole line; where it also reads JSON5 (SQLite >= 3.42, as on
    # Windows), strict_json refuses what is not strict JSON, so every line stored is.
    lenient = strict_json.first_lenient_line(conn)
    if lenient is not None:
        # Worded as every other line that is not JSON, whatever this SQLite reads: the answer to a
        # bundle must not depend on the hub's SQLite version or store (tests/core/hub/test_store_parity.py).
        raise BundleDamaged(f"Dòng dữ liệu số {lenient} trong gói không hợp lệ: không phải JSON hợp lệ.",
                            details="JSON5 (read by this SQLite's json_extract) but not RFC 8259 JSON")
    return staged


def _stage(conn: sqlite3.Connection, lines: list[bytes], before: int) -> None:
    marks = getattr(lines, "canonical", None)  # a core.hub.validate.CheckedBatch
    try:
        conn.executemany(_STAGE, zip(lines, marks if marks is not None else itertools.repeat(None)))
    except sqlite3.OperationalError as exc:
        # "malformed JSON": the lines before the bad one are staged, in order, so it is the next one.
        n = conn.execute("SELECT count(*) FROM staging.incoming").fetchone()[0] + 1
        index = n - before - 1
        if not 0 <= index < len(lines) or \
                conn.execute("SELECT json_valid(CAST(? AS TEXT))", (lines[index],)).fetchone()[0]:
            raise
        raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: không phải JSON hợp lệ.",
                            details=repr(exc)) from exc


def check_tables(counts: dict, manifest: dict, catalog: dict[str, str]) -> None:
    """The lines per table against the manifest's counts, and each table against the hub's
    catalogue: a commune table, known here. For both stores (core.hub.apply_pg)."""
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


def check_lines(conn: sqlite3.Connection, *, unit: str, manifest: dict, catalog: dict[str, str]) -> None:
    """Refuse the bundle at its first bad record (shape, counts, ownership)."""
    versioned = manifest.get("format_version", 1) >= 2
    # One scan for the three per-line checks (each the first line it fails; raised in this order).
    bad, unversioned, foreign = conn.execute(
        f"SELECT min(CASE WHEN canonical IS NOT 1 AND ({_LINE_PROBLEM}) IS NOT NULL THEN n END), "
        f"min(CASE WHEN (hlc IS NULL) = ? THEN n END), "
        f"min(CASE WHEN row_type = 'object' AND origin IS NOT ? THEN n END) FROM staging.incoming",
        (1 if versioned else 0, unit)).fetchone()
    if bad is not None:
        problem = conn.execute(f"SELECT {_LINE_PROBLEM} FROM staging.incoming WHERE n = ?", (bad,)).fetchone()[0]
        raise BundleDamaged(f"Dòng dữ liệu số {bad} trong gói không hợp lệ: {problem}.")
    if unversioned is not None:
        raise BundleDamaged(f"Dòng dữ liệu số {unversioned} trong gói không hợp lệ: "
                            + ("thiếu phiên bản bản ghi." if versioned else "có trường lạ."))
    check_tables(dict(conn.execute("SELECT t, count(*) FROM staging.incoming GROUP BY t")), manifest, catalog)
    if foreign is not None:
        origin = conn.execute("SELECT origin FROM staging.incoming WHERE n = ?", (foreign,)).fetchone()[0]
        raise OwnershipViolation(
            f"Gói có bản ghi của đơn vị “{str(origin)[:20]}” nhưng do đơn vị {unit} gửi. "
            "Mỗi xã chỉ gửi dữ liệu của chính mình. Gói bị từ chối.")
    clash = conn.execute(
        "SELECT r.row_id, r.table_name, r.unit FROM staging.incoming i "
        "JOIN rows r ON r.table_name = i.t AND r.row_id = i.id WHERE r.unit != ? LIMIT 1", (unit,)).fetchone()
    if clash:
        raise OwnershipViolation(
            f"Gói sửa bản ghi {clash[0][:40]} (bảng {clash[1]}) vốn thuộc đơn vị {clash[2]}. Gói bị từ chối.")


def version_legacy_lines(conn: sqlite3.Connection, device: str, cut_at: str | None = None) -> None:
    """Give the lines of a first-format bundle (no versions) the version the commune's upgrade
    gave the same changes (m0008): their time in hybrid-clock units, and the signing key's device.

    A purge line has no row, so no `updated_at`: it takes the time the bundle was cut (`cut_at`,
    the manifest's `created_at`), which is after every edit that bundle's PC made before it;
    without it a purge would rank before the row it removes and be kept as a lost conflict."""
    conn.execute("UPDATE staging.incoming SET dev = ?, hlc = coalesce(CAST((julianday(coalesce(updated_at, ?)) "
                 "- 2440587.5) * 86400000.0 AS INTEGER), 0) * 65536 + (seq % 65536)", (device, cut_at))
    # One PC per unit then: an edit of that format was made on top of whatever the hub had.
    conn.execute("UPDATE staging.incoming SET base_hlc = hlc, base_dev = dev")


def apply_lines(conn: sqlite3.Connection, *, unit: str, created_at: str, now: str, bundle_id: str = "") -> int:
    """Upsert every checked line; returns how many lines lost to a newer version.

    The newest version (hybrid logical clock, then device id) wins, whatever order bundles
    arrive in; an older one is never dropped in silence: its line is kept in `conflicts`.
    Each row written gets the next `rev`, the order in which a unit's devices read them back.
    """
    lost = 0
    # Both conflict checks join the lines with the rows the hub holds: when none of them is held
    # (new rows, as most of a bundle's are), neither can find anything and both scans are skipped.
    if conn.execute("SELECT 1 FROM staging.incoming AS x JOIN rows AS r ON r.table_name = x.t AND r.row_id = x.id "
                    "LIMIT 1").fetchone():
        _fill_bases(conn)
        lost = _record_conflicts(conn, unit=unit, now=now, bundle_id=bundle_id)
    base = int(conn.execute("SELECT coalesce((SELECT value FROM hub_meta WHERE key = 'row_rev'), 0)").fetchone()[0])
    staged = conn.execute("SELECT count(*) FROM staging.incoming").fetchone()[0]
    conn.execute(
        """INSERT INTO rows (table_name, row_id, unit, seq, op, updated_at, deleted, state, received_at,
                             hlc, device, rev)
           SELECT x.t, x.id, ?, x.seq, x.op, coalesce(x.updated_at, ?),
                  CASE WHEN x.row_type IS NOT 'object' OR x.deleted_at IS NOT NULL THEN 1 ELSE 0 END, x.line, ?,
                  x.hlc, x.dev, ? + x.n
           FROM staging.incoming AS x WHERE true ORDER BY x.n
           ON CONFLICT (table_name, row_id) DO UPDATE SET
               seq = excluded.seq, op = excluded.op, updated_at = excluded.updated_at,
               deleted = excluded.deleted, state = excluded.state, received_at = excluded.received_at,
               hlc = excluded.hlc, device = excluded.device, rev = excluded.rev
           WHERE (excluded.hlc, excluded.device) > (coalesce(rows.hlc, 0), coalesce(rows.device, ''))
             AND rows.unit = excluded.unit""", (unit, created_at, now, base))
    conn.execute("INSERT INTO hub_meta(key, value) VALUES ('row_rev', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(base + staged),))
    return lost


def _fill_bases(conn: sqlite3.Connection) -> None:
    """The base version of each canonical line that meets a row the hub holds (left out while staging;
    a first-format bundle's lines already have theirs from `version_legacy_lines`)."""
    conn.execute("UPDATE staging.incoming SET base_hlc = json_extract(line, '$.base[0]'), "
                 "base_dev = json_extract(line, '$.base[1]') WHERE canonical IS 1 AND base_hlc IS NULL AND EXISTS "
                 "(SELECT 1 FROM rows AS r WHERE r.table_name = incoming.t AND r.row_id = incoming.id)")


def _record_conflicts(conn: sqlite3.Connection, *, unit: str, now: str, bundle_id: str) -> int:
    """Keep in `conflicts` what loses to a newer version (see `apply_lines`); returns how many."""
    # An edit from another device than the hub's version's, older than it: the incoming line is kept.
    lost = conn.execute(
        """INSERT INTO conflicts (unit, table_name, row_id, bundle_id, kept_hlc, kept_device, lost_hlc,
                                  lost_device, lost_state, recorded_at)
           SELECT ?, x.t, x.id, ?, r.hlc, r.device, x.hlc, x.dev, x.line, ?
           FROM staging.incoming AS x JOIN rows AS r ON r.table_name = x.t AND r.row_id = x.id
           WHERE r.unit = ? AND (coalesce(r.hlc, 0), coalesce(r.device, '')) > (x.hlc, x.dev)
             AND r.device IS NOT x.dev
           ORDER BY x.n""", (unit, bundle_id, now, unit)).rowcount
    # A newer edit made without seeing the hub's version (its base is older), from another device:
    # the hub's version is replaced, and kept here — concurrent edits at two counters both stay visible.
    lost += conn.execute(
        """INSERT INTO conflicts (unit, table_name, row_id, bundle_id, kept_hlc, kept_device, lost_hlc,
                                  lost_device, lost_state, recorded_at)
           SELECT ?, x.t, x.id, ?, x.hlc, x.dev, r.hlc, r.device, r.state, ?
           FROM staging.incoming AS x JOIN rows AS r ON r.table_name = x.t AND r.row_id = x.id
           WHERE r.unit = ? AND r.hlc IS NOT NULL AND r.device IS NOT x.dev
             AND (x.hlc, x.dev) > (r.hlc, r.device)
             AND (x.base_hlc IS NULL OR (x.base_hlc, coalesce(x.base_dev, '')) < (r.hlc, r.device))
           ORDER BY x.n""", (unit, bundle_id, now, unit)).rowcount
    return lost


@contextlib.contextmanager
def staging(conn: sqlite3.Connection) -> Iterator[None]:
    """An in-memory database `staging` for one upload's lines, attached around its transaction.

    DETACH frees it at once; a TEMP table holding the same 76 MB of lines cost 0.03–0.07 s to
    DROP (SQLite walks and frees every page). ATTACH and DETACH are refused inside a
    transaction, so this goes outside `Store.transaction()`.
    """
    if any(row[1] == "staging" for row in conn.execute("PRAGMA database_list")):
        conn.execute("DETACH DATABASE staging")  # left by an upload that died half-way
    conn.execute("ATTACH DATABASE ':memory:' AS staging")
    try:
        yield
    finally:
        if not conn.in_transaction:  # else left for the next upload to detach, not masking the error
            conn.execute("DETACH DATABASE staging")
