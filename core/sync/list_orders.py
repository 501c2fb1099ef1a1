"""The orders a person can put the Đồng bộ page's two lists in by clicking a column (core.listing):
the commune's bundles (sync_outbox) and the bundles received from the province (sync_inbox)."""

from __future__ import annotations

# A bundle's states in the order they happen; errors last, where they stand out either way round.
_STATE_RANK = ("CASE state WHEN 'pending' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3 "
               "WHEN 'acked' THEN 4 ELSE 5 END")
_NEWEST = "created_at DESC, seq_from DESC"

OUTBOX_SORTS = {
    "created_local": "created_at {dir}, seq_from {dir}",
    "range": "seq_from {dir}, created_at {dir}",
    "records": f"records {{dir}}, {_NEWEST}",
    "state_label": f"{_STATE_RANK} {{dir}}, {_NEWEST}",
    "via_label": f"(sent_via IS NULL), sent_via {{dir}}, {_NEWEST}",
    "problem": f"(last_error IS NULL), last_error_reason {{dir}}, {_NEWEST}",
}
OUTBOX_DEFAULT = ("created_local", True)

RECEIVED_SORTS = {
    "received_local": "received_at {dir}",
    "kind_label": "kind {dir}, received_at DESC",
    "records": "records {dir}, received_at DESC",
    "via_label": "via {dir}, received_at DESC",
}
RECEIVED_DEFAULT = ("received_local", True)
