"""Checklist items, answers and the verdict — plain data and pure rules, no database.

An item is a check (đạt / không đạt / không áp dụng), a measured number compared
with a threshold (bandwidth ≥ 2 Mbps, UPS ≥ 30 phút) or a text. The verdict is
SẴN SÀNG only when every critical item passes; anything else is CHƯA SẴN SÀNG
with the failing critical items and why each fails.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from core.privacy import require_no_personal_data
from core.errors import UserInputError

KINDS = ("check", "number", "text")
KIND_LABELS = {"check": "Kiểm tra", "number": "Số đo", "text": "Ghi chép"}
STATUSES = ("pass", "fail", "na")
STATUS_LABELS = {"pass": "Đạt", "fail": "Không đạt", "na": "Không áp dụng", None: "Chưa kiểm tra"}
COMPARISONS = (">=", "<=", ">", "<")
COMPARISON_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
VERDICT_LABELS = {"ready": "SẴN SÀNG", "not_ready": "CHƯA SẴN SÀNG"}


@dataclass(frozen=True)
class Item:
    category: str
    text: str
    kind: str = "check"
    threshold: float | None = None
    unit: str | None = None
    comparison: str = ">="
    critical: bool = False
    guidance: str | None = None
    equipment_kind: str | None = None
    id: str | None = None  # the run item's id once copied into a run

    def threshold_label(self) -> str:
        """"≥ 2 Mbps" — what the printed sheet and the item panel show."""
        if self.kind != "number" or self.threshold is None:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        return f"{COMPARISON_SIGNS.get(self.comparison, self.comparison)} {format_number(self.threshold)}{unit}"

    def to_json(self) -> dict:
        return {"category": self.category, "text": self.text, "kind": self.kind,
                "threshold": self.threshold, "unit": self.unit, "comparison": self.comparison,
                "critical": self.critical, "guidance": self.guidance,
                "equipment_kind": self.equipment_kind}

    @classmethod
    def from_json(cls, data: dict, *, item_id: str | None = None) -> "Item":
        return cls(category=data["category"], text=data["text"], kind=data.get("kind") or "check",
                   threshold=data.get("threshold"), unit=data.get("unit") or None,
                   comparison=data.get("comparison") or ">=", critical=bool(data.get("critical")),
                   guidance=data.get("guidance") or None, equipment_kind=data.get("equipment_kind") or None,
                   id=item_id)


@dataclass(frozen=True)
class Answer:
    status: str | None = None
    number_value: float | None = None
    text_value: str | None = None
    note: str | None = None
    checked_by: str | None = None
    checked_at: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class Failing:
    item: Item
    reason: str


@dataclass(frozen=True)
class Verdict:
    ready: bool
    failing: list[Failing] = field(default_factory=list)        # critical items that do not pass
    warnings: list[Failing] = field(default_factory=list)       # non-critical items that failed
    unanswered_critical: list[Item] = field(default_factory=list)

    @property
    def code(self) -> str:
        return "ready" if self.ready else "not_ready"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.code]


# -- numbers ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(text: str | float | int | None, *, item: Item | None = None) -> float | None:
    """A measured value as typed: "2,5", "2.5", "30", "2,5 Mbps". Empty → None.

    Vietnamese writes the decimal with a comma; a dot is accepted too because
    speed-test pages show one. Anything else is refused with the item named.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = " ".join(str(text).split())
        if not raw:
            return None
        cleaned = raw
        if item is not None and item.unit and cleaned.lower().endswith(item.unit.lower()):
            cleaned = cleaned[: -len(item.unit)].strip()
        if "," in cleaned and "." in cleaned:  # 1.234,5 — dot groups thousands
            cleaned = cleaned.replace(".", "")
        cleaned = cleaned.replace(" ", "")
        if not _NUMBER.match(cleaned):
            what = f"Mục “{item.text}” cần" if item is not None else "Cần"
            unit = f" ({item.unit})" if item is not None and item.unit else ""
            raise UserInputError(f"{what} một con số{unit}, ví dụ 2,5 — không nhận “{raw}”.",
                                 details=f"value={raw!r}")
        value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise UserInputError("Giá trị đo không hợp lệ.", details=repr(text))
    return value


def format_number(value: float | None) -> str:
    """2.0 → "2", 2.5 → "2,5" (Vietnamese decimal comma)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def meets_threshold(item: Item, value: float) -> bool:
    if item.threshold is None:
        return True
    return {">=": value >= item.threshold, "<=": value <= item.threshold,
            ">": value > item.threshold, "<": value < item.threshold}[item.comparison]


# -- answers ---------------------------------------------------------------------------

def normalise_answer(item: Item, *, status: str | None = None, number: str | float | None = None,
                     text: str | None = None, note: str | None = None) -> Answer:
    """Validate what was typed for `item` and work out its status.

    A number item's status follows its value and threshold (unless marked not
    applicable); a text item passes once something is written in it, or when marked Đạt.
    """
    if status is not None and status not in STATUSES:
        raise UserInputError("Kết quả kiểm tra không hợp lệ.", details=f"status={status!r}")
    note = (note or "").strip() or None
    require_no_personal_data(note, "Ghi chú")
    text = (text or "").strip() or None
    if item.kind == "number":
        value = parse_number(number, item=item)
        if status == "na":
            return Answer(status="na", number_value=value, note=note)
        if value is None:
            if status is not None:
                raise UserInputError(f"Mục “{item.text}” cần nhập giá trị đo được"
                                     f"{f' ({item.unit})' if item.unit else ''}.")
            return Answer(status=None, note=note)
        return Answer(status="pass" if meets_threshold(item, value) else "fail", number_value=value, note=note)
    if item.kind == "text":
        if status == "na":
            return Answer(status="na", text_value=text, note=note)
        if status in ("fail", "pass"):  # marked with its key or button, content written or not
            return Answer(status=status, text_value=text, note=note)
        return Answer(status="pass" if text else None, text_value=text, note=note)
    if number not in (None, ""):
        raise UserInputError(f"Mục “{item.text}” không phải mục số đo.")
    return Answer(status=status, text_value=text, note=note)


def failure_reason(item: Item, answer: Answer | None) -> str | None:
    """Why the item does not pass (None when it passes)."""
    if answer is None or answer.status is None:
        return "chưa kiểm tra"
    if answer.status == "pass":
        return None
    if answer.status == "na":
        return "không áp dụng"
    if item.kind == "number" and answer.number_value is not None:
        unit = f" {item.unit}" if item.unit else ""
        return f"đo được {format_number(answer.number_value)}{unit}, yêu cầu {item.threshold_label()}"
    return "không đạt"


def compute_verdict(items: list[Item], answers: dict[str, Answer]) -> Verdict:
    """SẴN SÀNG only when every critical item passes (không áp dụng is not a pass)."""
    failing, warnings, unanswered = [], [], []
    for item in items:
        answer = answers.get(item.id) if item.id else None
        reason = failure_reason(item, answer)
        if reason is None:
            continue
        if item.critical:
            failing.append(Failing(item, reason))
            if answer is None or answer.status is None:
                unanswered.append(item)
        elif answer is not None and answer.status == "fail":
            warnings.append(Failing(item, reason))
    return Verdict(ready=not failing, failing=failing, warnings=warnings, unanswered_critical=unanswered)
