"""core.hub.apply on PostgreSQL: a commune bundle's lines staged with COPY, checked and applied in SQL.

The same checks, in the same order, with the same refusals and line numbers as the SQLite
path (core/hub/apply.py), so a bundle is accepted by one store exactly when it is by the other:

- the lines go into a temporary table (`incoming`, dropped at COMMIT or ROLLBACK) with one COPY:
  a line exactly as the app writes it already typed, by the hub's worker (core/hub/typed_lines.py);
  any other one as text, then parsed once here (`line::jsonb`, PostgreSQL's strict RFC 8259
  parser) into the fields the checks read;
- each field is typed as SQLite's `typeof(json_extract(…))` types it: a string, object or array
  is 'text' (SQLite returns nested JSON as text), true/false 'integer', a number 'integer' when
  written as an integer that fits 64 bits, else 'real'. jsonb keeps no trace of how a number was
  written (1e2 and 100 are the same numeric), so the few lines whose seq/hlc/base SQLite types
  as 'real' are taken from the row checker, which reads every line with SQLite anyway
  (core.hub.validate_pg.PortableLineChecker);
- a line is not JSON when PostgreSQL cannot parse it as jsonb (this also refuses \\u0000 and
  numbers beyond numeric, which the SQLite path refuses too: core/hub/portable_json.py) or
  when SQLite cannot (a nesting deeper than SQLite's limit): the first such line is named;
- text is compared byte by byte (COLLATE "C"), as SQLite and Python compare it, whatever the
  database's collation: device ids decide which of two versions wins.

Everything runs inside the caller's transaction, under the unit's lock (core.hub.database.lock_unit).
`rev`, the order in which a unit's devices read rows back, continues from the unit's highest: under
that lock the unit's uploads commit one after another, so its revs are committed in increasing
order, and uploads of different units never wait on a shared counter.
"""

from __future__ import annotations

from typing import Iterable

import psycopg

from core.hub import apply, portable_json, typed_lines
from core.hub.typed_lines import TypedStaging
from core.sync.errors import BundleDamaged, OwnershipViolation

INT64 = "BETWEEN -9223372036854775808 AND 9223372036854775807"

# Field -> jsonb expression over `j` (the parsed line), as SQLite's paths in core.hub.apply._PATHS.
# `$.base[0]` reads an array only: on an object PostgreSQL's path would take its key "0".
_FIELDS = {
    "t": "j->'t'", "id": "j->'id'", "op": "j->'op'", "seq": "j->'seq'",
    "row_id": "j->'row'->'id'", "origin": "j->'row'->'origin'", "updated_at": "j->'row'->'updated_at'",
    "deleted_at": "j->'row'->'deleted_at'", "hlc": "j->'hlc'", "dev": "j->'dev'",
    "base_hlc": "CASE WHEN jsonb_typeof(j->'base') = 'array' THEN j->'base'->0 END",
    "base_dev": "CASE WHEN jsonb_typeof(j->'base') = 'array' THEN j->'base'->1 END",
    "created_at": "j->'row'->'created_at'",
}
INTEGER_FIELDS = ("seq", "hlc", "base_hlc")


# How seq, hlc and base[0] are written, when jsonb's text of the number is not found as written in
# the line: read again from the line as json (which keeps each token as written: 1e2, -0, 1.0).
_RAW = {"seq": "((line::json)->>'seq')", "hlc": "((line::json)->>'hlc')",
        "base_hlc": "(CASE WHEN json_typeof((line::json)->'base') = 'array' THEN (line::json)->'base'->>0 END)"}
# The app writes `"seq":500,"hlc":…,"dev":…,"base":[…,…]` — jsonb's text of the number, found as
# is after its key, is how the line wrote it (a string cannot hold `"seq":` unescaped).
_LITERAL = {"seq": "'\"seq\":' || tx_seq || ','", "hlc": "'\"hlc\":' || tx_hlc || ','",
            "base_hlc": "'\"base\":[' || tx_base_hlc || ','"}


