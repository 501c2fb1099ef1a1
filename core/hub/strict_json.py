"""Strict JSON (RFC 8259) for the hub's stored lines, whatever SQLite the hub runs on.

The hub stages each record line with SQLite's json_extract (core/hub/apply.py), which used to
refuse anything that is not strict JSON. From SQLite 3.42 it also reads JSON5 — NaN and
Infinity, unquoted or single-quoted keys, comments, trailing commas, hexadecimal numbers,
leading '+' — and python.org's Windows CPython bundles SQLite 3.45. A line such as
`{t:"staff", seq:0x10, /* … */}` would then be stored as signed, and every other reader of
the hub's lines (Python's json, a later SQLite, the province's tools) would see a line that is
not JSON. So, where SQLite reads JSON5, the staged lines are checked once more for strict JSON:
in SQL with json_valid(line, 1) from SQLite 3.45 (the RFC 8259 flag), in Python between 3.42
and 3.44 (json_valid has no flags there). Older SQLite needs nothing: json_extract is strict.
"""

from __future__ import annotations

import json
import sqlite3

JSON5_VERSION = (3, 42, 0)        # json_extract and friends accept JSON5 from here
STRICT_FLAG_VERSION = (3, 45, 0)  # json_valid(X, 1): "X is RFC 8259 JSON text"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def is_strict(text: str | bytes) -> bool:
    """True when `text` is one RFC 8259 JSON value: Python's parser, minus its NaN/Infinity extension."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return True


def first_lenient_line(conn: sqlite3.Connection, *, version: tuple[int, int, int] | None = None) -> int | None:
    """`n` of the first line in staging.incoming that this SQLite accepted but is not strict
    JSON, or None. `version` is the SQLite version to act for (tests force each path)."""
    version = sqlite3.sqlite_version_info if version is None else version
    if version < JSON5_VERSION:
        return None  # json_extract already refused anything else while staging
    if version >= STRICT_FLAG_VERSION:
        row = conn.execute("SELECT n FROM staging.incoming WHERE NOT json_valid(line, 1) ORDER BY n LIMIT 1").fetchone()
        return row[0] if row else None
    for n, line in conn.execute("SELECT n, line FROM staging.incoming ORDER BY n"):
        if not is_strict(line):
            return n
    return None
