"""Moving a province hub from its SQLite file to PostgreSQL: `hub migrate-store --to URL`.

What it does, in order:

1. **Refusals** before anything is written: a password in the URL (core.hub.database.
   check_postgres_url); a hub that is being served (`hub serve` holds a shared lock on the data
   folder, core.hub.serving; this command takes it exclusively, so a server that starts meanwhile
   is refused too); a hub already on PostgreSQL; a target database that holds another hub (any
   hub table without this command's record of *this* hub — its province key's fingerprint and
   its creation stamp — in `hub_store_migration`).
2. **Copy**, table by table, in batches of BATCH_ROWS rows read in key order (rowid, or the
   primary key of a WITHOUT ROWID table) and written with COPY. Each batch commits in one
   PostgreSQL transaction *together with* the table's progress row (last key copied, rows
   copied): after a crash, a kill or a lost connection the next run continues after the last
   committed batch — nothing is copied twice and nothing is skipped. The SQLite file is held
   under its write lock (BEGIN IMMEDIATE, never committed) for the whole run, so nothing
   changes it while it is read; it is never written.
3. **Verify** every table: row counts and a digest of every row's values (an order-free sum of
   128-bit BLAKE2b hashes of each row's canonical values, so neither engine's sort order
   matters), computed on both sides and reported. A table that differs (a row changed in SQLite
   between an interrupted run and this one, or a row altered in the target) is reported with
   some differing keys, emptied and copied again whole, then verified again; if it still
   differs, the hub is not switched and the command fails.
4. **Switch**: only after every table verified, `hub.json` is written (atomically) to point at
   PostgreSQL, and the SQLite file is renamed `hub.sqlite3.before-postgresql` (its content
   untouched: the rollback is to rename it back and remove `hub.json`, docs/DEPLOY_HUB.md).
   Keys, bundles, outgoing stay in the data folder.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from core.clock import utc_iso
from core.errors import DatabaseError, UserInputError
from core.hub import config as hubconfig
from core.hub import pg_schema, serving
from core.hub.database import PostgresHubDatabase, check_postgres_url, redact

BATCH_ROWS = 5000
PROGRESS_TABLE = "hub_store_migration"
SQLITE_KEPT_SUFFIX = ".before-postgresql"
DIFF_EXAMPLES = 5
_MASK = (1 << 128) - 1

_PROGRESS_SCHEMA = [
    # One row per run of this hub into this database (key 'hub'), and one per table copied.
    f"""CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} (
        item TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        rows_copied BIGINT NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL)""",
]


class MigrationRefused(UserInputError):
    """The migration cannot start (served hub, other hub in the target, already migrated, …)."""


class VerificationFailed(DatabaseError):
    """The target still differs from the SQLite hub after a second copy: the hub was not switched."""


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str
    differing_keys: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_digest == self.target_digest


@dataclass
class TableResult:
    table: str
    rows: int = 0
    copied_now: int = 0
    resumed_from: int = 0
    recopied: bool = False
    first_check: TableCheck | None = None
    final_check: TableCheck | None = None


@dataclass
class MigrationReport:
    database: str
    tables: list[TableResult]
    resumed: bool
    switched: bool
    sqlite_kept: str | None

    def as_json(self) -> dict:
        tables = []
        for t in self.tables:
            item = {"table": t.table, "rows": t.rows, "copied_now": t.copied_now, "resumed_from": t.resumed_from,
                    "recopied": t.recopied}
            for name in ("first_check", "final_check") if t.recopied else ("final_check",):
                check = getattr(t, name)
                if check is not None:
                    item[name.replace("final_check", "check")] = {**asdict(check), "ok": check.ok}
            tables.append(item)
        return {"database": self.database, "resumed": self.resumed, "switched": self.switched,
                "sqlite_kept": self.sqlite_kept, "tables": tables}


# -- the target's schema ------------------------------------------------------------------------------

def _create_hub_schema(target: PostgresHubDatabase) -> None:
    """The hub's PostgreSQL schema, as `hub init --database` makes it (core.hub.pg_schema)."""
    pg_schema.migrate(target)


# -- values: one canonical form on both engines ---------------------------------------------------------

