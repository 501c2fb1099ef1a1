"""What the province sees per unit: last sync, bundles, rows, readiness, indicators, overdue tasks.

Shared by `hub status --json`, the overview page at `/` and `hub report`. The
domain figures are read from the rows' JSON states with json_extract; a table
that this hub's app version does not have simply yields no figure.
"""

from __future__ import annotations

import datetime as dt
import html

from core.clock import format_datetime_local, now_utc, parse_utc, today_local
from core.units import all_units
from db.store import Store

STALE_DAYS = 7
VERDICT_LABELS = {"ready": "SẴN SÀNG", "not_ready": "CHƯA SẴN SÀNG"}


def unit_status(store: Store) -> list[dict]:
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


def unit_overview(store: Store) -> list[dict]:
    """All 96 units (registered or not) with status plus readiness, indicators and overdue tasks."""
    status = {s["code"]: s for s in unit_status(store)}
    verdicts = _latest_verdicts(store)
    month = today_local().strftime("%Y-%m")
    indicators = _month_indicators(store, month)
    overdue = _overdue_tasks(store)
    out = []
    for unit in all_units():
        s = status.get(unit.code, {"last_seq": 0, "bundles_applied": 0, "last_sync": None, "rows": {},
                                   "registered": False})
        out.append({**s, "code": unit.code, "name": unit.name, "stale": is_stale(s["last_sync"]),
                    "verdict": verdicts.get(unit.code),
                    **indicators.get(unit.code, {"dossiers_this_month": 0, "digitised_share": None,
                                                 "online_share": None}),
                    "overdue_tasks": overdue.get(unit.code, 0)})
    return out


def is_stale(last_sync: str | None) -> bool:
    return last_sync is None or now_utc() - parse_utc(last_sync) > dt.timedelta(days=STALE_DAYS)


def _latest_verdicts(store: Store) -> dict[str, str]:
    try:
        rows = store.query(
            "SELECT unit, json_extract(state, '$.row.verdict_at_close') AS verdict, "
            "max(json_extract(state, '$.row.closed_at')) AS closed FROM rows "
            "WHERE table_name = 'checklist_runs' AND deleted = 0 "
            "AND json_extract(state, '$.row.verdict_at_close') IS NOT NULL GROUP BY unit")
    except Exception:  # noqa: BLE001 - malformed JSON of an older hub row: no figure
        return {}
    return {r["unit"]: r["verdict"] for r in rows}


def _month_indicators(store: Store, month: str) -> dict[str, dict]:
    """Dossiers received this month, share with digitised components, share received online."""
    try:
        rows = store.query(
            """SELECT unit, count(*) AS n,
                      sum(json_extract(state, '$.row.components_digitised') = 1) AS digitised,
                      sum(json_extract(state, '$.row.channel') = 2) AS online
               FROM rows WHERE table_name = 'dossiers' AND deleted = 0
                 AND substr(json_extract(state, '$.row.received_on'), 1, 7) = ?
               GROUP BY unit""", (month,))
    except Exception:  # noqa: BLE001 - a hub of an older schema: no figure
        return {}
    return {r["unit"]: {"dossiers_this_month": r["n"],
                        "digitised_share": (r["digitised"] or 0) / r["n"] if r["n"] else None,
                        "online_share": (r["online"] or 0) / r["n"] if r["n"] else None} for r in rows}


def _overdue_tasks(store: Store) -> dict[str, int]:
    """Province tasks sent to a unit, past their deadline, whose latest status from the unit is not "done"."""
    today = today_local().isoformat()
    try:
        rows = store.query(
            """SELECT d.unit, count(*) AS n FROM deliveries d
               JOIN rows t ON t.table_name = 'tasks' AND t.row_id = d.row_id AND t.deleted = 0
               WHERE d.table_name = 'tasks'
                 AND json_extract(t.state, '$.row.deadline') IS NOT NULL
                 AND json_extract(t.state, '$.row.deadline') < ?
                 AND coalesce((SELECT json_extract(p.state, '$.row.status') FROM rows p
                               WHERE p.table_name = 'task_progress' AND p.unit = d.unit AND p.deleted = 0
                                 AND json_extract(p.state, '$.row.task_id') = d.row_id
                                 AND json_extract(p.state, '$.row.status') IS NOT NULL
                               ORDER BY json_extract(p.state, '$.row.noted_on') DESC, p.updated_at DESC LIMIT 1),
                              'todo') != 'done'
               GROUP BY d.unit""", (today,))
    except Exception:  # noqa: BLE001 - a hub of an older schema: no figure
        return {}
    return {r["unit"]: r["n"] for r in rows}


def render_overview_html(store: Store) -> str:
    rows = unit_overview(store)
    stale = sum(1 for r in rows if r["stale"])
    body = []
    for r in rows:
        verdict = VERDICT_LABELS.get(r["verdict"] or "", "—")
        last = format_datetime_local(r["last_sync"]) if r["last_sync"] else "chưa đồng bộ"
        cls = ' class="stale"' if r["stale"] else ""
        body.append(
            f"<tr{cls}><td>{html.escape(r['code'])}</td><td>{html.escape(r['name'])}</td>"
            f"<td>{html.escape(last)}</td><td class=n>{r['last_seq']}</td><td class=n>{r['bundles_applied']}</td>"
            f"<td class=n>{sum(r['rows'].values())}</td><td>{html.escape(verdict)}</td>"
            f"<td class=n>{r['dossiers_this_month']}</td><td class=n>{_percent(r['digitised_share'])}</td>"
            f"<td class=n>{r['overdue_tasks']}</td></tr>")
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Máy chủ đồng bộ tỉnh Quảng Ngãi</title>
<style>
body {{ font-family: "Liberation Sans", Arial, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border: 1px solid #bbb; padding: 4px 6px; text-align: left; }}
th {{ background: #e8eef5; position: sticky; top: 0; }}
td.n {{ text-align: right; }}
tr.stale td {{ background: #fde2e1; }}
</style></head><body>
<h1>Tình hình đồng bộ dữ liệu các xã, phường, đặc khu</h1>
<p>{len(rows)} đơn vị; <strong>{stale}</strong> đơn vị chưa đồng bộ trong {STALE_DAYS} ngày qua (tô đỏ).
Cập nhật lúc {html.escape(format_datetime_local(now_utc()))}.</p>
<table><thead><tr><th>Mã</th><th>Đơn vị</th><th>Lần đồng bộ cuối</th><th>Số thay đổi cuối</th>
<th>Số gói đã nhận</th><th>Số bản ghi</th><th>Điểm cầu HNTH</th><th>Hồ sơ tháng này</th>
<th>Tỉ lệ số hóa TPHS</th>
<th>Nhiệm vụ quá hạn</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>"""


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "%"
