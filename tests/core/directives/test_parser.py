import datetime as dt
from pathlib import Path

import pytest

from core.directives.errors import EmptyDirectiveError, NoTasksFoundError
from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from tests.core.directives import samples_text as S

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "directives"
BUNDLED = Path(__file__).resolve().parents[3] / "resources" / "samples" / "directives"


def by_ref(parsed):
    return {t.ref: t for t in parsed.tasks}


def sample(name):
    path = SAMPLES / name if (SAMPLES / name).exists() else BUNDLED / name
    if not path.exists():
        pytest.skip("sample directives not available")
    return parse_directive(read_directive_file(path))


def test_sample_4685_document_and_bold_deadline():
    parsed = sample("4685_UBND-KGVX_2022-09-19.txt")
    doc = parsed.document
    assert doc.number == "4685/UBND-KGVX"
    assert doc.date == dt.date(2022, 9, 19)
    assert "ỦY BAN NHÂN DÂN" in doc.issuer and "QUẢNG NGÃI" in doc.issuer
    assert doc.subject.startswith("V/v đẩy mạnh triển khai") and doc.subject.endswith("trên địa bàn tỉnh")
    tasks = by_ref(parsed)
    assert tasks["1.2"].deadline.kind == "date" and tasks["1.2"].deadline.due == dt.date(2022, 10, 31)
    assert tasks["1.1"].lead_unit == "Sở Thông tin và Truyền thông"  # inherited from the item heading
    assert tasks["3"].lead_unit == "Công an tỉnh"
    assert "UBND các huyện, thị xã, thành phố" in tasks["3"].coordinating_units
    assert tasks["3"].for_commune  # districts before the 2025 merger
    assert not tasks["2.1"].for_commune
    # The recipients list and the closing sentence are not tasks.
    assert not any("Báo Quảng Ngãi" in t.content or "./." in t.content for t in parsed.tasks)


def test_sample_draft_footnotes_and_split_duties():
    parsed = sample("draft_2025_two_tier_government.txt")
    assert parsed.document.number is None and parsed.document.date is None
    assert parsed.document.subject.startswith("V/v tiếp tục tăng cường")
    tasks = by_ref(parsed)
    d = tasks["1.d"]
    assert d.lead_unit == "UBND xã, phường, đặc khu Lý Sơn" and d.for_commune
    assert (d.deadline.kind, d.deadline.due) == ("month", dt.date(2025, 8, 31))
    assert "footnote" not in d.content and "Ngọk Bay" not in d.content  # footnote body removed
    assert tasks["1.a"].lead_unit == "Sở Khoa học và Công nghệ"
    assert tasks["1.a"].deadline.kind == "recurring" and not tasks["1.a"].for_commune
    assert tasks["2.a.1"].deadline.due == dt.date(2025, 12, 20)
    assert tasks["2.a.2"].deadline.kind == "recurring"
    assert tasks["2.a.1"].for_commune
    assert tasks["3.c.1"].lead_unit == "Sở Nội vụ"
    assert tasks["3.c.1"].coordinating_units == ["các sở, ngành, địa phương"]
    assert tasks["4.a"].deadline.kind == "none" and "943/CAT-ANM" in tasks["4.a"].deadline.text
    assert tasks["4.b.1"].lead_unit == "Công an tỉnh"
    assert tasks["4.b.1"].coordinating_units == ["Sở Khoa học và Công nghệ"]
    assert tasks["3.e"].coordinating_units == ["Kho bạc Nhà nước", "các ngân hàng, đơn vị liên quan"]


def test_report_sample_is_read_without_crash():
    parsed = sample("report_78_BC-UBND_2023-04-25.txt")
    assert parsed.document.subject.startswith("Thực hiện chính sách, pháp luật về chuyển đổi số")
    # Description sections (thực trạng, kết quả) give no tasks; recommendations do.
    assert all(t.ref.startswith("III") for t in parsed.tasks)


