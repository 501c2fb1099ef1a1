"""Cleaning the text of a directive before it is read: what conversion tools leave behind.

A directive reaches us through Word, PDF or a copy from the e-office system, and each
route leaves marks that are not words: Markdown bold (``**19**``), footnote anchors
(``[footnoteRef:1]``, ``¹``), footnote bodies pasted inline (``[1: Theo hướng dẫn …]``),
Word bookmarks, odd bullets (``·``, ``•``, ``–``) and non-breaking spaces. They are removed
or made uniform here so the structure and deadline rules only see the words.
"""

from __future__ import annotations

import re
import unicodedata

# Footnote bodies that conversion tools paste inline: "[1:  Theo hướng dẫn …]".
_FOOTNOTE_BODY = re.compile(r"\[\d{1,3}:\s[^\]]*\]")
# Footnote anchors and Word bookmarks: "[footnoteRef:1]", "[bookmark: _GoBack]", "[^1]".
_ANCHORS = re.compile(r"\[(?:footnoteRef|endnoteRef|bookmark|\^)[^\]]*\]", re.IGNORECASE)
# A bare "[1]" or superscript digits glued to a word or punctuation are footnote marks.
_BRACKET_MARK = re.compile(r"(?<=[^\s\d\[])\[\d{1,3}\]")
_SUPERSCRIPTS = re.compile(r"(?<=\S)[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_EMPHASIS = re.compile(r"\*{1,3}|(?<!\w)_{2}|_{2}(?!\w)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_BULLETS = re.compile(r"^(\s*)[·•●▪◦∙\u2022\u2023\u2043\u25aa\u25cf\uf0b7\uf0a7\u2013\u2014]\s*")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u200b\ufeff]+")


def normalise_unicode(text: str) -> str:
    """NFC, Windows line ends gone, form feeds (PDF page breaks) as line breaks."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")


_ODD_SPACE = re.compile(r"[\t\u00a0\u2007\u202f\u200b\ufeff]|  ")
_SUPERSCRIPT_CHARS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]")


def clean_line(line: str) -> str:
    """One line without conversion debris; bullets become "- ".

    Each substitution runs only when its mark can be there: a directive has thousands of lines
    and most carry none, so the checks keep reading a 20-page PDF within its time budget."""
    if "[" in line:
        line = _FOOTNOTE_BODY.sub("", line)
        line = _ANCHORS.sub("", line)
        line = _BRACKET_MARK.sub("", line)
    if not line.isascii():
        if _SUPERSCRIPT_CHARS.search(line):
            line = _SUPERSCRIPTS.sub("", line)
    if "#" in line:
        line = _MD_HEADING.sub("", line)
    if "*" in line or "__" in line:
        line = _EMPHASIS.sub("", line)
    stripped = line.lstrip()
    if stripped[:1] and not stripped[:1].isalnum() and stripped[:1] not in "-+(“\"'":
        line = _BULLETS.sub(r"\1- ", line)
    if _ODD_SPACE.search(line):
        line = _SPACES.sub(" ", line)
    return line.strip()


def clean_text(text: str) -> list[str]:
    """The directive as cleaned lines (blank lines kept as "" to mark paragraph ends)."""
    text = normalise_unicode(text)
    # Footnote bodies can span lines; remove them before splitting.
    text = _FOOTNOTE_BODY.sub("", text)
    return unwrap(split_cells([clean_line(line) for line in text.split("\n")]))


# --- text copied from web pages: table cells and hard-wrapped lines --------------------------

_TERMINAL = (".", ";", ":", "!", "?", "…")
_MARKER_START = re.compile(r"^(?:[IVX]{1,5}[\.\)]|\d{1,2}(?:\.\d{1,2}){0,3}[\.\)]\s|[a-zđ]\)|\(\d{1,2}\)|Điều\s+\d)")
_AUTHORITY = re.compile(r"^(ĐIỆN|CỘNG H|CHỦ TỊCH|(ỦY|UỶ) BAN|BỘ TRƯỞNG|BAN CHỈ HUY|HỘI ĐỒNG)")
_RULE = re.compile(r"^[-–—_=*.\s]{3,}$")


def split_cells(lines: list[str]) -> list[str]:
    """Legal-text sites print the two-column header as a table: "ỦY BAN NHÂN DÂN | CỘNG HÒA … |" on
    one line, or cells closed by lone "|" lines. Each cell becomes its own line; rules ("-----") and
    the "|" lines become blank lines, so the cells stay apart."""
    out: list[str] = []
    for line in lines:
        if line == "|" or _RULE.match(line):
            out.append("")
        elif " | " in line or line.endswith(" |") or line.startswith("| "):
            out.extend(cell.strip() for cell in line.split("|") if cell.strip())
            out.append("")
        else:
            out.append(line)
    return out


def unwrap(lines: list[str]) -> list[str]:
    """Join the lines of a text that was hard-wrapped at a fixed width (copied from a web page).

    Such a text breaks sentences anywhere ("phối\\nhợp với", "Sở Lao động\\n- Thương binh"), so a
    line of nearly the full width that does not end a sentence continues on the next line. Texts
    whose lines are paragraphs (Word, PDF, most .txt) are left alone.
    """
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 8:
        return lines
    width = lengths[int(len(lengths) * 0.85)]
    if width < 40 or width > 140:
        return lines
    near_full = [line for line in lines if line and len(line) >= 0.7 * width and not line.endswith(_TERMINAL)]
    if len(near_full) < max(4, len([line for line in lines if line]) // 5):
        return lines
    out: list[str] = []
    for line in lines:
        if out and out[-1] and line and _continues(out[-1], line, width):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _continues(previous: str, line: str, width: int) -> bool:
    if previous.endswith(_TERMINAL):
        return False
    if line[:1].islower() and not previous.isupper():
        return True  # "- Khẩn trương hoàn thành tổng kết\ncông tác chỉ đạo …": a sentence goes on
    if len(previous) < 0.6 * width:
        return False
    if previous.isupper() != line.isupper() and previous.isupper():
        return False  # a capitals title above prose
    if line.isupper() and _AUTHORITY.match(line):
        return False  # "ỦY BAN NHÂN DÂN TỈNH …" under a decision's title
    if line.startswith("- "):
        # "Sở Lao động\n- Thương binh và Xã hội": a dash after a word that ends nothing.
        return previous[-1:].isalpha() and line[2:3].isupper()
    return not _MARKER_START.match(line)
