"""What a web page prints around the document it carries.

Legal-text sites put the document's status above its header as a list ("• Hiệu lực: Còn hiệu
lực", "• Ngày có hiệu lực: 01/01/2014"). A directive never opens with items before its national
motto (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM): a list item above the motto is the page's, not a
task. The lines themselves are kept (they may hold the issuer); only their item markers go.
"""

from __future__ import annotations

from core.directives.folding import fold
from core.directives.outline import classify

# How far down the page the motto may sit and still head the document.
_MOTTO_WITHIN = 60


def _motto_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines[:_MOTTO_WITHIN]):
        folded = fold(line).lower()
        if "cong hoa xa hoi chu nghia" in folded or folded.startswith("doc lap - tu do"):
            return index
    return None


def without_items_above_the_motto(lines: list[str]) -> list[str]:
    """The lines with each list item above the national motto turned into plain text (no marker)."""
    motto = _motto_index(lines)
    if motto is None:
        return lines
    out = list(lines)
    for index in range(motto):
        found = classify(out[index])
        if found is not None:
            out[index] = found[2]
    return out