def _is_integer(name: str) -> str:
    """SQLite's typeof 'integer' of a JSON number: written without fraction or exponent, in 64 bits.
    jsonb never writes an exponent; up to 18 digits a number always fits."""
    tx, raw = f"tx_{name}", _RAW[name]
    return (f"(CASE WHEN lit_{name} THEN strpos({tx}, '.') = 0 AND (length({tx}) <= 18 OR {tx}::numeric {INT64}) "
            f"ELSE {raw} ~ '^-?[0-9]+$' AND (length({raw}) <= 18 OR {raw}::numeric {INT64}) END)")


def _kind(name: str) -> str:
    """SQLite's typeof(json_extract(…)) of field `name`, from its jsonb type `ty_name` and text
    `tx_name` (NULL when absent or null). Only the integer fields need 'integer' told from
    'real'; for the others any number is just not 'text'."""
    number = f"CASE WHEN {_is_integer(name)} THEN 'integer' ELSE 'real' END" if name in INTEGER_FIELDS else "'real'"
    return (f"CASE ty_{name} WHEN 'string' THEN 'text' WHEN 'object' THEN 'text' WHEN 'array' THEN 'text' "
            f"WHEN 'boolean' THEN 'integer' WHEN 'number' THEN {number} END")


def _integer(name: str) -> str:
    ty, tx = f"ty_{name}", f"tx_{name}"
    return (f"CASE {ty} WHEN 'boolean' THEN ({tx} = 'true')::int::bigint "
            f"WHEN 'number' THEN CASE WHEN {_is_integer(name)} THEN {tx}::numeric::bigint END END")


def _parse_sql() -> str:
    # Three levels, each kept apart by OFFSET 0 (else the planner inlines them and parses the
    # line again for every reference): the line parsed once; each field's jsonb type and text
    # taken once; then typed as SQLite types them. Only the lines not typed while staging
    # (core.hub.typed_lines: nearly none in a real bundle) are parsed.
    typed, assigned = [], []
    for name in _FIELDS:
        typed.append(f"{_integer(name)} AS {name}" if name in INTEGER_FIELDS else f"tx_{name} AS {name}")
        typed.append(f"{_kind(name)} AS {name}_k")
        assigned += [f"{name} = w.{name}", f"{name}_k = w.{name}_k"]
    taken = ", ".join(f"jsonb_typeof({expr}) AS ty_{name}, ({expr}) #>> '{{}}' AS tx_{name}"
                      for name, expr in _FIELDS.items())
    literal = ", ".join(f"strpos(line, {_LITERAL[name]}) > 0 AS lit_{name}" for name in INTEGER_FIELDS)
    # json_type('$.row') is only ever compared with 'object' and 'null', which jsonb_typeof names alike.
    return (f"UPDATE incoming AS i SET {', '.join(assigned)}, row_type = w.row_type "
            f"FROM (SELECT n, {', '.join(typed)}, row_type "
            f"FROM (SELECT *, {literal} FROM (SELECT n, line, {taken}, jsonb_typeof(j->'row') AS row_type "
            f"FROM (SELECT n, line, line::jsonb AS j FROM incoming WHERE NOT typed OFFSET 0) AS parsed OFFSET 0) "
            f"AS taken OFFSET 0) AS written) AS w WHERE i.n = w.n")


_PARSE = _parse_sql()

