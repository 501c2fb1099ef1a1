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
    "theo doi", "nam chac", "ung pho", "khac phuc", "cho phep", "bo sung", "tranh thu", "truc tiep",
    "cong bo", "co bien phap", "co giai phap", "ung truc", "truc ban", "truc 24",
]
_VERB_RE = re.compile(r"(?:^|[\s,;])(" + "|".join(re.escape(v.strip()) + (r"\s" if v.endswith(" ") else r"\b")
                                                  for v in _VERBS) + ")")
# Words that start the name of a unit (or a group of units), matched on the lower-cased
# text WITH its accents: folded, "Sở" would be "Số hóa", "Bộ" "Bổ sung", "Ban" "Bản".
_UNIT_START = re.compile(
    # "Các huyện tổ chức di dời …", "các xã, phường", "từng ngành, từng địa phương": a level of local
    # government named with a plural word is a unit without a unit word ("Huyện ủy …" stays out: only
    # with "các", "những" or "từng" in front).
    r"^(?:(?:các|những|từng)\s+(?:huyện|quận|xã|phường|thị\s+xã|thị\s+trấn|tỉnh|thành\s+phố|cấp|thôn|ấp|bản|"
    r"khu\s+phố|tổ\s+dân\s+phố)(?=[\s,:;.]|$)|"
    r"(?:các\s+|những\s+|từng\s+)?(?!ban\s+hành)(?:bí\s+thư|trưởng\s+(?:ban|phòng|đoàn)|chánh\s+(?:văn\s+phòng|thanh\s+tra)|"
    r"sở|ubnd|ủy\s+ban|uỷ\s+ban|công\s+an|văn\s+phòng|ban|trung\s+tâm|cơ\s+quan|"
    r"bộ\s+chỉ\s+huy|bộ|đài|báo(?!\s+cáo)|kho\s+bạc|bảo\s+hiểm\s+xã\s+hội|cục|chi\s+cục|hội|tỉnh\s+đoàn|"
    r"đoàn|liên\s+đoàn|ngân\s+hàng|viễn\s+thông|bưu\s+điện|công\s+ty|phòng|thanh\s+tra|mặt\s+trận|"
    r"hội\s+đồng|chủ\s+tịch|thủ\s+trưởng|giám\s+đốc|địa\s+phương|đơn\s+vị|ngành|doanh\s+nghiệp|"
    r"trường(?!\s+hợp)|bệnh\s+viện|tỉnh\s+ủy|tỉnh\s+uỷ|đảng\s+ủy|đảng\s+uỷ|chi\s+bộ|lãnh\s+đạo|bch|vnpt|viettel)"
    r"(?=[\s,:;.]|$))")
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


# "tổ chức" is also the noun "organisation": inside a list ("các cơ quan, đơn vị, tổ chức, Nhân dân")
# it stands between commas (or before "và") and starts no action.
_NOUN_IN_LIST = re.compile(r"(?<=,\s)(to\s+chuc)(?=\s*(?:,|;|$)|\s+va\s)")
# Nouns made of a verb syllable: "công trình", "chương trình", "quy trình" ("trình": submit), "giao
# thông", "giao dịch" ("giao": assign). No verb starts inside one ("giao thông báo cáo" holds no
# "thông báo" either).
_NOUN_COMPOUND = re.compile(r"\b(?:(?:cong|chuong|quy|qua|lo|tien|hanh)\s+trinh|giao\s+(?:thong|dich|luu|tiep))\b")


def _first_verb(text: str, folded: str, start: int = 0) -> int | None:
    """Where the action starts. Unit names are capitalised ("Sở Xây dựng", "Giáo dục và Đào tạo"),
    verbs in running text are not, so only a lower-case verb ends a unit phrase."""
    compounds = [m.span() for m in _NOUN_COMPOUND.finditer(folded, start)] if "trinh" in folded or "giao" in folded else []
    pos = start
    while True:
        match = _VERB_RE.search(folded, pos)
        if match is None:
            return None
        at = match.start(1)
        inside = next((b for a, b in compounds if a <= at < b), None)
        if inside is not None:
            pos = inside  # search again from the end of the noun: its last syllable may start a verb
            continue
        if text[at].islower() and not _NOUN_IN_LIST.match(folded, at):
            return at
        pos = match.end(1)


