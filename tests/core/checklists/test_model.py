import pytest

from core.checklists.model import (Answer, Item, compute_verdict, format_number, normalise_answer,
                                   parse_number)
from core.errors import UserInputError

BANDWIDTH = Item("Đường truyền", "Băng thông đo được (mỗi chiều)", "number", threshold=2, unit="Mbps",
                 critical=True, id="bw")
UPS = Item("Nguồn điện", "Thời gian lưu điện của UPS", "number", threshold=30, unit="phút", id="ups")
CAMERA = Item("Hình ảnh", "Camera rõ nét", "check", critical=True, id="cam")
SCREEN_SHARE = Item("Hình ảnh", "Đã thử trình chiếu", "check", id="share")
LOG = Item("Quy trình", "Ghi nhật ký", "text", id="log")


@pytest.mark.parametrize("typed, value", [("2,5", 2.5), ("2.5", 2.5), (" 30 ", 30.0), ("2,5 Mbps", 2.5),
                                          ("1.234,5", 1234.5), ("", None), (None, None), (3, 3.0)])
def test_parse_number_accepts_vietnamese_and_dot_decimals(typed, value):
    assert parse_number(typed, item=BANDWIDTH) == value


@pytest.mark.parametrize("typed", ["nhanh", "2 Mb/s ok", "2,5,5", "inf", "--1"])
def test_number_item_with_text_is_refused_with_the_item_named(typed):
    with pytest.raises(UserInputError) as err:
        normalise_answer(BANDWIDTH, number=typed)
    assert "Băng thông đo được" in err.value.message
    assert "con số" in err.value.message


def test_number_status_follows_threshold_and_comparison():
    assert normalise_answer(BANDWIDTH, number="2").status == "pass"
    assert normalise_answer(BANDWIDTH, number="1,9").status == "fail"
    at_most = Item("Đường truyền", "Độ trễ", "number", threshold=150, unit="ms", comparison="<=", id="lat")
    assert normalise_answer(at_most, number="120").status == "pass"
    assert normalise_answer(at_most, number="151").status == "fail"
    assert normalise_answer(BANDWIDTH, status="na").status == "na"
    assert normalise_answer(BANDWIDTH, number="").status is None


def test_check_item_refuses_a_number_and_text_item_passes_when_written():
    with pytest.raises(UserInputError):
        normalise_answer(CAMERA, status="pass", number="3")
    assert normalise_answer(LOG, text="  Không có sự cố ").status == "pass"
    assert normalise_answer(LOG, text="").status is None
    assert normalise_answer(LOG, status="pass").status == "pass"  # marked Đạt with its key
    with pytest.raises(UserInputError):
        normalise_answer(CAMERA, status="maybe")


def test_format_number_uses_decimal_comma():
    assert format_number(2.0) == "2" and format_number(2.5) == "2,5" and format_number(None) == ""


def test_threshold_label():
    assert BANDWIDTH.threshold_label() == "≥ 2 Mbps"
    assert CAMERA.threshold_label() == ""


def test_verdict_ready_only_when_every_critical_item_passes():
    items = [BANDWIDTH, UPS, CAMERA, SCREEN_SHARE, LOG]
    answers = {"bw": normalise_answer(BANDWIDTH, number="4"), "cam": Answer("pass"),
               "share": Answer("fail"), "ups": normalise_answer(UPS, number="10")}
    verdict = compute_verdict(items, answers)
    assert verdict.ready and verdict.label == "SẴN SÀNG"
    # non-critical failures are warnings, not blockers
    assert {f.item.id for f in verdict.warnings} == {"share", "ups"}


def test_verdict_lists_failing_critical_items_with_reasons():
    items = [BANDWIDTH, CAMERA]
    verdict = compute_verdict(items, {"bw": normalise_answer(BANDWIDTH, number="1,5")})
    assert not verdict.ready and verdict.label == "CHƯA SẴN SÀNG"
    reasons = {f.item.id: f.reason for f in verdict.failing}
    assert reasons == {"bw": "đo được 1,5 Mbps, yêu cầu ≥ 2 Mbps", "cam": "chưa kiểm tra"}
    assert [i.id for i in verdict.unanswered_critical] == ["cam"]


def test_not_applicable_on_a_critical_item_is_not_a_pass():
    verdict = compute_verdict([CAMERA], {"cam": Answer("na")})
    assert not verdict.ready
    assert verdict.failing[0].reason == "không áp dụng"
    assert verdict.unanswered_critical == []
