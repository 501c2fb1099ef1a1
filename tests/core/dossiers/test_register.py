"""The register: validation, duplicates offered for editing, locked months need a reason."""

import pytest

from core.dossiers import locks
from core.dossiers.fields import add_field, field_names, set_field_active
from core.dossiers.register import (DuplicateCodeError, RegisterFilter, add_dossier, find_by_code, list_dossiers,
                                    remove_dossier, update_dossier)
from core.dossiers.tallies import list_tallies, save_tally
from core.errors import UserInputError

from .conftest import dossier


def _count(store):
    return store.scalar("SELECT count(*) FROM dossiers WHERE deleted_at IS NULL")


def test_same_code_twice_is_caught_with_the_existing_row(commune_store):
    first = add_dossier(commune_store, dossier(1, "2025-06-02"))
    with pytest.raises(DuplicateCodeError) as info:
        add_dossier(commune_store, dossier(1, "2025-06-03") | {"code": " 000.00.53.h48-250602-0001 "})
    assert info.value.existing["id"] == first
    assert "đã có trong sổ" in info.value.message and "02/06/2025" in info.value.message
    assert _count(commune_store) == 1


def test_removed_code_can_be_entered_again(commune_store):
    first = add_dossier(commune_store, dossier(1, "2025-06-02"))
    remove_dossier(commune_store, first)
    again = add_dossier(commune_store, dossier(1, "2025-06-02"))
    assert again != first and find_by_code(commune_store, "000.00.53.H48-250602-0001")["id"] == again


@pytest.mark.parametrize("extra, fragment", [
    ({"received_on": "2025-02-31"}, "không phải ngày có thật"),
    ({"received_on": None}, "Thiếu ngày tiếp nhận"),
    ({"finished_on": "2025-06-01"}, "trước ngày tiếp nhận"),
    ({"promised_on": "2025-06-01"}, "trước ngày tiếp nhận"),
    ({"received_on": "2025-07-02"}, "ở tương lai"),
    ({"channel": 4}, "Kênh nộp"),
    ({"result_digitised": "maybe"}, "Số hóa kết quả"),
    ({"fee": "free"}, "Thanh toán"),
    ({"components_digitised": 2}, "Số hóa thành phần"),
    ({"code": "abc"}, "không đúng dạng"),
])
def test_bad_input_refused_and_nothing_written(commune_store, extra, fragment):
    add_dossier(commune_store, dossier(9, "2025-06-01"))
    with pytest.raises(UserInputError) as info:
        add_dossier(commune_store, dossier(1, "2025-06-02") | extra)
    assert fragment in info.value.message
    assert _count(commune_store) == 1


def test_edit_changes_only_what_changed(commune_store):
    row_id = add_dossier(commune_store, dossier(1, "2025-06-02"))
    assert update_dossier(commune_store, row_id, {"finished_on": "2025-06-05"}) == {"finished_on": "2025-06-05"}
    assert update_dossier(commune_store, row_id, {"finished_on": "2025-06-05"}) == {}
    other = add_dossier(commune_store, dossier(2, "2025-06-02"))
    with pytest.raises(DuplicateCodeError):
        update_dossier(commune_store, other, {"code": "000.00.53.H48-250602-0001"})


def test_locked_month_needs_a_reason_and_records_it(commune_store):
    s = commune_store
    row_id = add_dossier(s, dossier(1, "2025-05-20"))
    locks.lock_month(s, "2025-05")
    with pytest.raises(locks.LockedMonthError) as info:
        update_dossier(s, row_id, {"channel": 2})
    assert "05/2025 đã khóa" in info.value.message
    assert s.get("dossiers", row_id)["channel"] == 1
    with pytest.raises(locks.LockedMonthError):
        add_dossier(s, dossier(2, "2025-05-21"))
    with pytest.raises(locks.LockedMonthError):
        remove_dossier(s, row_id)
    # Finishing a May dossier in June still touches May (it was received there).
    with pytest.raises(locks.LockedMonthError):
        update_dossier(s, row_id, {"finished_on": "2025-06-02"})
    update_dossier(s, row_id, {"channel": 2}, reason="Sai kênh nộp, đối chiếu với hệ thống một cửa")
    assert s.get("dossiers", row_id)["channel"] == 2
    changes = locks.changes_in(s, "2025-05")
    assert len(changes) == 1 and changes[0]["reason"].startswith("Sai kênh nộp")
    assert changes[0]["action"] == "update" and changes[0]["subject"] == "000.00.53.H48-250520-0001"
    # An unlocked month writes without a reason.
    add_dossier(s, dossier(3, "2025-06-01"))
    with pytest.raises(UserInputError):
        locks.unlock_month(s, "2025-05", "  ")
    locks.unlock_month(s, "2025-05", "Tỉnh yêu cầu báo cáo lại")
    add_dossier(s, dossier(2, "2025-05-21"))
    assert [c["action"] for c in locks.changes_in(s, "2025-05")] == ["unlock", "update"]