# _LINE_PROBLEM (core/hub/apply.py) over the typed columns: `typeof(x) IS NOT 'text'` is
# `x_k IS DISTINCT FROM 'text'`; `hlc IS NOT NULL` is `hlc_k IS NOT NULL`.
LINE_PROBLEM = """
    CASE
      WHEN t_k IS DISTINCT FROM 'text' THEN 'tên bảng sai'
      WHEN id_k IS DISTINCT FROM 'text' OR length(id) NOT BETWEEN 1 AND 100 THEN 'mã bản ghi sai'
      WHEN op_k IS DISTINCT FROM 'text' OR op NOT IN ('insert', 'update', 'delete', 'purge') THEN 'thao tác sai'
      WHEN seq_k IS DISTINCT FROM 'integer' OR seq < 0 THEN 'số thứ tự thay đổi sai'
      WHEN hlc_k IS NOT NULL AND (hlc_k IS DISTINCT FROM 'integer' OR hlc < 0 OR dev_k IS DISTINCT FROM 'text'
                                  OR length(dev) NOT BETWEEN 1 AND 100) THEN 'phiên bản bản ghi sai'
      WHEN base_hlc_k IS NOT NULL AND (base_hlc_k IS DISTINCT FROM 'integer' OR base_dev_k IS DISTINCT FROM 'text')
           THEN 'phiên bản gốc sai'
      WHEN op = 'purge' AND row_type IS DISTINCT FROM 'null' THEN 'bản ghi đã xóa hẳn không được kèm nội dung'
      WHEN op <> 'purge' AND (row_type IS DISTINCT FROM 'object' OR row_id_k IS DISTINCT FROM 'text'
                              OR row_id <> id) THEN 'nội dung bản ghi sai'
    END"""

_NOT_JSON = "Dòng dữ liệu số {n} trong gói không hợp lệ: không phải JSON hợp lệ."


def load_lines(db, batches: Iterable[list[bytes]], checker, staging: TypedStaging) -> int:
    """Stage the lines of records.jsonl into `incoming` with one COPY — the app's own lines already
    typed (core.hub.typed_lines), the others as text, then parsed and typed here; returns how many.
    `checker` (validate_pg.PortableLineChecker) reads the lines not typed with SQLite.

    Raises BundleDamaged naming the first line that is not JSON (for either store)."""
    raw = db.conn.raw
    if raw.info.encoding != "utf-8":
        raw.execute("SET client_encoding TO 'UTF8'")  # the lines are checked UTF-8 (core.hub.receive)
    _tune_session(db)
    raw.execute(typed_lines.create_sql())
    with raw.cursor() as cursor, cursor.copy("COPY incoming FROM STDIN") as copy:
        for lines in batches:
            data, rest, numbers = staging.copy_data(lines)
            checker.check(rest, numbers)
            copy.write(data)
    sqlite_bad = checker.first_invalid_json()
    pg_bad = None
    if staging.untyped:
        try:
            with db.transaction():  # a savepoint: a line PostgreSQL cannot parse aborts only this
                raw.execute(_PARSE)
        except Exception as exc:  # noqa: BLE001 - any parse error; which line is found below
            import psycopg

            if not isinstance(exc, psycopg.DataError | psycopg.errors.ProgramLimitExceeded):
                raise
            pg_bad = _first_unparsable(db)
            if pg_bad is None:
                raise
    # As on SQLite: a line SQLite cannot read at all is named first (it stops the staging there),
    # then the first one only PostgreSQL refuses (core.hub.portable_json: refused there after staging).
    bad = sqlite_bad or pg_bad
    if bad is not None:
        line = raw.execute("SELECT line FROM incoming WHERE n = %s", (bad,)).fetchone()[0]
        raise BundleDamaged(_NOT_JSON.format(n=bad), details=portable_json.unportable_reason(line) or "")
    return staging.staged


TEMP_BUFFERS = "256MB"


