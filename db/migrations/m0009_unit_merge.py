"""One commune, one picture (issue 13): merged dossiers and the opt-in for a letter's text.

- `dossiers.merged_into`: the same dossier code entered at two counters (two devices of one
  unit) is one dossier. The row entered first is kept; the other is tombstoned with
  `merged_into` = the kept row's id, so staff can see and review every merged case
  (core.sync.merge, docs/BUNDLE_FORMAT.md "Same code at two counters").
- `local_directives.share_source_text`: the text of a letter the commune imported itself is sent
  to the province only when a staff member chose to (1); otherwise bundles carry it as null.
"""


def up(conn):
    conn.execute("ALTER TABLE dossiers ADD COLUMN merged_into TEXT")
    conn.execute("ALTER TABLE local_directives ADD COLUMN share_source_text INTEGER NOT NULL DEFAULT 0 "
                 "CHECK (share_source_text IN (0, 1))")
