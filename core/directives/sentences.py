"""Prose that gives work without numbered items: which sentences are tasks, and who leads them.

Letters, telegrams and news summaries of directives name the lead unit in two ways:
after an assigning verb ("UBND tỉnh yêu cầu các sở, ngành …", "giao Sở Y tế chủ trì …")
or as the subject of the sentence ("Công an thành phố chỉ đạo các lực lượng …", "Các địa
phương tranh thủ tháo nước đệm …", "Đặc biệt, các địa phương cần …"). A subject is taken
only when an action verb follows it at once, and never when it is the issuing authority
telling what it did ("UBND tỉnh vừa ban hành …", "Chủ tịch UBND tỉnh chủ trì cuộc họp"):
a sentence that gives nobody work is no task, and no lead is better than a wrong one.
"""

from __future__ import annotations

import re

from core.directives.folding import fold
from core.directives.unit_roles import split_lead, starts_with_action

# Who issues directives (and so tells, rather than receives, what to do) when they open a sentence.
# The heads of lower levels are addressees, not issuers: "lãnh đạo xã, phường", "Chủ tịch UBND các xã".
_LOWER_LEVEL = r"(?:các\s+)?(?:xã|phường|thị\s+trấn|huyện|quận|thôn|ấp|bản|cơ\s+sở|địa\s+phương|đơn\s+vị|cấp\s+xã|sở|ngành)\b"
_ISSUER_LIKE = re.compile(
    r"^(?:(?:phó\s+)?chủ\s+tịch(?!\s+(?:ubnd|ủy\s+ban\s+nhân\s+dân|uỷ\s+ban\s+nhân\s+dân)\s+các\s)|"
    r"(?:phó\s+)?thủ\s+tướng|bộ\s+trưởng|lãnh\s+đạo(?!\s+" + _LOWER_LEVEL + r")|ban\s+chỉ\s+đạo|chính\s+phủ|"
    r"văn\s+phòng\s+chính\s+phủ|bộ\s(?!chỉ\s+huy)|(?:ubnd|ủy\s+ban\s+nhân\s+dân|uỷ\s+ban\s+nhân\s+dân)\s+(?:tỉnh|thành\s+phố|tp)\b)",
    re.IGNORECASE)
# What follows a subject that reports, announces or attends rather than acts.
_NARRATIVE = re.compile(
    r"^(?:vua|da|se|dang|cung\s+da|cho\s+biet|thong\s+tin|ban\s+hanh|co\s+(?:cong\s+van|van\s+ban|quyet\s+dinh|"
    r"thong\s+bao|to\s+trinh|bao\s+cao)|to\s+chuc\s+(?:hoi\s+nghi|hop|cuoc\s+hop|le)|du\s|chu\s+tri\s+"
    r"(?:hoi\s+nghi|cuoc\s+hop|phien\s+hop|buoi|lam\s+viec)|bao\s+cao\s+(?:tom\s+tat|ket\s+qua|tinh\s+hinh))\b")
# A short opening clause before the subject: "Đặc biệt,", "Đồng thời,", "Theo chỉ đạo của Thủ tướng,".
_OPENING = re.compile(r"^([^,;:]{2,60}),\s+(?=\S)")
# "X chỉ đạo Y …": a unit other than the issuer directing its own people leads the task itself.
_DIRECTS = re.compile(r"^chi\s+dao\b")


def _is_issuer(lead: str) -> bool:
    return bool(_ISSUER_LIKE.match(lead.strip()))


# "… đã quán triệt", "… đang tích cực …": what was or is being done, not work given.
_TENSE = re.compile(r"\b(?:đã|đang|vừa|sẽ|từng\s+được)\b", re.IGNORECASE)
# "Những địa phương này phải …": the units of the sentence before; its task goes on, no new one.
_ANAPHORIC = re.compile(r"\b(?:này|đó|nói\s+trên|trên)$", re.IGNORECASE)
# "Sau khi nghe Văn phòng, Cục … trình bày", "Khi …, …", "Nếu …": a clause of time or condition.
_SUBORDINATE = re.compile(r"^(?:sau\s+khi|truoc\s+khi|trong\s+khi|khi|neu|de|truong\s+hop)\b")


def subject_lead(sentence: str) -> tuple[str | None, str]:
    """(the unit a sentence's subject names, when it then acts; the rest of the sentence)."""
    for index, text in enumerate(_subject_candidates(sentence)):
        lead, rest = split_lead(text, assigning_words=False)
        if not lead or not rest or _is_issuer(lead) or _TENSE.search(lead) or _ANAPHORIC.search(lead):
            continue
        folded_rest = fold(rest).lstrip()
        if not starts_with_action(rest) or _NARRATIVE.match(folded_rest):
            continue
        if index > 0 and not text[:1].isupper() and not text.startswith(("các ", "những ", "từng ")):
            # After an opening clause the subject still reads as one: a unit word, "các …", or the head
            # of a unit in lower case ("Bên cạnh đó, lãnh đạo xã, phường phải …").
            if not _LOWER_CASE_SUBJECT.match(text):
                continue
        return lead, rest
    return None, sentence


