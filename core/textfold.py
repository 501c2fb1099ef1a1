"""Vietnamese text helpers: diacritic folding for search, and collation for sorting.

`fold("Hồ sơ Đỗ")` -> "ho so do": what the search index stores and what a
query is turned into, so typing without accents (or with đ typed as d) finds
the accented text. `vi_sort_key` orders words as a Vietnamese dictionary does:
letters first (a < ă < â < b … d < đ …), tones only to break ties.
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")

# Letters of the Vietnamese alphabet in order; f, j, w, z (foreign words) go where Latin puts them.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tone order of dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def fold(text: str | None) -> str:
    """Lower-case, accents removed, đ→d: the searchable form of `text`."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return _MARKS.sub("", decomposed).lower()


def fold_words(text: str | None) -> list[str]:
    """Folded words of `text` (punctuation dropped) — the tokens of a search query."""
    return [word for word in _NON_WORD.split(fold(text)) if word]


def fts_query(text: str | None) -> str | None:
    """An FTS5 MATCH expression: every folded word as a prefix, all required.

    Returns None when the text holds nothing searchable (the caller then lists all rows).
    """
    words = fold_words(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def _split_letters(text: str):
    """Yield (letter, tone_rank) for each character, Vietnamese letters composed back."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    i = 0
    while i < len(decomposed):
        base = decomposed[i]
        i += 1
        shape = ""
        tone = 0
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            mark = decomposed[i]
            if mark in _SHAPE_MARKS:
                shape += mark
            elif mark in _TONE_RANK:
                tone = _TONE_RANK[mark]
            i += 1
        yield unicodedata.normalize("NFC", base + shape), tone


def vi_sort_key(text: str | None) -> tuple:
    """Sort key for Vietnamese: primary by letters, secondary by tones, then raw text."""
    if not text:
        return ((), (), "")
    letters = []
    tones = []
    for letter, tone in _split_letters(text):
        rank = _LETTER_RANK.get(letter)
        # Digits and punctuation sort before letters, by code point.
        letters.append((1, rank, "") if rank is not None else (0, 0, letter))
        tones.append(tone)
    return (tuple(letters), tuple(tones), text)


def vi_name_sort_key(full_name: str | None) -> tuple:
    """Vietnamese personal names sort by the given name (last word), then the rest."""
    words = (full_name or "").split()
    if not words:
        return vi_sort_key("")
    return (vi_sort_key(words[-1]), vi_sort_key(" ".join(words[:-1])))


def vi_collate(left: str | None, right: str | None) -> int:
    """SQLite collation function: `ORDER BY name COLLATE VI`."""
    a, b = vi_sort_key(left), vi_sort_key(right)
    return (a > b) - (a < b)
