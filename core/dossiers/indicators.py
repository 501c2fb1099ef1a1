"""The indicators of QĐ 766/QĐ-TTg a commune can compute from its register, and the counters.

Every figure is built from `Sums`: one aggregate over the dossiers received in a period
(answered from the covering index `idx_dossiers_received`), one over the dossiers
finished in it (`idx_dossiers_finished`), and the same over the daily tallies, which
are kept apart so every figure can say how much came from tallies.

Bases (as resources/… indicators.md and issue 4 define them):
- 2.1 on-time: dossiers FINISHED in the period, finished on or before the promised date
  (a dossier without a promised date is a same-day procedure: promised = received) moved on
  by the days waiting for the citizen's papers; more than one request for papers is late;
- every other indicator counts the dossiers RECEIVED in the period, finished or not.
An indicator whose denominator is 0 has no value (None / JSON null), never 0 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields as dc_fields

from core.dossiers.fields import field_order
from core.dossiers.model import ON_TIME_SQL
from core.dossiers.periods import Period
from core.dossiers.targets import Target, rag, targets_on
from core.textfold import vi_sort_key
from db.store import Store


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    number: str
    name: str
    numerator: str
    denominator: str
    basis: str  # "received" or "finished"


INDICATORS: dict[str, IndicatorDef] = {d.key: d for d in (
    IndicatorDef("online_rate", "3.3", "Tỷ lệ hồ sơ trực tuyến",
                 "hồ sơ tiếp nhận qua kênh trực tuyến", "hồ sơ tiếp nhận trong kỳ", "received"),
    IndicatorDef("digitised_rate", "4.2", "Tỷ lệ hồ sơ thực hiện số hóa",
                 "hồ sơ có số hóa thành phần và có kết quả điện tử (nếu thủ tục trả kết quả giấy)",
                 "hồ sơ tiếp nhận trong kỳ", "received"),
    IndicatorDef("result_digitised_rate", "4.1", "Tỷ lệ hồ sơ có kết quả điện tử (số hóa kết quả)",
                 "hồ sơ có kết quả được số hóa",
                 "hồ sơ tiếp nhận trong kỳ của thủ tục trả kết quả giấy (đã hoặc chưa giải quyết)", "received"),
    IndicatorDef("reuse_rate", "4.3", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
                 "hồ sơ có tái sử dụng dữ liệu số hóa", "hồ sơ tiếp nhận trong kỳ", "received"),
    IndicatorDef("vneid_rate", "4.5", "Tỷ lệ hồ sơ gắn định danh cá nhân (VNeID)",
                 "hồ sơ có người nộp xác thực qua VNeID / CSDL dân cư", "hồ sơ tiếp nhận trong kỳ", "received"),
    IndicatorDef("on_time_rate", "2.1", "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn",
                 "hồ sơ hoàn thành không muộn hơn ngày hẹn trả (không tính thời gian chờ bổ sung; "
                 "yêu cầu bổ sung quá một lần là trễ hạn)", "hồ sơ đã giải quyết trong kỳ", "finished"),
    IndicatorDef("online_payment_rate", "3.6", "Tỷ lệ hồ sơ thanh toán trực tuyến",
                 "hồ sơ nộp phí, lệ phí trực tuyến",
                 "hồ sơ tiếp nhận trong kỳ có thu phí, lệ phí (trừ hồ sơ không thu phí)", "received"),
)}


@dataclass
class Sums:
    """Additive totals behind every figure (register and tallies alike)."""
    received: int = 0
    online: int = 0
    components: int = 0
    fully_digitised: int = 0
    result_paper: int = 0
    result_digitised: int = 0
    reused: int = 0
    vneid: int = 0
    fee_charged: int = 0
    paid_online: int = 0
    finished: int = 0
    on_time: int = 0

    def __add__(self, other: "Sums") -> "Sums":
        return Sums(*(getattr(self, f.name) + getattr(other, f.name) for f in dc_fields(Sums)))

    def ratio_parts(self) -> dict[str, tuple[int, int]]:
        """(numerator, denominator) of each indicator."""
        return {
            "online_rate": (self.online, self.received),
            "digitised_rate": (self.fully_digitised, self.received),
            "result_digitised_rate": (self.result_digitised, self.result_paper),
            "reuse_rate": (self.reused, self.received),
            "vneid_rate": (self.vneid, self.received),
            "on_time_rate": (self.on_time, self.finished),
            "online_payment_rate": (self.paid_online, self.fee_charged),
        }

    def rates(self) -> dict[str, float | None]:
        return {key: (num / den if den else None) for key, (num, den) in self.ratio_parts().items()}

    def counter_columns(self) -> list[int]:
        """The values of COUNTER_COLUMNS, in order."""
        return [self.received, self.online, self.received - self.components, self.components,
                self.reused, self.vneid, self.finished, self.on_time,
                self.result_paper - self.result_digitised, self.result_digitised]


# The counters table; the tooltip says which dossiers each column counts.
COUNTER_COLUMNS = [
    ("Tiếp nhận", "Hồ sơ tiếp nhận trong kỳ"),
    ("Trực tuyến", "Hồ sơ tiếp nhận trong kỳ qua kênh trực tuyến"),
    ("Chưa số hóa TPHS", "Hồ sơ tiếp nhận trong kỳ chưa số hóa thành phần hồ sơ"),
    ("Có số hóa TPHS", "Hồ sơ tiếp nhận trong kỳ đã số hóa thành phần hồ sơ"),
    ("Tái sử dụng", "Hồ sơ tiếp nhận trong kỳ có tái sử dụng dữ liệu số hóa"),
    ("Định danh VNeID", "Hồ sơ tiếp nhận trong kỳ có người nộp xác thực VNeID"),
    ("Đã giải quyết", "Hồ sơ hoàn thành trong kỳ"),
    ("Đúng hạn", "Hồ sơ hoàn thành trong kỳ không muộn hơn ngày hẹn trả (không tính thời gian chờ bổ sung; "
                 "yêu cầu bổ sung quá một lần là trễ hạn)"),
    ("Kết quả chưa số hóa", "Hồ sơ tiếp nhận trong kỳ của thủ tục trả kết quả giấy, kết quả chưa số hóa"),
    ("Kết quả đã số hóa", "Hồ sơ tiếp nhận trong kỳ của thủ tục trả kết quả giấy, kết quả đã số hóa"),
]

_RECEIVED_SUMS = """
    count(*),
    coalesce(sum(channel = 2), 0),
    coalesce(sum(components_digitised), 0),
    coalesce(sum(components_digitised = 1 AND result_digitised <> 'no'), 0),
    coalesce(sum(result_digitised <> 'not_applicable'), 0),
    coalesce(sum(result_digitised = 'yes'), 0),
    coalesce(sum(data_reused), 0),
    coalesce(sum(vneid_identified), 0),
    coalesce(sum(fee <> 'no_fee'), 0),
    coalesce(sum(fee = 'paid_online'), 0)"""
_FINISHED_SUMS = f"""
    count(*),
    coalesce(sum({ON_TIME_SQL}), 0)"""
_TALLY_SUMS = """
    coalesce(sum(received), 0),
    coalesce(sum(CASE WHEN channel = 2 THEN received ELSE 0 END), 0),
    coalesce(sum(components_digitised), 0),
    coalesce(sum(fully_digitised), 0),
    coalesce(sum(result_paper), 0),
    coalesce(sum(result_digitised), 0),
    coalesce(sum(data_reused), 0),
    coalesce(sum(vneid_identified), 0),
    coalesce(sum(fee_charged), 0),
    coalesce(sum(paid_online), 0),
    coalesce(sum(finished), 0),
    coalesce(sum(on_time), 0)"""

# Grouping keys: the whole period, per field, per month.
_KEYS = {
    None: ("NULL", "NULL", "NULL"),
    "field": ("field", "field", "field"),
    "month": ("substr(received_on, 1, 7)", "substr(finished_on, 1, 7)", "substr(day, 1, 7)"),
}


def register_sums(store: Store, period: Period, group: str | None = None) -> dict:
    """{key: Sums} from the register alone (key None when not grouped)."""
    recv_key, fin_key, _ = _KEYS[group]
    group_by = " GROUP BY 1" if group else ""  # grouping by a constant costs a sorter pass
    out: dict = {}
    for row in store.conn.execute(
            f"SELECT {recv_key}, {_RECEIVED_SUMS} FROM dossiers "
            f"WHERE deleted_at IS NULL AND received_on BETWEEN ? AND ?{group_by}",
            (period.start_iso, period.end_iso)):
        if row[1]:
            out[row[0]] = Sums(*row[1:], 0, 0)
    for key, finished, on_time in store.conn.execute(
            f"SELECT {fin_key}, {_FINISHED_SUMS} FROM dossiers "
            f"WHERE deleted_at IS NULL AND finished_on IS NOT NULL AND finished_on BETWEEN ? AND ?{group_by}",
            (period.start_iso, period.end_iso)):
        if finished:
            sums = out.setdefault(key, Sums())
            sums.finished, sums.on_time = finished, on_time
    return out


def tally_sums(store: Store, period: Period, group: str | None = None) -> dict:
    key = _KEYS[group][2]
    group_by = " GROUP BY 1" if group else ""
    out = {}
    for row in store.conn.execute(
            f"SELECT {key}, count(*), {_TALLY_SUMS} FROM dossier_tallies "
            f"WHERE deleted_at IS NULL AND day BETWEEN ? AND ?{group_by}",
            (period.start_iso, period.end_iso)):
        if row[1]:
            out[row[0]] = Sums(*row[2:])
    return out


@dataclass
class IndicatorValue:
    definition: IndicatorDef
    numerator: int
    denominator: int
    value: float | None
    target: Target | None
    rag: str | None


@dataclass
class IndicatorReport:
    period: Period
    register: Sums
    tallies: Sums
    values: dict[str, IndicatorValue] = field(default_factory=dict)

    @property
    def total(self) -> Sums:
        return self.register + self.tallies

    def as_json(self) -> dict:
        """The shape `indicators --json` prints."""
        total = self.total
        return {
            "period": {"from": self.period.start_iso, "to": self.period.end_iso},
            "received": total.received,
            "finished": total.finished,
            "indicators": {key: v.value for key, v in self.values.items()},
        }


def indicators_from(sums: Sums, targets: dict[str, Target | None]) -> dict[str, IndicatorValue]:
    out = {}
    rates = sums.rates()
    for key, (num, den) in sums.ratio_parts().items():
        target = targets.get(key)
        out[key] = IndicatorValue(INDICATORS[key], num, den, rates[key], target, rag(rates[key], target))
    return out


def compute_indicators(store: Store, period: Period) -> IndicatorReport:
    """The indicators of a period, register and tallies together, each against its target
    (the target in force on the period's last day)."""
    register = register_sums(store, period).get(None, Sums())
    tallies = tally_sums(store, period).get(None, Sums())
    return _report(store, period, register, tallies)


def _report(store: Store, period: Period, register: Sums, tallies: Sums) -> IndicatorReport:
    report = IndicatorReport(period, register, tallies)
    report.values = indicators_from(register + tallies, targets_on(store, INDICATORS, period.end))
    return report


def _field_sort(store: Store):
    order = field_order(store)
    # The list's order; fields outside the list after it, in Vietnamese order (vi_sort_key is
    # costly, so only those pay for it).
    return lambda name: (order[name], ()) if name in order else (10_000, vi_sort_key(name))


@dataclass
class CounterRow:
    field: str
    source: str  # "register", "tally", "total_register", "total_tally", "total"
    sums: Sums

    @property
    def values(self) -> list[int]:
        return self.sums.counter_columns()


def counters(store: Store, period: Period) -> list[CounterRow]:
    """Per field: the register row, then (if any) its tally row; then the totals."""
    return counters_and_indicators(store, period)[0]


def counters_and_indicators(store: Store, period: Period) -> tuple[list[CounterRow], IndicatorReport]:
    """The counters table and the indicators of a period from one grouped pass: the
    indicators are the sums of the per-field rows, so no second aggregate is needed."""
    register = register_sums(store, period, "field")
    tallies = tally_sums(store, period, "field")
    names = sorted(set(register) | set(tallies), key=_field_sort(store))
    rows = []
    for name in names:
        if name in register:
            rows.append(CounterRow(name, "register", register[name]))
        if name in tallies:
            rows.append(CounterRow(name, "tally", tallies[name]))
    reg_total = sum(register.values(), Sums())
    tally_total = sum(tallies.values(), Sums())
    if tallies:
        # Sub-totals only when there are two sources to add up: with the register alone,
        # "Cộng sổ" would repeat "Tổng cộng" line for line.
        rows.append(CounterRow("Cộng sổ đăng ký hồ sơ", "total_register", reg_total))
        rows.append(CounterRow("Cộng số liệu tổng hợp theo ngày", "total_tally", tally_total))
    rows.append(CounterRow("Tổng cộng", "total", reg_total + tally_total))
    return rows, _report(store, period, reg_total, tally_total)


def field_breakdown(store: Store, period: Period) -> dict[str, dict[str, float | None]]:
    """Each indicator per procedure field (register and tallies together)."""
    register = register_sums(store, period, "field")
    tallies = tally_sums(store, period, "field")
    names = sorted(set(register) | set(tallies), key=_field_sort(store))
    return {name: (register.get(name, Sums()) + tallies.get(name, Sums())).rates() for name in names}


def monthly_trend(store: Store, period: Period) -> list[tuple[str, dict[str, float | None], Sums]]:
    """(month 'YYYY-MM', rates, sums) for every month of the period, empty months included."""
    register = register_sums(store, period, "month")
    tallies = tally_sums(store, period, "month")
    out = []
    for month in period.months():
        sums = register.get(month, Sums()) + tallies.get(month, Sums())
        out.append((month, sums.rates(), sums))
    return out


def day_counts(store: Store, day: dt.date) -> Sums:
    """Today's figures for the counter desk (register and tallies together)."""
    period = Period(day, day)
    return register_sums(store, period).get(None, Sums()) + tally_sums(store, period).get(None, Sums())
