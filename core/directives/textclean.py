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


def clean_line(line: str) -> str:
    """One line without conversion debris; bullets become "- "."""
    line = _FOOTNOTE_BODY.sub("", line)
    line = _ANCHORS.sub("", line)
    line = _BRACKET_MARK.sub("", line)
    line = _SUPERSCRIPTS.sub("", line)
    line = _MD_HEADING.sub("", line)
    line = _EMPHASIS.sub("", line)
    line = _BULLETS.sub(r"\1- ", line)
    line = _SPACES.sub(" ", line)
    return line.strip()


def clean_text(text: str) -> list[str]:
    """The directive as cleaned lines (blank lines kept as "" to mark paragraph ends)."""
    text = normalise_unicode(text)
    # Footnote bodies can span lines; remove them before splitting.
    text = _FOOTNOTE_BODY.sub("", text)
    return [clean_line(line) for line in text.split("\n")]
