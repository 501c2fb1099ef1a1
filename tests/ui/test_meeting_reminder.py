import datetime as dt

from core import clock
from core.checklists import runs
from tests.ui.conftest import wait_idle
from ui.meeting_reminder import MeetingReminder
from ui.main_window import MainWindow


def _meeting_in(store, minutes: int) -> str:
    starts = clock.now_local() + dt.timedelta(minutes=minutes)
    return runs.create_run(store, title="Hội nghị trực tuyến về chuyển đổi số", host="province",
                           meeting_date=starts.date(), start_time=f"{starts.hour:02d}:{starts.minute:02d}")


def test_reminds_once_in_the_hour_before_and_opens_the_run(qtbot, ui_ctx):
    clock.freeze(dt.datetime(2026, 3, 10, 6, 40, tzinfo=clock.LOCAL_TZ))
    try:
        made = []
        ui_ctx.bg.db(lambda store: _meeting_in(store, 45), made.append)
        wait_idle(qtbot, ui_ctx)
        window = MainWindow(ui_ctx)
        qtbot.addWidget(window)
        window.show()
        reminder = MeetingReminder(ui_ctx, window)
        shown = []
        reminder.reminder_shown.connect(shown.append)
        reminder.check()
        qtbot.waitUntil(lambda: shown == made, timeout=10_000)
        assert "Còn 45 phút" in reminder.box.text()
        reminder.check()  # the same meeting is not announced twice
        wait_idle(qtbot, ui_ctx)
        assert shown == made
        reminder.box.buttons()[0].click()
        assert window.current_page().objectName() == "page_conference"
    finally:
        clock.freeze(None)


def test_no_reminder_more_than_an_hour_ahead(qtbot, ui_ctx):
    clock.freeze(dt.datetime(2026, 3, 10, 6, 0, tzinfo=clock.LOCAL_TZ))
    try:
        ui_ctx.bg.db(lambda store: _meeting_in(store, 120))
        wait_idle(qtbot, ui_ctx)
        window = MainWindow(ui_ctx)
        qtbot.addWidget(window)
        reminder = MeetingReminder(ui_ctx, window)
        shown = []
        reminder.reminder_shown.connect(shown.append)
        reminder.check()
        wait_idle(qtbot, ui_ctx)
        assert shown == [] and reminder.box is None
    finally:
        clock.freeze(None)


def _reminder_after_the_runner_closed(qtbot, ui_ctx):
    window = MainWindow(ui_ctx)
    qtbot.addWidget(window)
    reminder = MeetingReminder(ui_ctx, window)
    reminder.start(first_check_ms=50)
    with qtbot.captureExceptions() as raised:
        ui_ctx.bg.close()
        qtbot.wait(500)
    return reminder, raised


def test_no_check_after_the_background_runner_has_closed(qtbot, ui_ctx):
    reminder, raised = _reminder_after_the_runner_closed(qtbot, ui_ctx)
    assert raised == [] and not reminder.timer.isActive() and not reminder.first_check.isActive()


def test_negative_without_stopping_the_first_check_hits_the_closed_runner(qtbot, ui_ctx, monkeypatch):
    from ui.background import Background

    monkeypatch.setattr(MeetingReminder, "stop", lambda self: None)
    monkeypatch.setattr(Background, "is_closed", property(lambda self: False))
    _reminder, raised = _reminder_after_the_runner_closed(qtbot, ui_ctx)
    assert any("background runner is closed" in str(exc) for _type, exc, _tb in raised), raised