_LOWER_CASE_SUBJECT = re.compile(r"(?:ubnd|ủy\s+ban|uỷ\s+ban|sở|ban|công\s+an|lãnh\s+đạo|chủ\s+tịch|thủ\s+trưởng|"
                                 r"giám\s+đốc|người\s+đứng\s+đầu)\b", re.IGNORECASE)


def _subject_candidates(sentence: str) -> list[str]:
    sentence = sentence.strip().lstrip("“\"'‘(")
    out = [sentence]
    opening = _OPENING.match(sentence)
    if opening and not _SUBORDINATE.match(fold(opening.group(1)).strip()):
        out.append(sentence[opening.end():])
    return out


def directs_own_people(sentence: str) -> str | None:
    """"Sở Tài nguyên và Môi trường chỉ đạo đơn vị liên quan …": the subject (not the issuer) leads."""
    for text in _subject_candidates(sentence):
        lead, rest = split_lead(text, assigning_words=False)
        if lead and not _is_issuer(lead) and _DIRECTS.match(fold(rest).lstrip()):
            return lead
    return None


def is_heading(paragraph: str) -> bool:
    """A page's headline or a caption: one sentence, no closing punctuation ("Bộ Nội vụ đề nghị … đô thị")."""
    text = paragraph.strip()
    if not text or len(text) > 250:
        return False
    if re.search(r"[.!?;:…\"”')]$", text) or text.endswith("..."):
        return False
    return not re.search(r"[.!?]\s+[A-ZĐÀ-Ỹ]", text)


def join_open_lists(pieces: list[str], has_open_list) -> list[str]:
    """"… yêu cầu Giám đốc các sở, ban, ngành; Chủ tịch UBND các huyện … tiếp tục …": a ";" inside the
    list of addressees does not end the sentence. `has_open_list(piece)` says the piece ends in such a list."""
    out: list[str] = []
    for piece in pieces:
        if out and has_open_list(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# "… vừa ban hành chỉ thị yêu cầu có biện pháp …": a document (or its issuer) asks for an action
# straight away, naming nobody.
_ASKS_STRAIGHT = re.compile(r"\b(?:chi\s+thi|cong\s+van|cong\s+dien|van\s+ban|thong\s+bao|ke\s+hoach|quyet\s+dinh)"
                            r"(?:\s+so\s+\S+)?\s+(?:yeu\s+cau|de\s+nghi)\s+(?:phai\s+)?(?=\S)")


def unaddressed_instruction(sentence: str) -> bool:
    """Does the sentence ask for work without naming who does it?

    "Báo cáo tình hình thực hiện công tác xóa nhà ở tạm …, trong đó cần phân tích rõ …." (an order
    opening with its verb) and "UBND tỉnh vừa ban hành chỉ thị yêu cầu có biện pháp xử lý nghiêm …"
    (a document that asks for an action at once). The caller has found no lead unit in it.
    """
    text = sentence.strip()
    if len(text) < 40 or not text.endswith((".", ";", "!")) or ":" in text[:60]:
        return False
    folded = fold(text)
    straight = _ASKS_STRAIGHT.search(folded)
    if straight:
        rest = text[straight.end():]
        return starts_with_action(rest[:1].lower() + rest[1:])
    if not _ORDER_VERB.match(text):
        return False
    # The order opens with its verb; a narrative ("đã", "vừa" …) in the first clause makes it a report.
    first_clause = re.split(r"[,;]", text, maxsplit=1)[0]
    return not _TENSE.search(first_clause)


# Verbs that open an order, with their accents (folded, "Cán bộ" would read as "cần", "Phái đoàn" as "phải");
# not "Tổ chức", also the noun ("Tổ chức chính quyền địa phương …").
_ORDER_VERB = re.compile(
    r"^(?:báo\s+cáo|kiểm\s+tra|rà\s+soát|tăng\s+cường|triển\s+khai|chỉ\s+đạo|khẩn\s+trương|"
    r"tiếp\s+tục|đẩy\s+mạnh|đẩy\s+nhanh|xây\s+dựng|chủ\s+động|tập\s+trung|hướng\s+dẫn|theo\s+dõi|"
    r"có\s+(?:biện\s+pháp|giải\s+pháp|phương\s+án|kế\s+hoạch)|xử\s+lý|nghiêm\s+cấm|không\s+để|phải|"
    r"bảo\s+đảm|đảm\s+bảo|quán\s+triệt|tuyên\s+truyền|hoàn\s+thành|thống\s+kê|tổng\s+hợp|đề\s+xuất|"
    r"khắc\s+phục|sơ\s+tán|di\s+dời|nghiên\s+cứu|phối\s+hợp|cập\s+nhật|duy\s+trì|tạm\s+dừng|huy\s+động|"
    r"nắm\s+chắc|giải\s+quyết|gửi|nộp|thực\s+hiện\s+nghiêm)\b", re.IGNORECASE)
