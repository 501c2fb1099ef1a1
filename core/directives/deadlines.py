"""Vietnamese deadline phrases → a kind and the last day they allow.

Directives write deadlines in words: "trước ngày 31/3/2025", "hoàn thành trong tháng 8
năm 2025", "trong Quý II năm 2025", "Quý III/2024", "đến hết năm 2025", "Nhiệm vụ
thường xuyên", "định kỳ hàng Quý (bắt đầu từ Quý II/2025)". `parse_deadline` turns
one such phrase into a `Deadline`: `kind` is date | month | quarter | year | recurring |
none, `due` the last day the phrase allows (the day itself for "trước ngày"/"đến
ngày", the end of the month, quarter or year otherwise), and `text` the words as
written. It never raises: anything it cannot read is kind "none" with the text kept.

Two modes: a phrase that already sits after a "Thời gian hoàn thành:" label is read
as a deadline even when it is a bare date; `find_deadline` looks inside running task
text and only accepts time expressions introduced by a deadline word ("trước",
"chậm nhất", "hoàn thành", "trong", …), so "Kế hoạch số 05-KH/TU ngày 20/7/2025"
is never taken for a deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from core.directives.textclean import clean_line
from core.directives.folding import fold

KINDS = ("date", "month", "quarter", "year", "recurring", "none")
# Years a directive can plausibly name; anything else is a number, not a year.
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: dt.date | None = None
    text: str | None = None
    # For recurring tasks: "month" | "quarter" | "half" | "year" | "week" | None.
    period: str | None = None
    # "từ ngày 01/7/2025", "bắt đầu từ Quý II/2025": when the work (or reporting) starts.
    start: dt.date | None = None

    def as_json(self) -> dict:
        return {"kind": self.kind, "due": self.due.isoformat() if self.due else None, "text": self.text}


NONE = Deadline("none")

# All patterns run on folded text (no accents, đ→d, lower case): the fold keeps length
# for precomposed Vietnamese letters, so spans map back to the original words.
_SEP = r"\s*[/\-\.]\s*"
_DATE_NUM = re.compile(rf"(?<![\d/])(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{4}}))?(?![\d/])")
_DATE_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")
_MONTH = re.compile(rf"thang\s+(\d{{1,2}})(?:(?:{_SEP}|\s+nam\s+|\s+)(\d{{4}}))?(?![\d/])")
_QUARTER = re.compile(rf"quy\s+(iv|iii|ii|i|[1-4])\b(?:(?:{_SEP}|\s*nam\s+|\s+)(\d{{4}}))?")
_HALF = re.compile(r"(?:06|6|sau)\s+thang\s+(dau|cuoi)\s+nam(?:\s+(\d{4}))?")
_YEAR = re.compile(r"nam\s+(\d{4})\b")

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Words that make a time expression a deadline when they come just before it.
_TRIGGER = re.compile(
    r"(truoc|den(?:\s+het)?|cham\s+nhat|han\s+chot|khong\s+qua|khong\s+muon\s+hon|hoan\s+thanh|xong|"
    r"trong(?:\s+thoi\s+gian)?|het|cuoi|thoi\s+han|thoi\s+gian|ket\s+thuc|nop|gui)"
    # "trước 14 giờ ngày 3-1-2026", "trước 17h00 ngày …": an hour before the day.
    r"[\s,:]*(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2}(?:\s*phut)?)?[\s,:]*)?"
    r"(?:(?:ngay|han|hoan\s+thanh|thuc\s+hien|nam|thang|quy|xong|la)[\s,:]*){0,2}$")
# "trong thời hạn 10 ngày (làm việc) kể từ ngày ký": counted from the document's date.
_RELATIVE = re.compile(r"(?:trong\s+(?:thoi\s+han|vong|thoi\s+gian)|cham\s+nhat(?:\s+la)?|sau)\s+(\d{1,3})\s+ngay"
                       r"(\s+lam\s+viec)?[\s,]*(?:ke\s+)?tu\s+ngay\s+(?:ky|ban\s+hanh|van\s+ban\s+nay\s+duoc\s+ky)")
# Holidays written as dates are not deadlines: "Lễ 30/4 – 1/5", "dịp 2/9", "nghỉ lễ 30/4".
_HOLIDAY = re.compile(r"(?:\ble|\bdip|\bngay\s+le|\btet)\s+(?:[a-z]+\s+){0,3}?\d{1,2}\s*/\s*\d{1,2}(?!\s*/\s*\d)"
                      r"(?:\s*[-–]\s*\d{1,2}\s*/\s*\d{1,2}(?!\s*/\s*\d))?(?:\s+nam\s+\d{4})?")
# "từ ngày …", "bắt đầu từ Quý II/2025", "kể từ": the start of the work, not its end.
_START = re.compile(r"(?:^|[\s\(\[,;])(tu|bat\s+dau(?:\s+tu)?|ke\s+tu)[\s,:]*(?:(?:sang|trua|chieu|toi|dem)\s+)?"
                    r"(?:ngay|thang|quy|nam)?\s*$")
# "từ chiều ngày 24/4 đến hết ngày 25/4": the end of a window of a few days in which something
# happens (flags flown, offices closed, a duty rota), not a day to finish work by — unless completion
# words open it ("hoàn thành từ … đến …"). A longer span ("thực hiện từ 01/7 đến 31/12") is a period
# to get the work done in: its end stays the deadline.
WINDOW_DAYS = 7
_WINDOW_GAP = re.compile(r"^[\s,]*(?:\([^)]{0,30}\)[\s,]*)?$")
_COMPLETION_BEFORE = re.compile(r"(hoan\s+thanh|xong|thoi\s+gian|thoi\s+han|han\s+chot|cham\s+nhat)[^.;]{0,25}$")
# Document references: "Công văn số 943/CAT-ANM ngày 02/08/2025", "Kế hoạch số 02", "ngày 20/7/2025 của …".
_DOC_REF = re.compile(r"\bso\s+\d[\w\-/&]*(?:\s+ngay\s+\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4})?")
_OF_ISSUER = re.compile(r"ngay\s+\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}\s+(?:cua|ve)\b")
# Plans name horizons that are not deadlines: "giai đoạn 2021-2025", "định hướng đến năm 2030".
_HORIZON = re.compile(r"(giai\s+doan\s+\d{4}\s*[-–]\s*\d{4}|(?:dinh\s+huong|tam\s+nhin)\s+(?:den\s+)?nam\s+\d{4})")

# Everything that looks like a date but states none, in one pass (order as the masks were applied).
_NOT_DEADLINES = re.compile("|".join(f"(?:{p.pattern})" for p in (_OF_ISSUER, _DOC_REF, _HORIZON, _HOLIDAY)))
_MAY_MASK = re.compile(r"\bso\s+\d|\bngay\s+\d|giai\s+doan|dinh\s+huong|tam\s+nhin|\ble\b|\bdip\b|\btet\b")

_RECURRING_PHRASE = re.compile(
    r"thuong\s+xuyen|dinh\s+ky|hang\s+(?:tuan|thang|quy|nam)|"
    r"moi\s+(?:tuan|thang|quy|nam)|lien\s+tuc|hang\s+ngay")
_RECURRING_IN_TEXT = re.compile(
    # A periodic report named by its period ("Báo cáo 6 tháng gửi trước ngày 05/6", "báo cáo quý"),
    # not one period's report ("báo cáo tháng 6", "báo cáo 6 tháng đầu năm 2025", "báo cáo quý I").
    r"\bbao\s+cao\s+(?:(?:06|6|sau)\s+thang|thang|quy|nam)\b"
    r"(?!\s*(?:\d|i\b|ii\b|iii\b|iv\b|(?:dau|cuoi)\s+nam\s+\d|nay\b|qua\b|truoc\b|toi\b))|"
    r"nhiem\s+vu\s+thuong\s+xuyen|(?:thuc\s+hien|trien\s+khai)\s+thuong\s+xuyen\s*[\.;]?$|"
    r"dinh\s+ky|hang\s+(?:tuan|thang|quy|nam)\b|moi\s+(?:thang|quy)\b|"
    r"ngay\s+\d{1,2}\s+(?:cua\s+)?(?:moi\s+|hang\s+)?thang\b(?!\s*\d)")
_PERIODS = [("week", re.compile(r"(?:hang|moi)\s+tuan")),
            ("month", re.compile(r"(?:hang|moi)\s+thang|dinh\s+ky\s+thang|cua\s+thang\b")),
            ("quarter", re.compile(r"(?:hang|moi)\s+quy|dinh\s+ky\s+quy")),
            ("half", re.compile(r"(?:06|6|sau)\s+thang(?:\s+mot\s+lan)?|nua\s+nam")),
            ("year", re.compile(r"(?:hang|moi)\s+nam|dinh\s+ky\s+nam"))]


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    due: dt.date
    first_day: dt.date


def _valid_year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _candidates(folded: str, default_year: int | None) -> list[_Candidate]:
    """Every time expression in the folded text, most specific first, without overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[_Candidate] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(match: re.Match, kind: str, due: dt.date | None, first: dt.date | None) -> None:
        if due is None or not free(match.start(), match.end()):
            return
        taken.append((match.start(), match.end()))
        found.append(_Candidate(match.start(), match.end(), kind, due, first or due))

    for pattern in (_DATE_WORDS, _DATE_NUM):
        for m in pattern.finditer(folded):
            day, month = int(m.group(1)), int(m.group(2))
            year = _valid_year(m.group(3)) if m.group(3) else default_year
            if m.group(3) and year is None:
                continue
            add(m, "date", _safe_date(year, month, day), None)
    for m in _HALF.finditer(folded):
        year = _valid_year(m.group(2)) or default_year
        if year is not None:
            first_half = m.group(1) == "dau"
            add(m, "quarter", _last_day(year, 6 if first_half else 12),
                dt.date(year, 1 if first_half else 7, 1))
    for m in _MONTH.finditer(folded):
        month = int(m.group(1))
        year = _valid_year(m.group(2)) if m.group(2) else default_year
        if 1 <= month <= 12 and year is not None:
            add(m, "month", _last_day(year, month), dt.date(year, month, 1))
    for m in _QUARTER.finditer(folded):
        token = m.group(1)
        quarter = _ROMAN.get(token) or int(token)
        year = _valid_year(m.group(2)) if m.group(2) else None
        if year is None:
            # "Quý II và Quý III năm 2025": the year written after the last quarter.
            later = _YEAR.search(folded, m.end(), m.end() + 30)
            year = _valid_year(later.group(1)) if later else default_year
        if year is not None:
            add(m, "quarter", _last_day(year, quarter * 3), dt.date(year, quarter * 3 - 2, 1))
    for m in _YEAR.finditer(folded):
        year = _valid_year(m.group(1))
        if year is not None:
            add(m, "year", dt.date(year, 12, 31), dt.date(year, 1, 1))
    found.sort(key=lambda c: c.start)
    return found


