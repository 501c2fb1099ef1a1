"""A directive's text → its document info and the tasks it gives (no database, no Qt).

`parse_directive(text)` is what the CLI's parse-directive, the import dialog and the
importer share. Each task is one leaf of the outline (an item with no sub-items), split
further where an item lists several duties each followed by its own "Thời gian hoàn
thành" line (refs "2.a.1", "2.a.2"). The unit at the head of an item, or of the item
above it ("1. Sở Thông tin và Truyền thông" over its dashes), is the lead unit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from core.directives.deadlines import NONE, Deadline, find_deadline, parse_deadline
from core.directives.errors import EmptyDirectiveError, NoTasksFoundError
from core.directives.metadata import HEADER_LINES, DocumentInfo, extract_document_info
from core.directives.normative import is_normative
from core.directives.outline import Node, body_range, build_outline
from core.directives.page_furniture import without_items_above_the_motto
from core.directives.sentences import (directs_own_people, is_heading, join_open_lists, subject_lead,
                                       unaddressed_instruction)
from core.directives.textclean import clean_text
from core.directives.unit_roles import coordinating_units, is_for_commune, looks_like_unit, mentions_action, split_lead

MAX_CONTENT_CHARS = 4000


@dataclass
class TaskItem:
    ref: str
    content: str
    lead_unit: str | None
    coordinating_units: list[str] = field(default_factory=list)
    for_commune: bool = False
    deadline: Deadline = NONE

    def as_json(self) -> dict:
        return {"ref": self.ref, "content": self.content, "lead_unit": self.lead_unit,
                "coordinating_units": list(self.coordinating_units), "for_commune": self.for_commune,
                "deadline": self.deadline.as_json()}


@dataclass
class ParsedDirective:
    document: DocumentInfo
    tasks: list[TaskItem]
    text: str = ""
    # Why the result needs a person's eye: no task found, a report rather than a directive.
    warnings: list[str] = field(default_factory=list)
    # "report" when the document reports rather than directs; else "directive".
    kind: str = "directive"

    def as_json(self) -> dict:
        return {"document": self.document.as_json(), "tasks": [t.as_json() for t in self.tasks],
                "warnings": list(self.warnings)}


NO_TASKS_WARNING = ("Không tìm thấy nhiệm vụ nào: văn bản không có mục đánh số (1., a), -…) hay câu giao việc "
                    "(“Giao Sở … chủ trì”, “đề nghị UBND các xã …”). Hãy kiểm tra lại văn bản, hoặc thêm nhiệm vụ "
                    "bằng tay.")
REPORT_WARNING = ("Văn bản này có vẻ là BÁO CÁO, không phải văn bản chỉ đạo: các mục tìm được có thể chỉ là kết quả "
                  "hay kiến nghị, không phải nhiệm vụ được giao. Hãy kiểm tra trước khi nhập.")
_REPORT_PREAMBLE = re.compile(r"\bbáo\s+cáo\s+(?:tình\s+hình|kết\s+quả)[^.:]{0,200}(?:như\s+sau|cụ\s+thể)\s*:",
                              re.IGNORECASE)


def looks_like_report(lines: list[str], document: DocumentInfo) -> bool:
    """A report (báo cáo) — its number says "/BC-", its type heading says BÁO CÁO, or it opens by reporting."""
    if document.number and re.search(r"/BC[-/]", document.number):
        return True
    for line in lines[:HEADER_LINES + 10]:
        if line.strip().upper() == "BÁO CÁO":
            return True
    head = " ".join(lines[:HEADER_LINES + 10])
    return bool(_REPORT_PREAMBLE.search(head))


def parse_directive(text: str, *, require_tasks: bool = True) -> ParsedDirective:
    """Read a directive's text. Raises EmptyDirectiveError / NoTasksFoundError (Vietnamese messages)."""
    if not text or not text.strip():
        raise EmptyDirectiveError("Văn bản trống, không có nội dung để đọc.")
    lines = clean_text(text)
    document = extract_document_info(lines)
    root = build_outline(without_items_above_the_motto(lines))
    default_year = document.date.year if document.date else _common_year(text)
    context = _Context(document.date, default_year, is_normative(lines, document))
    tasks: list[TaskItem] = []
    intro_lead = _addressee(root.body_lines)
    for child in root.children:
        _collect(child, context, intro_lead, [], tasks)
    start, end = body_range(lines)
    if tasks and not any(_asks_something(leaf) for leaf in _leaves(root)):
        # Every "item" is a menu or price line of the web page ("• Cart Image / Turmeric Powde / $ 34.99"):
        # the directive is the prose around them, read as if there were no items.
        tasks = []
        prose = [line for line in lines[start:end] if line]
    else:
        prose = root.body_lines
    if not tasks:
        # No numbered items: a letter, a telegram or a news summary that assigns work in sentences
        # (the closing "…/." sentence too: "Giao Sở … chủ trì …, hoàn thành trước ngày 10/12/2023./.").
        closing = [lines[end]] if end < len(lines) and lines[end].endswith("/.") else []
        tasks = prose_tasks(prose + closing, context)
    _unique_refs(tasks)
    if require_tasks and not tasks:
        raise NoTasksFoundError(NO_TASKS_WARNING)
    warnings = []
    kind = "report" if looks_like_report(lines, document) else "directive"
    if kind == "report":
        warnings.append(REPORT_WARNING)
    if not tasks:
        warnings.append(NO_TASKS_WARNING)
    return ParsedDirective(document, tasks, text, warnings, kind)


