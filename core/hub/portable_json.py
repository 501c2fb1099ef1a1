"""JSON that both of the hub's stores can hold: the same lines refused on SQLite and on PostgreSQL.

Every stored record line is read back with the store's JSON functions (the dashboard, the
overview, a device pulling its rows). PostgreSQL's `jsonb` refuses two things that RFC 8259,
SQLite and Python all accept:

- the escape `\\u0000` in a string ("unsupported Unicode escape sequence": PostgreSQL text
  cannot hold a NUL), and
- a number beyond what `numeric` holds: more than 131,072 digits before the decimal point
  (1e131072) or more than 16,383 after it (1e-16384).

A line with either, stored on SQLite, would break every PostgreSQL reader after `hub
migrate-store`; refused on PostgreSQL only, the same bundle would be accepted by one hub and
refused by another. So both stores refuse them, as not JSON (core/hub/apply.py on SQLite,
core/hub/apply_pg.py on PostgreSQL, whose cast to jsonb refuses exactly these).

No real record has either: the app writes no NUL into a row and no number of more than
a few digits; the check only looks closely at the rare line that could (`_CANDIDATE`).
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


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def unportable_reason(line: str | bytes) -> str | None:
    """Why a line that is valid JSON could not be stored as PostgreSQL jsonb, or None."""
    try:
        value = json.loads(line, parse_int=_number, parse_float=_number)
    except _Unportable as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None  # not JSON at all: refused as such elsewhere
    if _has_nul(value):
        return "có ký tự \\u0000"
    return None


# A line that may hold \u0000, a number with an exponent, or a number of more than 16,383 digits
# (only a line that long can); anything else is portable as soon as it is JSON.
_CANDIDATE = f"instr(line, '\\u0000') > 0 OR line GLOB '*[0-9][eE]*' OR length(line) > {MAX_SCALE}"


def first_unportable_line(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(n, reason) of the first line in SQLite's staging.incoming that PostgreSQL could not hold."""
    for n, line in conn.execute(f"SELECT n, line FROM staging.incoming WHERE {_CANDIDATE} ORDER BY n"):
        reason = unportable_reason(line)
        if reason:
            return n, reason
    return None