def test_locked_month_guards_tallies(commune_store):
    locks.lock_month(commune_store, "2025-06")
    tally = {"day": "2025-06-03", "field": "Hộ tịch", "channel": 1, "received": 3}
    with pytest.raises(locks.LockedMonthError):
        save_tally(commune_store, tally)
    assert list_tallies(commune_store, "2025-06-01", "2025-06-30") == []
    save_tally(commune_store, tally, reason="Bổ sung số liệu ngày 03/6")
    assert len(list_tallies(commune_store, "2025-06-01", "2025-06-30")) == 1


@pytest.mark.parametrize("extra, fragment", [
    ({"components_digitised": 5}, "không thể lớn hơn"),
    ({"on_time": 1}, "không thể lớn hơn"),
    ({"received": -1}, "không hợp lệ"),
    ({"received": "ba"}, "không phải số"),
    ({"channel": 7}, "Kênh nộp"),
    ({"day": "2025-02-30"}, "không hợp lệ"),
])
def test_tally_bad_input(commune_store, extra, fragment):
    with pytest.raises(UserInputError) as info:
        save_tally(commune_store, {"day": "2025-06-03", "field": "Hộ tịch", "channel": 1, "received": 3} | extra)
    assert fragment in info.value.message
    assert list_tallies(commune_store, "2025-01-01", "2025-12-31") == []


def test_tally_saved_twice_replaces(commune_store):
    base = {"day": "2025-06-03", "field": "Hộ tịch", "channel": 1}
    first = save_tally(commune_store, base | {"received": 3})
    assert save_tally(commune_store, base | {"received": 5}) == first
    assert [t["received"] for t in list_tallies(commune_store, "2025-06-01", "2025-06-30")] == [5]


def test_list_search_and_filters(commune_store):
    s = commune_store
    add_dossier(s, dossier(1, "2025-06-02", field="Chứng thực", procedure_name="Chứng thực bản sao từ bản chính"))
    add_dossier(s, dossier(2, "2025-06-03", channel=2, finished_on="2025-06-04"))
    add_dossier(s, dossier(3, "2025-05-03"))
    rows, total = list_dossiers(s, RegisterFilter(search="ban sao"))
    assert total == 1 and rows[0]["field"] == "Chứng thực"
    rows, total = list_dossiers(s, RegisterFilter(search="250603"))
    assert total == 1
    assert list_dossiers(s, RegisterFilter(channel=2))[1] == 1
    assert list_dossiers(s, RegisterFilter(status="open"))[1] == 2
    assert list_dossiers(s, RegisterFilter(received_from="2025-06-01", received_to="2025-06-30"))[1] == 2
    rows, total = list_dossiers(s, limit=2)
    assert total == 3 and [r["received_on"] for r in rows] == ["2025-06-03", "2025-06-02"]


def test_field_list_editable(commune_store):
    assert field_names(commune_store)[:2] == ["Hộ tịch", "Chứng thực"]
    add_field(commune_store, "Lao động, việc làm")
    assert field_names(commune_store)[-1] == "Lao động, việc làm"
    with pytest.raises(UserInputError):
        add_field(commune_store, "hộ tịch")
    set_field_active(commune_store, "Tôn giáo", False)
    assert "Tôn giáo" not in field_names(commune_store)


def test_list_sorted_in_sql_and_paged_without_overlap(commune_store):
    s = commune_store
    for n, (day, field) in enumerate([("2025-06-02", "Đất đai"), ("2025-06-03", "Chứng thực"), ("2025-06-02", "Hộ tịch"),
                                      ("2025-06-05", "Đất đai"), ("2025-06-01", "Bảo trợ xã hội")], start=1):
        add_dossier(s, dossier(n, day, field=field))
    rows, _total = list_dossiers(s, sort=("field", False))
    assert [r["field"] for r in rows] == ["Bảo trợ xã hội", "Chứng thực", "Đất đai", "Đất đai", "Hộ tịch"]  # đ after d
    pages = [list_dossiers(s, sort=("field", True), limit=2, offset=o, count=False)[0] for o in (0, 2, 4)]
    codes = [r["code"] for page in pages for r in page]
    assert len(codes) == len(set(codes)) == 5
    assert list_dossiers(s, sort=("field; DROP TABLE dossiers", True))[1] == 5  # unknown order: the default
