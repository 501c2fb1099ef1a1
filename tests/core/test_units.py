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


def test_rank_units_best_match_first():
    from core.units import rank_units

    def codes(query):
        return [u.code for u in rank_units(query)]

    assert codes("") == [] and codes("   ") == []
    assert codes("ba to") == ["21484", "21523"]  # the former district's name first
    assert codes("ba tô")[0] == "21523" and codes("ba too")[0] == "21523" and codes("ba to6")[0] == "21523"
    assert codes("ba tơ")[0] == "21484" and codes("ba tow")[0] == "21484"
    assert codes("sơn hạ")[0] == "21292" and codes("son ha")[0] == "21289"
    assert codes("21523") == ["21523"]
    assert codes("ly son") == ["21548"]
