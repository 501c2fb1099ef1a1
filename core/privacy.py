"""The personal-data guard for free text: ID-card and phone numbers of citizens stay out.

The brief's rule is "flags and dossier codes only": a progress note, an incident, a reason
for unlocking a month must not carry a citizen's CCCD/CMND or phone number. Before a free
text is saved, `find_personal_data` points out every number shaped like one, with why;
the screens offer to remove it (`remove_personal_data`) and the core save functions refuse
what is clearly personal (`require_no_personal_data`), so the command line and any other
caller cannot slip one in either.

What counts (digits may be grouped with spaces, dots or hyphens):
- CCCD: 12 digits starting with 0 (a 3-digit province code 001–096 first) — clearly personal;
- CMND: 9 digits — pointed out, may be kept when it is something else (a staff member decides);
- mobile phone: 0 or +84/84, then 3/5/7/8/9 and 8 more digits (10 digits) — clearly personal;
- landline: 02x and 8 more digits (11 digits) — pointed out, may be kept (an office number);
- any 9–12-digit number right after "CCCD", "CMND", "căn cước", "chứng minh", "số định danh",
  "SĐT"/"điện thoại" — clearly personal.
Not flagged: dossier codes (000.00.53.H48-261206-0000123), document numbers (4685/UBND-KGVX),
dates (19/9/2022, 2022-09-19), amounts (1.500.000 đồng, 150000000 đ), years, counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import UserInputError
from core.textfold import fold

MASK = "[đã bỏ số]"

# A run of digit groups joined by one space, dot or hyphen, optionally led by "+"; not glued to
# letters, digits or "/" on either side, and not the tail of a code such as "H48-261206".
_NUMBER = re.compile(r"(?<![\w/])(?<![\w/][.\-])(\+?\d+(?:[ .\-]\d+)*)(?![\w/]|[.\-]\d)")
_AMOUNT_WORDS = re.compile(r"^\s*(đồng|đ\b|vnđ|vnd|triệu|tỷ|nghìn|ngàn|%|người|hồ sơ|lượt|trang|bản)", re.IGNORECASE)
_ID_WORDS = ("cccd", "cmnd", "can cuoc", "chung minh", "dinh danh", "ho chieu")
_PHONE_WORDS = ("sdt", "so dt", "dien thoai", "dt:", "so may", "zalo", "lien he")


@dataclass(frozen=True)
class PersonalNumber:
    start: int
    end: int
    text: str
    kind: str  # "cccd" | "cmnd" | "phone" | "landline" | "id"
    clearly_personal: bool

    @property
    def reason(self) -> str:
        return {
            "cccd": "có dạng số căn cước công dân (12 chữ số)",
            "cmnd": "có dạng số chứng minh nhân dân (9 chữ số)",
            "phone": "có dạng số điện thoại di động",
            "landline": "có dạng số điện thoại bàn",
            "id": "là số giấy tờ tùy thân (ghi ngay sau CCCD/CMND/điện thoại)",
        }[self.kind]


def _is_amount(groups: list[str], separators: set[str]) -> bool:
    """1.500.000 or 15 000 000: thousands groups after a first group of 1–3 digits not starting with 0."""
    return (len(groups) > 1 and separators <= {".", " ", ","} and 1 <= len(groups[0]) <= 3
            and not groups[0].startswith("0") and all(len(g) == 3 for g in groups[1:]))


def _classify(raw: str, before: str, after: str) -> tuple[str, bool] | None:
    groups = re.split(r"[ .\-]", raw.lstrip("+"))
    separators = set(re.findall(r"[ .\-]", raw))
    digits = "".join(groups)
    context = fold(before[-24:])
    named_id = any(w in context for w in _ID_WORDS)
    named_phone = any(w in context for w in _PHONE_WORDS)
    if _AMOUNT_WORDS.match(after) and not (named_id or named_phone):
        return None
    if _is_amount(groups, separators) and not (named_id or named_phone or raw.startswith("+")):
        return None
    international = raw.startswith("+84") or (raw.startswith("84") and len(digits) == 11)
    national = ("0" + digits[2:]) if international else digits
    if len(national) == 10 and national[0] == "0" and national[1] in "35789":
        return "phone", True
    if len(national) == 11 and national.startswith("02"):
        return "landline", named_phone
    if len(digits) == 12 and digits[0] == "0" and 1 <= int(digits[:3]) <= 96:
        return "cccd", True
    if len(digits) == 9:
        return "cmnd", named_id
    if (named_id or named_phone) and 9 <= len(digits) <= 12:
        return "id", True
    return None


def find_personal_data(text: str | None) -> list[PersonalNumber]:
    """Every number in `text` shaped like a citizen's ID card or phone number, in order."""
    if not text:
        return []
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(1).rstrip(" .-")
        kind = _classify(raw, text[:match.start()], text[match.start() + len(raw):])
        if kind:
            found.append(PersonalNumber(match.start(), match.start() + len(raw), raw, kind[0], kind[1]))
    return found


def remove_personal_data(text: str, findings: list[PersonalNumber] | None = None) -> str:
    """`text` with each of `findings` (default: all found) replaced by “[đã bỏ số]”."""
    findings = find_personal_data(text) if findings is None else findings
    for item in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[:item.start] + MASK + text[item.end:]
    return text


class PersonalDataError(UserInputError):
    """A free text carries a number that is clearly a citizen's personal data."""

    def __init__(self, field: str, findings: list[PersonalNumber]):
        listed = "; ".join(f"“{f.text}” {f.reason}" for f in findings[:5])
        super().__init__(
            f"{field} có số giống thông tin cá nhân của công dân: {listed}. Phần mềm không lưu số "
            "CCCD/CMND hay số điện thoại của người dân; hãy bỏ số đó (chỉ ghi mã hồ sơ) rồi lưu lại.",
            details="personal data guard: " + ", ".join(f.kind for f in findings))
        self.findings = findings


def require_no_personal_data(text: str | None, field: str = "Nội dung") -> None:
    """Refuse a text with a clearly personal number (the save functions of core call this)."""
    clear = [f for f in find_personal_data(text) if f.clearly_personal]
    if clear:
        raise PersonalDataError(field, clear)
