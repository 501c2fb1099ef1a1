"""The 96 commune-level units of Quảng Ngãi province (from 1 July 2025)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from core.errors import UnknownUnitError
from core.resources import resource
from core.textfold import fold, vi_sort_key

PROVINCE_NAME = "Quảng Ngãi"


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str  # Xã / Phường / Đặc khu
    name: str  # "Xã Ba Tơ"
    former_province: str

    @property
    def short_name(self) -> str:
        """The place name without its kind: "Ba Tơ" (used in "Ba Tơ, ngày …")."""
        prefix = self.kind + " "
        return self.name[len(prefix):] if self.name.startswith(prefix) else self.name

    @property
    def committee_name(self) -> str:
        """"ỦY BAN NHÂN DÂN XÃ BA TƠ" — the issuing body on printed documents."""
        return f"ỦY BAN NHÂN DÂN {self.name.upper()}"


@lru_cache(maxsize=1)
def _units_by_code() -> dict[str, Unit]:
    with resource("reference", "units_quang_ngai_2025.csv").open(encoding="utf-8", newline="") as f:
        return {unit.code: unit for unit in (
            Unit(r["code"].strip(), r["kind"].strip(), r["name"].strip(), r["former_province"].strip())
            for r in csv.DictReader(f))}


@lru_cache(maxsize=1)
def all_units() -> tuple[Unit, ...]:
    """The 96 units in Vietnamese order of their names."""
    return tuple(sorted(_units_by_code().values(), key=lambda u: vi_sort_key(u.name)))


def find_unit(code: str) -> Unit:
    # By code, without sorting the list: the window's start-up looks its own unit up.
    unit = _units_by_code().get((code or "").strip())
    if unit is not None:
        return unit
    code = (code or "").strip()
    raise UnknownUnitError(
        f"Không có đơn vị hành chính mã “{code}” trong danh sách 96 xã, phường, đặc khu của tỉnh Quảng Ngãi.",
        details="Xem danh sách mã trong resources/reference/units_quang_ngai_2025.csv",
    )


def search_units(query: str) -> list[Unit]:
    """Units whose code or folded name contains every folded word of the query."""
    words = fold(query).split()
    return [u for u in all_units() if all(w in fold(u.name) or w in u.code for w in words)]
