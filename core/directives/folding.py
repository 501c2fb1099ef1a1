"""`fold` for the directive parser, remembered: the same line or task text is folded by several
rules (markers, deadline words, unit names, commune wording); a small cache halves the folding
cost of parsing a 20-page directive."""

from __future__ import annotations

from functools import lru_cache

from core.textfold import fold as _fold


@lru_cache(maxsize=8192)
def fold(text: str | None) -> str:
    """core.textfold.fold (lower case, accents removed, đ→d), cached."""
    return _fold(text)
