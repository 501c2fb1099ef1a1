import datetime as dt

import pytest

from core.checklists import equipment
from core.errors import UserInputError


def test_guess_kind_from_item_text():
    assert equipment.guess_kind("Camera rõ nét đúng góc quay") == "camera"
    assert equipment.guess_kind("Bộ lưu điện (UPS) cho thiết bị đầu cuối switch") == "ups"
    assert equipment.guess_kind("Màn hình/TV bộ chia hình") == "display"
    assert equipment.guess_kind("Đầu mối liên hệ") is None


def test_add_list_update_delete(commune_store):
    ups = equipment.add_equipment(commune_store, "ups", "UPS Santak 2kVA", status="faulty")
    cam = equipment.add_equipment(commune_store, "camera", "Camera Logitech Rally", last_checked_on=dt.date(2026, 1, 5))
    rows = equipment.list_equipment(commune_store)
    assert [r["id"] for r in rows] == [cam, ups]  # camera before UPS (list order of kinds)
    assert equipment.describe(rows[0]) == "Camera Logitech Rally — Hoạt động tốt, kiểm tra 05/01/2026"
    equipment.update_equipment(commune_store, ups, kind="ups", name="UPS Santak 2kVA", status="ok")
    assert equipment.equipment_by_kind(commune_store)["ups"][0]["status"] == "ok"
    equipment.delete_equipment(commune_store, ups)
    assert len(equipment.list_equipment(commune_store)) == 1


@pytest.mark.parametrize("kw, message", [({"name": " "}, "Tên thiết bị"), ({"kind": "router"}, "Loại thiết bị"),
                                         ({"status": "tot"}, "Tình trạng"),
                                         ({"last_checked_on": "2999-01-01"}, "sau hôm nay")])
def test_bad_equipment_refused(commune_store, kw, message):
    values = {"kind": "camera", "name": "Camera", **kw}
    with pytest.raises(UserInputError, match=message):
        equipment.add_equipment(commune_store, values.pop("kind"), values.pop("name"), **values)
    assert equipment.list_equipment(commune_store) == []