def _mask(folded: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), folded)


def _fold_same_length(text: str) -> str:
    """fold() with positions kept: the folded text lines up character for character."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else (f[:1] or " "))
    return "".join(out)


def _period(folded: str) -> str | None:
    for name, pattern in _PERIODS:
        if pattern.search(folded):
            return name
    return None


def _clean_phrase(text: str) -> str:
    text = clean_line(text)
    return text.strip(" \t-–:;,./") if text else text


def parse_deadline(text: str | None, *, default_year: int | None = None,
                   label_context: bool = True, document_date: dt.date | None = None) -> Deadline:
    """Read one deadline phrase. Never raises; unknown phrasing gives kind "none".

    `label_context`: the phrase followed a "Thời gian hoàn thành:" style label, so a
    bare date or month is a deadline too. `default_year` completes "trước ngày 31/3".
    """
    try:
        return _parse(text, default_year, label_context, document_date)
    except Exception:  # the contract: a deadline that cannot be read is "none", never a crash
        return Deadline("none", text=_safe_text(text))


def _safe_text(text) -> str | None:
    if not isinstance(text, str):
        return None
    return text.strip() or None


def _parse(text: str | None, default_year: int | None, label_context: bool,
           document_date: dt.date | None = None) -> Deadline:
    if not isinstance(text, str) or not text.strip():
        return NONE
    original = _clean_phrase(text)
    if not original:
        return NONE
    found, _span = _read(original, default_year, label_context, document_date)
    return found


def _add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _read(original: str, default_year: int | None, label_context: bool, document_date: dt.date | None = None
          ) -> tuple[Deadline, tuple[int, int] | None]:
    """The deadline in `original` and the span of the words that state it."""
    folded = _fold_same_length(original)
    relative = _RELATIVE.search(folded)
    if relative is not None:
        # Counted from the document's date; without one (a draft) the words are kept, no day invented.
        if document_date is None:
            return Deadline("none", None, original), (relative.start(), relative.end())
        days = int(relative.group(1))
        due = (_add_working_days(document_date, days) if relative.group(2)
               else document_date + dt.timedelta(days=days))
        return Deadline("date", due, original), (relative.start(), relative.end())
    masked = _mask(folded, _NOT_DEADLINES) if _MAY_MASK.search(folded) else folded
    candidates = _candidates(masked, default_year)

    def context_before(c: _Candidate) -> str:
        return masked[max(0, c.start - 40):c.start].rstrip()

    starts = [c for c in candidates if _START.search(" " + context_before(c))]
    ends = [c for c in candidates if c not in starts]
    start_day = starts[0].first_day if starts else None

    recurring = (_RECURRING_PHRASE if label_context else _RECURRING_IN_TEXT).search(masked)
    if recurring:
        return (Deadline("recurring", None, original, _period(masked), start_day),
                (recurring.start(), len(original)))
    if not label_context:
        triggered = []
        for c in ends:
            before = context_before(c)
            trigger = _TRIGGER.search(before)
            # "Chương trình … đến năm 2025" names a plan's horizon, not a task deadline.
            if trigger and not (c.kind == "year" and trigger.group(1) == "den"):
                at = max(0, c.start - 40) + trigger.start()
                if trigger.group(1).startswith("den") and _closes_window(masked, starts, at, c.due):
                    continue
                triggered.append((c, at))
        if not triggered:
            return Deadline("none", None, original, None, start_day), None
        chosen, clause_start = triggered[0]
        return (Deadline(chosen.kind, chosen.due, original, None, start_day),
                (clause_start, chosen.end))
    if not ends:
        return Deadline("none", None, original, None, start_day), None
    chosen = ends[0]
    return Deadline(chosen.kind, chosen.due, original, None, start_day), (chosen.start, chosen.end)


def _closes_window(masked: str, starts: list[_Candidate], trigger_at: int, end_day: dt.date | None) -> bool:
    """Does "đến …" at `trigger_at` close a short "từ … đến …" window (WINDOW_DAYS) without completion words?"""
    for start in starts:
        if start.end <= trigger_at and _WINDOW_GAP.match(masked[start.end:trigger_at]):
            opening = masked[max(0, start.start - 60):start.start]
            return not _COMPLETION_BEFORE.search(opening) and end_day is not None \
                and 0 <= (end_day - start.first_day).days <= WINDOW_DAYS
    return False


# --- finding a deadline inside running text -----------------------------------------------

_LABEL = re.compile(
    r"\b(?:thoi\s+gian|thoi\s+han|han)\b\s*(?:hoan\s+thanh|thuc\s+hien|bao\s+cao)?\s*:?\s*"
    r"|\btien\s+do(?:\s+thuc\s+hien)?\s*:\s*")
_SENTENCE_END = re.compile(r"[\.;]\s|[\.;]$|\n")


def find_deadline(text: str, *, default_year: int | None = None, document_date: dt.date | None = None) -> Deadline:
    """The deadline written inside task text ("…, hoàn thành trước ngày 30/6/2025."), if any.

    `text` of the result is the clause that states it; kind "none" (text None) when there is none.
    """
    try:
        cleaned = clean_line(text or "")
        if not cleaned:
            return NONE
        folded = _fold_same_length(cleaned)
        label = None
        for m in _LABEL.finditer(folded):
            if m.group(0).rstrip().endswith(":") or "hoan thanh" in m.group(0):
                label = m
        if label is not None:
            clause_end = _SENTENCE_END.search(folded, label.end())
            phrase = cleaned[label.end():clause_end.start() if clause_end else len(cleaned)]
            found = parse_deadline(phrase, default_year=default_year, document_date=document_date)
            if found.kind != "none":
                return found
        found, span = _read(cleaned, default_year, False, document_date)
        if found.kind == "none" or span is None:
            return NONE
        end = _SENTENCE_END.search(folded, span[1])
        clause = cleaned[span[0]:end.start() if end else len(cleaned)].strip(" ,;./")
        return Deadline(found.kind, found.due, clause or cleaned, found.period, found.start)
    except Exception:
        return NONE
