"""JSON that both of the hub's stores can hold: the same lines refused on SQLite and on PostgreSQL.

Every stored record line is read back with the store's JSON functions (the dashboard, the
overview, a device pulling its rows). PostgreSQL's `jsonb` refuses what RFC 8259, SQLite and
Python accept:

- the escape `\\u0000` in a string ("unsupported Unicode escape sequence": PostgreSQL text
  cannot hold a NUL), and half of a surrogate pair escaped alone (`\\ud800`: not a character);
- a number beyond what `numeric` holds: more than 131,072 digits before the decimal point
  (1e131072) or more than 16,383 after it (1e-16384).

A line with an escape of the first kind, stored on SQLite, would break every PostgreSQL reader
after `hub migrate-store`; refused on PostgreSQL only, the same bundle would be accepted by one
hub and refused by another. So both stores refuse it, as not JSON (`refuse_unportable` on the
SQLite path, core/hub/ingest.py; on PostgreSQL the cast to jsonb, core/hub/apply_pg.py). It
costs nothing in practice: the app writes its lines as UTF-8 with no `\\u` escape at all, so
the lines are only looked at when the upload's text holds one (core.hub.receive notes it while
it checks the text).

Numbers beyond `numeric` are refused by PostgreSQL only, unless the line also holds a `\\u`
escape: finding them on SQLite would mean scanning every line for exponents (UUIDs are full of
"3e41…"), for a number no app writes (SQLite itself reads 1e131072 as infinity). A known
difference between the stores, kept out of `hub migrate-store`'s way: such a line could not be
copied to PostgreSQL either.
"""

from __future__ import annotations

import json
import re
import sqlite3

# PostgreSQL's numeric (src/backend/utils/adt/numeric.c): the weight of the first digit group
# (4 decimal digits) is at most 32767, the display scale at most 16383.
MAX_DECIMAL_WEIGHT = 32767 * 4 + 3   # the decimal exponent of the leading digit: 131071
MAX_SCALE = 16383
_HALF_INT = 2 ** 31 // 2  # numeric_in refuses a written exponent this large outright

_NUMBER = re.compile(r"-?(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?\Z")


def number_fits(token: str) -> bool:
    """True when PostgreSQL's numeric takes this JSON number token as it is written."""
    m = _NUMBER.match(token)
    if m is None:
        return True  # not a number token: the JSON parser decides
    whole, fraction, exponent = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    if abs(exponent) >= _HALF_INT:
        return False
    if len(fraction) - exponent > MAX_SCALE:
        return False
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return True  # zero
    leading = len(whole.lstrip("0")) - 1 if whole.strip("0") else -(len(fraction) - len(fraction.lstrip("0")) + 1)
    return leading + exponent <= MAX_DECIMAL_WEIGHT


class _Unportable(ValueError):
    pass


def _number(token: str):
    if not number_fits(token):
        raise _Unportable(f"số {token[:20]}… vượt quá giới hạn của PostgreSQL")
    return 0


_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")  # NUL, or half of a surrogate pair left alone


def _unstorable_text(value) -> str | None:
    if isinstance(value, str):
        found = _UNSTORABLE_CHARACTER.search(value)
        return None if found is None else f"U+{ord(found.group()):04X}"
    if isinstance(value, dict):
        return next(filter(None, (_unstorable_text(k) or _unstorable_text(v) for k, v in value.items())), None)
    if isinstance(value, list):
        return next(filter(None, map(_unstorable_text, value)), None)
    return None


def unportable_reason(line: str | bytes) -> str | None:
    """Why a line that is valid JSON could not be stored as PostgreSQL jsonb, or None."""
    try:
        value = json.loads(line, parse_int=_number, parse_float=_number)
    except _Unportable as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None  # not JSON at all: refused as such elsewhere
    character = _unstorable_text(value)
    if character:
        return f"có ký tự {character} (\\u0000 hoặc nửa cặp surrogate đứng riêng)"
    return None


def refuse_unportable(conn: sqlite3.Connection) -> None:
    """Refuse the first line in SQLite's staging.incoming that PostgreSQL could not hold (as not JSON)."""
    for n, line in conn.execute("SELECT n, line FROM staging.incoming WHERE instr(line, '\\u') > 0 ORDER BY n"):
        reason = unportable_reason(line)
        if reason:
            from core.sync.errors import BundleDamaged

            raise BundleDamaged(f"Dòng dữ liệu số {n} trong gói không hợp lệ: không phải JSON hợp lệ.", details=reason)