# Generic heads a relative clause can follow: "các đơn vị quản lý hồ chứa …", "các cơ sở đào tạo …".
_GENERIC_HEAD = re.compile(r"(?:^|[\s,])(?:don\s+vi|co\s+quan|to\s+chuc|co\s+so|doanh\s+nghiep|luc\s+luong|chu\s+dau\s+tu)\s+$")
# Verbs that describe what a unit does ("đơn vị quản lý …", "cơ sở đào tạo …", "tổ chức cung cấp …"),
# unlike actions a task asks for ("các đơn vị rà soát hồ sơ và các cơ quan … phối hợp": two clauses).
_DESCRIBING_VERB = re.compile(r"(?:quan\s+ly|van\s+hanh|khai\s+thac|su\s+dung|cung\s+cap|cung\s+ung|dao\s+tao|"
                              r"thi\s+cong|kinh\s+doanh|san\s+xuat|tu\s+van|giam\s+sat|hoat\s+dong)\b")
# The list goes on with another group of units: "… thủy lợi và các đơn vị có liên quan …".
_LIST_GOES_ON = re.compile(r"(?:,|\s+va)\s+(?=(?:cac|nhung|ubnd|uy\s+ban|so|ban|cong\s+an)\s)")
_CLAUSE_END = re.compile(r"[.;:!?(]")


def _unit_phrase_end(text: str, folded: str, verb: int) -> int:
    """Where a unit phrase really ends when its first "verb" opens a relative clause.

    "… các đơn vị quản lý hồ chứa thủy điện, thủy lợi và các đơn vị có liên quan chủ động ứng phó":
    "quản lý" follows a generic head ("đơn vị") and the list goes on with another group of units
    ("và các đơn vị …") before the action, so the phrase runs to the verb after that group. Without a
    group after it, the first verb stays the end (a shorter unit is better than a wrong one).
    """
    while _GENERIC_HEAD.search(folded, 0, verb) and _DESCRIBING_VERB.match(folded, verb):
        clause = _CLAUSE_END.search(folded, verb)
        limit = clause.start() if clause else len(folded)
        goes_on = _LIST_GOES_ON.search(folded, verb, limit)
        if not goes_on or not looks_like_unit(text[goes_on.end():]):
            break
        if _first_verb(text, folded[:goes_on.start()], verb + 1) is not None:
            break  # another action before the list goes on: the clause is the task's, not the unit's
        after = _first_verb(text, folded, goes_on.end())
        if after is None or after > limit:
            break
        verb = after
    return verb


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


_ASSIGNING = re.compile(r"^(?:giao(?:\s+(?:trách\s+nhiệm|nhiệm\s+vụ))?(?:\s+cho)?|đề\s+nghị|yêu\s+cầu|ủy\s+quyền|"
                        r"uỷ\s+quyền)\s+(?=\S)", re.IGNORECASE)


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
    verb = _first_verb(text, folded, 1)
    if verb is not None:
        verb = _unit_phrase_end(text, folded, verb)
    # "Văn phòng UBND tỉnh là đơn vị trung tâm tham mưu …": no unit name holds "là".
    copula = _COPULA.search(text)
    ends = [i for i in (verb, _colon_end(text), copula.start() if copula else None) if i is not None]
    end = min(ends) if ends else len(text)
    if end > MAX_UNIT_CHARS:
        return None, text
    lead = _tidy(text[:end])
    return lead, text[end:].strip(" :,")


def starts_with_action(text: str) -> bool:
    """Does `text` open with a verb of the work ("tăng cường …", "phải chủ động …")?"""
    text = text.lstrip()
    return _first_verb(text, _fold_aligned(text), 0) == 0


def mentions_action(text: str) -> bool:
    """Is there any verb of the work in `text`, in any case ("Rà soát …", "báo cáo …")?"""
    return _VERB_RE.search(" " + _fold_aligned(text).lower()) is not None


_COPULA = re.compile(r"\slà\s")


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