def _kind(pg_type: str) -> str:
    t = pg_type.lower()
    if t in ("smallint", "integer", "bigint"):
        return "int"
    if t in ("real", "double precision", "numeric"):
        return "float"
    if t == "boolean":
        return "bool"
    if t == "bytea":
        return "bytes"
    if t in ("json", "jsonb"):
        return "json"
    if t.startswith("timestamp"):
        return "timestamp"
    return "text"


def _normal(value: Any, kind: str) -> Any:
    """The value as both engines' drivers give it, in one form: what the digest hashes."""
    if value is None:
        return None
    if kind == "json":
        if isinstance(value, (str, bytes)):
            value = json.loads(value)
        return ["j", json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))]
    if kind == "timestamp":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return ["t", value.astimezone(dt.timezone.utc).isoformat()]
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, decimal.Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ["b", bytes(value).hex()]
    if kind == "text":
        return value if isinstance(value, str) else str(value)
    if isinstance(value, float) and value.is_integer() and kind in ("int", "bool"):
        return int(value)
    return value


def _normaliser(kind: str) -> Callable[[Any], Any]:
    """`_normal` for one column, with the common case (the driver already gives the canonical type) first."""
    if kind == "text":
        return lambda v: v if v is None or type(v) is str else _normal(v, kind)
    if kind == "int":
        return lambda v: v if v is None or type(v) is int else _normal(v, kind)
    return lambda v: _normal(v, kind)


