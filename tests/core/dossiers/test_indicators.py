"""Indicator arithmetic on hand-built registers: every numerator and denominator of
indicators.md, the null-when-zero rule, tallies kept apart, targets and verdicts."""

import datetime as dt

import pytest

from core.dossiers.indicators import compute_indicators, counters, day_counts, field_breakdown, monthly_trend
from core.dossiers.periods import custom_period, month_period, period_for
from core.dossiers.register import add_dossier, remove_dossier
from core.dossiers.tallies import save_tally
from core.dossiers.targets import AMBER, GREEN, RED, set_local_target, target_for

from .conftest import dossier

JUNE = month_period("2025-06")


@pytest.fixture
def june(commune_store):
    s = commune_store
    # A: online, fully digitised with an e-result, reused, VNeID, paid online, on time.
    add_dossier(s, dossier(1, "2025-06-02", channel=2, components_digitised=1, result_digitised="yes",
                           data_reused=1, vneid_identified=1, fee="paid_online",
                           promised_on="2025-06-05", finished_on="2025-06-04"))
    # B: in person, components digitised but paper result not digitised, paid in cash, late.
    add_dossier(s, dossier(2, "2025-06-03", channel=1, components_digitised=1, result_digitised="no",
                           fee="paid_other", promised_on="2025-06-05", finished_on="2025-06-10"))
    # C: by post, nothing digitised, no paper result, VNeID, no fee, same-day (no promised date).
    add_dossier(s, dossier(3, "2025-06-10", channel=3, result_digitised="not_applicable",
                           vneid_identified=1, finished_on="2025-06-10"))
    # D: online, components digitised, no paper result (so fully digitised), VNeID; still open.
    add_dossier(s, dossier(4, "2025-06-20", channel=2, components_digitised=1,
                           result_digitised="not_applicable", vneid_identified=1))
    # E: received in May, finished in June on time: counts for 2.1 in June only.
    add_dossier(s, dossier(5, "2025-05-28", promised_on="2025-06-02", finished_on="2025-06-01"))
    # F: entered by mistake and removed: counts nowhere.
    removed = add_dossier(s, dossier(6, "2025-06-15", channel=2, components_digitised=1))
    remove_dossier(s, removed)
    return s


def test_each_indicator_numerator_and_denominator(june):
    report = compute_indicators(june, JUNE)
    parts = {k: (v.numerator, v.denominator) for k, v in report.values.items()}
    assert report.total.received == 4 and report.total.finished == 4
    assert parts == {
        "online_rate": (2, 4),            # A, D of A–D received
        "digitised_rate": (2, 4),         # A (components + e-result), D (components, no paper result)
        "result_digitised_rate": (1, 2),  # A of A, B (procedures returning a paper result)
        "reuse_rate": (1, 4),             # A
        "vneid_rate": (3, 4),             # A, C, D
        "on_time_rate": (3, 4),           # A, C (same day), E of A, B, C, E finished in June
        "online_payment_rate": (1, 2),    # A of A, B (C, D carry no fee)
    }
    assert report.values["vneid_rate"].value == pytest.approx(0.75)
    assert report.as_json() == {
        "period": {"from": "2025-06-01", "to": "2025-06-30"}, "received": 4, "finished": 4,
        "indicators": {"online_rate": 0.5, "digitised_rate": 0.5, "result_digitised_rate": 0.5,
                       "reuse_rate": 0.25, "vneid_rate": 0.75, "on_time_rate": 0.75,
                       "online_payment_rate": 0.5}}


def test_every_denominator_zero_gives_null(commune_store):
    report = compute_indicators(commune_store, JUNE)
    assert report.as_json()["indicators"] == {k: None for k in report.values}
    assert all(v.rag is None for v in report.values.values())


def test_partial_zero_denominators(commune_store):
    # One open dossier, no fee, no paper result: only received-based rates have a value.
    add_dossier(commune_store, dossier(1, "2025-06-02", result_digitised="not_applicable"))
    values = compute_indicators(commune_store, JUNE).as_json()["indicators"]
    assert values["on_time_rate"] is None            # nothing finished
    assert values["online_payment_rate"] is None     # no dossier carries a fee
    assert values["result_digitised_rate"] is None   # no procedure returns a paper result
    assert values["online_rate"] == 0.0 and values["digitised_rate"] == 0.0


def test_finished_only_period(june):
    # 1–2 June: A received, E finished (received in May).
    report = compute_indicators(june, custom_period("2025-06-01", "2025-06-02"))
    assert report.total.received == 1 and report.total.finished == 1
    assert report.values["on_time_rate"].value == 1.0


def test_tallies_counted_but_kept_apart(june):
    save_tally(june, {"day": "2025-06-25", "field": "Chứng thực", "channel": 2, "received": 10,
                      "components_digitised": 8, "fully_digitised": 6, "result_paper": 4, "result_digitised": 3,
                      "data_reused": 5, "vneid_identified": 10, "fee_charged": 2, "paid_online": 1,
                      "finished": 7, "on_time": 7})
    report = compute_indicators(june, JUNE)
    assert report.register.received == 4 and report.tallies.received == 10
    assert report.total.received == 14 and report.total.finished == 11
    parts = {k: (v.numerator, v.denominator) for k, v in report.values.items()}
    assert parts["online_rate"] == (12, 14)
    assert parts["digitised_rate"] == (8, 14)
    assert parts["result_digitised_rate"] == (4, 6)
    assert parts["on_time_rate"] == (10, 11)
    assert parts["online_payment_rate"] == (2, 4)
    rows = counters(june, JUNE)
    sources = [(r.field, r.source) for r in rows]
    assert ("Chứng thực", "tally") in sources
    assert ("Chứng thực", "register") not in sources
    tally_total = next(r for r in rows if r.source == "total_tally")
    assert tally_total.values[0] == 10
    assert rows[-1].source == "total" and rows[-1].values[0] == 14