@dataclass
class _Context:
    document_date: dt.date | None
    default_year: int | None
    # A thông tư, nghị định or luật: its points are provisions, tasks only where they give work.
    normative: bool = False


# A sentence that gives work: "Giao Sở … chủ trì", "yêu cầu UBND các xã …", "đề nghị …", "X có trách nhiệm …".
# The verb may introduce its addressees with a colon, maybe quoting them: "… yêu cầu: Chủ tịch UBND quận …",
# "cũng giao: Giám đốc Sở …", "đề nghị: “Thủ trưởng các ban, ngành …”".
_ASSIGNING_VERB = re.compile(r"(?:^|[\s,;:(])(giao(?:\s+(?:trách\s+nhiệm|nhiệm\s+vụ))?(?:\s+cho)?|yêu\s+cầu|đề\s+nghị|"
                             r"chỉ\s+đạo)(?:\s*:\s*[\"“]?|\s+)(?=\S)", re.IGNORECASE)
_RESPONSIBLE = re.compile(r"\s(?:có|chịu)\s+trách\s+nhiệm\s", re.IGNORECASE)
# Boilerplate that names units without giving them work of their own.
_EXECUTION = re.compile(r"chịu\s+trách\s+nhiệm\s+thi\s+hành|căn\s+cứ\s+(?:Quyết\s+định|Chỉ\s+thị)\s+thi\s+hành|"
                        r"có\s+hiệu\s+lực|Ban\s+hành\s+kèm\s+theo|(?:Theo|Xét)\s+đề\s+nghị\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ])")


def _names_a_board(text: str, verb_start: int) -> bool:
    """"Ban chỉ đạo phòng, chống dịch …" is a body's name, not "chỉ đạo" (direct) as a verb."""
    return text[max(0, verb_start - 4):verb_start].lower() == "ban "


def assigned_unit(sentence: str) -> str | None:
    """The unit a sentence gives work to, or None when it gives none."""
    if _EXECUTION.search(sentence) or sentence.rstrip().endswith(":"):
        return None
    own = directs_own_people(sentence)
    if own:
        return own
    for match in _ASSIGNING_VERB.finditer(sentence):
        if _names_a_board(sentence, match.start(1)):
            continue
        lead, _rest = split_lead(sentence[match.end():], assigning_words=False)
        if lead:
            return lead
    responsible = _RESPONSIBLE.search(sentence)
    if responsible:
        lead, _rest = split_lead(sentence[:responsible.start()] + " có trách nhiệm")
        if lead:
            return lead
    return None


def _leaves(node: Node) -> list[Node]:
    if not node.children:
        return [node] if node.kind != "root" else []
    return [leaf for child in node.children for leaf in _leaves(child)]


def _asks_something(item: Node) -> bool:
    """An item's own lines (up to the first blank line) name a unit, a deadline or an action."""
    own = [item.heading]
    for kind, text in item.entries:
        if kind == "break":
            break
        if kind == "deadline":
            return True
        own.append(text)
    text = " ".join(own)
    return bool(split_lead(text)[0] or mentions_action(text) or find_deadline(text).kind != "none")


def _gives_something_to_do(sentence: str) -> bool:
    """"Đồng chí … đề nghị Công ty CP Gốm…": a line cut off after the addressee asks nothing of it."""
    matches = [m for m in _ASSIGNING_VERB.finditer(sentence) if not _names_a_board(sentence, m.start(1))]
    if not matches:
        return True
    lead, rest = split_lead(sentence[matches[-1].end():], assigning_words=False)
    return lead is None or bool(re.search(r"\w", rest))


