"""What the province sees per unit: last sync, bundles, rows, readiness, indicators, overdue tasks.

Shared by `hub status --json` and `hub report`; the dossier figures and overdue tasks come from
core.hub.dashboard (the commune's own functions), as on the staff pages.
"""

from __future__ import annotations

import datetime as dt

from core.clock import now_utc, parse_utc, today_local
from core.hub.database import HubDatabase, json_path
from core.units import all_units

STALE_DAYS = 7
VERDICT_LABELS = {"ready": "SẴN SÀNG", "not_ready": "CHƯA SẴN SÀNG"}


def unit_status(store: HubDatabase) -> list[dict]:
    """One entry per registered or reporting unit, as `hub status --json` prints it."""
    units = {r["code"]: r for r in store.query("SELECT code, fingerprint, registered_at FROM units")}
    stats = {r["unit"]: r for r in store.query(
        "SELECT unit, max(seq_to) AS last_seq, count(*) AS bundles_applied, max(received_at) AS last_sync "
        "FROM bundles GROUP BY unit")}
    rows: dict[str, dict[str, int]] = {}
    for r in store.query("SELECT unit, table_name, count(*) AS n FROM rows WHERE deleted = 0 AND unit != 'province' "
                         "GROUP BY unit, table_name"):
        rows.setdefault(r["unit"], {})[r["table_name"]] = r["n"]
    result = []
    for code in sorted(set(units) | set(stats)):
        s = stats.get(code, {})
        result.append({"code": code, "last_seq": s.get("last_seq") or 0,
                       "bundles_applied": s.get("bundles_applied") or 0,
                       "last_sync": s.get("last_sync"), "rows": rows.get(code, {}),
                       "registered": code in units})
    return result


def unit_overview(store: HubDatabase) -> list[dict]:
    """All 96 units (registered or not) with status plus readiness, indicators and overdue tasks.

    The dossier figures and the overdue tasks are the dashboard's (core.hub.dashboard), computed
    with the commune's own functions: `digitised_share` is indicator 4.2 and `online_share` 3.3 of
    the current month, register and daily tallies together, as the commune's screen shows them."""
    from core.dossiers.indicators import Sums, indicators_from
    from core.dossiers.periods import period_for
    from core.hub import dashboard

    dashboard.refresh(store)
    status = {s["code"]: s for s in unit_status(store)}
    verdicts = _latest_verdicts(store)
    today = today_local()
    period = period_for("month", today)
    sums = dashboard.period_sums(store.conn, period)
    targets = dashboard.period_targets(store, period)
    overdue = dict(store.conn.execute(
        f"SELECT unit, sum({dashboard.OVERDUE_TASK}) FROM dash_unit_tasks GROUP BY unit",
        (today.isoformat(),)).fetchall())
    out = []
    for unit in all_units():
        s = status.get(unit.code, {"last_seq": 0, "bundles_applied": 0, "last_sync": None, "rows": {},
                                   "registered": False})
        unit_sums = sums.get(unit.code, Sums())
        values = indicators_from(unit_sums, targets)
        out.append({**s, "code": unit.code, "name": unit.name, "stale": is_stale(s["last_sync"]),
                    "verdict": verdicts.get(unit.code), "dossiers_this_month": unit_sums.received,
                    "digitised_share": values["digitised_rate"].value, "online_share": values["online_rate"].value,
                    "overdue_tasks": int(overdue.get(unit.code) or 0)})
    return out


def is_stale(last_sync: str | None) -> bool:
    return last_sync is None or now_utc() - parse_utc(last_sync) > dt.timedelta(days=STALE_DAYS)


def _latest_verdicts(store: HubDatabase) -> dict[str, str]:
    """{unit: the verdict at close of its last closed checklist run}."""
    verdict, closed = json_path(store, "state", "row.verdict_at_close"), json_path(store, "state", "row.closed_at")
    try:
        rows = store.query(
            f"SELECT unit, {verdict} AS verdict, {closed} AS closed FROM rows "
            f"WHERE table_name = 'checklist_runs' AND deleted = 0 AND {verdict} IS NOT NULL")
    except Exception:  # noqa: BLE001 - malformed JSON of an older hub row: no figure
        return {}
    latest: dict[str, tuple[str, str]] = {}
    for r in rows:
        when = str(r["closed"] or "")
        if r["unit"] not in latest or when > latest[r["unit"]][0]:
            latest[r["unit"]] = (when, r["verdict"])
    return {unit: v for unit, (_when, v) in latest.items()}


def render_overview_html(store: HubDatabase) -> str:
    """The dashboard's overview page as the hub serves it at `/` (without the staff header)."""
    from core.dossiers.periods import period_for
    from core.hub import dashboard
    from core.hub.web import pages

    today = today_local()
    dashboard.refresh(store)
    model = dashboard.build_model(store, today=today, period=period_for("month", today),
                                  meeting_date=dashboard.default_meeting_date(store.conn, today))
    return pages.dashboard_page(model, {}, None)
