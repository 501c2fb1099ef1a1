"""Video-conference readiness checklists: templates, runs, answers, corrections,
incidents and the meeting room's equipment.

Templates keep their items as one JSON document per version (a version is a
document: it travels whole in a bundle and is never patched item by item).
A run copies the items it uses into `checklist_run_items`, so later template
versions never change a run that was made with an earlier one.
Answers are one row per item while the run is open; after closing, changes are
appended to `checklist_corrections` and the original answers stay as they were.
"""

from db.schema import create_syncable_table


def up(conn):
    # Versions sent by the province (written only by the province, arrive in bundles).
    create_syncable_table(conn, "checklist_templates", """
        family TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        items_json TEXT NOT NULL,
        source_note TEXT,
        UNIQUE (family, version)""", owner="province")
    # The commune's own templates: copies it edits and files received from the province.
    create_syncable_table(conn, "checklist_local_templates", """
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        items_json TEXT NOT NULL,
        based_on TEXT,
        source_note TEXT""", owner="commune")
    create_syncable_table(conn, "checklist_runs", """
        meeting_title TEXT NOT NULL,
        host TEXT NOT NULL CHECK (host IN ('province', 'government', 'other')),
        host_other TEXT,
        meeting_date TEXT NOT NULL,
        start_time TEXT NOT NULL,
        connection TEXT NOT NULL,
        template_ref TEXT NOT NULL,
        template_name TEXT NOT NULL,
        template_version INTEGER NOT NULL,
        leader_name TEXT,
        attendance INTEGER,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        closed_at TEXT,
        closed_by TEXT,
        close_reason TEXT,
        verdict_at_close TEXT CHECK (verdict_at_close IN ('ready', 'not_ready'))""", owner="commune")
    conn.execute("CREATE INDEX idx_checklist_runs_meeting ON checklist_runs(meeting_date, start_time)")
    create_syncable_table(conn, "checklist_run_items", """
        run_id TEXT NOT NULL REFERENCES checklist_runs(id),
        position INTEGER NOT NULL,
        category TEXT NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('check', 'number', 'text')),
        threshold REAL,
        unit TEXT,
        comparison TEXT,
        critical INTEGER NOT NULL DEFAULT 0,
        guidance TEXT,
        equipment_kind TEXT""", owner="commune")
    conn.execute("CREATE INDEX idx_checklist_run_items_run ON checklist_run_items(run_id, position)")
    create_syncable_table(conn, "checklist_answers", """
        run_id TEXT NOT NULL REFERENCES checklist_runs(id),
        run_item_id TEXT NOT NULL UNIQUE REFERENCES checklist_run_items(id),
        status TEXT CHECK (status IN ('pass', 'fail', 'na')),
        number_value REAL,
        text_value TEXT,
        note TEXT,
        checked_by TEXT,
        checked_at TEXT NOT NULL""", owner="commune")
    conn.execute("CREATE INDEX idx_checklist_answers_run ON checklist_answers(run_id)")
    # Append-only: what changed after the run was closed, why, by whom.
    create_syncable_table(conn, "checklist_corrections", """
        run_id TEXT NOT NULL REFERENCES checklist_runs(id),
        seq INTEGER NOT NULL,
        target TEXT NOT NULL CHECK (target IN ('answer', 'attendance')),
        run_item_id TEXT REFERENCES checklist_run_items(id),
        status TEXT CHECK (status IN ('pass', 'fail', 'na')),
        number_value REAL,
        text_value TEXT,
        note TEXT,
        attendance INTEGER,
        reason TEXT NOT NULL,
        made_by TEXT,
        made_at TEXT NOT NULL,
        UNIQUE (run_id, seq)""", owner="commune")
    create_syncable_table(conn, "checklist_incidents", """
        run_id TEXT NOT NULL REFERENCES checklist_runs(id),
        occurred_at TEXT NOT NULL,
        what TEXT NOT NULL,
        fix TEXT,
        after_close INTEGER NOT NULL DEFAULT 0""", owner="commune")
    conn.execute("CREATE INDEX idx_checklist_incidents_run ON checklist_incidents(run_id, occurred_at)")
    create_syncable_table(conn, "conference_equipment", """
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        model TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'faulty', 'repairing', 'missing')),
        last_checked_on TEXT,
        note TEXT""", owner="commune")