def _open_list(piece: str) -> bool:
    """The piece ends inside a list of addressees ("… yêu cầu Giám đốc các sở, ban, ngành;")."""
    matches = [m for m in _ASSIGNING_VERB.finditer(piece) if not _names_a_board(piece, m.start(1))]
    if not matches or not piece.rstrip().endswith(";"):
        return False
    lead, rest = split_lead(piece[matches[-1].end():].rstrip(" ;"), assigning_words=False)
    return lead is not None and not rest.strip(" ;,")


def prose_tasks(lines: list[str], context: "_Context") -> list[TaskItem]:
    """Tasks of a text without numbered items: each sentence that assigns work to a unit, after an
    assigning verb or as the subject that acts (core.directives.sentences)."""
    tasks: list[TaskItem] = []
    for paragraph in lines:
        if is_heading(paragraph):
            continue
        for position, sentence in enumerate(join_open_lists(_SENTENCE_SPLIT.split(paragraph), _open_list)):
            sentence = sentence.strip()
            lead = None
            instruction = False
            if len(sentence) > 20 and _gives_something_to_do(sentence):
                lead = assigned_unit(sentence)
                if lead is None and not _EXECUTION.search(sentence) and not sentence.rstrip().endswith(":"):
                    lead = subject_lead(sentence)[0]
                    # "Báo cáo tình hình … trước …", "… vừa ban hành chỉ thị yêu cầu có biện pháp …":
                    # work asked for without naming who does it — a task with no lead unit.
                    # Only when it opens its paragraph: a later sentence without a subject goes on with
                    # the task before it ("… tăng cường tuyên truyền. Phải có kế hoạch kiểm tra …").
                    instruction = lead is None and position == 0 and unaddressed_instruction(sentence)
            if lead is None and not instruction:
                continue
            content = _join([sentence])
            deadline = find_deadline(content, default_year=context.default_year, document_date=context.document_date)
            coordinating = coordinating_units(content)
            tasks.append(TaskItem(str(len(tasks) + 1), content, lead, coordinating,
                                  is_for_commune(lead, coordinating, content, context.document_date), deadline))
    return tasks


def _common_year(text: str) -> int | None:
    """For a draft without a date, "trước ngày 31/3" means the year the text talks about most."""
    years = re.findall(r"\b(20\d\d)\b", text)
    if not years:
        return None
    return max(set(years), key=years.count) and int(max(set(years), key=years.count))


_ADDRESS = re.compile(r"\b(đề nghị|yêu cầu|giao|chỉ đạo)\s+(?=\S)", re.IGNORECASE)


def _addressee(preamble: list[str]) -> str | None:
    """"… đề nghị UBND các xã, phường, đặc khu thực hiện các nội dung sau:" → the units addressed."""
    if not preamble or not preamble[-1].rstrip().endswith(":"):
        return None
    line = preamble[-1]
    for match in reversed(list(_ADDRESS.finditer(line))):
        if _names_a_board(line, match.start(1)):
            continue
        lead, _rest = split_lead(line[match.end():])
        if lead:
            return lead
    return None


def _is_header(node: Node, has_more: bool) -> bool:
    """Is the item's first line only a unit or topic heading ("Sở Nội vụ:", "Về hạ tầng kỹ thuật")?"""
    heading = node.heading.strip()
    if not has_more or len(heading) > 200:
        return False
    if heading.endswith(":"):
        return True
    if heading.endswith(".") or heading.endswith(";"):
        return False
    if looks_like_unit(heading):
        lead, rest = split_lead(heading)
        return lead is not None and _only_roles(rest)
    # A short title without a full stop over sub-items or a body: "Về hệ thống phần mềm và dữ liệu".
    # A title gives no deadline: "Báo cáo năm gửi trước ngày 25/11 hàng năm" is a duty.
    return (len(heading) < 120 and (bool(node.children) or heading[:1].isupper())
            and find_deadline(heading).kind == "none")


def _only_roles(rest: str) -> bool:
    """After the lead unit, only "chủ trì", "phối hợp với …" follow — no action."""
    from core.directives.folding import fold

    folded = fold(rest).strip(" ,:")
    folded = re.sub(r"^(chu\s+tri)\s*,?\s*(va\s+)?", "", folded)
    if not folded:
        return True
    if folded.startswith("phoi hop"):
        return not re.search(r"[\.;]", folded)
    return False


