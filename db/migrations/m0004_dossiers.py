"""Dossier register, daily tallies, procedure fields, targets and month locks.

Indexes are shaped for the counters: every figure of a period is one aggregate over
a range of `received_on` (or `finished_on`), answered from a partial covering index
of the live rows, so a year of a large ward (20,000 rows) never touches the table.
"""

import csv

from core.clock import utc_iso
from core.resources import resource
from db.schema import create_search_index, create_syncable_table


def up(conn):
    # One row per dossier received. Flags only: never a citizen's name or ID number.
    create_syncable_table(conn, "dossiers", """
        code TEXT NOT NULL,
        field TEXT NOT NULL,
        procedure_name TEXT,
        procedure_code TEXT,
        received_on TEXT NOT NULL,
        promised_on TEXT,
        finished_on TEXT,
        channel INTEGER NOT NULL DEFAULT 1 CHECK (channel IN (1, 2, 3)),
        components_digitised INTEGER NOT NULL DEFAULT 0 CHECK (components_digitised IN (0, 1)),
        result_digitised TEXT NOT NULL DEFAULT 'no'
            CHECK (result_digitised IN ('yes', 'no', 'not_applicable')),
        data_reused INTEGER NOT NULL DEFAULT 0 CHECK (data_reused IN (0, 1)),
        vneid_identified INTEGER NOT NULL DEFAULT 0 CHECK (vneid_identified IN (0, 1)),
        fee TEXT NOT NULL DEFAULT 'no_fee' CHECK (fee IN ('paid_online', 'paid_other', 'no_fee')),
        CHECK (finished_on IS NULL OR finished_on >= received_on)""", owner="commune")
    conn.execute("CREATE UNIQUE INDEX idx_dossiers_code_live ON dossiers(code) WHERE deleted_at IS NULL")
    # Covering indexes: the received-side and finished-side aggregates read only these.
    conn.execute("""
        CREATE INDEX idx_dossiers_received ON dossiers(
            received_on, field, channel, components_digitised, result_digitised,
            data_reused, vneid_identified, fee) WHERE deleted_at IS NULL""")
    conn.execute("""
        CREATE INDEX idx_dossiers_finished ON dossiers(finished_on, field, promised_on, received_on)
        WHERE deleted_at IS NULL AND finished_on IS NOT NULL""")
    create_search_index(conn, "dossiers", ["code", "field", "procedure_name", "procedure_code"])

    # Days recorded only as totals, per field and channel. Never mixed into the register:
    # every figure shows how much of it came from tallies.
    create_syncable_table(conn, "dossier_tallies", """
        day TEXT NOT NULL,
        field TEXT NOT NULL,
        channel INTEGER NOT NULL CHECK (channel IN (1, 2, 3)),
        received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
        components_digitised INTEGER NOT NULL DEFAULT 0,
        fully_digitised INTEGER NOT NULL DEFAULT 0,
        result_paper INTEGER NOT NULL DEFAULT 0,
        result_digitised INTEGER NOT NULL DEFAULT 0,
        data_reused INTEGER NOT NULL DEFAULT 0,
        vneid_identified INTEGER NOT NULL DEFAULT 0,
        fee_charged INTEGER NOT NULL DEFAULT 0,
        paid_online INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0,
        on_time INTEGER NOT NULL DEFAULT 0,
        note TEXT""", owner="commune")
    conn.execute("CREATE UNIQUE INDEX idx_dossier_tallies_key ON dossier_tallies(day, field, channel) "
                 "WHERE deleted_at IS NULL")

    # The commune's own list of procedure fields (local, editable); dossiers carry the
    # field's name as text, so a bundle is readable without this list.
    conn.execute("""
        CREATE TABLE procedure_fields (
            name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
            note TEXT,
            position INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL)""")
    now = utc_iso()
    with resource("reference", "procedure_fields.csv").open(encoding="utf-8", newline="") as f:
        for position, row in enumerate(csv.DictReader(f), start=1):
            conn.execute("INSERT INTO procedure_fields(name, note, position, active, updated_at) "
                         "VALUES (?, ?, ?, 1, ?)", (row["field"].strip(), (row.get("note") or "").strip() or None,
                                                   position, now))

    # Targets the province sends (province-owned rows, arrive in bundles) …
    create_syncable_table(conn, "dossier_targets", """
        indicator TEXT NOT NULL,
        effective_from TEXT NOT NULL,
        target REAL NOT NULL CHECK (target >= 0 AND target <= 1),
        amber_margin REAL NOT NULL DEFAULT 0.1,
        source TEXT""", owner="province")
    # … and the commune's own (shipped defaults from the province's letters, edited in
    # settings). A province target for the same indicator and date wins.
    conn.execute("""
        CREATE TABLE dossier_targets_local (
            indicator TEXT NOT NULL,
            effective_from TEXT NOT NULL,
            target REAL NOT NULL CHECK (target >= 0 AND target <= 1),
            amber_margin REAL NOT NULL DEFAULT 0.1,
            source TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (indicator, effective_from))""")
    with resource("reference", "dossier_targets.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            conn.execute("INSERT INTO dossier_targets_local VALUES (?, ?, ?, ?, ?, ?)",
                         (row["indicator"], row["effective_from"], float(row["target"]),
                          float(row["amber_margin"]), row["source"], now))

    # A month reported to the province is locked; changing it needs a reason, recorded.
    create_syncable_table(conn, "dossier_month_locks", """
        month TEXT NOT NULL,
        note TEXT""", owner="commune")
    conn.execute("CREATE UNIQUE INDEX idx_dossier_month_locks_month ON dossier_month_locks(month) "
                 "WHERE deleted_at IS NULL")
    create_syncable_table(conn, "dossier_locked_changes", """
        month TEXT NOT NULL,
        subject TEXT NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        details TEXT""", owner="commune")
    conn.execute("CREATE INDEX idx_dossier_locked_changes_month ON dossier_locked_changes(month)")
