import pytest

from core.errors import UnknownUnitError
from core.units import all_units, find_unit, search_units


def test_ninety_six_units_with_kinds():
    units = all_units()
    assert len(units) == 96
    kinds = {u.kind for u in units}
    assert kinds == {"Xã", "Phường", "Đặc khu"}
    assert sum(u.kind == "Đặc khu" for u in units) == 1


def test_find_and_search():
    unit = find_unit("21484")
    assert unit.name == "Xã Ba Tơ" and unit.short_name == "Ba Tơ"
    assert unit.committee_name == "ỦY BAN NHÂN DÂN XÃ BA TƠ"
    assert find_unit("21548").name == "Đặc khu Lý Sơn"
    assert [u.code for u in search_units("ly son")] == ["21548"]
    with pytest.raises(UnknownUnitError) as err:
        find_unit("99999")
    assert "99999" in err.value.message
