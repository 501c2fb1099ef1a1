"""Sync bookkeeping (local, never synced): the outbox of bundles and the bundles received."""


def up(conn):
    # One row per bundle file this PC made. The file in outbox/ is immutable; the
    # state moves pending -> sending -> sent -> acked (or error, retried at next_try_at).
    conn.execute("""
        CREATE TABLE sync_outbox (
            bundle_id TEXT PRIMARY KEY NOT NULL,
            file_name TEXT NOT NULL,
            kind TEXT NOT NULL,
            seq_from INTEGER,
            seq_to INTEGER,
            records INTEGER NOT NULL,
            size INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'acked', 'error')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_reason TEXT,
            next_try_at TEXT,
            sent_at TEXT,
            sent_via TEXT,
            acked_at TEXT,
            file_deleted_at TEXT)""")
    conn.execute("CREATE INDEX idx_sync_outbox_state ON sync_outbox(state)")
    # Bundles from the province (directives, templates, acknowledgements) already applied:
    # importing the same file twice is a no-op.
    conn.execute("""
        CREATE TABLE sync_inbox (
            bundle_id TEXT PRIMARY KEY NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            received_at TEXT NOT NULL,
            via TEXT NOT NULL,
            records INTEGER NOT NULL,
            summary TEXT)""")
