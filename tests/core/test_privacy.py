"""The personal-data guard: what is pointed out, what is not, and the save functions that refuse."""

from __future__ import annotations

import pytest

from core.privacy import MASK, PersonalDataError, find_personal_data, remove_personal_data

FLAGGED = [
    ("Công dân có CCCD 051234567890 đến nộp hồ sơ", "051234567890", "cccd", True),
    ("số 051 234 567 890", "051 234 567 890", "cccd", True),
    ("001234567890", "001234567890", "cccd", True),
    ("Đã gọi cho bà B 0905 123 456 nhưng chưa nghe máy", "0905 123 456", "phone", True),
    ("SĐT: 0905.123.456.", "0905.123.456", "phone", True),
    ("liên hệ 0987-654-321", "0987-654-321", "phone", True),
    ("+84 905 123 456", "+84 905 123 456", "phone", True),
    ("Zalo 84905123456", "84905123456", "phone", True),
    ("CMND 212345678 bị mờ", "212345678", "cmnd", True),
    ("giấy hẹn số 212345678", "212345678", "cmnd", False),
    ("máy bàn 0255 3822 123", "0255 3822 123", "landline", False),
    ("Điện thoại 0255.3822.123", "0255.3822.123", "landline", True),
    ("Số định danh: 1234567890", "1234567890", "id", True),
]

NOT_FLAGGED = [
    "Hồ sơ 000.00.53.H48-261206-0000123 đã trả kết quả",
    "H48.53-250919-0001, H48.53-250919-0002",
    "Công văn 4685/UBND-KGVX ngày 19/9/2022 của UBND tỉnh",
    "Kế hoạch 12/KH-UBND; Quyết định 766/QĐ-TTg",
    "Kinh phí 150.000.000 đồng, đã chi 15 000 000",
    "Dự toán 150000000 đ; 1,500,000 VNĐ",
    "Ngày 2022-09-19, từ 08:30 đến 11:00, năm 2024",
    "Đã số hóa 3061 hồ sơ, đạt 87,5%, 120 lượt",
    "Mã số thuế 4300123456",  # 10 digits, not 0-led: not a phone
    "Đường truyền 100 Mbps, IP 10.0.0.12",
    "Phòng họp số 2, tầng 3",
    "Quý III/2025: 1.234 hồ sơ",
]


@pytest.mark.parametrize("text,number,kind,clear", FLAGGED)
def test_numbers_shaped_like_personal_data_are_pointed_out(text, number, kind, clear):
    (found,) = find_personal_data(text)
    assert (found.text, found.kind, found.clearly_personal) == (number, kind, clear)
    assert text[found.start:found.end] == number
    assert found.reason


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_codes_dates_amounts_and_document_numbers_are_not(text):
    assert find_personal_data(text) == []


def test_real_directives_raise_nothing():
    from core.resources import resource

    folder = resource("samples")
    texts = [p.read_text(encoding="utf-8") for p in folder.rglob("*.txt")]
    assert len(texts) >= 2
    for text in texts:
        assert find_personal_data(text) == []


def test_remove_masks_only_the_numbers():
    text = "Ông A (CCCD 051234567890, ĐT 0905123456) nộp hồ sơ H48.53-250919-0001"
    cleaned = remove_personal_data(text)
    assert cleaned == f"Ông A (CCCD {MASK}, ĐT {MASK}) nộp hồ sơ H48.53-250919-0001"
    assert find_personal_data(cleaned) == []


def test_save_functions_refuse_clearly_personal_numbers(commune_store):
    from core.dossiers.locks import lock_month, unlock_month
    from core.tasks.store import add_progress, create_manual_task

    directive = commune_store.insert("local_directives", {"number": "1/KH", "subject": "x"})
    task = create_manual_task(commune_store, directive_id=directive, content="Nhiệm vụ")
    with pytest.raises(PersonalDataError) as caught:
        add_progress(commune_store, task, note="Đã hướng dẫn ông C, SĐT 0912345678")
    assert "0912345678" in caught.value.message
    assert commune_store.scalar("SELECT count(*) FROM task_progress") == 0
    add_progress(commune_store, task, note="Đã hướng dẫn ông C, số giấy hẹn 212345678")  # not clearly personal
    lock_month(commune_store, "2026-01")
    with pytest.raises(PersonalDataError):
        unlock_month(commune_store, "2026-01", "Bà D CCCD 051234567890 đề nghị sửa")
    unlock_month(commune_store, "2026-01", "Nhập nhầm hồ sơ H48.53-250919-0001")


def test_checklist_notes_and_incidents_refuse_them_too(commune_store):
    from core.checklists import runs

    run_id = runs.create_run(commune_store, title="Hội nghị trực tuyến", host="province", meeting_date="10/03/2026",
                             start_time="08:30", connection="tslcd")
    with pytest.raises(PersonalDataError):
        runs.add_incident(commune_store, run_id, time_text="08:10", what="Mất mạng, gọi anh E 0935 111 222")
    runs.add_incident(commune_store, run_id, time_text="08:10", what="Mất mạng 5 phút, gọi nhà mạng")
    item = commune_store.scalar("SELECT id FROM checklist_run_items WHERE run_id = ? LIMIT 1", (run_id,))
    with pytest.raises(PersonalDataError):
        runs.record_answer(commune_store, run_id, item, status="pass", note="KTV: 0977 000 111")
