"""Demo data for video-conference readiness: the room's equipment and a year of meetings.

A dozen closed runs roughly a month apart (a few not ready: slow line, UPS, camera),
some with incidents, one closed early with a reason, one corrected after closing,
and the next meeting two days ahead still to be checked. The clock is pinned to each
check's moment so the recorded times look like a real year.
"""

from __future__ import annotations

import datetime as dt

from core import clock
from core.checklists import equipment, runs
from core.checklists.templates import active_template

MEETINGS = [
    ("province", None, "Hội nghị trực tuyến giao ban công tác tháng {month} của UBND tỉnh"),
    ("government", None, "Hội nghị trực tuyến toàn quốc về chuyển đổi số và Đề án 06"),
    ("province", None, "Hội nghị trực tuyến triển khai mô hình chính quyền địa phương hai cấp"),
    ("other", "Sở Khoa học và Công nghệ", "Hội nghị trực tuyến tập huấn số hóa hồ sơ thủ tục hành chính"),
    ("province", None, "Hội nghị trực tuyến phòng, chống thiên tai và tìm kiếm cứu nạn"),
    ("government", None, "Hội nghị trực tuyến sơ kết công tác cải cách hành chính"),
]
INCIDENTS = [
    ("Mất tiếng từ điểm cầu tỉnh khoảng 3 phút", "Kiểm tra dây micro, chọn lại ngõ ra âm ly"),
    ("Hình ảnh bị đứng, mất kết nối phòng họp", "Khởi động lại thiết bị đầu cuối, vào lại phòng họp"),
    ("Mất điện lưới 10 phút", "Chạy bằng bộ lưu điện, bật máy phát"),
    ("Tiếng vọng khi đại biểu phát biểu", "Giảm âm lượng loa, tắt micro không dùng"),
    ("Đường truyền chập chờn", "Chuyển sang đường Internet dự phòng"),
]
EQUIPMENT = [
    ("camera", "Camera hội nghị Logitech Rally", "ok"),
    ("codec", "Máy tính điểm cầu Dell OptiPlex", "ok"),
    ("display", "Tivi Samsung 65 inch", "ok"),
    ("microphone", "Bộ micro cổ ngỗng (6 chiếc)", "ok"),
    ("amplifier", "Âm ly và 2 loa hộp", "ok"),
    ("ups", "Bộ lưu điện Santak 2 kVA", "repairing"),
    ("switch", "Switch TP-Link 8 cổng", "ok"),
]
# Which critical item a not-ready meeting failed on (matched by the start of its text).
FAILURES = ["Băng thông", "Bộ lưu điện", "Camera"]


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _answer_all(ctx, run_id: str, starts: dt.datetime, failing: str | None, skip_critical: bool) -> None:
    run = runs.load_run(ctx.store, run_id)
    moment = starts - dt.timedelta(minutes=75)
    for item in run.items:
        moment += dt.timedelta(seconds=ctx.rng.randint(20, 90))
        clock.freeze(moment)
        fails = failing is not None and item.critical and item.text.startswith(failing)
        if skip_critical and item.critical and item.text.startswith("Đã kết nối thử"):
            continue
        if item.kind == "number":
            if item.unit == "Mbps":
                value = round(ctx.rng.uniform(0.8, 1.6), 1) if fails else round(ctx.rng.uniform(2.5, 8), 1)
                runs.record_answer(ctx.store, run_id, item.id, number=value, note="Đo bằng speedtest tới máy chủ tỉnh")
            else:
                runs.record_answer(ctx.store, run_id, item.id, number=ctx.rng.choice([15, 20, 30, 45, 60]))
        elif item.kind == "text":
            runs.record_answer(ctx.store, run_id, item.id, text="Đã ghi nhật ký, điểm danh và báo cáo về tỉnh")
        elif fails:
            runs.record_answer(ctx.store, run_id, item.id, status="fail", note="Đã báo lãnh đạo, đề nghị sửa chữa")
        else:
            status = "fail" if not item.critical and ctx.rng.random() < 0.08 else "pass"
            runs.record_answer(ctx.store, run_id, item.id, status=status)


def generate(ctx) -> str:
    store = ctx.store
    if store.scalar("SELECT count(*) FROM checklist_runs"):
        return "Hội nghị truyền hình: đã có dữ liệu, bỏ qua."
    # The clock has no public getter; the pinned moment (tests) is given back at the end.
    previous_clock, previous_actor = clock._frozen_now, store.actor
    try:
        for kind, name, status in EQUIPMENT:
            equipment.add_equipment(store, kind, name, status=status,
                                    last_checked_on=ctx.today - dt.timedelta(days=ctx.rng.randint(40, 120)))
        active_template(store)  # the shipped template unless the province sent one
        not_ready = set(ctx.rng.sample(range(12), 3))
        closed_early = ctx.rng.choice([i for i in range(12) if i not in not_ready])
        corrected = ctx.rng.choice([i for i in range(12) if i not in not_ready and i != closed_early])
        count_not_ready = 0
        for index in range(12):
            day = _weekday(ctx.today - dt.timedelta(days=360 - index * 30 + ctx.rng.randint(0, 4)))
            host, other, title = MEETINGS[index % len(MEETINGS)]
            start = ctx.rng.choice(["07:30", "08:00", "08:30", "14:00"])
            starts = dt.datetime.combine(day, dt.time(*map(int, start.split(":"))), tzinfo=clock.LOCAL_TZ)
            store.actor = ctx.rng.choice(ctx.staff_ids) if ctx.staff_ids else None
            clock.freeze(starts - dt.timedelta(days=3))
            run_id = runs.create_run(store, title=title.format(month=f"{day.month:02d}/{day.year}"), host=host,
                                     host_other=other, meeting_date=day, start_time=start,
                                     connection="tslcd" if index % 5 else "internet",
                                     leader_name="Phạm Văn Hùng")
            failing = FAILURES[len([i for i in not_ready if i < index]) % len(FAILURES)] if index in not_ready else None
            _answer_all(ctx, run_id, starts, failing, skip_critical=index == closed_early)
            for _ in range(ctx.rng.choice([0, 0, 1, 1, 2])):
                what, fix = ctx.rng.choice(INCIDENTS)
                when = starts + dt.timedelta(minutes=ctx.rng.randint(5, 110))
                runs.add_incident(store, run_id, time_text=f"{when.hour:02d}:{when.minute:02d}", what=what, fix=fix)
            clock.freeze(starts + dt.timedelta(hours=2, minutes=30))
            verdict = runs.close_run(store, run_id, attendance=ctx.rng.randint(8, 25),
                                     reason="Chưa kết nối thử được do điểm cầu tỉnh bận" if index == closed_early else None)
            count_not_ready += not verdict.ready
            if index == corrected:
                clock.freeze(starts + dt.timedelta(days=1))
                runs.correct_attendance(store, run_id, ctx.rng.randint(15, 25),
                                        reason="Đếm lại theo danh sách ký tên")
        clock.freeze(previous_clock)
        upcoming = _weekday(ctx.today + dt.timedelta(days=2))
        runs.create_run(store, title="Hội nghị trực tuyến triển khai nhiệm vụ trọng tâm quý tới", host="province",
                        meeting_date=upcoming, start_time="08:00", leader_name="Phạm Văn Hùng")
    finally:
        clock.freeze(previous_clock)
        store.actor = previous_actor
    return (f"Hội nghị truyền hình: {len(EQUIPMENT)} thiết bị, 12 phiếu đã khóa ({count_not_ready} chưa sẵn sàng), "
            f"1 cuộc họp sắp tới ngày {clock.format_date(upcoming)}.")
