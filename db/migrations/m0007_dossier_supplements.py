"""Requests to supplement papers, for indicator 2.1 as QĐ 766 counts it.

"Time waiting for the citizen to supplement papers is not counted; more than one request
to supplement counts as late." A dossier now records how many times papers were requested
(`supplement_requests`) and how many days it waited for them (`supplement_days`). The
finished-side covering index gains both, so the on-time count still reads the index alone.
"""


def up(conn):
    conn.execute("ALTER TABLE dossiers ADD COLUMN supplement_requests INTEGER NOT NULL DEFAULT 0 "
                 "CHECK (supplement_requests >= 0)")
    conn.execute("ALTER TABLE dossiers ADD COLUMN supplement_days INTEGER NOT NULL DEFAULT 0 "
                 "CHECK (supplement_days >= 0)")
    conn.execute("DROP INDEX idx_dossiers_finished")
    conn.execute("""
        CREATE INDEX idx_dossiers_finished ON dossiers(
            finished_on, field, promised_on, received_on, supplement_requests, supplement_days, deleted_at)
        WHERE deleted_at IS NULL AND finished_on IS NOT NULL""")
