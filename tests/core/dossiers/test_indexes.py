"""The period aggregates read the covering indexes alone (the design behind the budgets)."""

from core.dossiers.indicators import _FINISHED_SUMS, _RECEIVED_SUMS


def _plan(store, sql):
    return " ".join(r["detail"] for r in store.query("EXPLAIN QUERY PLAN " + sql, ("2025-01-01", "2025-12-31")))


def test_received_and_finished_aggregates_use_covering_indexes(store):
    received = _plan(store, f"SELECT field, {_RECEIVED_SUMS} FROM dossiers "
                            "WHERE deleted_at IS NULL AND received_on BETWEEN ? AND ? GROUP BY 1")
    assert "COVERING INDEX idx_dossiers_received" in received
    finished = _plan(store, f"SELECT field, {_FINISHED_SUMS} FROM dossiers WHERE deleted_at IS NULL "
                            "AND finished_on IS NOT NULL AND finished_on BETWEEN ? AND ? GROUP BY 1")
    assert "COVERING INDEX idx_dossiers_finished" in finished


def test_code_lookup_uses_the_unique_index(store):
    plan = " ".join(r["detail"] for r in store.query(
        "EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE deleted_at IS NULL AND code IN (?, ?)", ("a", "b")))
    assert "idx_dossiers_code_live" in plan