def test_unseen_plan_with_sections():
    parsed = parse_directive(S.PLAN_2024)
    doc = parsed.document
    assert (doc.number, doc.date) == ("77/KH-UBND", dt.date(2024, 4, 5))
    assert doc.subject == "Triển khai Đề án 06 về dữ liệu dân cư trên địa bàn tỉnh năm 2024"
    tasks = by_ref(parsed)
    assert not any(ref.startswith("I.") for ref in tasks)  # "Mục đích, yêu cầu" is not work
    first = tasks["II.1"]
    assert first.lead_unit == "Công an tỉnh"
    assert first.coordinating_units == ["Sở Tư pháp", "UBND các huyện, thị xã, thành phố"]
    assert first.for_commune and first.deadline.due == dt.date(2024, 9, 30)
    assert tasks["II.2.a"].lead_unit == "Sở Thông tin và Truyền thông"
    assert (tasks["II.2.a"].deadline.kind, tasks["II.2.a"].deadline.due) == ("quarter", dt.date(2024, 9, 30))
    assert tasks["II.2.b"].deadline.due == dt.date(2024, 10, 31)
    assert tasks["II.3.1"].lead_unit == "UBND các huyện, thị xã, thành phố" and tasks["II.3.1"].for_commune
    assert tasks["II.3.1"].deadline.kind == "year"
    assert tasks["II.3.2"].deadline.kind == "recurring"
    assert set(tasks) == {"II.1", "II.2.a", "II.2.b", "II.3.1", "II.3.2"}  # no title-only "III"


def test_unseen_letter_with_dashes_only():
    parsed = parse_directive(S.LETTER_DASHES_2025)
    doc = parsed.document
    assert doc.number == "3120/UBND-NC" and doc.date == dt.date(2025, 8, 12)
    assert doc.subject == "V/v rà soát trụ sở làm việc của chính quyền cấp xã"
    assert [t.ref for t in parsed.tasks] == ["1", "2", "3"]
    assert [t.deadline.due for t in parsed.tasks] == [dt.date(2025, 8, 25), dt.date(2025, 9, 5), dt.date(2025, 12, 31)]
    assert parsed.tasks[2].coordinating_units == ["Sở Xây dựng"]
    assert all(t.for_commune for t in parsed.tasks)  # the intro addresses the communes


def test_unseen_decision_with_decimal_numbering():
    parsed = parse_directive(S.DECISION_MULTILEVEL)
    tasks = by_ref(parsed)
    assert set(tasks) == {"1.1", "1.2", "2.1", "2.2"}
    assert tasks["1.1"].lead_unit == "Sở Tư pháp" and tasks["1.1"].deadline.due == dt.date(2026, 6, 30)
    assert tasks["1.2"].for_commune and tasks["1.2"].deadline.due == dt.date(2026, 6, 30)
    assert tasks["2.1"].for_commune and tasks["2.1"].deadline.kind == "recurring"
    assert tasks["2.2"].coordinating_units == ["Văn phòng UBND tỉnh"]
    assert tasks["2.2"].deadline.due == dt.date(2026, 12, 15)


def test_district_wording_after_merger_is_not_commune():
    parsed = parse_directive(S.POST_MERGER_DISTRICT_WORDING)
    assert [t.for_commune for t in parsed.tasks] == [False, False]
    assert parsed.tasks[0].deadline.due == dt.date(2025, 11, 30)


def test_json_shape_is_exact():
    data = parse_directive(S.LETTER_DASHES_2025).as_json()
    assert set(data) == {"document", "tasks", "warnings"}  # warnings: issue 14
    assert data["warnings"] == []
    assert set(data["document"]) == {"number", "date", "issuer", "subject"}
    for task in data["tasks"]:
        assert set(task) == {"ref", "content", "lead_unit", "coordinating_units", "for_commune", "deadline"}
        assert set(task["deadline"]) == {"kind", "due", "text"}
        assert isinstance(task["coordinating_units"], list) and isinstance(task["for_commune"], bool)


def test_no_numbered_items_is_a_clear_error():
    with pytest.raises(NoTasksFoundError) as info:
        parse_directive(S.NO_ITEMS)
    assert "Không tìm thấy nhiệm vụ" in info.value.message


def test_empty_text():
    with pytest.raises(EmptyDirectiveError):
        parse_directive("  \n\n ")


def test_unseen_assigning_words_and_closing_mark_on_last_item():
    parsed = parse_directive(S.ASSIGNING_WORDS)
    assert parsed.document.number == "55/UBND-NC" and parsed.document.date == dt.date(2025, 9, 3)
    first, second, third, fourth = parsed.tasks
    assert (first.lead_unit, first.coordinating_units, first.for_commune) == ("Sở Nội vụ", ["Sở Tài chính"], False)
    assert first.deadline.due == dt.date(2025, 9, 30)
    assert second.lead_unit == "UBND các xã, phường, đặc khu" and second.for_commune
    assert second.deadline.due == dt.date(2025, 9, 20)
    assert third.for_commune and third.deadline.kind == "recurring" and third.deadline.period == "quarter"
    assert fourth.deadline.text == "trong tháng 10/2025" and fourth.deadline.due == dt.date(2025, 10, 31)
    assert not fourth.content.endswith("/.")