def _collect(node: Node, context: _Context, lead: str | None, coord: list[str], out: list[TaskItem]) -> None:
    if node.is_description_section():
        return
    if node.kind == "dieu" and not node.children:
        # An article of a decision is a task only when it gives work ("Giao Sở … chủ trì …"),
        # not when it issues, amends, dates or names who executes the decision.
        text = _join([node.heading] + node.body_lines)
        unit = assigned_unit(text)
        if unit:
            out.append(_task(node.ref, text, None, context, None, coord, lead_override=unit))
        return
    if context.normative and not node.children:
        # A provision of a thông tư ("1. Sản phẩm rượu sản xuất trong nước …", "Danh hiệu … được xét
        # tặng …"): a task only when it gives work to a unit in so many words.
        text = _join([node.heading] + node.body_lines)
        unit = assigned_unit(text)
        if unit:
            out.append(_task(node.ref, text, None, context, None, coord, lead_override=unit))
        return
    if not node.children and not node.entries and node.heading.isupper():
        return  # a section title with nothing under it ("III. TỔ CHỨC THỰC HIỆN")
    has_more = bool(node.children) or bool(node.body_lines) or len(node.deadlines) > 1
    header = _is_header(node, has_more)
    if header:
        own_lead, rest = split_lead(node.heading.rstrip(":"))
        if own_lead:
            lead = own_lead
            coord = coordinating_units(rest) or coord
    if node.children and node.body_lines and node.body_lines[-1].rstrip().endswith(":"):
        # "I. Nhiệm vụ chung / Ban Chỉ huy …, Thủ trưởng các sở … tập trung thực hiện một số công việc sau:"
        intro = node.body_lines[-1]
        own = _addressee([intro]) or split_lead(intro)[0]
        if own:
            lead = own
    if node.children:
        # Lines the item carries before its sub-items (an intro) add no task of their own,
        # unless the item also gives its own deadline.
        if node.deadlines and not header:
            out.extend(_segments(node, context, lead, coord, include_heading=True))
        for child in node.children:
            _collect(child, context, lead, coord, out)
        return
    out.extend(_segments(node, context, lead, coord, include_heading=not header))


def _segments(node: Node, context: _Context, lead: str | None, coord: list[str],
              include_heading: bool) -> list[TaskItem]:
    """One task per duty: text lines up to each deadline line make one task."""
    groups: list[tuple[list[str], str | None]] = []
    current: list[str] = [node.heading] if include_heading else []
    for kind, text in node.entries:
        if kind == "text":
            current.append(text)
        elif kind == "deadline":
            if current:
                groups.append((current, text))
            elif groups:
                # A second deadline line for the same duty ("Thời hạn báo cáo: …"): keep the first.
                pass
            else:
                groups.append(([node.heading], text))
            current = []
    if current:
        if groups and sum(len(t) for t in current) < 15:
            groups[-1][0].extend(current)
        else:
            groups.append((current, None))
    tasks = []
    for index, (lines, phrase) in enumerate(groups, start=1):
        content = _join(lines)
        if not content:
            continue
        ref = f"{node.ref}.{index}" if len(groups) > 1 else node.ref
        tasks.append(_task(ref, content, phrase, context, lead, coord))
    return tasks


_SPACES = re.compile(r"\s+")


def _join(lines: list[str]) -> str:
    text = " ".join(line.strip() for line in lines if line.strip())
    text = _SPACES.sub(" ", text).strip()
    if text.endswith("/."):  # the letter's closing mark written on its last item
        text = text[:-2].rstrip() if text.endswith("./.") else text[:-2].rstrip() + "."
        text = text if text.endswith(".") else text + "."
    return text[:MAX_CONTENT_CHARS]


def _task(ref: str, content: str, phrase: str | None, context: _Context, inherited_lead: str | None,
          inherited_coord: list[str], lead_override: str | None = None) -> TaskItem:
    own_lead, rest = split_lead(content, assigning_words=inherited_lead is None)
    if lead_override:
        own_lead = lead_override
    lead = own_lead or inherited_lead
    coordinating = coordinating_units(rest if own_lead else content)
    if not own_lead:
        coordinating = coordinating + [u for u in inherited_coord if u not in coordinating]
    if phrase is not None:
        deadline = parse_deadline(phrase, default_year=context.default_year, document_date=context.document_date)
        if deadline.kind == "none" and deadline.text is None:
            deadline = Deadline("none", None, phrase.strip() or None)
    else:
        deadline = find_deadline(content, default_year=context.default_year, document_date=context.document_date)
    for_commune = is_for_commune(lead, coordinating, content, context.document_date)
    return TaskItem(ref, content, lead, coordinating, for_commune, deadline)


def _unique_refs(tasks: list[TaskItem]) -> None:
    """Two items numbered alike (a drafting slip) still get distinct refs."""
    seen: dict[str, int] = {}
    for task in tasks:
        if task.ref in seen:
            seen[task.ref] += 1
            task.ref = f"{task.ref}#{seen[task.ref]}"
        else:
            seen[task.ref] = 1
