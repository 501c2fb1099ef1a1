"""The outline of a directive's body: sections, numbered and lettered items, dashes.

Vietnamese administrative writing numbers its points "I.", "1.", "1.1.", "a)", "(1)", "-",
"+", nested in whatever order the drafter chose. The outline is built the way a reader
does: the first time a kind of marker appears it opens a deeper level; when a kind seen
before comes back, the levels under it close. Lines without a marker belong to the item
above them; "Thời gian hoàn thành: …" lines are kept as deadlines of that item, even
when written as a dash ("- Thời gian hoàn thành: Trước ngày 20/12/2025").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.directives.folding import fold

_MARKERS = [
    # "Điều 2." of a decision (its text may start on the next line).
    ("dieu", re.compile(r"^Điều\s+(?P<tok>\d{1,3})\s*[\.:]?\s*(?P<rest>.*)$")),
    ("roman", re.compile(r"^(?P<tok>[IVX]{1,5})[\.\)/]\s*(?P<rest>\S.*)$")),
    ("multi", re.compile(r"^(?P<tok>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?P<rest>\D.*)$")),
    ("num.", re.compile(r"^(?P<tok>\d{1,2})\.\s*(?P<rest>[^\d\s/].*)$")),
    # "1)", "1/ Sở …", "1- Cho …" — not "14/2007/QĐ-UBND" or "30/6/2025;" at the start of a wrapped line.
    ("num)", re.compile(r"^(?P<tok>\d{1,2})(?:\)|/(?=\s+\D)|\s?-(?=\s+\D))\s*(?P<rest>\S.*)$")),
    ("letter", re.compile(r"^(?P<tok>[a-zđ])[\)\./]\s+(?P<rest>\S.*)$")),
    ("paren", re.compile(r"^\((?P<tok>\d{1,2}|[a-zđ])\)\s*(?P<rest>\S.*)$")),
    ("dash", re.compile(r"^-\s*(?P<rest>[^\s\-].*)$")),
    ("plus", re.compile(r"^\+\s*(?P<rest>\S.*)$")),
]
# "Thời gian hoàn thành:", "Thời hạn:", "Tiến độ thực hiện:" — on its own line, maybe as a dash.
_DEADLINE_LINE = re.compile(
    r"^[-+]?\s*(?:(?:thoi\s+gian\s+(?:hoan\s+thanh|thuc\s+hien)|thoi\s+han\s+(?:hoan\s+thanh|thuc\s+hien)|"
    r"han\s+hoan\s+thanh|tien\s+do\s+(?:thuc\s+hien|hoan\s+thanh))\s*(?::|\s(?=\S))|"
    r"(?:thoi\s+gian|thoi\s+han|han|tien\s+do)\s*:)")
# Sections whose points describe, explain or justify — not work to be done.
_NOT_TASKS = re.compile(
    r"^(muc\s+dich|yeu\s+cau\b(?!\s+(cac|thu|chu|giam))|muc\s+tieu|can\s+cu|quan\s+diem|ket\s+qua|tinh\s+hinh|"
    r"thuc\s+trang|kho\s+khan|han\s+che|nguyen\s+nhan|danh\s+gia|phu\s+luc|bai\s+hoc|ton\s+tai|"
    r"chinh\s+sach,\s+phap\s+luat)")
# Where the body ends: the recipients block, the signature, an appendix.
_END = re.compile(r"^(noi\s+nhan|kt\.|tm\.|ktl\.|tl\.|chu\s+tich\s*$|pho\s+chu\s+tich\s*$|phu\s+luc\s*$|"
                  r"tren\s+day\s+la)")


@dataclass
class Node:
    kind: str
    token: str
    heading: str
    ref: str = ""
    # ("text", line) | ("deadline", phrase) | ("break", "") in reading order.
    entries: list[tuple[str, str]] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def body_lines(self) -> list[str]:
        return [text for kind, text in self.entries if kind == "text"]

    @property
    def deadlines(self) -> list[str]:
        return [text for kind, text in self.entries if kind == "deadline"]

    def is_description_section(self) -> bool:
        return bool(_NOT_TASKS.match(fold(self.heading).strip()))


def classify(line: str) -> tuple[str, str, str] | None:
    """(kind, token, rest) when the line opens an item."""
    for kind, pattern in _MARKERS:
        match = pattern.match(line)
        if match:
            token = match.groupdict().get("tok") or ""
            return kind, token, match.group("rest").strip()
    return None


def deadline_phrase(line: str) -> str | None:
    """The phrase after a deadline label, when the line is a deadline line."""
    folded = fold(line)
    match = _DEADLINE_LINE.match(folded)
    if not match:
        return None
    if len(folded) == len(line):
        return line[match.end():].strip(" :")
    return re.split(r":", line, maxsplit=1)[-1].strip()


def body_range(lines: list[str]) -> tuple[int, int]:
    """Indices of the first and past-the-last line of the body."""
    start = 0
    for index, line in enumerate(lines[:80]):
        # "Kính gửi: …", or a telegram's "CHỦ TỊCH UBND TỈNH điện:" over its list of recipients.
        if fold(line).startswith("kinh gui") or re.search(r"\bdien\s*:\s*$", fold(line)):
            start = index + 1
            # The recipients: dashes (or short lines) until the first paragraph.
            while start < len(lines) and (not lines[start] or lines[start].startswith(("-", "+"))
                                          or (len(lines[start]) < 60 and not lines[start].endswith((".", ":")))
                                          ):
                if lines[start] and classify(lines[start]) and classify(lines[start])[0] not in ("dash", "plus"):
                    break
                start += 1
            break
    end = len(lines)
    for index in range(start, len(lines)):
        line = lines[index]
        if _END.match(fold(line)):
            end = index
            break
        if line.endswith("/.") and classify(line) is None:
            end = index  # the closing sentence "… triển khai thực hiện./."
            break
    return start, end


def build_outline(lines: list[str]) -> Node:
    """The item tree of the body lines (cleaned). The root holds the preamble lines."""
    root = Node("root", "", "")
    stack: list[Node] = [root]
    start, end = body_range(lines)
    for line in lines[start:end]:
        if not line:
            stack[-1].entries.append(("break", ""))
            continue
        phrase = deadline_phrase(line)
        if phrase is not None and len(stack) > 1:
            stack[-1].entries.append(("deadline", phrase))
            continue
        marker = classify(line)
        if marker is None:
            stack[-1].entries.append(("text", line))
            continue
        kind, token, rest = marker
        kinds = [node.kind for node in stack]
        if kind in kinds:
            del stack[kinds.index(kind):]
        elif kind == "num." and "multi" in kinds:
            # "2.4. …" then "1. …": "1." is the level above "2.4." (whose own "2." the text left out),
            # never an item under it (that would be "2.4.1." or "a)").
            del stack[kinds.index("multi"):]
        parent = stack[-1]
        node = Node(kind, token, rest, parent=parent)
        node.ref = _ref(parent, node)
        parent.children.append(node)
        stack.append(node)
    return root


def _ref(parent: Node, node: Node) -> str:
    if node.kind == "multi":
        own = node.token
        # "1.2" under "1." already names its parent; under "II." it needs the section.
        prefix = parent.ref if parent.kind == "roman" else ""
        return f"{prefix}.{own}" if prefix else own
    if node.kind in ("dash", "plus", "paren") or not node.token:
        own = str(sum(1 for sibling in parent.children if sibling.kind == node.kind) + 1)
        if node.kind == "paren" and node.token:
            own = node.token
    else:
        own = node.token
    return f"{parent.ref}.{own}" if parent.ref else own
