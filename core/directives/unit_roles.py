"""Who does a task: the lead unit, the coordinating units, and whether communes are meant.

Directives name the lead unit at the head of an item ("Sở Nội vụ:", "1. Công an tỉnh",
"Sở Khoa học và Công nghệ chủ trì, phối hợp với …", "UBND xã, phường, đặc khu: …")
and the coordinating units after "phối hợp (với)". A unit phrase ends where the
action starts — the first verb of the task ("rà soát", "triển khai", "khẩn trương …") —
so the rules below know the verbs directives use rather than any unit list.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from core.directives.folding import fold

# Folded words that open the action of a task (and so end a unit phrase).
_VERBS = [
    "chu tri", "phoi hop", "trien khai", "ra soat", "to chuc", "thuc hien", "xay dung", "tham muu",
    "khan truong", "day manh", "day nhanh", "huong dan", "kiem tra", "theo doi", "tang cuong",
    "nghien cuu", "don doc", "co phuong an", "co ke hoach", "bao dam", "dam bao", "tiep tuc", "cap nhat",
    "bao cao", "de xuat", "phat trien", "nang cap", "bo tri", "chuan bi", "tap trung", "quan triet",
    "ban hanh", "tuyen truyen", "hoan thanh", "hoan thien", "chi dao", "lap ", "thong ke", "tong hop",
    "duy tri", "cung cap", "ho tro", "thanh lap", "kien toan", "tich hop", "chuan hoa", "ket noi",
    "su dung", "pho bien", "ung dung", "van hanh", "giai quyet", "xu ly", "cong khai", "tiep nhan",
    "so hoa", "nhanh chong", "som ", "kip thoi", "thiet lap", "can cu", "chu dong", "phan cong",
    "giao ", "yeu cau", "de nghi", "tiep can", "danh gia", "khao sat", "dieu tra", "lua chon",
    "mua sam", "dau tu", "trang bi", "sap xep", "quan ly", "khac phuc", "tham dinh", "phe duyet",
    "dang ky", "tra loi", "gui ", "nop ", "tap huan", "boi duong", "dao tao", "phan loai", "thuong xuyen",
    "uu tien", "lam viec", "cu ", "chiu trach nhiem", "can doi", "thong bao", "truyen thong", "nang cao",
    "tren co so", "de ", "nham ", "lam ", "thu thap", "dieu chinh", "sua chua", "xac minh", "kiem soat",
    "thi hanh", "hoan chinh", "soan thao", "trinh ", "tien hanh", "mo rong", "rut ngan", "thuc day",
    "xay ", "ghi nhan", "luu tru", "bo sung", "dieu phoi", "van dong", "vao cuoc", "tham gia", "tiep tuc",
    "khong ", "phai ", "can ", "nghiem tuc", "quyet liet", "ngay ",
    "dinh hoan", "tam dung", "tam hoan", "nghiem cam", "so tan", "di doi", "co trach nhiem", "treo ",
    "theo doi", "nam chac", "ung pho", "khac phuc", "cho phep", "bo sung",
]
_VERB_RE = re.compile(r"(?:^|[\s,;])(" + "|".join(re.escape(v.strip()) + (r"\s" if v.endswith(" ") else r"\b")
                                                  for v in _VERBS) + ")")
# Words that start the name of a unit (or a group of units), matched on the lower-cased
# text WITH its accents: folded, "Sở" would be "Số hóa", "Bộ" "Bổ sung", "Ban" "Bản".
_UNIT_START = re.compile(
    r"^(?:các\s+|những\s+)?(?!ban\s+hành)(?:sở|ubnd|ủy\s+ban|uỷ\s+ban|công\s+an|văn\s+phòng|ban|trung\s+tâm|cơ\s+quan|"
    r"bộ\s+chỉ\s+huy|bộ|đài|báo(?!\s+cáo)|kho\s+bạc|bảo\s+hiểm\s+xã\s+hội|cục|chi\s+cục|hội|tỉnh\s+đoàn|"
    r"đoàn|liên\s+đoàn|ngân\s+hàng|viễn\s+thông|bưu\s+điện|công\s+ty|phòng|thanh\s+tra|mặt\s+trận|"
    r"hội\s+đồng|chủ\s+tịch|thủ\s+trưởng|giám\s+đốc|địa\s+phương|đơn\s+vị|ngành|doanh\s+nghiệp|"
    r"trường|bệnh\s+viện|tỉnh\s+ủy|tỉnh\s+uỷ|đảng\s+ủy|đảng\s+uỷ|chi\s+bộ|lãnh\s+đạo|bch|vnpt|viettel)"
    r"(?=[\s,:;.]|$)")
_TOPIC = re.compile(r"^(ve|doi\s+voi|nhiem\s+vu|giai\s+phap|muc\s+tieu|noi\s+dung|to\s+chuc\s+thuc\s+hien)\b")
_LEAD_MARK = re.compile(r"\s*,?\s*(?:la\s+co\s+quan\s+)?chu\s+tri\b")
_COORD = re.compile(r"\bphoi\s+hop(?:\s+(?:chat\s+che\s+)?(?:voi|cung))?\s+")
MAX_UNIT_CHARS = 160

# Commune level, by wording. After 1 July 2025 there are no districts; before, the
# "UBND huyện, thị xã, thành phố" were the level a commune office's tasks came through.
_COMMUNE = re.compile(
    r"(ubnd|uy\s+ban\s+nhan\s+dan|chu\s+tich\s+ubnd|chu\s+tich\s+uy\s+ban\s+nhan\s+dan)\s+(?:cac\s+)?(?:cap\s+)?"
    r"(xa|phuong)\b|\bcap\s+xa\b|\bcac\s+xa\b|\bxa\s*,\s*phuong\b|\bphuong\s*,\s*xa\b|\bdac\s+khu\b")
# "Các sở, ban, ngành, địa phương": as the lead, the localities (communes) act themselves;
# "phối hợp với … địa phương liên quan" only asks for help where needed.
_LOCALITIES = re.compile(r"\bdia\s+phuong\b")
_DISTRICT = re.compile(r"(ubnd|uy\s+ban\s+nhan\s+dan|chu\s+tich\s+ubnd)\s+(?:cac\s+)?(huyen|thi\s+xa|thanh\s+pho)\b"
                       r"|\bcap\s+huyen\b|\bcac\s+huyen\s*,\s*thi\s+xa")
TWO_TIER_START = dt.date(2025, 7, 1)


def _fold_aligned(text: str) -> str:
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    return "".join((fold(ch) or " ")[:1] if len(fold(ch)) != 1 else fold(ch) for ch in text)


def looks_like_unit(text: str) -> bool:
    text = text.strip()
    return bool(_UNIT_START.match(text.lower())) and not _TOPIC.match(_fold_aligned(text))


def _first_verb(text: str, folded: str, start: int = 0) -> int | None:
    """Where the action starts. Unit names are capitalised ("Sở Xây dựng", "Giáo dục và Đào tạo"),
    verbs in running text are not, so only a lower-case verb ends a unit phrase."""
    for match in _VERB_RE.finditer(folded, start):
        if text[match.start(1)].islower():
            return match.start(1)
    return None


_APPOSITION = re.compile(r"\s[-–]\s*(?=[a-zđàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ])")
_WHITESPACE = re.compile(r"\s+")
_AND_OR_SEMICOLON = re.compile(r"\s+và\s+|\s*;\s*")
_COMMA = re.compile(r"\s*,\s*")
_STOP_PUNCT = re.compile(r"[:.(]|\s(để|nhằm|trong việc|theo)\s")


def _tidy(unit: str) -> str | None:
    # "Sở Kế hoạch và Đầu tư - cơ quan thường trực …": what follows a dash in lower case describes the
    # unit; "Sở Lao động - Thương binh và Xã hội" goes on in capitals.
    unit = _APPOSITION.split(unit, maxsplit=1)[0]
    unit = unit.strip(" ,;:.-–")
    unit = _WHITESPACE.sub(" ", unit)
    if not unit or len(unit) > MAX_UNIT_CHARS:
        return None
    return unit


_ASSIGNING = re.compile(r"^(?:giao(?:\s+cho)?|đề\s+nghị|yêu\s+cầu|ủy\s+quyền|uỷ\s+quyền)\s+(?=\S)",
                        re.IGNORECASE)


def split_lead(text: str, *, assigning_words: bool = True) -> tuple[str | None, str]:
    """(lead unit named at the head of `text`, the rest of the text).

    "Giao Sở Nội vụ chủ trì …", "Đề nghị UBND các xã …": the unit after the assigning word —
    unless `assigning_words` is False (under a unit's heading, "Đề nghị X …" is that unit asking X).
    """
    text = text.strip()
    assigning = _ASSIGNING.match(text) if assigning_words else None
    if assigning:
        lead, rest = _split_lead(text[assigning.end():])
        if lead:
            return lead, rest
    return _split_lead(text)


def _split_lead(text: str) -> tuple[str | None, str]:
    text = text.strip()
    folded = _fold_aligned(text)
    window = folded[:MAX_UNIT_CHARS + 20]
    lead_mark = _LEAD_MARK.search(window)
    if lead_mark and lead_mark.start() > 0:
        head = text[:lead_mark.start()]
        if looks_like_unit(head) and "." not in head.rstrip("."):
            return _tidy(head), text[lead_mark.start():].strip(" ,")
    if not looks_like_unit(text):
        return None, text
    ends = [i for i in (_first_verb(text, folded, 1), _colon_end(text)) if i is not None]
    end = min(ends) if ends else len(text)
    if end > MAX_UNIT_CHARS:
        return None, text
    lead = _tidy(text[:end])
    return lead, text[end:].strip(" :,")


def _colon_end(text: str) -> int | None:
    """Index of the colon that ends "Sở Nội vụ:" — not the one in "Các Sở: Giáo dục, Y tế…"."""
    for match in re.finditer(":", text):
        before = fold(text[:match.start()]).strip()
        if re.fullmatch(r"cac\s+(so|co\s+quan|don\s+vi|nganh|dia\s+phuong)", before):
            continue
        return match.start()
    return None


def coordinating_units(text: str) -> list[str]:
    """Units after "phối hợp (với)", up to the verb that starts the work."""
    folded = _fold_aligned(text)
    units: list[str] = []
    for match in _COORD.finditer(folded):
        start = match.end()
        stops = [i for i in (_first_verb(text, folded, start), _stop_punct(text, start)) if i is not None]
        end = min(stops) if stops else len(text)
        phrase = text[start:end]
        if not looks_like_unit(phrase) and not re.match(r"^(các|những)?\s*\S", phrase):
            continue
        for part in _split_units(phrase):
            if part not in units:
                units.append(part)
    return units


def _stop_punct(text: str, start: int) -> int | None:
    match = _STOP_PUNCT.search(text, start)
    return match.start() if match else None


def _split_units(phrase: str) -> list[str]:
    """"Văn phòng UBND tỉnh và các sở, ngành liên quan" → two units; "sở, ngành, địa phương" stays one.

    A comma separates units only when a new unit name (capitalised, or "các …") follows it.
    """
    pieces: list[str] = []
    for chunk in _AND_OR_SEMICOLON.split(phrase.strip()):
        for index, part in enumerate(_COMMA.split(chunk)):
            starts_unit = part[:1].isupper() or part.startswith(("các ", "những "))
            if index > 0 and pieces and not starts_unit:
                pieces[-1] = f"{pieces[-1]}, {part}"
            else:
                pieces.append(part)
    out = [tidy for tidy in (_tidy(p) for p in pieces) if tidy and len(tidy) > 2]
    # "Sở Nông nghiệp và Môi trường" was split at "và": glue a tail that is not a unit back on.
    merged: list[str] = []
    for part in out:
        if merged and not looks_like_unit(part) and not part.startswith(("các ", "những ")) and part[:1].isupper():
            merged[-1] = f"{merged[-1]} và {part}"
        else:
            merged.append(part)
    return merged


@lru_cache(maxsize=4096)
def _commune_level(phrase: str, generic: bool, districts_count: bool) -> bool:
    """Does `phrase` name the commune level? (Cached: the same unit names come back task after task.)"""
    folded = _fold_aligned(phrase)
    return bool(_COMMUNE.search(folded) or (generic and _LOCALITIES.search(folded))
                or (districts_count and _DISTRICT.search(folded)))


def is_for_commune(lead: str | None, coordinating: list[str], text: str,
                   document_date: dt.date | None) -> bool:
    """True when the commune level leads, or is named explicitly among the units that act."""
    districts_count = document_date is None or document_date < TWO_TIER_START

    def commune_level(phrase: str, generic: bool) -> bool:
        return _commune_level(phrase or "", generic, districts_count)

    if lead is not None:
        return commune_level(lead, True) or any(commune_level(u, False) for u in coordinating)
    # No unit at the head: the item speaks to whoever its first words name.
    return commune_level(text[:200], True) or any(commune_level(u, False) for u in coordinating)
