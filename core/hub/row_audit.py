"""`hub check-rows`: the record lines a hub already holds, checked against today's line rules.

The hub's checks on an incoming line grew after hubs were in use: strict JSON on an SQLite that
reads JSON5 (core/hub/strict_json.py), no `\\u0000` or lone surrogate and numbers PostgreSQL can
hold (core/hub/portable_json.py), no key given twice or written with an escape
(core.hub.validate.key_check_sql). A line stored before a check existed is never looked at
again by the upload path, yet every reader meets it: the dashboard, a device pulling its unit's
rows, `hub migrate-store` (whose PostgreSQL readers cast each line to jsonb). This reads every
stored line once, in keyset batches on either store, and names those that today's checks would
refuse, so the province can ask the unit to send the record again (its next edit replaces the line).

Only the JSON-level rules are here; the per-table rules (columns, types, stamps) depend on the
app version that wrote the line and stay with the upload path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from core.hub import portable_json

BATCH_ROWS = 5000
LISTED = 1000  # problems named in the report; all of them are counted

# The line cut into its JSON string tokens and the runs between them, from its start (so a token
# never begins inside a string); a string followed by a colon is an object key as written.
_TOKENS = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?|[^"]+')


@dataclass
class RowProblem:
    unit: str
    table: str
    row_id: str
    problem: str


@dataclass
class RowAudit:
    checked: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def clean(self) -> bool:
        return self.problem_count == 0

    def as_json(self) -> dict:
        return {"checked": self.checked, "problem_count": self.problem_count, "clean": self.clean,
                "problems": [p.__dict__ for p in self.problems], "listed": len(self.problems)}


class _RepeatedKey(ValueError):
    pass


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _no_repeated_keys(pairs):
    seen = set()
    for key, _value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen.add(key)
    return dict(pairs)


def line_problem(line: str) -> str | None:
    """Why today's checks would refuse this stored line (Vietnamese, for the report), or None."""
    try:
        json.loads(line, parse_constant=_refuse_constant, object_pairs_hook=_no_repeated_keys)
    except _RepeatedKey as exc:
        return f"khóa “{str(exc)[:40]}” xuất hiện hai lần"
    except (ValueError, RecursionError):
        return "không phải JSON chuẩn (RFC 8259)"
    if "\\" in line:
        escaped = next((m.group(1) for m in _TOKENS.finditer(line) if m.group(2) and "\\" in m.group(1)), None)
        if escaped is not None:
            return f"khóa “{escaped[:40]}” viết bằng ký tự thoát"
        reason = portable_json.unportable_reason(line)
        if reason:
            return reason
    elif re.search(r"\d[eE]", line):  # only an exponent can put a number beyond PostgreSQL's numeric
        return portable_json.unportable_reason(line)
    return None


def audit_rows(store, *, batch_rows: int = BATCH_ROWS, listed: int = LISTED) -> RowAudit:
    """Every stored line of `store` (either dialect), in (table, row id) order, a batch at a time."""
    audit = RowAudit()
    after: tuple[str, str] | None = None
    while True:
        if after is None:
            rows = store.query("SELECT table_name, row_id, unit, state FROM rows ORDER BY table_name, row_id "
                               "LIMIT ?", (batch_rows,))
        else:
            rows = store.query("SELECT table_name, row_id, unit, state FROM rows WHERE table_name > ? OR "
                               "(table_name = ? AND row_id > ?) ORDER BY table_name, row_id LIMIT ?",
                               (after[0], after[0], after[1], batch_rows))
        if not rows:
            return audit
        for row in rows:
            audit.checked += 1
            if row["state"] is None:
                continue  # a tombstone keeps no line
            problem = line_problem(row["state"])
            if problem:
                audit.problem_count += 1
                if len(audit.problems) < listed:
                    audit.problems.append(RowProblem(row["unit"], row["table_name"], row["row_id"], problem))
        after = (rows[-1]["table_name"], rows[-1]["row_id"])
