"""Normative documents: their articles state rules, not work.

A thông tư, nghị định or luật says what the rules are ("Thông tư này quy định …", "Danh hiệu
… được xét tặng hằng năm cho …", "1. Sản phẩm rượu sản xuất trong nước …"). Its numbered
points are provisions, not tasks for the commune's list: one of them is a task only when it
gives work to a unit in so many words ("giao Sở …", "UBND các tỉnh có trách nhiệm …"). A
decision, directive, plan or letter is not normative in this sense: its items are the work.
"""

from __future__ import annotations

import re

from core.directives.folding import fold
from core.directives.metadata import HEADER_LINES, DocumentInfo

# "160/2013/TT-BTC", "06/2019/TT-BKHĐT", "94/2012/NĐ-CP", "47/2010/TT-BNNPTNT", "59/2020/QH14".
_NORMATIVE_NUMBER = re.compile(r"/(?:TT|TTLT|NĐ|ND)-|/QH\d", re.IGNORECASE)
# The type heading on a line of its own (folded): "THÔNG TƯ", "THÔNG TƯ LIÊN TỊCH", "NGHỊ ĐỊNH", "LUẬT".
_NORMATIVE_HEADING = re.compile(r"^(?:thong\s+tu(?:\s+lien\s+tich)?|nghi\s+dinh|luat)$")


def is_normative(lines: list[str], document: DocumentInfo) -> bool:
    """Is the document a thông tư, nghị định or luật (by its number, or its type heading)?"""
    if document.number and _NORMATIVE_NUMBER.search(document.number):
        return True
    for line in lines[:HEADER_LINES + 10]:
        text = line.strip()
        if text and text.upper() == text and _NORMATIVE_HEADING.match(fold(text).lower()):
            return True
    return False