def test_counter_columns(june):
    rows = counters(june, JUNE)
    by_source = {r.source: r for r in rows}
    assert [r.field for r in rows if r.source == "register"] == ["Hộ tịch"]
    # Tiếp nhận, Trực tuyến, Chưa số hóa TPHS, Có số hóa TPHS, Tái sử dụng, VNeID,
    # Đã giải quyết, Đúng hạn, Kết quả chưa số hóa, Kết quả đã số hóa
    assert by_source["total"].values == [4, 2, 1, 3, 1, 3, 4, 3, 1, 1]
    assert "total_tally" not in by_source
    # The register alone: one total line, not "Cộng sổ" repeating "Tổng cộng".
    assert [r.source for r in rows if r.source.startswith("total")] == ["total"]


def test_field_breakdown_and_monthly_trend(june):
    add_dossier(june, dossier(7, "2025-06-11", field="chung thuc", channel=2))
    breakdown = field_breakdown(june, JUNE)
    assert list(breakdown) == ["Hộ tịch", "Chứng thực"]   # list order, spelling from the list
    assert breakdown["Chứng thực"]["online_rate"] == 1.0
    trend = monthly_trend(june, period_for("year", dt.date(2025, 6, 1)))
    assert [m for m, _, _ in trend][:2] == ["2025-01", "2025-02"] and len(trend) == 12
    by_month = {m: (rates, sums) for m, rates, sums in trend}
    assert by_month["2025-05"][1].received == 1 and by_month["2025-05"][1].finished == 0
    assert by_month["2025-06"][1].received == 5 and by_month["2025-06"][1].finished == 4
    assert by_month["2025-03"][0]["online_rate"] is None


def test_day_counts(june):
    today = day_counts(june, dt.date(2025, 6, 10))
    assert (today.received, today.finished) == (1, 2)  # C received; B and C finished


def test_targets_and_verdicts(june):
    report = compute_indicators(june, JUNE)
    online = report.values["online_rate"]
    assert online.target.target == 0.8 and "1386" in online.target.source and online.rag == RED
    assert report.values["vneid_rate"].target is None  # 100 % applies from 1/7/2025
    july = compute_indicators(june, month_period("2025-07"))
    assert july.values["vneid_rate"].target.target == 1.0 and july.values["vneid_rate"].value is None
    set_local_target(june, "on_time_rate", "2025-01-01", 0.8, 0.1)
    set_local_target(june, "vneid_rate", "2025-01-01", 0.65, 0.05)
    set_local_target(june, "online_payment_rate", "2025-01-01", 0.55, 0.1)
    report = compute_indicators(june, JUNE)
    assert report.values["vneid_rate"].rag == GREEN        # 75 % ≥ 65 %
    assert report.values["on_time_rate"].rag == AMBER      # 75 % within 10 points of 80 %
    assert report.values["online_payment_rate"].rag == AMBER
    assert report.values["reuse_rate"].rag == RED          # 25 % vs 80 %


def test_province_target_replaces_local(commune_store):
    s = commune_store
    set_local_target(s, "online_rate", "2025-01-01", 0.6)
    assert target_for(s, "online_rate", "2025-06-30").target == 0.6
    s.insert("dossier_targets", {"indicator": "online_rate", "effective_from": "2025-01-01", "target": 0.9,
                                 "amber_margin": 0.05, "source": "Sở KH&CN"})
    chosen = target_for(s, "online_rate", "2025-06-30")
    assert chosen.target == 0.9 and chosen.from_province
    set_local_target(s, "online_rate", "2025-06-01", 0.7)  # a later local target applies from its date
    assert target_for(s, "online_rate", "2025-06-30").target == 0.7
    assert target_for(s, "online_rate", "2025-05-31").target == 0.9


def test_on_time_counts_supplement_waits_and_requests(commune_store):
    s = commune_store
    # Promised 05/06, waited 4 days for papers once, finished 08/06: on time (deadline 09/06).
    add_dossier(s, dossier(1, "2025-06-02", promised_on="2025-06-05", finished_on="2025-06-08",
                           supplement_requests=1, supplement_days=4))
    # Same dates but papers requested twice: late whatever the dates.
    add_dossier(s, dossier(2, "2025-06-02", promised_on="2025-06-05", finished_on="2025-06-03",
                           supplement_requests=2, supplement_days=1))
    # Waited 1 day, finished 3 days after the promise: late.
    add_dossier(s, dossier(3, "2025-06-02", promised_on="2025-06-05", finished_on="2025-06-08",
                           supplement_requests=1, supplement_days=1))
    # Same-day procedure (no promised date) that waited 2 days for papers, finished 2 days later: on time.
    add_dossier(s, dossier(4, "2025-06-10", finished_on="2025-06-12", supplement_requests=1, supplement_days=2))
    value = compute_indicators(s, JUNE).values["on_time_rate"]
    assert (value.numerator, value.denominator) == (2, 4)
    from core.dossiers.register import RegisterFilter, list_dossiers

    late = [r["code"][-4:] for r in list_dossiers(s, RegisterFilter(status="late"))[0]]
    assert sorted(late) == ["0002", "0003"]


def test_supplement_values_checked(commune_store):
    from core.errors import UserInputError

    with pytest.raises(UserInputError) as info:
        add_dossier(commune_store, dossier(1, "2025-06-02", supplement_requests=-1))
    assert "Số lần yêu cầu bổ sung" in info.value.message
