"""The heading of a directive: number and symbol, place and date, issuing body, subject.

An administrative document (Nghị định 30/2020) starts with the issuing body in capitals,
"Số: 1386/UBND-KGVX", "V/v …" (a letter) or a document type and title (a plan, a
report), and "Quảng Ngãi, ngày 17 tháng 3 năm 2025". Drafts leave the number and day
blank ("Số:    /UBND-KGVX", "ngày    tháng 8 năm 2025"): those fields are then None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.directives.folding import fold

# The heading is at the top; later "số 05-KH/TU ngày …" are references to other documents.
HEADER_LINES = 40

_NUMBER = re.compile(r"^S[ốô]\s*(?:hiệu\s*)?[:.]?\s*(\d{1,6}[A-Za-z]?)\s*/\s*([0-9A-ZĐ][0-9A-ZĐa-zđ&\-–/.]*)")
_NUMBER_INLINE = re.compile(r"\bS[ốô]\s*:\s*(\d{1,6}[A-Za-z]?)\s*/\s*([0-9A-ZĐ][0-9A-ZĐa-zđ&\-–/.]*)")
_PLACE_DATE = re.compile(
    r"(?:^|[,;]\s*|\s{2,})([A-ZĐÀ-Ỹ][^\d,;:]{1,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    re.IGNORECASE)
_SUBJECT = re.compile(r"^(V/v|V/V|Về việc)\s*[:.]?\s*(.+)$")
_DOC_TYPES = ("KẾ HOẠCH", "BÁO CÁO", "QUYẾT ĐỊNH", "CHỈ THỊ", "THÔNG BÁO", "CÔNG VĂN", "HƯỚNG DẪN",
              "CHƯƠNG TRÌNH", "ĐỀ ÁN", "NGHỊ QUYẾT", "KẾT LUẬN", "TỜ TRÌNH", "CÔNG ĐIỆN", "THÔNG TƯ")
_DOC_TYPES_FOLDED = {fold(t) for t in _DOC_TYPES}
_ISSUER_START = ("ỦY BAN", "UỶ BAN", "UBND", "SỞ ", "BAN ", "VĂN PHÒNG", "CÔNG AN", "HỘI ĐỒNG", "TỈNH ỦY", "ỦY ",
                 "TỈNH UỶ", "BỘ ", "CHỦ TỊCH", "TRUNG TÂM", "BỘ CHỈ HUY", "ĐẢNG ỦY", "CHI CỤC", "CỤC ")
_NATIONAL = ("CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP")
# Lines that end the subject block of a letter.
_SUBJECT_STOP = re.compile(r"^(Kính gửi|Dự thảo|CỘNG H|Độc lập|Số\s*:|\S[^,]{1,40}, ngày|Căn cứ|Thực hiện)",
                           re.IGNORECASE)


@dataclass(frozen=True)
class DocumentInfo:
    number: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    subject: str | None = None

    def as_json(self) -> dict:
        return {"number": self.number, "date": self.date.isoformat() if self.date else None,
                "issuer": self.issuer, "subject": self.subject}


def extract_document_info(lines: list[str]) -> DocumentInfo:
    """Metadata from the cleaned lines of a directive (see textclean.clean_text)."""
    head = _header_block(lines)
    flat = "\n".join(head)
    return DocumentInfo(_number(flat), _date(flat), _issuer(head, lines), _subject(head, lines))


# The body starts at the addressees, the legal grounds, "QUYẾT ĐỊNH:", the first article or item.
_BODY_START = re.compile(r"^(Kính gửi|Căn cứ|Thực hiện|Triển khai|Theo đề nghị|Xét đề nghị|QUYẾT ĐỊNH\s*:|"
                         r"Điều\s+1\b|I\.\s|1\.\s)")


def _header_block(lines: list[str]) -> list[str]:
    """The lines before the body: up to "Kính gửi", "Căn cứ", the first item, or HEADER_LINES."""
    block = []
    for line in lines[:HEADER_LINES]:
        if _BODY_START.match(line):
            break
        block.append(line)
    return block or lines[:HEADER_LINES]


# "Số: 1386/UBND-KGVX", "Số:\n14/2007/QĐ-UBND", "Số : 2917 /SGDĐT-VP", "Số: 47/2010/TT- BNNPTNT":
# at the start of a line (a "số 05-KH/TU" inside a sentence is a cited document).
_NUMBER_FLAT = re.compile(
    r"(?m)^[ \t]*S[ốô]\s*(?:hiệu\s*)?[:.]?\s*(\d{1,6}[A-Za-z]?)\s*/\s*([0-9A-ZĐ][0-9A-ZĐa-zđ&\-–/.]*)"
    r"(?:[ \t]+([A-ZĐ][0-9A-ZĐ&\-–]*))?")
# "Quảng Ngãi, ngày 17 tháng 3 năm 2025", also split over lines ("Sơn\nLa, ngày 16 tháng 11\nnăm 2018",
# "ngày\n31 tháng 3 năm 2023") or glued ("ngày 13tháng 9").
_PLACE_DATE_FLAT = re.compile(
    r"([A-ZĐÀ-Ỹ][^\d,;:|\n]{0,40}(?:\n[^\d,;:|\n]{1,30})?),\s*ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})",
    re.IGNORECASE)


def _number(flat: str) -> str | None:
    match = _NUMBER_FLAT.search(flat)
    if not match:
        return None
    symbol = match.group(2)
    if symbol.endswith(("-", "–")) and match.group(3):
        symbol += match.group(3)  # "TT- BNNPTNT": a space slipped in after the dash
    symbol = symbol.rstrip(".-–/")
    return f"{match.group(1)}/{symbol}"


def _date(flat: str) -> dt.date | None:
    for match in _PLACE_DATE_FLAT.finditer(flat):
        try:
            return dt.date(int(match.group(4)), int(match.group(3)), int(match.group(2)))
        except ValueError:
            continue
    return None


_AUTHORITY = re.compile(r"^(?:CHỦ TỊCH\s+)?((?:ỦY|UỶ) BAN NHÂN DÂN\s+(?:TỈNH|THÀNH PHỐ|HUYỆN|XÃ|PHƯỜNG)\s+.+)$")


def _issuer(head: list[str], lines: list[str]) -> str | None:
    """The capitalised issuing body lines at the very top (before the national motto)."""
    parts: list[str] = []
    for index, line in enumerate(head):
        text = line.strip()
        if not text:
            if parts and _starts_issuer(" ".join(parts)) and not _name_goes_on(head[index + 1:]):
                break
            continue
        upper = text.upper()
        if upper.startswith(_NATIONAL):
            if parts:
                break
            continue
        # The two-column header often puts "ỦY BAN NHÂN DÂN   CỘNG HÒA XÃ HỘI…" on one line.
        for motto in _NATIONAL:
            index = upper.find(motto)
            if index > 0:
                text = text[:index].strip()
                upper = text.upper()
        is_caps = text == upper and any(ch.isalpha() for ch in text)
        if is_caps and fold(upper) not in _DOC_TYPES_FOLDED and not upper.startswith(("SỐ", "V/V")):
            parts.append(text)
            if not _starts_issuer(" ".join(parts)) and len(parts) >= 2 and not _starts_issuer(parts[0] + " " + parts[1]):
                parts = parts[1:]  # a stray capitals line before the issuer
            if len(parts) == 4:
                break
        elif parts:
            if _starts_issuer(" ".join(parts)):
                break
            parts = []
    issuer = " ".join(parts) if parts and _starts_issuer(" ".join(parts)) else None
    if issuer and re.fullmatch(r"(?:ỦY|UỶ) BAN NHÂN DÂN", issuer):
        # "ỦY BAN NHÂN DÂN | CỘNG HÒA … |" then "TỈNH ĐẮK LẮK | Độc lập … |": the place is on the next row,
        for line in head:
            if re.match(r"^(TỈNH|THÀNH PHỐ|HUYỆN|XÃ|PHƯỜNG)\s+\S", line) and line.isupper():
                return f"{issuer} {line.strip()}"
        # or only in the authority line under the title ("ỦY BAN NHÂN DÂN TỈNH YÊN BÁI").
        for line in lines[:HEADER_LINES + 10]:
            match = _AUTHORITY.match(line.strip())
            if match:
                authority = re.sub(r"\s+điện\s*:?$", "", match.group(1).strip(), flags=re.IGNORECASE)
                if authority.isupper():
                    return authority
    return issuer


def _starts_issuer(text: str) -> bool:
    return text.upper().startswith(_ISSUER_START)


def _name_goes_on(rest: list[str]) -> bool:
    """"BỘ NÔNG NGHIỆP" / (blank) / "VÀ PHÁT TRIỂN NÔNG THÔN": a name is never split before "VÀ"."""
    for line in rest:
        text = line.strip()
        if text:
            return text.isupper() and text.startswith("VÀ ")
    return False


# A title stops at the authority line ("ỦY BAN NHÂN DÂN TỈNH …", "CHỦ TỊCH …", "BỘ TRƯỞNG …"),
# the time stamp of a telegram, or the first line of the body.
_PROSE_STOP = re.compile(r"^(Kính gửi|Căn cứ|Thực hiện|Triển khai|Theo |Xét |Số\s*:|(I|1)\.\s|Vào hồi)",
                         re.IGNORECASE)
AUTHORITY_LINE = re.compile(r"^(ĐIỆN\s*:|CỘNG H|CHỦ TỊCH|(ỦY|UỶ) BAN NHÂN DÂN|BỘ TRƯỞNG|BAN CHỈ HUY|HỘI ĐỒNG NHÂN DÂN)")


class _TitleStop:
    """A title line stops at prose that opens the body, or at the authority line in capitals."""

    @staticmethod
    def match(line: str) -> bool:
        return bool(AUTHORITY_LINE.match(line) or re.match(r"^([IVX]{1,5}|\d{1,2})\.\s", line)
                    or (_PROSE_STOP.match(line) and not line.isupper()))


_TITLE_STOP = _TitleStop()


def _subject(head: list[str], lines: list[str]) -> str | None:
    for index, line in enumerate(head):
        match = _SUBJECT.match(line.strip())
        if match:
            words = [match.group(1) + " " + match.group(2).strip()]
            for nxt in head[index + 1:]:
                nxt = nxt.strip()
                if not nxt or _SUBJECT_STOP.match(nxt) or (nxt.isupper() and not words[0].isupper()) \
                        or _TITLE_STOP.match(nxt):
                    break
                words.append(nxt)
            return " ".join(words).strip(" .")
    # A plan, decision or report: the document type in capitals, the title under it.
    for index, line in enumerate(lines[:HEADER_LINES + 10]):
        if line.strip().upper() == line.strip() and fold(line.strip()) in {fold(t) for t in _DOC_TYPES}:
            title: list[str] = []
            following = lines[index + 1:index + 8]
            for position, nxt in enumerate(following):
                nxt = nxt.strip()
                if not nxt:
                    if title and not _title_goes_on(following[position + 1:]):
                        break
                    continue
                if not title:
                    # The first line under the type is the title, even "Thực hiện chính sách …".
                    if AUTHORITY_LINE.match(nxt) or re.match(r"^([IVX]{1,5}|\d{1,2})\.\s|Kính gửi|Căn cứ|Vào hồi", nxt):
                        break
                elif _TITLE_STOP.match(nxt):
                    break
                if title and title[0].isupper() and any(ch.islower() for ch in nxt):
                    break  # a capitals title ends where the prose starts
                title.append(nxt)
            if title:
                return " ".join(title).strip(" .")
    # No type heading: a capitals "VỀ VIỆC …" line in the header.
    for index, line in enumerate(head):
        if line.startswith(("VỀ VIỆC", "V/V")):
            title = [line]
            for nxt in head[index + 1:]:
                if not nxt or not nxt.isupper() or _TITLE_STOP.match(nxt):
                    break
                title.append(nxt)
            return " ".join(title).strip(" .")
    return _title_over_authority(lines)


def _title_goes_on(rest: list[str]) -> bool:
    """"Kết luận của Bộ trưởng …" / (blank) / "tại Hội nghị …": a line that opens in lower case
    cannot start the body, so the title goes on over the blank line."""
    for line in rest:
        text = line.strip()
        if text:
            return text[:1].islower() and len(text) < 160
    return False


def _title_over_authority(lines: list[str]) -> str | None:
    """No type heading and no "VỀ VIỆC": the capitals lines between the place-date line and the
    authority line ("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "CHỦ TỊCH …") are the title, as a decision
    printed without its "QUYẾT ĐỊNH" line has it."""
    window = lines[:HEADER_LINES + 10]
    dated = next((i for i, line in enumerate(window) if _PLACE_DATE_FLAT.search(line)), None)
    if dated is None:
        return None
    title: list[str] = []
    for line in window[dated + 1:]:
        text = line.strip()
        if not text:
            continue
        if AUTHORITY_LINE.match(text) and not text.startswith(("CỘNG H", "ĐIỆN")):
            return " ".join(title).strip(" .") if title else None
        upper_letters = any(ch.isalpha() for ch in text) and text == text.upper()
        if not upper_letters or fold(text) in _DOC_TYPES_FOLDED or text.upper().startswith(_NATIONAL):
            return None
        title.append(text)
        if len(title) > 4:
            return None
    return None
