"""`hub directive FILE`: a directive file read by the tasks capability, turned into province rows.

The directive is parsed with core.directives and stored with core.tasks'
`import_directive(province=True)` into a scratch in-memory database of the app's own
schema; the resulting `directives`/`tasks` rows (ids, stamps and all) are what the
hub sends. So the hub never re-implements the task columns.
"""

from __future__ import annotations

from pathlib import Path

from db.migrations import migrate
from core.hub.database import HubDatabase
from db.store import Store

SOURCE_MAX_BYTES = 20 * 1024 * 1024


def directive_rows(path: Path) -> tuple[list[tuple[str, dict]], dict[str, bytes]]:
    """([(table, row)], attachments) for one directive file: the directive first, then its tasks."""
    from core.directives.parser import parse_directive
    from core.directives.readers import read_directive_file
    from core.tasks.store import import_directive

    parsed = parse_directive(read_directive_file(path))
    scratch = Store(":memory:")
    try:
        migrate(scratch.conn)
        scratch._origin = "province"  # rows the province writes carry its name as origin
        result = import_directive(scratch, parsed, source_name=Path(path).name, province=True)
        directive = scratch.get("directives", result.directive_id)
        tasks = scratch.query("SELECT * FROM tasks WHERE directive_id = ? ORDER BY position", (result.directive_id,))
    finally:
        scratch.conn.close()
    rows = [("directives", directive)] + [("tasks", t) for t in tasks]
    attachments = {}
    if Path(path).stat().st_size <= SOURCE_MAX_BYTES:
        attachments[_attachment_name(Path(path).name)] = Path(path).read_bytes()
    return rows, attachments


def published_before(store: HubDatabase, directive: dict) -> bool:
    """Whether the hub already sent a directive with this number and date."""
    if not directive.get("number") or not directive.get("issued_on"):
        return False
    from core.hub.database import json_path

    number, issued_on = json_path(store, "state", "row.number"), json_path(store, "state", "row.issued_on")
    return bool(store.scalar(
        "SELECT 1 FROM rows WHERE table_name = 'directives' AND unit = 'province' AND deleted = 0 "
        f"AND {number} = ? AND {issued_on} = ?", (directive["number"], directive["issued_on"])))


def _attachment_name(name: str) -> str:
    import re

    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip("._-") or "van_ban"
    return stem[:100]
