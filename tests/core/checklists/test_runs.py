import datetime as dt

import pytest

from core import clock
from core.checklists import equipment, history, runs
from core.errors import NotFoundError, ReadOnlyError, UserInputError

NOW = dt.datetime(2026, 3, 10, 7, 0, tzinfo=clock.LOCAL_TZ)


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _new_run(store, **kw):
    values = dict(title="Hội nghị trực tuyến triển khai chuyển đổi số", host="province",
                  meeting_date="10/03/2026", start_time="08:30", connection="tslcd")
    values.update(kw)
    return runs.create_run(store, **values)


def _pass_everything(store, run_id, *, skip=()):
    run = runs.load_run(store, run_id)
    for item in run.items:
        if item.text in skip:
            continue
        if item.kind == "number":
            runs.record_answer(store, run_id, item.id, number=str(item.threshold + 1))
        elif item.kind == "text":
            runs.record_answer(store, run_id, item.id, text="Đã ghi")
        else:
            runs.record_answer(store, run_id, item.id, status="pass")
    return run


def test_create_run_copies_template_and_meeting_details(commune_store):
    run_id = _new_run(commune_store, start_time="8h30", leader_name="Phạm Văn Hùng")
    run = runs.load_run(commune_store, run_id)
    assert run.meeting_date == dt.date(2026, 3, 10) and run.start_time == "08:30"
    assert len(run.items) == 23 and run.status == "open" and run.host_label == "UBND tỉnh"
    assert run.connection_label == "Mạng truyền số liệu chuyên dùng"
    assert not run.verdict.ready
    # the leader is remembered for the next run
    assert runs.load_run(commune_store, _new_run(commune_store)).leader_name == "Phạm Văn Hùng"


@pytest.mark.parametrize("kw, message", [
    ({"title": "  "}, "Tên cuộc họp"), ({"host": "xa"}, "chủ trì"), ({"meeting_date": "31/02/2026"}, "Ngày họp"),
    ({"start_time": "25:00"}, "Giờ bắt đầu"), ({"host": "other"}, "tên đơn vị chủ trì"),
    ({"connection": "wifi"}, "Đường truyền")])
def test_bad_meeting_details_are_refused(commune_store, kw, message):
    with pytest.raises(UserInputError, match=message):
        _new_run(commune_store, **kw)
    assert commune_store.scalar("SELECT count(*) FROM checklist_runs") == 0


def test_all_critical_pass_is_ready_and_records_who_checked(commune_store):
    run_id = _new_run(commune_store)
    _pass_everything(commune_store, run_id)
    run = runs.load_run(commune_store, run_id)
    assert run.verdict.ready and run.answered_count() == 23
    assert run.checker_names() == ["Nguyễn Thị Hồng Nhung"]
    assert all(a.checked_at for a in run.answers.values())


def test_bandwidth_below_threshold_is_not_ready(commune_store):
    run_id = _new_run(commune_store)
    run = _pass_everything(commune_store, run_id)
    bandwidth = next(i for i in run.items if i.unit == "Mbps")
    runs.record_answer(commune_store, run_id, bandwidth.id, number="1,2")
    verdict = runs.load_run(commune_store, run_id).verdict
    assert not verdict.ready
    assert [(f.item.text, f.reason) for f in verdict.failing] == [
        (bandwidth.text, "đo được 1,2 Mbps, yêu cầu ≥ 2 Mbps")]


def test_text_in_number_item_is_refused_and_previous_value_kept(commune_store):
    run_id = _new_run(commune_store)
    run = runs.load_run(commune_store, run_id)
    bandwidth = next(i for i in run.items if i.unit == "Mbps")
    runs.record_answer(commune_store, run_id, bandwidth.id, number="4")
    with pytest.raises(UserInputError, match="cần một con số"):
        runs.record_answer(commune_store, run_id, bandwidth.id, number="khá nhanh")
    assert runs.load_run(commune_store, run_id).answers[bandwidth.id].number_value == 4


def test_close_with_unanswered_critical_needs_a_reason(commune_store):
    run_id = _new_run(commune_store)
    run = _pass_everything(commune_store, run_id, skip={"Camera rõ nét đúng góc quay và cố định trong suốt phiên họp"})
    with pytest.raises(UserInputError) as err:
        runs.close_run(commune_store, run_id)
    assert "Còn 1 mục bắt buộc chưa kiểm tra" in err.value.message and "CHƯA SẴN SÀNG" in err.value.message
    assert runs.load_run(commune_store, run_id).status == "open"
    verdict = runs.close_run(commune_store, run_id, reason="Camera hỏng, mượn máy tính bảng", attendance="18")
    assert not verdict.ready
    closed = runs.load_run(commune_store, run_id)
    assert closed.closed and closed.verdict_at_close == "not_ready" and closed.attendance == 18
    assert closed.close_reason == "Camera hỏng, mượn máy tính bảng"
    assert closed.closed_by_name == "Nguyễn Thị Hồng Nhung"
    assert len(run.items) == len(closed.items)


