"""The figures of the province's dashboard, materialised per unit and cached.

Where each figure comes from (one definition in `core/`):
- dossier indicators: `core.dossiers.indicators.register_sums` / `tally_sums` per month, run on
  the unit's rows laid out as the commune's database (`core.hub.mirror`), then
  `indicators_from(sums, targets_on(...))` — the very functions of the commune's screen;
- meeting readiness: `core.checklists.runs.load_run(...).verdict` (`compute_verdict`);
- task status: `core.tasks.store.rebuild_task_state`, overdue as `core.tasks.status.is_overdue`
  (deadline before today, status neither "done" nor "paused").

Materialised: when a unit's data change (its last applied bundle, its highest `rows.rev` or the
last province bundle queued for it moves — a bundle applied over the network or by USB, a
directive published), `refresh()` recomputes that unit alone and stores per-month sums,
checklist runs and task states in `dash_*` tables. The rendered model is cached in memory by a
data version (a few indexed lookups per unit of the province), so a page costs its HTML. Under
`hub serve` a page shows a model found current at most `SERVED_MAX_AGE` seconds ago without reading
the version; a background thread reads it (`DashboardCache.page`).

The same SQL runs on either hub store (SQLite or PostgreSQL, core.hub.database): the figures
themselves are computed on an in-memory commune database (core.hub.mirror) by the commune's code.

Unit states (`unit_states`): registered when the unit has a key in `units`/`device_keys`; per
device (sync v2: many PCs per unit, `device_keys` and `bundles.device`) its last bundle and the
holes in its own bundle numbers (`core.hub.store.device_coverage`) — "Thiếu gói" means one of the
unit's devices has a real gap.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.clock import now_utc, parse_utc, utc_iso
from core.dossiers.indicators import INDICATORS, IndicatorValue, Sums, indicators_from, register_sums, tally_sums
from core.dossiers.periods import Period
from core.dossiers.targets import targets_on
from core.hub.database import HubDatabase, lock_unit, try_lock
from core.units import all_units

STALE_DAYS = 7
# `hub serve`: a page may show, without reading the data, a model found current at most this many
# seconds ago while a background thread checks again (DashboardCache.page). Tests and the CLI: 0.
SERVED_MAX_AGE = 3.0
REJECTION_DAYS = 30
SUM_FIELDS = [f for f in Sums.__dataclass_fields__]  # received, online, …, on_time

# Reasons a bundle is refused before its signature is known good: the unit it names is a claim.
UNVERIFIED_REASONS = {"unknown_sender", "bad_signature", "unsafe_member", "unsupported_format", "too_large",
                      "damaged", "not_a_bundle"}

STATES = {
    "unregistered": ("Chưa đăng ký", "grey"),
    "never_sent": ("Đã đăng ký nhưng chưa gửi", "grey"),
    "rejected": ("Có gói bị từ chối", "red"),
    "missing": ("Thiếu gói", "amber"),
    "stale": (f"Quá {STALE_DAYS} ngày chưa gửi", "amber"),
    "ok": ("Đồng bộ đều", "green"),
}
STATE_ORDER = ["unregistered", "never_sent", "rejected", "missing", "stale", "ok"]

OVERDUE_RULE = ("Nhiệm vụ quá hạn: nhiệm vụ của văn bản tỉnh gửi đơn vị và nhiệm vụ đơn vị tự nhập, có hạn "
                "trước hôm nay, trạng thái mới nhất đơn vị gửi lên chưa phải “hoàn thành” hay “tạm dừng” "
                "(cùng quy tắc màn hình Nhiệm vụ của xã).")

SCHEMA = [
    # What the figures were made from: the unit's last applied bundle and last province bundle sent to it.
    """CREATE TABLE IF NOT EXISTS dash_unit_version (
        unit TEXT PRIMARY KEY NOT NULL,
        version TEXT NOT NULL,
        computed_at TEXT NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS dash_unit_month (
        unit TEXT NOT NULL,
        month TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('register', 'tally')),
        {", ".join(f"{name} INTEGER NOT NULL" for name in SUM_FIELDS)},
        PRIMARY KEY (unit, month, source)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS dash_unit_runs (
        unit TEXT NOT NULL,
        run_id TEXT NOT NULL,
        meeting_date TEXT NOT NULL,
        start_time TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        ready INTEGER NOT NULL,
        failing TEXT NOT NULL,
        PRIMARY KEY (unit, run_id))""",
    "CREATE INDEX IF NOT EXISTS idx_dash_unit_runs_date ON dash_unit_runs(meeting_date)",
    """CREATE TABLE IF NOT EXISTS dash_unit_tasks (
        unit TEXT NOT NULL,
        task_id TEXT NOT NULL,
        source TEXT NOT NULL,
        directive_id TEXT,
        content TEXT,
        deadline TEXT,
        status TEXT NOT NULL,
        reported INTEGER NOT NULL,
        last_noted_on TEXT,
        PRIMARY KEY (unit, task_id))""",
]


def ensure_schema(conn) -> None:
    """SQLite (a hub made by an earlier version gains the tables); PostgreSQL: core.hub.pg_schema."""
    for statement in SCHEMA:
        conn.execute(statement)
    # Network rejections logged before this version may be anonymous; later ones were signed.
    conn.execute("INSERT INTO hub_meta(key, value) VALUES ('verified_rejections_since', ?) "
                 "ON CONFLICT (key) DO NOTHING", (utc_iso(),))


# -- materialising -----------------------------------------------------------------------------

_refresh_lock = threading.Lock()
# Set by a caller that found a pass already running (`refresh(wait=False)`): the running pass goes
# round once more, so what changed after it read the marks is not left until the next upload.
_refresh_again = threading.Event()


def province_codes() -> list[str]:
    """The units this dashboard shows (the province's), in a stable order."""
    return [u.code for u in all_units()]


def unit_markers(conn, codes: list[str] | None = None) -> dict[str, tuple]:
    """{unit: (highest rows.rev, last province bundle queued for it, its last bundle applied)} for the
    province's units that have any: three indexed lookups per unit, however big the store is
    (a national hub holds every province's bundles)."""
    return {code: marks[:3] for code, marks in _unit_marks(conn, codes).items()}


def _unit_marks(conn, codes: list[str] | None = None) -> dict[str, tuple]:
    """`unit_markers` plus the version its figures were made from (`dash_unit_version`), in one query."""
    codes = province_codes() if codes is None else codes
    if not codes:
        return {}
    values = ", ".join("(?)" for _ in codes)
    out = {}
    for code, rev, sent, applied, done in conn.execute(
            "SELECT v.column1, (SELECT max(rev) FROM rows WHERE unit = v.column1), "
            "(SELECT max(id) FROM outgoing WHERE unit = v.column1), "
            "(SELECT max(id) FROM bundles WHERE unit = v.column1), "
            "(SELECT version FROM dash_unit_version WHERE unit = v.column1) "
            f"FROM (VALUES {values}) AS v", tuple(codes)):
        if rev is not None or sent is not None or applied is not None or done is not None:
            out[code] = (rev, sent, applied, done)
    return out


def refresh(store: HubDatabase, hub_db: Path | None = None, *, wait: bool = True,
            marks: dict | None = None) -> list[str]:
    """Recompute the units whose data changed since their figures were made.

    `hub_db` is not used (the store knows where its rows are); kept for callers of earlier versions.
    `wait=False` (a page view, the pass after an upload): when another thread of this process is
    already recomputing, ask it to go round once more and return at once — the page shows the
    figures made so far; the upload's thread is given back to the server. (Measured, issue 19:
    when every upload's pass waited for the running one, the waiting threads filled the server's
    thread pool and a page view queued for seconds behind them.)"""
    _refresh_again.set()
    done: list[str] = []
    # Checked after the lock is released: a request made while a pass ran is never lost.
    while _refresh_again.is_set():
        if not _refresh_lock.acquire(blocking=wait):
            return done  # the running pass sees the flag and goes round again
        try:
            _refresh_again.clear()
            done += _refresh_changed(store, marks)
            marks = None  # read again on the next round
        finally:
            _refresh_lock.release()
    return done


def _version(marker: tuple) -> str:
    rev, sent, applied = marker
    return f"{rev or 0}:{sent or 0}:{applied or 0}"


def _behind(marks: dict) -> list[str]:
    """The units whose figures were made from older data than they now have."""
    return sorted(u for u, m in marks.items() if any(v is not None for v in m[:3]) and m[3] != _version(m[:3]))


def _refresh_changed(store: HubDatabase, marks: dict | None = None) -> list[str]:
    marks = _unit_marks(store.conn) if marks is None else marks
    current = {unit: _version(m[:3]) for unit, m in marks.items() if any(v is not None for v in m[:3])}
    changed = []
    for unit in sorted(u for u, v in current.items() if marks[u][3] != v):
        # Another worker recomputing this unit (the one that applied its upload): leave it to it.
        with try_lock(store, f"dashboard-compute:{unit}") as mine:
            # Read again once the unit is ours: another worker may have made these figures between
            # our marks and our lock (measured: a third of the units were computed twice).
            if mine and _done_version(store.conn, unit) != current[unit]:
                _refresh_unit(store, unit, current[unit])
                changed.append(unit)
    return changed


def _done_version(conn, unit: str) -> str | None:
    row = conn.execute("SELECT version FROM dash_unit_version WHERE unit = ?", (unit,)).fetchone()
    return row[0] if row else None


def _refresh_unit(store: HubDatabase, unit: str, version: str) -> None:
    from core.checklists.runs import load_run
    from core.hub.mirror import unit_mirror
    from core.tasks.store import rebuild_task_state

    mirror = unit_mirror(store, unit)
    try:
        months: list[tuple] = []
        span = mirror.conn.execute(
            "SELECT min(d), max(d) FROM (SELECT min(received_on) AS d FROM dossiers UNION ALL "
            "SELECT max(coalesce(finished_on, received_on)) FROM dossiers UNION ALL "
            "SELECT min(day) FROM dossier_tallies UNION ALL SELECT max(day) FROM dossier_tallies)").fetchone()
        if span[0]:
            period = Period(dt.date.fromisoformat(span[0][:10]), dt.date.fromisoformat(span[1][:10]))
            for source, sums_by_month in (("register", register_sums(mirror, period, "month")),
                                          ("tally", tally_sums(mirror, period, "month"))):
                for month, sums in sums_by_month.items():
                    if month:
                        months.append((unit, month, source, *(getattr(sums, f) for f in SUM_FIELDS)))
        runs = []
        for (run_id,) in mirror.conn.execute("SELECT id FROM checklist_runs WHERE deleted_at IS NULL").fetchall():
            try:
                view = load_run(mirror, run_id)
            except Exception:  # noqa: BLE001 - a run whose rows are incomplete on the hub: no verdict
                continue
            verdict = view.verdict
            # Every critical item that does not pass, with the commune's reason (unanswered ones included).
            failing = [f"{f.item.text}: {f.reason}" for f in verdict.failing]
            runs.append((unit, run_id, view.meeting_date.isoformat(), view.start_time, view.meeting_title,
                         view.status, int(verdict.ready), json.dumps(failing, ensure_ascii=False)))
        rebuild_task_state(mirror)
        tasks = [(unit, *r) for r in mirror.conn.execute(
            """SELECT t.id, t.source, t.directive_id, t.content, t.deadline, coalesce(s.status, 'todo'),
                      EXISTS (SELECT 1 FROM task_progress p WHERE p.task_id = t.id AND p.deleted_at IS NULL),
                      s.last_noted_on
               FROM (SELECT id, 'province' AS source, directive_id, content, deadline FROM tasks
                     WHERE deleted_at IS NULL
                     UNION ALL SELECT id, 'local', directive_id, content, deadline FROM local_tasks
                     WHERE deleted_at IS NULL) t
               LEFT JOIN task_state s ON s.task_id = t.id""")]
    finally:
        mirror.close()
    cols = ", ".join(SUM_FIELDS)
    with store.transaction() as conn:
        # Several `hub serve` workers may recompute one unit at once (PostgreSQL): one writes at a time.
        lock_unit(store, f"dashboard:{unit}")
        for table in ("dash_unit_month", "dash_unit_runs", "dash_unit_tasks"):
            conn.execute(f"DELETE FROM {table} WHERE unit = ?", (unit,))
        conn.executemany(f"INSERT INTO dash_unit_month (unit, month, source, {cols}) "
                         f"VALUES (?, ?, ?, {', '.join('?' * len(SUM_FIELDS))})", months)
        conn.executemany("INSERT INTO dash_unit_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", runs)
        conn.executemany("INSERT INTO dash_unit_tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", tasks)
        conn.execute("INSERT INTO dash_unit_version(unit, version, computed_at) VALUES (?, ?, ?) "
                     "ON CONFLICT(unit) DO UPDATE SET version = excluded.version, "
                     "computed_at = excluded.computed_at", (unit, version, utc_iso()))


# -- unit states -------------------------------------------------------------------------------

def _placeholders(codes: list[str]) -> str:
    return ", ".join("?" * len(codes))


def unit_states(conn, today: dt.date, *, stale_days: int = STALE_DAYS,
                facts: "SyncFacts | None" = None) -> dict[str, dict]:
    """{code: {state, label, colour, registered_at, last_sync, bundles, devices, rejected, missing, …}}
    for every unit of the province (registered or not)."""
    codes = province_codes()
    registered = {r[0]: {"fingerprint": r[1], "registered_at": r[2]}
                  for r in conn.execute("SELECT code, fingerprint, registered_at FROM units")}
    per_device, gaps = facts.read(conn, codes) if facts else (bundle_stats(conn, codes), device_gaps(conn, codes))
    stats: dict[str, dict] = {}
    for (unit, _device, kind), (count, last, last_seq, _top) in per_device.items():
        if kind == "changes":
            s = stats.setdefault(unit, {"bundles": 0, "last_sync": None, "last_seq": None})
            s["bundles"] += count
            s["last_sync"] = max(filter(None, (s["last_sync"], last)), default=None)
            s["last_seq"] = max(filter(lambda v: v is not None, (s["last_seq"], last_seq)), default=None)
    since = utc_iso(now_utc() - dt.timedelta(days=REJECTION_DAYS))
    verified_since = (conn.execute("SELECT value FROM hub_meta WHERE key = 'verified_rejections_since'")
                      .fetchone() or [""])[0]
    rejected: dict[str, list[dict]] = {}
    for r in conn.execute(
            "SELECT unit, bundle_id, reason, message, received_at, via, device FROM rejections "
            "WHERE received_at > ? AND unit IS NOT NULL ORDER BY id DESC", (since,)):
        verified = r[2] not in UNVERIFIED_REASONS or (r[5] == "network" and r[4] >= verified_since)
        rejected.setdefault(r[0], []).append({"bundle_id": r[1], "reason": r[2], "message": r[3],
                                              "received_at": r[4], "via": r[5], "device": r[6],
                                              "verified": verified})
    devices = unit_devices(conn, codes, per_device, gaps)
    cutoff = now_utc() - dt.timedelta(days=stale_days)
    out = {}
    for unit in all_units():
        code = unit.code
        s = stats.get(code, {"bundles": 0, "last_sync": None, "last_seq": 0})
        unit_devices_ = devices.get(code, [])
        # "Thiếu gói" from real gaps: each device numbers its own bundles (sync v2), so a hole is a
        # device's missing bundle numbers (`device_coverage`), never a gap between two devices' logs.
        missing = [{"device": d["device"], "from": a, "to": b} for d in unit_devices_ for a, b in d["missing"]]
        unit_rejections = rejected.get(code, [])
        last_sync = s["last_sync"]
        late_rejections = [r for r in unit_rejections if r["verified"] and (not last_sync or r["received_at"] > last_sync)]
        if code not in registered:
            state = "unregistered"
        elif not s["bundles"]:
            state = "rejected" if late_rejections else "never_sent"
        elif late_rejections:
            state = "rejected"
        elif missing:
            state = "missing"
        elif parse_utc(last_sync) < cutoff:
            state = "stale"
        else:
            state = "ok"
        label, colour = STATES[state]
        out[code] = {"code": code, "name": unit.name, "state": state, "state_label": label, "colour": colour,
                     "registered_at": registered.get(code, {}).get("registered_at"),
                     "fingerprint": registered.get(code, {}).get("fingerprint"),
                     "last_sync": last_sync, "bundles": s["bundles"], "last_seq": s["last_seq"] or 0,
                     "missing": missing,
                     "rejections": [r for r in unit_rejections if r["verified"]],
                     "unverified_claims": [r for r in unit_rejections if not r["verified"]],
                     "devices": unit_devices_}
    return out


def bundle_stats(conn, codes: list[str]) -> dict[tuple, tuple]:
    """{(unit, device, kind): (bundles, last received_at, highest seq_to, highest device_seq)} of the
    units' applied bundles, in one pass over them."""
    if not codes:
        return {}
    return {(r[0], r[1], r[2]): (int(r[3]), r[4], r[5], r[6]) for r in conn.execute(
        "SELECT unit, device, kind, count(*), max(received_at), max(seq_to), max(device_seq) FROM bundles "
        f"WHERE unit IN ({_placeholders(codes)}) GROUP BY unit, device, kind", tuple(codes))}


def device_gaps(conn, codes: list[str]) -> dict[tuple, list[list[int]]]:
    """{(unit, device): [[first, last], …]} every hole in each device's bundle numbers below its highest,
    in one query (the index on (unit, device, device_seq) holds all it reads) — what
    `core.hub.store.device_coverage` finds for one device."""
    if not codes:
        return {}
    out: dict[tuple, list[list[int]]] = {}
    for unit, device, start, end in conn.execute(
            "SELECT unit, device, prev + 1, device_seq - 1 FROM ("
            "SELECT unit, device, device_seq, "
            "coalesce(lag(device_seq) OVER (PARTITION BY unit, device ORDER BY device_seq), 0) AS prev "
            f"FROM bundles WHERE unit IN ({_placeholders(codes)}) AND device IS NOT NULL "
            "AND device_seq IS NOT NULL) AS numbered WHERE device_seq > prev + 1 ORDER BY unit, device, device_seq",
            tuple(codes)):
        out.setdefault((unit, device), []).append([int(start), int(end)])
    return out


class SyncFacts:
    """Each unit's bundle counts and device holes (`bundle_stats`, `device_gaps`), read again only for
    the units whose last applied bundle changed since (`bundles.id`, an indexed lookup per unit).

    While uploads run, a page then re-reads the bundles of the few units that sent something, not
    the province's whole history of bundles. One per dashboard (one hub); safe across threads."""

    def __init__(self):
        self._units: dict[str, tuple] = {}  # unit -> (its last bundle id, {(unit, device, kind): …}, {…})
        self._lock = threading.Lock()

    def read(self, conn, codes: list[str]) -> tuple[dict, dict]:
        if not codes:
            return {}, {}
        values = ", ".join("(?)" for _ in codes)
        last = dict(conn.execute(f"SELECT v.column1, (SELECT max(id) FROM bundles WHERE unit = v.column1) "
                                 f"FROM (VALUES {values}) AS v", tuple(codes)).fetchall())
        with self._lock:
            stale = [c for c in codes if c not in self._units or self._units[c][0] != last.get(c)]
        if stale:
            # Read after the marks: a bundle applied in between is in these figures and moves its unit's mark.
            stats, gaps = bundle_stats(conn, stale), device_gaps(conn, stale)
            fresh = {c: (last.get(c), {}, {}) for c in stale}
            for key, value in stats.items():
                fresh[key[0]][1][key] = value
            for key, value in gaps.items():
                fresh[key[0]][2][key] = value
            with self._lock:
                self._units.update(fresh)
        stats, gaps = {}, {}
        with self._lock:
            for c in codes:
                _mark, unit_stats, unit_gaps = self._units[c]
                stats.update(unit_stats)
                gaps.update(unit_gaps)
        return stats, gaps


def unit_devices(conn, codes: list[str] | None = None, stats: dict | None = None,
                 gaps: dict | None = None) -> dict[str, list[dict]]:
    """{unit: [device, …]} from the hub's `device_keys` (many keys per unit, sync v2) and the
    devices named by its applied bundles (`bundles.device`): per device its keys, when it last
    sent, how many bundles, the unbroken run of its bundle numbers and the holes before its highest.

    A key not yet bound to a device (registered, nothing signed yet in the second format) stands
    for its own device `key:FINGERPRINT` — the name ingest gives its bundles until it learns the id."""
    codes = province_codes() if codes is None else codes
    within = f"unit IN ({_placeholders(codes)})" if codes else "1 = 0"
    stats = bundle_stats(conn, codes) if stats is None else stats
    out: dict[str, dict[str, dict]] = {}
    revoked: dict[str, str] = {}
    for unit, fp, device, registered_at, revoked_at in conn.execute(
            "SELECT unit, fingerprint, device_id, registered_at, revoked_at FROM device_keys "
            f"WHERE {within} ORDER BY registered_at, id", tuple(codes)):
        name = device or f"key:{fp}"
        d = out.setdefault(unit, {}).setdefault(name, {
            "device": name, "fingerprint": fp, "fingerprints": [], "registered_at": registered_at,
            "revoked_at": None, "active_keys": 0, "last_sync": None, "bundles": 0, "bundles_through": 0,
            "missing": []})
        d["fingerprints"].append(fp)
        revoked[fp] = revoked_at
        if revoked_at is None:
            d["active_keys"] += 1
            d["fingerprint"] = fp  # the newest key still in use
    gaps = device_gaps(conn, codes) if gaps is None else gaps
    highest: dict[tuple, int] = {}
    for (unit, device, _kind), (_n, _last, _seq, top) in stats.items():
        if device is not None and top is not None:
            highest[(unit, device)] = max(highest.get((unit, device), 0), int(top))
    by_device = sorted(stats.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    for (unit, device, kind), (count, last, _seq, _top) in by_device:
        if kind != "changes" or device is None:
            continue
        d = out.setdefault(unit, {}).setdefault(device, {
            "device": device, "fingerprint": None, "fingerprints": [], "registered_at": None, "revoked_at": None,
            "active_keys": 0, "last_sync": None, "bundles": 0, "bundles_through": 0, "missing": []})
        d["bundles"], d["last_sync"] = count, last
        # device_coverage's (bundles_through, missing): the run from 1 ends before the first hole.
        d["missing"] = gaps.get((unit, device), [])
        d["bundles_through"] = d["missing"][0][0] - 1 if d["missing"] else highest.get((unit, device), 0)
    for unit_map in out.values():
        for d in unit_map.values():
            if d["fingerprints"] and not d["active_keys"]:  # every key of the device revoked
                d["revoked_at"] = max(revoked[fp] for fp in d["fingerprints"])
    return {unit: list(unit_map.values()) for unit, unit_map in out.items()}


def missing_text(status: dict) -> str:
    """The unit's missing bundles as staff read them: "máy 1a2b3c4d: gói 3–5; …" (empty when none)."""
    return "; ".join(f"máy {m['device'][:12]}: gói {m['from']}–{m['to']}" if m["from"] != m["to"]
                     else f"máy {m['device'][:12]}: gói {m['from']}" for m in status["missing"])


# -- the model a page shows --------------------------------------------------------------------

@dataclass
class UnitRow:
    code: str
    name: str
    status: dict
    sums: Sums
    values: dict[str, IndicatorValue]
    overdue: int
    tasks_open: int
    readiness: dict | None  # {"ready": bool, "failing": [...], "title", "start_time"} or None

    @property
    def state(self) -> str:
        return self.status["state"]


@dataclass
class DashboardModel:
    today: dt.date
    period: Period
    meeting_date: dt.date
    units: list[UnitRow]
    trend: list[tuple[str, dict, Sums]]
    directives: list[dict]
    rejections: list[dict]
    refused: list[dict]
    made_at: str = field(default_factory=utc_iso)
    # Rendered page bodies of this model by (page, query): a model never changes once built.
    html: dict = field(default_factory=dict)

    def rendered(self, page: str, params: dict, render) -> str:
        key = (page, tuple(sorted(params.items())))
        body = self.html.get(key)
        if body is None:
            if len(self.html) > 256:
                self.html.clear()
            body = self.html[key] = render()
        return body

    def unit(self, code: str) -> UnitRow | None:
        return next((u for u in self.units if u.code == code), None)


# A refused upload adds a row or a count to the latest hour's.
_LATEST_HOUR = "(SELECT max(hour) FROM hub_refused_counts)"
_REST_OF_VERSION = (
    "(SELECT max(id) FROM rejections), (SELECT value FROM hub_meta WHERE key = 'province_seq'), "
    "(SELECT count(*) FROM units), (SELECT max(registered_at) FROM units), "
    "(SELECT count(*) FROM device_keys), (SELECT max(registered_at) FROM device_keys), "
    "(SELECT max(revoked_at) FROM device_keys), (SELECT count(device_id) FROM device_keys), "
    f"(SELECT max(id) FROM hub_refused_counts WHERE hour = {_LATEST_HOUR}), "
    f"(SELECT sum(count) FROM hub_refused_counts WHERE hour = {_LATEST_HOUR})")


def data_version(conn, marks: dict | None = None) -> tuple:
    """Changes whenever anything a page shows can have changed (each part is an indexed lookup or a
    small table)."""
    # The province's units only (their data and the version of their figures): on a national hub,
    # another province's uploads leave this page cached. Two round trips: a page view pays them.
    marks = _unit_marks(conn) if marks is None else marks
    rest = conn.execute(f"SELECT {_REST_OF_VERSION}").fetchone()
    return tuple(sorted(marks.items())), tuple(rest)


def page_version(store: HubDatabase, today: dt.date) -> tuple[tuple, dt.date]:
    """(data version, default meeting date) of a page view, in two round trips when nothing is
    behind: the units' marks (read once, for both the figures to recompute and the version —
    measured, issue 19: under uploads each round trip costs a page view 10–40 ms) and the rest.
    Units whose figures are behind are recomputed first (`refresh(wait=False)`: not when another
    thread of this process already is, nor a unit another worker is recomputing)."""
    conn = store.conn
    marks = _unit_marks(conn)
    if _behind(marks) and refresh(store, wait=False, marks=marks):
        marks = _unit_marks(conn)
    row = conn.execute(f"SELECT {_REST_OF_VERSION}, (SELECT min(meeting_date) FROM dash_unit_runs "
                       "WHERE meeting_date >= ?)", (today.isoformat(),)).fetchone()
    meeting = dt.date.fromisoformat(row[-1]) if row[-1] else today
    return (tuple(sorted(marks.items())), tuple(row[:-1])), meeting


# Counts of a condition, the same on both engines (PostgreSQL does not sum booleans).
OPEN_TASK = "CASE WHEN status NOT IN ('done', 'paused') THEN 1 ELSE 0 END"
OVERDUE_TASK = "CASE WHEN deadline < ? AND status NOT IN ('done', 'paused') THEN 1 ELSE 0 END"


def _sums(values) -> Sums:
    """Sums from SQL sums (PostgreSQL's sum of a BIGINT is a Decimal; a missing month None)."""
    return Sums(*(int(v or 0) for v in values))


def build_model(store: HubDatabase, hub_db: Path | None = None, *, today: dt.date, period: Period,
                meeting_date: dt.date, facts: SyncFacts | None = None) -> DashboardModel:
    """`hub_db` is not used (the store knows where its rows are); kept for callers of earlier versions."""
    conn = store.conn
    codes = province_codes()
    states = unit_states(conn, today, facts=facts)
    fields = ", ".join(f"sum({f})" for f in SUM_FIELDS)
    per_unit = period_sums(conn, period)
    targets = period_targets(store, period)
    today_iso = today.isoformat()
    task_counts = {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in conn.execute(
        f"SELECT unit, sum({OVERDUE_TASK}), sum({OPEN_TASK}) FROM dash_unit_tasks "
        f"WHERE unit IN ({_placeholders(codes)}) GROUP BY unit", (today_iso, *codes))}
    readiness: dict[str, dict] = {}
    for r in conn.execute("SELECT unit, run_id, start_time, title, status, ready, failing FROM dash_unit_runs "
                          "WHERE meeting_date = ? ORDER BY unit, start_time, run_id", (meeting_date.isoformat(),)):
        readiness[r[0]] = {"run_id": r[1], "start_time": r[2], "title": r[3], "status": r[4],
                           "ready": bool(r[5]), "failing": json.loads(r[6])}
    units = []
    for code, status in states.items():
        sums = per_unit.get(code, Sums())
        overdue, open_tasks = task_counts.get(code, (0, 0))
        units.append(UnitRow(code, status["name"], status, sums, indicators_from(sums, targets), overdue,
                             open_tasks, readiness.get(code)))
    months = Period(dt.date(today.year - 1, today.month, 1) if today.month < 12 else dt.date(today.year, 1, 1),
                    today).months()[-12:]
    by_month = {r[0]: _sums(r[1:]) for r in conn.execute(
        f"SELECT month, {fields} FROM dash_unit_month WHERE unit IN ({_placeholders(codes)}) "
        "AND month BETWEEN ? AND ? GROUP BY month", (*codes, months[0], months[-1]))}
    trend = [(m, by_month.get(m, Sums()).rates(), by_month.get(m, Sums())) for m in months]
    return DashboardModel(today, period, meeting_date, units, trend, directive_progress(conn, today),
                          recent_rejections(conn), refused_summary(conn))


def period_sums(conn, period: Period, codes: list[str] | None = None) -> dict[str, Sums]:
    """{unit: Sums} over the months of a period (register and tallies), from the materialised months."""
    codes = province_codes() if codes is None else codes
    if not codes:
        return {}
    fields = ", ".join(f"sum({f})" for f in SUM_FIELDS)
    return {r[0]: _sums(r[1:]) for r in conn.execute(
        f"SELECT unit, {fields} FROM dash_unit_month WHERE unit IN ({_placeholders(codes)}) "
        "AND month BETWEEN ? AND ? GROUP BY unit", (*codes, period.months()[0], period.months()[-1]))}


_targets_cache: dict[tuple, dict] = {}


def _store_key(store: HubDatabase) -> str:
    """Which hub a cached value belongs to (several hubs in one process: tests, migrate-store)."""
    return str(getattr(store, "path", None) or getattr(store, "url", None) or id(store))


def period_targets(store: HubDatabase, period: Period, _conn=None) -> dict:
    """The targets in force on the period's last day, by the commune's rule (`targets_on`).

    Kept until the province sends anything new (its sequence number moves)."""
    from core.hub.mirror import province_targets_store

    seq = store.conn.execute("SELECT value FROM hub_meta WHERE key = 'province_seq'").fetchone()
    key = (_store_key(store), seq[0] if seq else None, period.end)
    cached = _targets_cache.get(key)
    if cached is not None:
        return cached
    targets_store = province_targets_store(store)
    try:
        targets = targets_on(targets_store, INDICATORS, period.end)
    finally:
        targets_store.close()
    if len(_targets_cache) > 64:
        _targets_cache.clear()
    _targets_cache[key] = targets
    return targets


def unit_indicators(store: HubDatabase, hub_db: Path | None, unit: str, period: Period) -> dict[str, IndicatorValue]:
    """One unit's indicators for a period of whole months — what the commune's screen shows."""
    refresh(store)
    return indicators_from(period_sums(store.conn, period, [unit]).get(unit, Sums()), period_targets(store, period))


def directive_progress(conn, today: dt.date) -> list[dict]:
    """Per province directive: units it was sent to, units that reported progress, units that finished
    every task of it, units with a task overdue (and which)."""
    directives = []
    for row_id, state in conn.execute(
            "SELECT row_id, state FROM rows WHERE unit = 'province' AND table_name = 'directives' AND deleted = 0"):
        row = (state if isinstance(state, dict) else json.loads(state or "{}")).get("row") or {}
        directives.append({"id": row_id, "number": row.get("number"), "issued_on": row.get("issued_on"),
                           "subject": row.get("subject")})
    if not directives:
        return []
    codes = province_codes()
    per_unit: dict[str, list[tuple]] = {}
    for r in conn.execute(
            "SELECT directive_id, unit, count(*), sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END), max(reported), "
            f"sum({OVERDUE_TASK}) FROM dash_unit_tasks WHERE source = 'province' "
            f"AND unit IN ({_placeholders(codes)}) GROUP BY directive_id, unit", (today.isoformat(), *codes)):
        per_unit.setdefault(r[0], []).append((r[1], int(r[2]), int(r[3] or 0), r[4], int(r[5] or 0)))
    out = []
    for d in directives:
        units = per_unit.get(d["id"], [])
        overdue = sorted(u for u, _n, _done, _rep, late in units if late)
        out.append({**d, "units_sent": len(units), "reported": sum(1 for u in units if u[3]),
                    "units_done": sum(1 for _u, n, done, _rep, _late in units if done == n),
                    "overdue_units": len(overdue), "overdue_codes": overdue})
    out.sort(key=lambda d: (d["issued_on"] or ""), reverse=True)
    return out


def recent_rejections(conn, limit: int = 200) -> list[dict]:
    verified_since = (conn.execute("SELECT value FROM hub_meta WHERE key = 'verified_rejections_since'")
                      .fetchone() or [""])[0]
    out = []
    for r in conn.execute("SELECT received_at, unit, bundle_id, reason, message, via, device FROM rejections "
                          "ORDER BY id DESC LIMIT ?", (limit,)):
        verified = r[3] not in UNVERIFIED_REASONS or (r[5] == "network" and r[0] >= verified_since)
        out.append({"received_at": r[0], "unit": r[1], "bundle_id": r[2], "reason": r[3], "message": r[4],
                    "via": r[5], "device": r[6], "verified": verified})
    return out


def refused_summary(conn, limit: int = 200) -> list[dict]:
    cur = conn.execute("SELECT hour, address, reason, claimed_unit, count FROM hub_refused_counts "
                       "ORDER BY hour DESC, count DESC LIMIT ?", (limit,))
    return [dict(zip(("hour", "address", "reason", "claimed_unit", "count"), r)) for r in cur]


class DashboardCache:
    """The last models built, keyed by (data version, today, period, meeting date).

    `page()` (a page view) with `max_age` > 0 (`hub serve`): a model found current at most `max_age`
    seconds ago is shown at once — no data version read, no figures recomputed, no model built on
    the request — while one background thread (`builder_store`: its own connection) reads the
    version again, recomputes what is behind and builds the new model when the data moved.
    Measured, issue 19: under uploads every round trip of a page view cost 10–40 ms and nearly every
    view rebuilt the model (15–20 round trips, 100–300 ms). The figures shown are never wrong: each
    model is built whole from one moment's data, and it is shown only while it was found current
    at most `max_age` seconds ago (the page says when it was built, `made_at`); past that the page
    reads the version and builds the model itself. `max_age` 0 (the default: tests, the CLI, the
    report): every page reads the current data."""

    def __init__(self, hub_db: Path | None = None, size: int = 8, *, max_age: float = 0.0,
                 builder_store=None):
        self.hub_db = hub_db
        self.size = size
        self.max_age = max_age if builder_store is not None else 0.0
        self._builder_store = builder_store
        self._models: dict[tuple, DashboardModel] = {}
        # Per view asked for (today, period, meeting date or None for the default): its model and
        # when (monotonic, before the version was read) that model was last found current.
        self._current: dict[tuple, tuple[DashboardModel, float]] = {}
        self._pending: set[tuple] = set()
        self._jobs: "queue.Queue[tuple]" = queue.Queue()
        self._builder: threading.Thread | None = None
        self._lock = threading.Lock()
        self.facts = SyncFacts()

    def page(self, store: HubDatabase, *, today: dt.date, period: Period,
             meeting_date: dt.date | None) -> DashboardModel:
        """A page view's model; `meeting_date` None: the next meeting any unit prepares for."""
        view = (today, period, meeting_date)
        if self.max_age > 0:
            with self._lock:
                found = self._current.get(view)
            if found is not None and time.monotonic() - found[1] <= self.max_age:
                self._check_later(view)
                return found[0]
        return self._check(store, view)

    def _check(self, store: HubDatabase, view: tuple) -> DashboardModel:
        """The current model of a view (read the version, recompute what is behind, build if new)."""
        today, period, asked = view
        checked = time.monotonic()
        version, default_meeting = page_version(store, today)
        model = self.model(store, today=today, period=period, meeting_date=asked or default_meeting,
                           version=version)
        with self._lock:
            found = self._current.get(view)
            if found is None or found[1] <= checked:
                if found is None and len(self._current) >= 4 * self.size:
                    self._current.pop(next(iter(self._current)))
                self._current[view] = (model, checked)
        return model

    def model(self, store: HubDatabase, *, today: dt.date, period: Period, meeting_date: dt.date,
              refreshed: bool = False, version: tuple | None = None) -> DashboardModel:
        """The model of the current data. `refreshed`: the caller has just run `refresh`;
        `version`: and read the data version after it (`page_version`)."""
        if version is None:
            if not refreshed:
                refresh(store, wait=False)
            version = data_version(store.conn)
        key = (version, today, period.start, period.end, meeting_date)
        with self._lock:
            cached = self._models.get(key)
        if cached is not None:
            return cached
        made_at = utc_iso()  # the data read is at least as new as this
        model = build_model(store, today=today, period=period, meeting_date=meeting_date, facts=self.facts)
        model.made_at = made_at
        with self._lock:
            if len(self._models) >= self.size:
                self._models.pop(next(iter(self._models)))
            self._models[key] = model
        return model

    def _check_later(self, view: tuple) -> None:
        with self._lock:
            if view in self._pending:
                return  # one check per view at a time
            self._pending.add(view)
            if self._builder is None:
                self._builder = threading.Thread(target=self._run_builder, name="dashboard-model", daemon=True)
                self._builder.start()
        self._jobs.put(view)

    def _run_builder(self) -> None:
        while True:
            view = self._jobs.get()
            try:
                self._check(self._builder_store(), view)
            except Exception:  # noqa: BLE001 - a page past max_age checks on its own request
                import logging

                logging.getLogger(__name__).exception("dashboard model: background check failed")
            finally:
                with self._lock:
                    self._pending.discard(view)


def refresh_in_background(hub_paths) -> threading.Thread:
    """The first pass after start-up (all units of a hub upgraded from an earlier version) on its own
    thread and connection, so no page waits for it."""
    def run():
        from core.hub.store import open_hub

        try:
            with open_hub(hub_paths) as store:
                refresh(store)
        except Exception:  # noqa: BLE001 - pages recompute what is missing; log and carry on
            import logging

            logging.getLogger(__name__).exception("dashboard figures: first pass failed")

    thread = threading.Thread(target=run, name="dashboard-refresh", daemon=True)
    thread.start()
    return thread


def default_meeting_date(conn, today: dt.date) -> dt.date:
    """The next meeting any unit prepares a checklist for (today or later), else today."""
    row = conn.execute("SELECT min(meeting_date) FROM dash_unit_runs WHERE meeting_date >= ?",
                       (today.isoformat(),)).fetchone()
    return dt.date.fromisoformat(row[0]) if row and row[0] else today
