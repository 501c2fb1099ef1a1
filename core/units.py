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


# Where two units' names are the same once accents are dropped ("ba to": Xã Ba Tơ, Xã Ba Tô;
# "son ha": Xã Sơn Hà, Xã Sơn Hạ), the one that carries the name of the former district is the
# one people mean when they type without accents (and the one the first-run hint names).
_NAMESAKE_FIRST = frozenset({"21484", "21289"})

# Telex and VNI, typed without an input method: "ba tow" / "ba to7" is Ba Tơ, "ba too" Ba Tô.
_TELEX = [("aw", "ă"), ("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("ow", "ơ"), ("uw", "ư"), ("dd", "đ")]
_VNI = [("a8", "ă"), ("a6", "â"), ("e6", "ê"), ("o6", "ô"), ("o7", "ơ"), ("u7", "ư"), ("d9", "đ")]
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def shape_fold(text: str) -> str:
    """Lower case without tone marks but with the letters' own shapes (ă â ê ô ơ ư đ):
    "Xã Ba Tơ" -> "xa ba tơ"; tells Ba Tơ from Ba Tô, and Sơn Hà from Sơn Hạ only by tone."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", (text or "").lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def _typed_forms(query: str) -> set[str]:
    """The query as typed and as Telex / VNI keys would have made it (tone keys dropped)."""
    import re

    text = shape_fold(" ".join(query.split()))
    forms = {text}
    for table, tone_keys in ((_TELEX, "sfrxj"), (_VNI, "12345")):
        words = []
        for word in text.split():
            if word.isdigit():
                words.append(word)
                continue
            for keys, letter in table:
                word = word.replace(keys, letter)
            words.append(re.sub(f"(?<=[a-zăâêôơưđ])[{tone_keys}]$", "", word) if len(word) > 1 else word)
        forms.add(" ".join(words))
    return forms


def rank_units(query: str) -> list[Unit]:
    """The units matching `query`, best first: the code itself; the name exactly as typed; the
    name as typed with its letters' shapes (accents, or Telex / VNI keys: "ba tow"); the name
    without accents; names starting with it; then any other unit containing every word, in
    alphabetical order. Nothing typed: no match (nothing is chosen for the person)."""
    if not query.strip():
        return []
    code = query.strip()
    exact = " ".join(query.lower().split())
    forms = _typed_forms(query)
    folded_forms = {fold(form) for form in forms}

    def score(unit: Unit):
        short, full = unit.short_name, unit.name
        names_folded = fold(full) + " " + unit.code
        if not any(all(w in names_folded for w in f.split()) for f in folded_forms):
            return None
        if unit.code == code:
            rank = 0
        elif exact in (short.lower(), full.lower()):
            rank = 1
        elif forms & {shape_fold(short), shape_fold(full)}:
            rank = 2
        elif folded_forms & {fold(short), fold(full)}:
            rank = 3
        elif any(fold(short).startswith(f) for f in folded_forms):
            rank = 4
        else:
            rank = 5
        return rank, rank <= 3 and unit.code not in _NAMESAKE_FIRST

    scored = [(key, unit) for unit in all_units() if (key := score(unit)) is not None]
    return [unit for key, unit in sorted(scored, key=lambda pair: pair[0])]  # stable: alphabetical within a rank


def namesakes(unit: Unit) -> list[Unit]:
    """Other units whose name reads the same without accents (to warn before the wrong one is chosen)."""
    key = fold(unit.short_name)
    return [u for u in all_units() if u.code != unit.code and fold(u.short_name) == key]
