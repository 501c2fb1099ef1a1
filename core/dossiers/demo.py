"""Demo dossiers: a year of a commune's one-stop counter, drawn only from ctx.rng.

Seasonal (busy before Tết and in spring, a dip over the Tết holiday, quiet Sundays),
every channel, online and digitisation shares rising through the year as they did in
2025, a few days recorded only as tallies, and the months already reported locked.
"""

from __future__ import annotations

import datetime as dt

from core.dossiers.model import FEE_NONE, FEE_ONLINE, FEE_OTHER, RESULT_NO, RESULT_NOT_APPLICABLE, RESULT_YES

# field -> (weight, [(procedure name, national code, returns a paper result, carries a fee, days to handle)])
_PROCEDURES = {
    "Hộ tịch": (34, [
        ("Đăng ký khai sinh", "1.001193.000.00.00.H48", True, False, 1),
        ("Đăng ký khai tử", "1.000656.000.00.00.H48", True, False, 1),
        ("Đăng ký kết hôn", "1.000894.000.00.00.H48", True, False, 3),
        ("Cấp giấy xác nhận tình trạng hôn nhân", "1.004873.000.00.00.H48", True, True, 3),
        ("Cấp bản sao trích lục hộ tịch", "2.000635.000.00.00.H48", True, True, 1),
    ]),
    "Chứng thực": (36, [
        ("Chứng thực bản sao từ bản chính", "2.000815.000.00.00.H48", True, True, 0),
        ("Chứng thực chữ ký", "2.000884.000.00.00.H48", True, True, 0),
        ("Chứng thực hợp đồng, giao dịch", "2.001035.000.00.00.H48", True, True, 2),
    ]),
    "Đất đai": (8, [
        ("Xác nhận nguồn gốc đất", "1.003003.000.00.00.H48", True, False, 10),
        ("Hòa giải tranh chấp đất đai", "1.003554.000.00.00.H48", False, False, 30),
    ]),
    "Thành lập và hoạt động của hộ kinh doanh": (5, [
        ("Đăng ký thành lập hộ kinh doanh", "2.000720.000.00.00.H48", True, True, 3),
        ("Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "2.000575.000.00.00.H48", True, True, 3),
    ]),
    "Bảo trợ xã hội": (7, [
        ("Trợ cấp xã hội hằng tháng", "1.001776.000.00.00.H48", True, False, 15),
        ("Hỗ trợ chi phí mai táng", "1.001731.000.00.00.H48", False, False, 5),
    ]),
    "Người có công": (3, [("Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", "1.002745.000.00.00.H48", True, False, 12)]),
    "Hoạt động xây dựng": (3, [("Cấp giấy phép xây dựng nhà ở riêng lẻ", "1.009994.000.00.00.H48", True, True, 15)]),
    "Tư pháp (hòa giải; nuôi con nuôi)": (2, [("Thủ tục hòa giải viên", "2.002080.000.00.00.H48", False, False, 5)]),
    "Thi đua; khen thưởng": (2, [("Tặng giấy khen của Chủ tịch UBND xã", "1.000775.000.00.00.H48", True, False, 10)]),
}
# Relative load per month (January busy before Tết, February dips for Tết, spring busy).
_MONTH_LOAD = {1: 1.25, 2: 0.7, 3: 1.15, 4: 1.05, 5: 1.0, 6: 0.95, 7: 1.0, 8: 1.05, 9: 1.0, 10: 0.95,
               11: 1.0, 12: 1.15}
_AGENCY = "000.00.53.H48"
MEAN_PER_WORKDAY = 11


def _poissonish(rng, mean: float) -> int:
    # Sum of Bernoulli trials: close to Poisson, cheap, deterministic with the rng.
    return sum(1 for _ in range(int(mean * 2)) if rng.random() < 0.5)


def _workdays(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        if day.weekday() < 5 or (day.weekday() == 5 and day.day % 2 == 0):  # alternate Saturday mornings
            yield day
        day += dt.timedelta(days=1)


def demo_dossiers(ctx) -> str:
    from core.dossiers import locks

    store, rng, today = ctx.store, ctx.rng, ctx.today
    if store.scalar("SELECT count(*) FROM dossiers WHERE deleted_at IS NULL"):
        return "Sổ hồ sơ đã có dữ liệu, không thêm hồ sơ mẫu."
    start = today - dt.timedelta(days=364)
    fields = list(_PROCEDURES)
    weights = [_PROCEDURES[f][0] for f in fields]
    tally_days = set(rng.sample(list(_workdays(start, today - dt.timedelta(days=40))), 3))
    rows, tallies = [], []
    for day in _workdays(start, today):
        progress = (day - start).days / 365  # 0 at the start of the year, 1 today
        mean = MEAN_PER_WORKDAY * _MONTH_LOAD[day.month] * (0.55 if day.weekday() == 5 else 1.0)
        count = _poissonish(rng, mean)
        if day in tally_days:
            tallies.extend(_tally_rows(rng, day, count, fields, weights))
            continue
        for seq in range(1, count + 1):
            rows.append(_one(rng, day, seq, progress, today, fields, weights))
    for row in rows:
        row["id"] = ctx.new_id()
    for row in tallies:
        row["id"] = ctx.new_id()
    with store.transaction():
        store.insert_many("dossiers", rows)
        store.insert_many("dossier_tallies", tallies)
        # Months reported to the province (all but the current and the previous one) are locked.
        month = dt.date(start.year, start.month, 1)
        last_locked = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
        while month <= last_locked:
            locks.lock_month(store, month.strftime("%Y-%m"), "Đã báo cáo tỉnh")
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return f"{len(rows)} hồ sơ một cửa trong 12 tháng, {len(tallies)} dòng số liệu tổng hợp theo ngày."


def _one(rng, day: dt.date, seq: int, progress: float, today: dt.date, fields, weights) -> dict:
    field = rng.choices(fields, weights)[0]
    name, code, paper, fee, days = rng.choice(_PROCEDURES[field][1])
    online_share = 0.30 + 0.45 * progress
    channel = 2 if rng.random() < online_share else (3 if rng.random() < 0.04 else 1)
    components = 1 if channel == 2 or rng.random() < 0.55 + 0.35 * progress else 0
    if not paper:
        result = RESULT_NOT_APPLICABLE
    else:
        result = RESULT_YES if rng.random() < 0.45 + 0.45 * progress else RESULT_NO
    promised = day + dt.timedelta(days=days)
    late = rng.random() < 0.04
    handling = days + rng.randint(1, 4) if late else rng.randint(0, days)
    # Some dossiers wait for the citizen's papers (the wait does not count against the deadline);
    # a few need a second request, which counts as late whatever the dates.
    requests, waited = 0, 0
    roll = rng.random()
    if roll < 0.06:
        requests, waited = 1, rng.randint(1, 5)
    elif roll < 0.07:
        requests, waited = 2, rng.randint(2, 8)
    finished = day + dt.timedelta(days=handling + waited)
    fee_value = FEE_NONE
    if fee:
        fee_value = FEE_ONLINE if channel == 2 and rng.random() < 0.7 else FEE_OTHER
    return {
        "code": f"{_AGENCY}-{day:%y%m%d}-{seq:04d}",
        "field": field, "procedure_name": name, "procedure_code": code,
        "received_on": day.isoformat(), "promised_on": promised.isoformat(),
        "finished_on": finished.isoformat() if finished <= today else None,
        "channel": channel, "components_digitised": components, "result_digitised": result,
        "data_reused": 1 if components and rng.random() < 0.35 + 0.4 * progress else 0,
        "vneid_identified": 1 if rng.random() < (0.4 + 0.55 * progress) else 0,
        "fee": fee_value, "supplement_requests": requests, "supplement_days": waited,
    }


def _tally_rows(rng, day: dt.date, count: int, fields, weights) -> list[dict]:
    """A day kept only as totals (the one-stop system was down): one row per field and channel."""
    per_key: dict[tuple[str, int], int] = {}
    for _ in range(max(count, 3)):
        key = (rng.choices(fields, weights)[0], 2 if rng.random() < 0.4 else 1)
        per_key[key] = per_key.get(key, 0) + 1
    out = []
    for (field, channel), received in sorted(per_key.items()):
        components = sum(1 for _ in range(received) if rng.random() < 0.7)
        result_paper = received
        result_digitised = sum(1 for _ in range(result_paper) if rng.random() < 0.6)
        out.append({"day": day.isoformat(), "field": field, "channel": channel, "received": received,
                    "components_digitised": components, "fully_digitised": min(components, result_digitised),
                    "result_paper": result_paper, "result_digitised": result_digitised,
                    "data_reused": sum(1 for _ in range(components) if rng.random() < 0.5),
                    "vneid_identified": sum(1 for _ in range(received) if rng.random() < 0.7),
                    "fee_charged": 0, "paid_online": 0, "finished": received, "on_time": received,
                    "note": "Hệ thống một cửa gián đoạn, ghi số liệu tổng hợp"})
    return out
