"""The hub's store behind one narrow interface: SQLite (the default, one file) or PostgreSQL.

Every hub module talks to a `HubDatabase`:

- `db.dialect`                 "sqlite" or "postgresql", for the few statements that differ;
- `db.transaction()`           a context manager: everything inside commits together or not at all
                               (nested calls are savepoints); yields `db.conn`;
- `db.conn.execute(sql, params)` / `db.conn.executemany(sql, rows)`  a cursor with fetchone(),
                               fetchall(), rowcount, description, iteration;
- `db.query(sql, params)`      a list of dicts; `db.scalar(sql, params)` the first column of the first row;
- `db.close()`, and `with db: …`.

SQL is written once, in the subset both engines run: `?` placeholders, `[name]` or plain
identifiers, `INSERT … ON CONFLICT … DO NOTHING/UPDATE` (never `INSERT OR IGNORE`), `IS DISTINCT
FROM` (never `IS NOT` between values), no `rowid`. The PostgreSQL connection rewrites `?` to
`%s` and `[name]` to `"name"` (outside string literals); everything else that differs (JSON
access, staging of an upload, locks) goes through the small functions below, which branch on
the dialect in one place.

Why a wrapper and not an ORM: the hub's statements are few, hand-tuned and measured
(docs/PERFORMANCE.md); a rewrite of placeholders keeps them readable and identical on both.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator, Protocol
from urllib.parse import urlsplit

from core.errors import DatabaseError, UserInputError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class HubDatabaseUnavailable(DatabaseError):
    """The PostgreSQL server could not be reached or refused the connection."""


class HubDatabase(Protocol):
    dialect: str
    conn: Any

    def transaction(self) -> contextlib.AbstractContextManager: ...
    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict]: ...
    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any: ...
    def close(self) -> None: ...


# What `db.conn` / `db.transaction()` give: a sqlite3.Connection or a PgConnection (same calls).
Connection = Any


# -- URLs ------------------------------------------------------------------------------------------

def check_postgres_url(url: str) -> str:
    """A PostgreSQL URL without a password (that comes from PGPASSWORD or ~/.pgpass: a password on
    the command line lands in the shell history and in every process listing)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise UserInputError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {text[:80]}") from exc
    if parts.scheme not in ("postgresql", "postgres"):
        raise UserInputError("Địa chỉ cơ sở dữ liệu phải có dạng postgresql://NGƯỜI_DÙNG@MÁY:CỔNG/TÊN_CSDL.")
    if parts.password is not None:
        raise UserInputError("Không ghi mật khẩu trong địa chỉ cơ sở dữ liệu: đặt biến môi trường PGPASSWORD "
                             "hoặc tệp .pgpass (mật khẩu ghi trên dòng lệnh lộ trong lịch sử và danh sách tiến trình).")
    if not parts.path.strip("/"):
        raise UserInputError("Địa chỉ cơ sở dữ liệu thiếu tên cơ sở dữ liệu (…/TÊN_CSDL).")
    return text


def redact(url: str) -> str:
    """The URL as it may be shown or logged (a password, if one slipped in, replaced)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


# -- SQLite ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _sqlite_class():
    from db.store import Store

    class SqliteHubDatabase(Store):
        """The hub's store in one SQLite file (db.store.Store: WAL, synchronous=FULL, BEGIN IMMEDIATE)."""

        dialect = SQLITE

    return SqliteHubDatabase


def open_sqlite(path) -> HubDatabase:
    return _sqlite_class()(path)


# -- PostgreSQL ------------------------------------------------------------------------------------

# A string literal, a quoted identifier, a placeholder, a percent sign or a bracketed identifier.
_TOKEN = re.compile(r"('(?:[^']|'')*')|(\"[^\"]*\")|(\?)|(%)|\[(\w+)\]")


@lru_cache(maxsize=1024)
def to_postgres(sql: str) -> str:
    """`?` → `%s`, `%` → `%%`, `[name]` → `"name"`; in string literals only `%` is doubled."""
    def swap(m: re.Match) -> str:
        if m.group(1) is not None or m.group(2) is not None:
            return m.group(0).replace("%", "%%")  # psycopg reads every % of the text, literals too
        if m.group(3) is not None:
            return "%s"
        if m.group(4) is not None:
            return "%%"
        return f'"{m.group(5)}"'

    return _TOKEN.sub(swap, sql)


class PgConnection:
    """A psycopg connection that takes the hub's SQL (placeholders rewritten)."""

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Iterable[Any] | None = ()):
        # Always with a parameter tuple (empty too): psycopg then reads `%%` as `%` in every statement.
        return self.raw.execute(to_postgres(sql), tuple(params) if params is not None else ())

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]):
        cursor = self.raw.cursor()
        cursor.executemany(to_postgres(sql), [tuple(r) for r in rows])
        return cursor

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE


class PostgresHubDatabase:
    """The hub's store on a PostgreSQL server (psycopg 3). One connection; use from one thread at a time."""

    dialect = POSTGRESQL

    def __init__(self, url: str, *, application_name: str = "motcua-hub"):
        try:
            import psycopg
        except ImportError as exc:  # the desktop install does not carry it
            raise HubDatabaseUnavailable(
                "Bản cài này không có thư viện PostgreSQL (psycopg). Cài: pip install \"motcua-xa[postgresql]\".") from exc
        self.url = url
        try:
            raw = psycopg.connect(url, autocommit=True, application_name=application_name, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise HubDatabaseUnavailable(
                "Không kết nối được cơ sở dữ liệu PostgreSQL của máy chủ tỉnh. Kiểm tra máy chủ cơ sở dữ liệu "
                "đang chạy, địa chỉ, tên người dùng và mật khẩu (PGPASSWORD hoặc .pgpass).",
                details=f"{redact(url)}: {exc}") from exc
        raw.execute("SET TIME ZONE 'UTC'")
        self.conn = PgConnection(raw)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        # psycopg opens BEGIN at the outermost block and a SAVEPOINT inside a running one.
        with self.conn.raw.transaction():
            yield self.conn

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.conn.raw.close()

    def __enter__(self) -> "PostgresHubDatabase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- what differs, in one place ----------------------------------------------------------------------

def json_path(db: HubDatabase, column: str, path: str) -> str:
    """An SQL expression reading `path` ("row.number", "t") of the JSON text in `column`, as text
    on PostgreSQL and as SQLite's json_extract types it (numbers stay numbers)."""
    keys = [k for k in path.split(".") if k]
    if db.dialect == POSTGRESQL:
        return f"({column}::jsonb #>> '{{{','.join(keys)}}}')"
    return f"json_extract({column}, '$.{'.'.join(keys)}')"


def lock_unit(db: HubDatabase, unit: str) -> None:
    """Inside a transaction: wait until no other transaction writes this unit's data, then hold it
    until commit. Two uploads of one unit never interleave; uploads of different units run in
    parallel on PostgreSQL. (SQLite's BEGIN IMMEDIATE already lets one writer in at a time.)"""
    if db.dialect == POSTGRESQL:
        db.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"unit:{unit}",))
