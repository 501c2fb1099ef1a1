import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.directives.deadlines import find_deadline, parse_deadline

D = dt.date


@pytest.mark.parametrize("text, kind, due", [
    ("trước ngày 31/3/2025", "date", D(2025, 3, 31)),
    ("đến ngày 30/6/2025", "date", D(2025, 6, 30)),
    ("hoàn thành trong tháng 8 năm 2025", "month", D(2025, 8, 31)),
    ("trong tháng 6/2025", "month", D(2025, 6, 30)),
    ("trong tháng 2/2024", "month", D(2024, 2, 29)),
    ("trong Quý II năm 2025", "quarter", D(2025, 6, 30)),
    ("Quý III/2024", "quarter", D(2024, 9, 30)),
    ("quý 4 năm 2025", "quarter", D(2025, 12, 31)),
    ("trong năm 2025", "year", D(2025, 12, 31)),
    ("đến hết năm 2025", "year", D(2025, 12, 31)),
    ("Nhiệm vụ thường xuyên", "recurring", None),
    ("định kỳ hàng Quý (bắt đầu từ Quý II/2025)", "recurring", None),
    ("từ ngày 01/7/2025", "none", None),
    ("Trước ngày 20/12/2025.", "date", D(2025, 12, 20)),
    ("**trước ngày 31/10/2022**", "date", D(2022, 10, 31)),
    ("trước ngày 31/10/2022[footnoteRef:3]", "date", D(2022, 10, 31)),
    ("trước ngày 31/10/2022¹", "date", D(2022, 10, 31)),
    ("chậm nhất ngày 15 tháng 9 năm 2025", "date", D(2025, 9, 15)),
    ("từ ngày 01/7/2025 đến ngày 31/12/2025", "date", D(2025, 12, 31)),
    ("6 tháng đầu năm 2025", "quarter", D(2025, 6, 30)),
    ("theo Công văn số 943/CAT-ANM ngày 02/08/2025", "none", None),
    ("khẩn trương, càng sớm càng tốt", "none", None),
    ("trước ngày 31/02/2025", "none", None),
])
def test_phrases(text, kind, due):
    found = parse_deadline(text)
    assert (found.kind, found.due) == (kind, due)
    if kind != "none" or text.strip():
        assert found.text  # the original words are kept


def test_recurring_keeps_period_and_start():
    found = parse_deadline("định kỳ hàng Quý (bắt đầu từ Quý II/2025)")
    assert found.period == "quarter" and found.start == D(2025, 4, 1)
    assert parse_deadline("từ ngày 01/7/2025").start == D(2025, 7, 1)


def test_default_year_completes_day_month():
    assert parse_deadline("trước ngày 31/3", default_year=2026).due == D(2026, 3, 31)
    assert parse_deadline("trước ngày 31/3").kind == "none"


def test_json_shape():
    assert parse_deadline("Quý III/2024").as_json() == {"kind": "quarter", "due": "2024-09-30",
                                                         "text": "Quý III/2024"}


def test_find_in_running_text_needs_a_deadline_word():
    assert find_deadline("Triển khai Kế hoạch số 05-KH/TU ngày 20/7/2025 của Ban Thường vụ").kind == "none"
    assert find_deadline("Chương trình chuyển đổi số đến năm 2025, định hướng đến năm 2030").kind == "none"
    found = find_deadline("Xây dựng kế hoạch theo Kế hoạch số 05-KH/TU ngày 20/7/2025, hoàn thành trong Quý II năm 2025.")
    assert (found.kind, found.due, found.text) == ("quarter", D(2025, 6, 30), "trong Quý II năm 2025")
    labelled = find_deadline("Tham mưu ban hành Kế hoạch. Thời gian hoàn thành **trước ngày 31/10/2022**.")
    assert (labelled.kind, labelled.due) == ("date", D(2022, 10, 31))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_text(text):
    for found in (parse_deadline(text), find_deadline(text), parse_deadline(text, label_context=False)):
        assert found.kind in ("date", "month", "quarter", "year", "recurring", "none")
        assert found.due is None or isinstance(found.due, dt.date)


_words = st.sampled_from(["trước ngày", "đến ngày", "trong tháng", "Quý", "năm", "hoàn thành", "thường xuyên",
                          "từ ngày", "hết", "ngày", "tháng", "/", " ", "**", "[footnoteRef:1]", "định kỳ", "hàng"])
_numbers = st.integers(min_value=-5, max_value=4000).map(str)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_words, _numbers), max_size=12).map(" ".join))
def test_deadline_like_phrases_give_real_dates_or_none(text):
    found = parse_deadline(text, default_year=2025)
    assert found.due is None or (isinstance(found.due, dt.date) and 1990 <= found.due.year <= 2100)
    if found.kind in ("recurring", "none"):
        assert found.due is None
    else:
        assert found.due is not None
