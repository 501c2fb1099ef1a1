"""Tasks from directives: the province's directives and tasks, the commune's own, and progress.

Ownership (see docs/ARCHITECTURE.md, "Tasks"):
- `directives`, `tasks`: province rows — what the province sends down in bundles.
- `local_directives`, `local_tasks`: the same shape, commune rows — letters the commune
  received on paper or by e-mail and imported itself.
- `task_progress`: commune rows — every progress note, status change and assignment, an
  append-only history for a task of either origin (`task_id` is a UUID, unique across both).
- `task_state`: local, not synced — the current status/assignee per task, kept in the same
  transaction as the progress row that changes it, so lists filter in SQL without
  scanning the history. Rebuilt from `task_progress` by core.tasks.store.rebuild_task_state.
"""

from db.schema import create_search_index, create_syncable_table

DIRECTIVE_COLUMNS = """
    number TEXT,
    issued_on TEXT,
    issuer TEXT,
    subject TEXT,
    source_name TEXT,
    source_text TEXT"""

TASK_COLUMNS_TEMPLATE = """
    directive_id TEXT NOT NULL REFERENCES [{directives}](id),
    ref TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    lead_unit TEXT,
    coordinating_units TEXT,
    for_commune INTEGER NOT NULL DEFAULT 0,
    deadline_kind TEXT NOT NULL DEFAULT 'none'
        CHECK (deadline_kind IN ('date', 'month', 'quarter', 'year', 'recurring', 'none')),
    deadline TEXT,
    deadline_text TEXT,
    recurring_period TEXT,
    starts_on TEXT"""

SEARCH_COLUMNS = ["ref", "content", "lead_unit", "coordinating_units"]


def up(conn):
    for directives, tasks, owner in (("directives", "tasks", "province"),
                                     ("local_directives", "local_tasks", "commune")):
        create_syncable_table(conn, directives, DIRECTIVE_COLUMNS, owner=owner)
        conn.execute(f"CREATE INDEX idx_{directives}_number ON {directives}(number, issued_on)")
        create_syncable_table(conn, tasks, TASK_COLUMNS_TEMPLATE.format(directives=directives), owner=owner)
        conn.execute(f"CREATE INDEX idx_{tasks}_directive ON {tasks}(directive_id, position)")
        conn.execute(f"CREATE INDEX idx_{tasks}_deadline ON {tasks}(deadline)")
        create_search_index(conn, tasks, SEARCH_COLUMNS)

    create_syncable_table(conn, "task_progress", """
        task_id TEXT NOT NULL,
        noted_on TEXT NOT NULL,
        note TEXT,
        status TEXT CHECK (status IS NULL OR status IN ('todo', 'doing', 'done', 'paused')),
        assignee_id TEXT,
        period TEXT,
        attachments TEXT""", owner="commune")
    conn.execute("CREATE INDEX idx_task_progress_task ON task_progress(task_id, noted_on)")

    conn.execute("""
        CREATE TABLE task_state (
            task_id TEXT PRIMARY KEY NOT NULL,
            status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done', 'paused')),
            assignee_id TEXT,
            last_noted_on TEXT,
            last_note TEXT,
            updated_at TEXT NOT NULL)""")
    conn.execute("CREATE INDEX idx_task_state_status ON task_state(status)")
    conn.execute("CREATE INDEX idx_task_state_assignee ON task_state(assignee_id)")

    # One list over both origins; `rid` is the rowid its own search index is keyed by.
    conn.execute("""
        CREATE VIEW task_register AS
        SELECT 'province' AS source, t.rowid AS rid, t.*, d.number AS directive_number,
               d.issued_on AS directive_date, d.subject AS directive_subject
        FROM tasks t JOIN directives d ON d.id = t.directive_id
        WHERE t.deleted_at IS NULL AND d.deleted_at IS NULL
        UNION ALL
        SELECT 'local' AS source, t.rowid AS rid, t.*, d.number, d.issued_on, d.subject
        FROM local_tasks t JOIN local_directives d ON d.id = t.directive_id
        WHERE t.deleted_at IS NULL AND d.deleted_at IS NULL""")
