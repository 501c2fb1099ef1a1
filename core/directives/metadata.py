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

from core.textfold import fold

# The heading is at the top; later "số 05-KH/TU ngày …" are references to other documents.
HEADER_LINES = 40

_NUMBER = re.compile(r"^S[ốô]\s*(?:hiệu\s*)?[:.]?\s*(\d{1,6}[A-Za-z]?)\s*/\s*([0-9A-ZĐ][0-9A-ZĐa-zđ&\-–/.]*)")
_NUMBER_INLINE = re.compile(r"\bS[ốô]\s*:\s*(\d{1,6}[A-Za-z]?)\s*/\s*([0-9A-ZĐ][0-9A-ZĐa-zđ&\-–/.]*)")
_PLACE_DATE = re.compile(
    r"(?:^|[,;]\s*|\s{2,})([A-ZĐÀ-Ỹ][^\d,;:]{1,40}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    re.IGNORECASE)
_SUBJECT = re.compile(r"^(V/v|V/V|Về việc)\s*[:.]?\s*(.+)$")
_DOC_TYPES = ("KẾ HOẠCH", "BÁO CÁO", "QUYẾT ĐỊNH", "CHỈ THỊ", "THÔNG BÁO", "CÔNG VĂN", "HƯỚNG DẪN",
              "CHƯƠNG TRÌNH", "ĐỀ ÁN", "NGHỊ QUYẾT", "KẾT LUẬN", "TỜ TRÌNH", "CÔNG ĐIỆN")
_ISSUER_START = ("ỦY BAN", "UỶ BAN", "UBND", "SỞ ", "BAN ", "VĂN PHÒNG", "CÔNG AN", "HỘI ĐỒNG", "TỈNH ỦY",
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
    return DocumentInfo(_number(head), _date(head), _issuer(head), _subject(head, lines))


def _header_block(lines: list[str]) -> list[str]:
    """The lines before the body: up to "Kính gửi", the first numbered item, or HEADER_LINES."""
    block = []
    for line in lines[:HEADER_LINES]:
        if re.match(r"^(Kính gửi|Căn cứ|Thực hiện|Triển khai|1\.\s)", line):
            break
        block.append(line)
    return block or lines[:HEADER_LINES]


def _number(head: list[str]) -> str | None:
    for line in head:
        match = _NUMBER.match(line) or _NUMBER_INLINE.search(line)
        if match:
            symbol = match.group(2).rstrip(".-–/")
            return f"{match.group(1)}/{symbol}"
    return None


def _date(head: list[str]) -> dt.date | None:
    for line in head:
        match = _PLACE_DATE.search(line)
        if match:
            try:
                return dt.date(int(match.group(4)), int(match.group(3)), int(match.group(2)))
            except ValueError:
                return None
    return None


def _issuer(head: list[str]) -> str | None:
    """The capitalised issuing body lines at the very top (before the national motto)."""
    parts: list[str] = []
    for line in head:
        text = line.strip()
        if not text:
            if parts:
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
        if is_caps and (parts or upper.startswith(_ISSUER_START)) and not upper.startswith(_DOC_TYPES):
            parts.append(text)
            if len(parts) == 3:
                break
        elif parts:
            break
    return " ".join(parts) if parts else None


def _subject(head: list[str], lines: list[str]) -> str | None:
    for index, line in enumerate(head):
        match = _SUBJECT.match(line.strip())
        if match:
            words = [match.group(1) + " " + match.group(2).strip()]
            for nxt in head[index + 1:]:
                nxt = nxt.strip()
                if not nxt or _SUBJECT_STOP.match(nxt) or nxt.isupper():
                    break
                words.append(nxt)
            return " ".join(words).strip(" .")
    # A plan, decision or report: the document type in capitals, the title under it.
    for index, line in enumerate(lines[:HEADER_LINES + 10]):
        if line.strip().upper() == line.strip() and fold(line.strip()) in {fold(t) for t in _DOC_TYPES}:
            title = []
            for nxt in lines[index + 1:index + 6]:
                nxt = nxt.strip()
                if not nxt:
                    if title:
                        break
                    continue
                if re.match(r"^(Kính gửi|Căn cứ|Số\s*:|CỘNG H|(I|1)\.\s)", nxt, re.IGNORECASE):
                    break
                title.append(nxt)
            if title:
                return " ".join(title).strip(" .")
    return None