def _tune_session(db) -> None:
    """For this upload's statements: no JIT (compiling the parse and the checks cost more than
    it saved: these run once per upload), and, before this connection first uses a temporary
    table, room for the staged lines in its own memory (temp_buffers, 8 MB by default: a big
    bundle's lines would otherwise go through temporary files). temp_buffers is a cap, taken
    as the tables grow; it can only be set before the first use, hence once per connection."""
    raw = db.conn.raw
    raw.execute("SET LOCAL jit = off")
    if not getattr(db, "_temp_buffers_tried", False):
        db._temp_buffers_tried = True
        try:
            with db.transaction():
                raw.execute(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
        except Exception:  # noqa: BLE001 - already in use on this connection: keep its size
            pass


_FIRST_UNPARSABLE = """
CREATE OR REPLACE FUNCTION pg_temp.first_unparsable() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT n, line FROM incoming WHERE NOT typed ORDER BY n LOOP
    BEGIN
      PERFORM r.line::jsonb;
    EXCEPTION WHEN OTHERS THEN
      RETURN r.n;
    END;
  END LOOP;
  RETURN NULL;
END $$"""


def _first_unparsable(db) -> int | None:
    """n of the first staged line PostgreSQL cannot parse as jsonb (only after a refusal: one
    subtransaction per line not typed while staging; a typed line is JSON jsonb holds)."""
    db.conn.raw.execute(_FIRST_UNPARSABLE)
    return db.conn.raw.execute("SELECT pg_temp.first_unparsable()").fetchone()[0]


def scan(db, *, unit: str, versioned: bool, upper: str, staging: TypedStaging) -> dict:
    """One pass over `incoming` for every check core.hub.apply and core.hub.validate make on
    the staged columns: per check, the first line that fails it (None when none does); and the
    lines per table. The refusals are then raised in the SQLite path's order. The typed lines were
    looked at while staging (`staging`: core.hub.typed_lines); this pass reads the others."""
    from core.hub import validate_pg

    firsts = {"problem": None, **staging.firsts}
    counts: dict = staging.table_counts()
    if not staging.untyped:
        return {"counts": counts, "upper": upper, **firsts}
    # SQLite's `origin IS NOT ?` also holds for a number equal to the unit's code as text.
    for row in db.conn.raw.execute(
            f"""SELECT t, count(*), min(n) FILTER (WHERE problem IS NOT NULL),
                       min(n) FILTER (WHERE (hlc_k IS NULL) = %s),
                       min(n) FILTER (WHERE row_type = 'object'
                                      AND (origin_k IS DISTINCT FROM 'text' OR origin IS DISTINCT FROM %s)),
                       min(n) FILTER (WHERE row_type = 'object' AND stamp IS NOT NULL)
                FROM (SELECT n, t, hlc_k, row_type, origin_k, origin, {LINE_PROBLEM} AS problem,
                             {validate_pg._stamps_sql(upper)} AS stamp FROM incoming WHERE NOT typed) AS checked
                GROUP BY t""", (versioned, unit)):
        counts[row[0]] = counts.get(row[0], 0) + row[1]
        for key, n in zip(firsts, row[2:]):
            if n is not None and (firsts[key] is None or n < firsts[key]):
                firsts[key] = n
    return {"counts": counts, "upper": upper, **firsts}


def check_lines(db, *, unit: str, manifest: dict, catalog: dict[str, str], scanned: dict) -> None:
    """core.hub.apply.check_lines on `incoming` (`scanned`: its one pass): the same refusals, in the same order."""
    conn = db.conn.raw
    if scanned["problem"] is not None:
        problem = conn.execute(f"SELECT {LINE_PROBLEM} FROM incoming WHERE n = %s", (scanned["problem"],)).fetchone()[0]
        raise BundleDamaged(f"Dòng dữ liệu số {scanned['problem']} trong gói không hợp lệ: {problem}.")
    versioned = manifest.get("format_version", 1) >= 2
    if scanned["unversioned"] is not None:
        raise BundleDamaged(f"Dòng dữ liệu số {scanned['unversioned']} trong gói không hợp lệ: "
                            + ("thiếu phiên bản bản ghi." if versioned else "có trường lạ."))
    apply.check_tables(scanned["counts"], manifest, catalog)
    if scanned["foreign"] is not None:
        foreign = conn.execute("SELECT n, origin FROM incoming WHERE n = %s", (scanned["foreign"],)).fetchone()
        raise OwnershipViolation(
            f"Gói có bản ghi của đơn vị “{str(foreign[1])[:20]}” nhưng do đơn vị {unit} gửi. "
            "Mỗi xã chỉ gửi dữ liệu của chính mình. Gói bị từ chối.")
    clash = conn.execute(
        "SELECT r.row_id, r.table_name, r.unit FROM incoming i "
        "JOIN rows r ON r.table_name = i.t AND r.row_id = i.id WHERE r.unit <> %s ORDER BY i.n LIMIT 1",
        (unit,)).fetchone()
    if clash:
        raise OwnershipViolation(
            f"Gói sửa bản ghi {clash[0][:40]} (bảng {clash[1]}) vốn thuộc đơn vị {clash[2]}. Gói bị từ chối.")


# SQLite's julianday() of a checked stamp 'YYYY-MM-DDTHH:MM:SS.mmmZ', as its date.c computes it
# (integer milliseconds since the Julian epoch, iJD; a day past the month's end rolls over as
# there), then the same double arithmetic as core.hub.apply.version_legacy_lines, so a
# first-format line gets the same version on either store.
def _ijd(stamp: str) -> str:
    y, m, d = (f"substr({stamp}, 1, 4)::int", f"substr({stamp}, 6, 2)::int", f"substr({stamp}, 9, 2)::int")
    yy = f"(CASE WHEN {m} <= 2 THEN {y} - 1 ELSE {y} END)"
    mm = f"(CASE WHEN {m} <= 2 THEN {m} + 12 ELSE {m} END)"
    a = f"({yy} / 100)"
    b = f"(2 - {a} + {a} / 4)"
    x1 = f"(36525 * ({yy} + 4716) / 100)"
    x2 = f"(306001 * ({mm} + 1) / 10000)"
    days = f"(({x1} + {x2} + {d} + {b})::float8 - 1524.5::float8)"
    return (f"(trunc({days} * 86400000::float8)::bigint + substr({stamp}, 12, 2)::bigint * 3600000 "
            f"+ substr({stamp}, 15, 2)::bigint * 60000 + substr({stamp}, 18, 2)::bigint * 1000 "
            f"+ substr({stamp}, 21, 3)::bigint)")


def _legacy_hlc(stamp: str) -> str:
    # Stamps reach here checked (validate_pg._stamps_sql); any other text counts as no time (0).
    julian = f"({_ijd(stamp)}::float8 / 86400000.0::float8)"
    return (f"coalesce(CASE WHEN {stamp} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}[.][0-9]{{3}}Z$' "
            f"THEN trunc(({julian} - 2440587.5::float8) * 86400000.0::float8)::bigint END, 0)")


def version_legacy_lines(db, device: str, cut_at: str | None = None) -> None:
    """core.hub.apply.version_legacy_lines on `incoming` (same versions, to the millisecond)."""
    stamp = "coalesce(updated_at, cut.at)"
    db.conn.raw.execute(f"UPDATE incoming SET dev = %s, dev_k = 'text', hlc_k = 'integer', "
                        f"hlc = {_legacy_hlc(stamp)} * 65536 + (seq %% 65536) FROM (SELECT %s::text AS at) AS cut",
                        (device, cut_at))
    db.conn.raw.execute("UPDATE incoming SET base_hlc = hlc, base_dev = dev, base_hlc_k = 'integer', "
                        "base_dev_k = 'text'")


def next_rev_base(db, unit: str) -> int:
    """The unit's highest rev (0 for a new unit); revs of this upload follow it. Read under the
    unit's lock (core.hub.database.lock_unit), so no other upload of the unit is between."""
    return int(db.conn.raw.execute("SELECT coalesce(max(rev), 0) FROM rows WHERE unit = %s", (unit,)).fetchone()[0])


_UPSERT = """INSERT INTO rows (table_name, row_id, unit, seq, op, updated_at, deleted, state, received_at,
                                hlc, device, rev)
    SELECT x.t, x.id, %s, x.seq, x.op, coalesce(x.updated_at, %s),
           CASE WHEN x.row_type IS DISTINCT FROM 'object' OR x.deleted_at IS NOT NULL THEN 1 ELSE 0 END,
           x.line, %s, x.hlc, x.dev, %s + x.n
    FROM {source}
    ON CONFLICT (table_name, row_id) DO UPDATE SET
        seq = excluded.seq, op = excluded.op, updated_at = excluded.updated_at,
        deleted = excluded.deleted, state = excluded.state, received_at = excluded.received_at,
        hlc = excluded.hlc, device = excluded.device, rev = excluded.rev
    WHERE (excluded.hlc, excluded.device COLLATE "C") > (coalesce(rows.hlc, 0), coalesce(rows.device, '') COLLATE "C")
      AND rows.unit = excluded.unit"""


def apply_lines(db, *, unit: str, created_at: str, now: str, bundle_id: str = "") -> int:
    """core.hub.apply.apply_lines on `incoming`; returns how many lines lost to a newer version.

    Versions compare as (hlc, device) with device ids compared byte by byte (COLLATE "C"), as
    SQLite and the devices themselves compare them. A bundle naming the same row twice keeps the
    first of its newest lines, as SQLite's row-by-row upsert does (PostgreSQL refuses to update
    one row twice in a statement, so the winner is chosen first)."""
    conn = db.conn.raw
    # Both kinds of conflict in one statement: one probe of `rows` per line, not two. The first
    # kind (the incoming edit is older: kept here) comes first, then the second (the hub's
    # version replaced by a concurrent newer edit), each in line order, as on SQLite.
    lost = conn.execute(
        """WITH held AS MATERIALIZED (
             SELECT x.n, x.t, x.id, x.hlc, x.dev, x.base_hlc, x.base_dev, x.line, r.hlc AS r_hlc,
                    r.device AS r_device, r.state AS r_state
             FROM incoming AS x JOIN rows AS r ON r.table_name = x.t AND r.row_id = x.id
             WHERE r.unit = %s AND r.device IS DISTINCT FROM x.dev)
           INSERT INTO conflicts (unit, table_name, row_id, bundle_id, kept_hlc, kept_device, lost_hlc,
                                  lost_device, lost_state, recorded_at)
           SELECT %s, t, id, %s, kept_hlc, kept_device, lost_hlc, lost_device, lost_state, %s FROM (
             SELECT 1 AS kind, h.n, h.t, h.id, h.r_hlc AS kept_hlc, h.r_device AS kept_device, h.hlc AS lost_hlc,
                    h.dev AS lost_device, h.line AS lost_state
             FROM held AS h
             WHERE (coalesce(h.r_hlc, 0), coalesce(h.r_device, '') COLLATE "C") > (h.hlc, h.dev COLLATE "C")
             UNION ALL
             SELECT 2, h.n, h.t, h.id, h.hlc, h.dev, h.r_hlc, h.r_device, h.r_state
             FROM held AS h
             WHERE h.r_hlc IS NOT NULL AND (h.hlc, h.dev COLLATE "C") > (h.r_hlc, h.r_device COLLATE "C")
               AND (h.base_hlc IS NULL
                    OR (h.base_hlc, coalesce(h.base_dev, '') COLLATE "C") < (h.r_hlc, h.r_device COLLATE "C"))
           ) AS found ORDER BY kind, n""", (unit, unit, bundle_id, now)).rowcount
    base = next_rev_base(db, unit)
    try:
        with db.transaction():  # a savepoint: the rare bundle naming one row twice is done again below
            conn.execute(_UPSERT.format(source="incoming AS x"),
                         (unit, created_at, now, base))
    except psycopg.errors.CardinalityViolation:
        # SQLite's row-by-row upsert keeps the first of the newest lines for a row; PostgreSQL
        # refuses to update one row twice in a statement, so that line is chosen first.
        conn.execute(_UPSERT.format(source="(SELECT DISTINCT ON (x.t, x.id) x.* FROM incoming AS x "
                                           "ORDER BY x.t, x.id, x.hlc DESC, x.dev COLLATE \"C\" DESC, x.n) AS x"),
                     (unit, created_at, now, base))
    return lost
