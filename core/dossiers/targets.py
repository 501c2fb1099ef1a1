"""Targets for the indicators, and the red / amber / green verdict against them.

Targets are data. Two sources:
- `dossier_targets_local`: the commune's own, seeded from resources/reference/
  dossier_targets.csv (the province's letters) and edited in settings;
- `dossier_targets`: province-owned rows that arrive in sync bundles.
For an indicator on a date, the row with the latest `effective_from` on or before the
date applies; when the province and the commune both have a row from the same date,
the province's wins — so a target the province sends replaces the local one.

Verdict: green at or above the target; amber within `amber_margin` below it; red below that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from core.clock import utc_iso
from core.errors import UserInputError
from db.store import Store

GREEN, AMBER, RED = "green", "amber", "red"
RAG_LABELS = {GREEN: "Đạt", AMBER: "Gần đạt", RED: "Chưa đạt"}


@dataclass(frozen=True)
class Target:
    indicator: str
    effective_from: str
    target: float
    amber_margin: float
    source: str | None
    from_province: bool


def target_for(store: Store, indicator: str, on: dt.date | str) -> Target | None:
    day = on.isoformat() if isinstance(on, dt.date) else on
    rows = store.query("""
        SELECT indicator, effective_from, target, amber_margin, source, 1 AS from_province
          FROM dossier_targets WHERE deleted_at IS NULL AND indicator = ? AND effective_from <= ?
        UNION ALL
        SELECT indicator, effective_from, target, amber_margin, source, 0
          FROM dossier_targets_local WHERE indicator = ? AND effective_from <= ?
        ORDER BY effective_from DESC, from_province DESC LIMIT 1""", (indicator, day, indicator, day))
    if not rows:
        return None
    r = rows[0]
    return Target(r["indicator"], r["effective_from"], r["target"], r["amber_margin"], r["source"],
                  bool(r["from_province"]))


def targets_on(store: Store, indicators, on: dt.date | str) -> dict[str, Target | None]:
    """The target in force on `on` for each indicator, in one query (same rule as target_for)."""
    day = on.isoformat() if isinstance(on, dt.date) else on
    best: dict[str, tuple] = {}
    for row in store.conn.execute("""
            SELECT indicator, effective_from, target, amber_margin, source, 1
              FROM dossier_targets WHERE deleted_at IS NULL AND effective_from <= ?
            UNION ALL
            SELECT indicator, effective_from, target, amber_margin, source, 0
              FROM dossier_targets_local WHERE effective_from <= ?""", (day, day)):
        current = best.get(row[0])
        if current is None or (row[1], row[5]) > (current[1], current[5]):
            best[row[0]] = row
    return {key: (Target(*best[key][:5], bool(best[key][5])) if key in best else None) for key in indicators}


# The orders the settings table offers (a click on a column): `{dir}` is ASC or DESC.
TARGET_SORTS = {
    "indicator": "indicator {dir}, effective_from", "effective_from": "effective_from {dir}, indicator",
    "target": "target {dir}, indicator", "amber_margin": "amber_margin {dir}, indicator",
    "from_province": "from_province {dir}, indicator, effective_from",
    "source": "(source IS NULL), source COLLATE VI {dir}, indicator",
}


def all_targets(store: Store, *, sort: tuple[str, bool] | None = None) -> list[dict]:
    """Every target row, both sources, for the settings table."""
    from core.listing import order_by

    return store.query(f"""
        SELECT indicator, effective_from, target, amber_margin, source, 1 AS from_province
          FROM dossier_targets WHERE deleted_at IS NULL
        UNION ALL
        SELECT indicator, effective_from, target, amber_margin, source, 0 FROM dossier_targets_local
        ORDER BY {order_by(sort, TARGET_SORTS, 'indicator')}""")


def set_local_target(store: Store, indicator: str, effective_from: str, target: float,
                     amber_margin: float = 0.1, source: str | None = None) -> None:
    from core.dossiers.indicators import INDICATORS  # the list of indicator keys

    if indicator not in INDICATORS:
        raise UserInputError(f"Không có chỉ tiêu “{indicator}”.")
    try:
        day = dt.date.fromisoformat(str(effective_from)).isoformat()
    except ValueError:
        raise UserInputError(f"Ngày áp dụng “{effective_from}” không hợp lệ.") from None
    if not 0 <= float(target) <= 1:
        raise UserInputError("Chỉ tiêu phải từ 0% đến 100%.")
    if not 0 <= float(amber_margin) <= 1:
        raise UserInputError("Khoảng “gần đạt” phải từ 0% đến 100%.")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO dossier_targets_local(indicator, effective_from, target, amber_margin, source, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(indicator, effective_from) DO UPDATE SET "
            "target = excluded.target, amber_margin = excluded.amber_margin, source = excluded.source, "
            "updated_at = excluded.updated_at",
            (indicator, day, float(target), float(amber_margin), (source or "").strip() or "Xã tự đặt", utc_iso()))


def delete_local_target(store: Store, indicator: str, effective_from: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM dossier_targets_local WHERE indicator = ? AND effective_from = ?",
                     (indicator, effective_from))


def rag(value: float | None, target: Target | None) -> str | None:
    """None when there is nothing to judge (no dossiers, or no target)."""
    if value is None or target is None:
        return None
    # Compare in whole basis points so 0.8 computed as 0.7999999 still counts as reached.
    v, t = round(value * 10000), round(target.target * 10000)
    if v >= t:
        return GREEN
    if v >= t - round(target.amber_margin * 10000):
        return AMBER
    return RED


class TargetFileError(UserInputError):
    """A targets file from the province that cannot be sent as it is."""


TARGET_COLUMNS = ("indicator", "effective_from", "target")
_TARGET_ID_NAMESPACE = uuid.UUID("4f1d8a52-2b6e-4c1e-9a57-6a3b8f0e2d11")


def _parse_fraction(text: str) -> float:
    """"0.8", "0,8", "80%" or "80 %" -> 0.8."""
    text = text.strip().replace(" ", "")
    percent = text.endswith("%")
    value = float(text.rstrip("%").replace(",", "."))
    return value / 100 if percent or value > 1 else value


def province_target_rows(path) -> list[tuple[str, dict]]:
    """[(table, row)] for the hub to send: the province's targets file as `dossier_targets` rows.

    Columns: indicator, effective_from (YYYY-MM-DD or dd/mm/yyyy), target (0.8, 80% …), and
    optionally amber_margin and source. A row's id is derived from its indicator and date, so
    sending a corrected file replaces the earlier target rather than adding a second one.
    Every row is checked before anything is sent; a bad file raises TargetFileError.
    """
    from core.clock import parse_date_vn
    from core.dossiers.indicators import INDICATORS

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise TargetFileError(f"Không đọc được tệp chỉ tiêu “{path.name}”.", details=repr(exc)) from exc
    except UnicodeDecodeError as exc:
        raise TargetFileError(f"Tệp chỉ tiêu “{path.name}” không phải văn bản UTF-8 (CSV).") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in TARGET_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise TargetFileError(f"Tệp chỉ tiêu “{path.name}” thiếu cột: {', '.join(missing)}.")
    now = utc_iso()
    rows, seen = [], set()
    for number, record in enumerate(reader, start=2):
        indicator = (record.get("indicator") or "").strip()
        if indicator not in INDICATORS:
            raise TargetFileError(f"Dòng {number}: chỉ số “{indicator}” không có trong danh sách "
                                  f"({', '.join(INDICATORS)}).")
        try:
            effective = parse_date_vn(record.get("effective_from") or "")
        except ValueError:
            raise TargetFileError(f"Dòng {number}: ngày áp dụng “{record.get('effective_from')}” không hợp lệ.")
        try:
            target = _parse_fraction(record.get("target") or "")
            margin = _parse_fraction(record.get("amber_margin") or "0.1")
        except ValueError:
            raise TargetFileError(f"Dòng {number}: chỉ tiêu “{record.get('target')}” không phải một tỷ lệ.")
        if not 0 <= target <= 1 or not 0 <= margin <= 1:
            raise TargetFileError(f"Dòng {number}: chỉ tiêu phải từ 0% đến 100%.")
        key = (indicator, effective.isoformat())
        if key in seen:
            raise TargetFileError(f"Dòng {number}: chỉ tiêu {indicator} từ ngày {effective:%d/%m/%Y} bị lặp.")
        seen.add(key)
        rows.append(("dossier_targets", {
            "id": str(uuid.uuid5(_TARGET_ID_NAMESPACE, "/".join(key))),
            "created_at": now, "updated_at": now, "deleted_at": None, "origin": "province",
            "created_by": None, "updated_by": None,
            "indicator": indicator, "effective_from": effective.isoformat(), "target": target,
            "amber_margin": margin, "source": (record.get("source") or "").strip() or None}))
    if not rows:
        raise TargetFileError(f"Tệp chỉ tiêu “{path.name}” không có dòng nào.")
    return rows