def _row_hash(values: Iterable[Any]) -> int:
    # repr of a tuple of str/int/float/None/lists of them: one deterministic text, made in C.
    line = repr(tuple(values)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")


# -- tables -----------------------------------------------------------------------------------------------

@dataclass
class TablePlan:
    name: str
    columns: list[str]          # copied, in SQLite's order
    kinds: list[str]            # the target column kinds, same order
    key: list[str]              # the keyset: ["rowid"] or the primary key's columns
    identity: list[str]         # key columns that say which row differs (reporting)


def _sqlite_tables(source: sqlite3.Connection) -> list[str]:
    return [r[0] for r in source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _sqlite_columns(source: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    return [(r[1], r[5]) for r in source.execute(f'PRAGMA table_info("{table}")')]


def _has_rowid(source: sqlite3.Connection, table: str) -> bool:
    try:
        source.execute(f'SELECT rowid FROM "{table}" LIMIT 0')
        return True
    except sqlite3.OperationalError:
        return False


def _unique_columns(source: sqlite3.Connection, table: str) -> list[str]:
    for index in source.execute(f'PRAGMA index_list("{table}")'):
        if index[2]:  # unique
            return [r[2] for r in source.execute(f'PRAGMA index_info("{index[1]}")')]
    return []


def _target_columns(target: PostgresHubDatabase) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in target.conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position").fetchall():
        out.setdefault(table, {})[column] = data_type
    return out


def plan_tables(source: sqlite3.Connection, target: PostgresHubDatabase) -> list[TablePlan]:
    """Every SQLite table with its place in the target; refused when the target lacks a table or a
    column (the target was made by another version of the app: nothing may be dropped on the way)."""
    target_columns = _target_columns(target)
    plans, problems = [], []
    for table in _sqlite_tables(source):
        columns = _sqlite_columns(source, table)
        if table not in target_columns:
            problems.append(f"bảng {table}")
            continue
        missing = [c for c, _ in columns if c not in target_columns[table]]
        if missing:
            problems.append(f"cột {', '.join(missing)} của bảng {table}")
            continue
        names = [c for c, _ in columns]
        primary = [c for c, pk in sorted(columns, key=lambda c: c[1]) if pk]
        key = ["rowid"] if _has_rowid(source, table) else primary
        identity = primary or _unique_columns(source, table) or names
        plans.append(TablePlan(table, names, [_kind(target_columns[table][c]) for c in names], key, identity))
    if problems:
        raise MigrationRefused(
            "Cơ sở dữ liệu PostgreSQL đích không có chỗ cho mọi dữ liệu của máy chủ tỉnh (thiếu "
            + "; ".join(problems) + "). Máy chủ và cơ sở dữ liệu đích phải cùng một phiên bản phần mềm.")
    return plans


# -- the run ----------------------------------------------------------------------------------------------

def migrate_store(paths, url: str, *, batch_rows: int = BATCH_ROWS,
                  after_batch: Callable[[str, int], None] | None = None,
                  progress: Callable[[str], None] | None = None) -> MigrationReport:
    """Copy the SQLite hub in `paths` to the PostgreSQL database `url`, verify, switch (see above).

    `after_batch(table, rows_copied_so_far)` is called after each committed batch (progress; the
    tests inject a failure there); `progress(line)` receives the Vietnamese lines to show."""
    url = check_postgres_url(url)
    say = progress or (lambda line: None)
    paths.require()
    config = paths.config()
    if config.is_postgres:
        if config.database == url and Path(paths.db_file).exists() and _verified(url):
            # Interrupted between writing hub.json and renaming the SQLite file: finish that.
            kept = _keep_sqlite(paths)
            say(f"Máy chủ tỉnh đã chuyển sang PostgreSQL; tệp SQLite cũ giữ nguyên tại {kept}.")
            return MigrationReport(redact(url), [], True, True, str(kept) if kept else None)
        raise MigrationRefused(f"Máy chủ tỉnh tại “{paths.root}” đã dùng PostgreSQL "
                               f"({redact(str(config.database))}); không có gì để chuyển.")
    if not Path(paths.db_file).exists():
        raise MigrationRefused(f"Không có tệp SQLite của máy chủ tỉnh tại “{paths.db_file}”.")
    with serving.exclusive_lock(paths.root):
        source = sqlite3.connect(str(paths.db_file), isolation_level=None, timeout=30)
        try:
            source.execute("PRAGMA busy_timeout = 30000")
            try:
                source.execute("BEGIN IMMEDIATE")  # no writer until this run ends; rolled back, never committed
            except sqlite3.OperationalError as exc:
                raise MigrationRefused("Cơ sở dữ liệu SQLite của máy chủ tỉnh đang được một lệnh khác ghi; "
                                       "thử lại sau.", details=repr(exc)) from exc
            with PostgresHubDatabase(url, application_name="motcua-hub-migrate-store") as target:
                resumed = _claim_target(paths, source, target)
                plans = plan_tables(source, target)
                say(f"{'Tiếp tục' if resumed else 'Bắt đầu'} chuyển {len(plans)} bảng sang {redact(url)}.")
                results = [_copy_table(source, target, plan, batch_rows, after_batch, say) for plan in plans]
                _advance_sequences(target)
                _verify_all(source, target, plans, results, batch_rows, after_batch, say)
                hub_id = _hub_id(target)
                _mark(target, "verified", utc_iso())
        finally:
            source.execute("ROLLBACK") if source.in_transaction else None
            source.close()  # the last connection: SQLite folds the WAL back into the file
        hubconfig.write_config(paths.root, hubconfig.HubConfig(hubconfig.POSTGRESQL, url, hub_id))
        kept = _keep_sqlite(paths)
        with PostgresHubDatabase(url, application_name="motcua-hub-migrate-store") as target:
            _mark(target, "switched", utc_iso())
    say(f"Đã chuyển máy chủ tỉnh sang PostgreSQL; tệp SQLite cũ giữ nguyên tại {kept}.")
    return MigrationReport(redact(url), results, resumed, True, str(kept) if kept else None)


def _hub_identity(paths, source: sqlite3.Connection) -> str:
    from core.hub.store import province_keypair

    created = source.execute("SELECT value FROM hub_meta WHERE key = 'created_at'").fetchone()
    return json.dumps({"province_fingerprint": province_keypair(paths).fingerprint,
                       "created_at": created[0] if created else None}, sort_keys=True)


def _claim_target(paths, source: sqlite3.Connection, target: PostgresHubDatabase) -> bool:
    """True when this is a resumed run. Refuses a database holding any other hub (or anything of a
    hub not written by this command for this very hub)."""
    identity = _hub_identity(paths, source)
    existing = {r[0] for r in target.conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
    if PROGRESS_TABLE in existing:
        row = target.conn.execute(f"SELECT value FROM {PROGRESS_TABLE} WHERE item = 'hub'").fetchone()
        if row is not None and row[0] == identity:
            _create_hub_schema(target)  # a version that gained a table since the interrupted run
            return True
        other = json.loads(row[0]) if row else {}
        raise MigrationRefused(
            "Cơ sở dữ liệu đích đang chứa dữ liệu chuyển từ một máy chủ tỉnh khác (khóa tỉnh "
            f"{other.get('province_fingerprint', 'không rõ')}). Dùng một cơ sở dữ liệu mới, trống.")
    hub_tables = {"units", "bundles", "rows", "hub_meta", "device_keys", "outgoing", "hub_users"} & existing
    if hub_tables:
        raise MigrationRefused(
            "Cơ sở dữ liệu đích đã chứa một máy chủ tỉnh khác (có các bảng "
            + ", ".join(sorted(hub_tables)) + "). Tạo một cơ sở dữ liệu mới, trống (createdb) cho việc chuyển.")
    with target.transaction() as conn:
        for statement in _PROGRESS_SCHEMA:
            conn.execute(statement)
        conn.execute(f"INSERT INTO {PROGRESS_TABLE}(item, value, updated_at) VALUES ('hub', ?, ?)",
                     (identity, utc_iso()))
    _create_hub_schema(target)
    return False


def _hub_id(target: PostgresHubDatabase) -> str:
    """The id that ties this data dir's hub.json to this database (core.hub.config), after verification:
    the SQLite hub had none. Kept if the SQLite hub_meta had one."""
    import uuid

    with target.transaction() as conn:
        found = conn.execute("SELECT value FROM hub_meta WHERE key = 'hub_id'").fetchone()
        if found:
            return found[0]
        hub_id = str(uuid.uuid4())
        conn.execute("INSERT INTO hub_meta(key, value) VALUES ('hub_id', ?)", (hub_id,))
    return hub_id


def _verified(url: str) -> bool:
    with PostgresHubDatabase(url, application_name="motcua-hub-migrate-store") as target:
        if not target.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_name = ?", (PROGRESS_TABLE,)):
            return False
        return target.scalar(f"SELECT count(*) FROM {PROGRESS_TABLE} WHERE item = 'verified'") == 1


def _mark(target: PostgresHubDatabase, item: str, value: str) -> None:
    target.conn.execute(f"INSERT INTO {PROGRESS_TABLE}(item, value, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (item) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        (item, value, utc_iso()))


def _progress(target: PostgresHubDatabase, table: str) -> tuple[list | None, int, bool]:
    row = target.conn.execute(f"SELECT value, rows_copied, done FROM {PROGRESS_TABLE} WHERE item = ?",
                              (f"table:{table}",)).fetchone()
    if row is None:
        return None, 0, False
    return json.loads(row[0]), int(row[1]), bool(row[2])


def _select_batch(source: sqlite3.Connection, plan: TablePlan, after: list | None, limit: int) -> list[tuple]:
    key = plan.key
    columns = ", ".join(f'"{c}"' for c in plan.columns)
    keys = ", ".join(f'"{k}"' if k != "rowid" else "rowid" for k in key)
    where = ""
    params: list = []
    if after is not None:
        where = f"WHERE ({keys}) > ({', '.join('?' * len(key))})"
        params = list(after)
    return source.execute(f'SELECT {keys}, {columns} FROM "{plan.name}" {where} ORDER BY {keys} LIMIT ?',
                          params + [limit]).fetchall()


def _copy_table(source: sqlite3.Connection, target: PostgresHubDatabase, plan: TablePlan, batch_rows: int,
                after_batch, say, *, restart: bool = False) -> TableResult:
    result = TableResult(plan.name, rows=source.execute(f'SELECT count(*) FROM "{plan.name}"').fetchone()[0])
    after, copied, done = (None, 0, False) if restart else _progress(target, plan.name)
    item = f"table:{plan.name}"
    if copied == 0 and not done:
        # Nothing of this table committed by this command yet: what the schema's creation put there
        # (hub_meta's own stamps) gives way to the hub's rows.
        with target.transaction() as conn:
            conn.execute(f'DELETE FROM "{plan.name}"')
            conn.execute(f"DELETE FROM {PROGRESS_TABLE} WHERE item = ?", (item,))
    result.resumed_from = copied
    if done:
        return result
    if copied:
        say(f"  {plan.name}: tiếp tục sau {copied:,} dòng đã chép.")
    names = ", ".join(f'"{c}"' for c in plan.columns)
    width = len(plan.key)
    convert = _needs_conversion(source, plan)
    while True:
        batch = _select_batch(source, plan, after, batch_rows)
        if not batch:
            break
        last = list(batch[-1][:width])
        with target.transaction():
            with target.conn.raw.cursor().copy(f'COPY "{plan.name}" ({names}) FROM STDIN') as copy:
                for row in batch:
                    copy.write_row(_for_copy(row[width:], plan.kinds) if convert else row[width:])
            copied += len(batch)
            target.conn.execute(
                f"INSERT INTO {PROGRESS_TABLE}(item, value, rows_copied, done, updated_at) VALUES (?, ?, ?, 0, ?) "
                "ON CONFLICT (item) DO UPDATE SET value = excluded.value, rows_copied = excluded.rows_copied, "
                "updated_at = excluded.updated_at", (item, json.dumps(last), copied, utc_iso()))
        result.copied_now += len(batch)
        if after_batch is not None:
            after_batch(plan.name, copied)
        after = last
    target.conn.execute(
        f"INSERT INTO {PROGRESS_TABLE}(item, value, rows_copied, done, updated_at) VALUES (?, ?, ?, 1, ?) "
        "ON CONFLICT (item) DO UPDATE SET done = 1, updated_at = excluded.updated_at",
        (item, json.dumps(after), copied, utc_iso()))
    if result.copied_now:
        say(f"  {plan.name}: đã chép {result.copied_now:,} dòng (tổng {copied:,}).")
    return result


def _for_copy(values: tuple, kinds: list[str]) -> tuple:
    """SQLite's dynamic types into the target's column types (a number in a TEXT column, 0/1 booleans)."""
    out = []
    for value, kind in zip(values, kinds):
        if value is None:
            out.append(None)
        elif kind == "bool":
            out.append(bool(value))
        elif kind == "text" and not isinstance(value, str):
            out.append(bytes(value).decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value))
        else:
            out.append(value)
    return tuple(out)


def _needs_conversion(source: sqlite3.Connection, plan: TablePlan) -> bool:
    """Whether some value must be converted on the way (a boolean column, bytes or numbers in a TEXT
    column); otherwise COPY takes SQLite's values as they are (the common case, and much faster)."""
    if "bool" in plan.kinds:
        return True
    text = [c for c, k in zip(plan.columns, plan.kinds) if k == "text"]
    if not text:
        return False
    odd = " OR ".join(f"typeof(\"{c}\") NOT IN ('text', 'null')" for c in text)
    return source.execute(f'SELECT EXISTS (SELECT 1 FROM "{plan.name}" WHERE {odd})').fetchone()[0] == 1


def _advance_sequences(target: PostgresHubDatabase) -> None:
    """Columns fed by a sequence (BIGSERIAL / identity ids copied with their values): the sequence
    continues after the largest copied id, so the next insert on PostgreSQL does not collide."""
    rows = target.conn.execute(
        "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
        "FROM information_schema.columns WHERE table_schema = current_schema()").fetchall()
    for table, column, sequence in rows:
        if sequence:
            target.conn.execute(
                f"SELECT setval(?, coalesce((SELECT max(\"{column}\") FROM \"{table}\"), 0) + 1, false)", (sequence,))


# -- verification ---------------------------------------------------------------------------------------------

def table_digest(rows: Iterable[tuple], kinds: list[str]) -> tuple[int, str]:
    """(rows, digest): the sum modulo 2^128 of every row's hash — the same whatever order the rows come in."""
    normal = [_normaliser(k) for k in kinds]
    count, total = 0, 0
    for row in rows:
        total += _row_hash([f(v) for f, v in zip(normal, row)])
        count += 1
    return count, f"{total & _MASK:032x}"


def _source_rows(source: sqlite3.Connection, plan: TablePlan, columns: list[str]):
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = source.execute(f'SELECT {names} FROM "{plan.name}"')
    while True:
        chunk = cursor.fetchmany(5000)
        if not chunk:
            return
        yield from chunk


def _target_rows(target: PostgresHubDatabase, plan: TablePlan, columns: list[str]):
    names = ", ".join(f'"{c}"' for c in columns)
    with target.conn.raw.transaction():
        cursor = target.conn.raw.cursor(name=f"verify_{plan.name}")
        cursor.itersize = 5000
        cursor.execute(f'SELECT {names} FROM "{plan.name}"')
        yield from cursor
        cursor.close()


def verify_table(source: sqlite3.Connection, target: PostgresHubDatabase, plan: TablePlan) -> TableCheck:
    source_count, source_digest = table_digest(_source_rows(source, plan, plan.columns), plan.kinds)
    target_count, target_digest = table_digest(_target_rows(target, plan, plan.columns), plan.kinds)
    check = TableCheck(plan.name, source_count, target_count, source_digest, target_digest)
    if not check.ok:
        check.differing_keys = _differing_keys(source, target, plan)
    return check


def _differing_keys(source: sqlite3.Connection, target: PostgresHubDatabase, plan: TablePlan) -> list:
    """Some keys of rows missing, extra or different on the target (for the report)."""
    positions = [plan.columns.index(c) for c in plan.identity]

    normal = [_normaliser(k) for k in plan.kinds]

    def hashed(rows):
        out: dict = {}
        for row in rows:
            values = [f(v) for f, v in zip(normal, row)]
            out[json.dumps([values[i] for i in positions], ensure_ascii=False, default=repr)] = _row_hash(values)
        return out

    theirs = hashed(_target_rows(target, plan, plan.columns))
    ours = hashed(_source_rows(source, plan, plan.columns))
    keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
    return [json.loads(k) for k in keys[:DIFF_EXAMPLES]]


def _verify_all(source, target, plans: list[TablePlan], results: list[TableResult], batch_rows: int,
                after_batch, say) -> None:
    failed = []
    for plan, result in zip(plans, results):
        check = verify_table(source, target, plan)
        result.first_check = result.final_check = check
        if check.ok:
            continue
        say(f"  {plan.name}: KHÁC sau khi chép ({check.source_rows:,} dòng nguồn, {check.target_rows:,} dòng đích; "
            f"ví dụ khóa {check.differing_keys}) — chép lại toàn bộ bảng.")
        again = _copy_table(source, target, plan, batch_rows, after_batch, say, restart=True)
        result.recopied, result.copied_now = True, result.copied_now + again.copied_now
        _advance_sequences(target)
        result.final_check = verify_table(source, target, plan)
        if not result.final_check.ok:
            failed.append(result.final_check)
    for result in results:
        check = result.final_check
        say(f"  kiểm tra {result.table}: {check.source_rows:,} / {check.target_rows:,} dòng, dấu "
            f"{check.source_digest[:12]}… / {check.target_digest[:12]}… — {'khớp' if check.ok else 'KHÔNG KHỚP'}")
    if failed:
        raise VerificationFailed(
            "Dữ liệu trên PostgreSQL vẫn khác dữ liệu SQLite sau khi chép lại: máy chủ tỉnh KHÔNG chuyển, vẫn dùng "
            "SQLite. Bảng: " + ", ".join(f.table for f in failed),
            details=json.dumps([asdict(f) for f in failed], ensure_ascii=False, default=str))


def _keep_sqlite(paths) -> Path | None:
    """Rename the SQLite file (content untouched) so that nothing opens the stale copy by mistake."""
    db_file = Path(paths.db_file)
    if not db_file.exists():
        return None
    kept = db_file.with_name(db_file.name + SQLITE_KEPT_SUFFIX)
    n = 1
    while kept.exists():
        n += 1
        kept = db_file.with_name(f"{db_file.name}{SQLITE_KEPT_SUFFIX}.{n}")
    for suffix in ("-wal", "-shm"):
        side = db_file.with_name(db_file.name + suffix)
        if side.exists():
            side.rename(kept.with_name(kept.name + suffix))
    db_file.rename(kept)
    return kept