def test_closed_run_is_read_only(commune_store):
    run_id = _new_run(commune_store)
    run = _pass_everything(commune_store, run_id)
    runs.close_run(commune_store, run_id)
    with pytest.raises(ReadOnlyError):
        runs.record_answer(commune_store, run_id, run.items[0].id, status="fail")
    with pytest.raises(ReadOnlyError):
        runs.close_run(commune_store, run_id)
    with pytest.raises(ReadOnlyError):
        runs.set_attendance(commune_store, run_id, 3)
    with pytest.raises(ReadOnlyError):
        runs.update_meeting(commune_store, run_id, title="Khác", host="province", meeting_date="10/03/2026",
                            start_time="08:00", connection="tslcd")
    assert runs.load_run(commune_store, run_id).answers[run.items[0].id].status == "pass"


def test_corrections_are_appended_and_originals_kept(commune_store):
    run_id = _new_run(commune_store)
    run = _pass_everything(commune_store, run_id)
    runs.close_run(commune_store, run_id, attendance=20)
    camera = next(i for i in run.items if i.text.startswith("Camera"))
    with pytest.raises(UserInputError, match="lý do"):
        runs.add_correction(commune_store, run_id, camera.id, status="fail", reason=" ")
    runs.add_correction(commune_store, run_id, camera.id, status="fail", reason="Camera mất nét giữa buổi")
    runs.correct_attendance(commune_store, run_id, 22, reason="Đếm lại theo danh sách ký")
    after = runs.load_run(commune_store, run_id)
    assert after.original_answers[camera.id].status == "pass"
    assert after.answers[camera.id].status == "fail"
    assert not after.verdict.ready and after.verdict_at_close == "ready"
    assert after.attendance == 22
    assert [c["seq"] for c in after.corrections] == [1, 2]
    assert commune_store.scalar("SELECT count(*) FROM checklist_answers WHERE run_id = ?", (run_id,)) == 23
    listed = {r["id"]: r for r in history.list_runs(commune_store)}
    assert listed[run_id]["verdict"] == "not_ready"


def test_corrections_only_on_closed_runs(commune_store):
    run_id = _new_run(commune_store)
    item = runs.load_run(commune_store, run_id).items[0]
    with pytest.raises(UserInputError, match="chưa khóa"):
        runs.add_correction(commune_store, run_id, item.id, status="pass", reason="x")


def test_incidents_and_attendance(commune_store):
    run_id = _new_run(commune_store)
    runs.set_attendance(commune_store, run_id, "15")
    with pytest.raises(UserInputError, match="số nguyên"):
        runs.set_attendance(commune_store, run_id, "mười")
    runs.add_incident(commune_store, run_id, time_text="09:15", what="Mất tiếng từ điểm cầu tỉnh",
                      fix="Khởi động lại âm ly")
    with pytest.raises(UserInputError, match="sự cố"):
        runs.add_incident(commune_store, run_id, time_text="09:20", what="")
    run = runs.load_run(commune_store, run_id)
    assert run.attendance == 15
    assert [(runs.incident_time_label(i["occurred_at"]), i["what"]) for i in run.incidents] == [
        ("09:15", "Mất tiếng từ điểm cầu tỉnh")]
    assert run.incidents[0]["occurred_at"].endswith("Z")  # stored as UTC


def test_closing_marks_linked_equipment_checked(commune_store):
    cam = equipment.add_equipment(commune_store, "camera", "Camera Logitech Rally", last_checked_on="2026-01-02")
    run_id = _new_run(commune_store)
    _pass_everything(commune_store, run_id)
    runs.close_run(commune_store, run_id)
    assert commune_store.get("conference_equipment", cam)["last_checked_on"] == "2026-03-10"


def test_list_next_meeting_latest_verdict_and_countdown(commune_store):
    done = _new_run(commune_store, meeting_date="05/03/2026", title="Họp tháng 3")
    _pass_everything(commune_store, done)
    runs.close_run(commune_store, done)
    later = _new_run(commune_store, meeting_date="20/03/2026", start_time="14:00", title="Họp quý I")
    soon = _new_run(commune_store, meeting_date="10/03/2026", start_time="07:45", title="Họp sáng nay")
    listed = history.list_runs(commune_store)
    assert [r["id"] for r in listed] == [later, soon, done]
    assert listed[2]["verdict"] == "ready" and listed[1]["verdict"] == "not_ready"
    nxt = history.next_meeting(commune_store)
    assert nxt["id"] == soon and nxt["minutes_until"] == 45
    assert history.latest_verdict(commune_store)["id"] == done
    starts = runs.load_run(commune_store, soon).starts_at
    assert history.reminder_due(starts) and history.countdown_text(starts) == "Còn 45 phút đến giờ họp"
    far = runs.load_run(commune_store, later).starts_at
    assert not history.reminder_due(far) and history.countdown_text(far).startswith("Còn 10 ngày")


def test_unknown_run(commune_store):
    with pytest.raises(NotFoundError, match="Không tìm thấy phiếu"):
        runs.load_run(commune_store, "khong-co")


def test_overview_card_shows_next_meeting_and_latest_verdict(commune_store):
    from core.checklists.overview import overview_items

    assert [i.value for i in overview_items(commune_store, NOW.date())] == ["chưa có"]
    done = _new_run(commune_store, meeting_date="05/03/2026")
    _pass_everything(commune_store, done)
    runs.close_run(commune_store, done)
    soon = _new_run(commune_store, start_time="07:30")
    items = overview_items(commune_store, NOW.date())
    assert [(i.value, i.level, i.argument) for i in items] == [
        ("07:30 10/03/2026", "red", soon), ("CHƯA SẴN SÀNG", "red", soon), ("SẴN SÀNG", "green", done)]
