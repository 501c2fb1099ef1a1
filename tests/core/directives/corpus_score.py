"""Precision and recall of the directive parser on the real corpus (tests/data/directives/corpus).

Each `<name>.txt` is a real directive (or a substantial excerpt of one) from a provincial
portal or a legal-text site, stored as published; `<name>.expected.json` holds what a
person reading it found: number, date, issuer, subject and, for each task, the first words
of its text, its lead unit and its deadline (an ISO date, "recurring", or null). The
"split" field puts each file in the part rules may be tuned on ("tuning") or the part kept
aside to measure them ("heldout4"); "first_split" keeps the part a file was in when it was
added ("tuning", "heldout", "heldout2", "heldout3", "heldout4"), so figures stay comparable across the split history
(docs/DIRECTIVES.md: each held-out part became tuning material once its misses had been read).

Run `python -m tests.core.directives.corpus_score` for the tables in docs/DIRECTIVES.md;
`-v` lists the misses of the tuning part only (`--show-heldout-misses` also those of the
held-out part: reading them spends the held-out set).

Counting, per field: a value found and equal to the expectation is a true positive; a
value found but wrong (or found where the expectation is null) is a false positive; an
expected value not found (or found wrong) is a false negative. Tasks are paired with the
expected ones by their first words; a task's lead unit and deadline are then scored like
fields (an unpaired found task counts its non-null values as false positives).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from core.directives.parser import parse_directive
from core.directives.readers import read_directive_file
from core.textfold import fold

CORPUS = Path(__file__).resolve().parents[2] / "data" / "directives" / "corpus"
FIELDS = ("number", "date", "issuer", "subject", "task", "lead_unit", "deadline")


def _norm(text: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(text or "").lower())


def _same_number(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def _same_text(a: str, b: str) -> bool:
    """Equal once accents, case, spacing and punctuation are set aside."""
    return _norm(a) == _norm(b)


def _same_unit(found: str, expected: str) -> bool:
    """The lead unit: equal, or one is the other with a few words more or less at the end."""
    a, b = _norm(found), _norm(expected)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return bool(short) and long_.startswith(short) and len(short) >= 0.6 * len(long_)


def _deadline_value(task) -> str | None:
    kind = task.deadline.kind
    if kind == "recurring":
        return "recurring"
    if task.deadline.due is not None:
        return task.deadline.due.isoformat()
    return None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, found, expected, same) -> None:
        if expected is None:
            if found is not None:
                self.fp += 1
            return
        if found is not None and same(found, expected):
            self.tp += 1
            return
        self.fn += 1
        if found is not None:
            self.fp += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Score:
    counts: dict = field(default_factory=lambda: {name: Counts() for name in FIELDS})
    documents: int = 0
    misses: list = field(default_factory=list)

    def expected_fields(self) -> tuple[int, int]:
        """(expected fields found right, expected fields) over every field."""
        right = sum(c.tp for c in self.counts.values())
        total = sum(c.tp + c.fn for c in self.counts.values())
        return right, total


def load(split: str | None = None, first_split: str | None = None) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        if split is not None and expected["split"] != split:
            continue
        if first_split is not None and expected.get("first_split", expected["split"]) != first_split:
            continue
        out.append((path, expected))
    return out


def _pair(found_tasks, expected_tasks):
    """Pair each expected task with the first unpaired found task that starts with the same words."""
    pairs, used = [], set()
    for exp in expected_tasks:
        key = _norm(exp["starts"])
        match = None
        for index, task in enumerate(found_tasks):
            if index in used:
                continue
            if _norm(task.content).startswith(key) or key in _norm(task.content)[:len(key) + 40]:
                match = index
                break
        if match is not None:
            used.add(match)
        pairs.append((exp, found_tasks[match] if match is not None else None))
    extra = [t for i, t in enumerate(found_tasks) if i not in used]
    return pairs, extra


def score(split: str | None = None, first_split: str | None = None) -> Score:
    result = Score()
    for path, exp in load(split, first_split):
        result.documents += 1
        parsed = parse_directive(read_directive_file(path), require_tasks=False)
        doc = parsed.document
        c = result.counts
        found = {"number": doc.number, "date": doc.date.isoformat() if doc.date else None,
                 "issuer": doc.issuer, "subject": doc.subject}
        for name, same in (("number", _same_number), ("date", lambda a, b: a == b),
                           ("issuer", _same_text), ("subject", _same_text)):
            before = (c[name].tp, c[name].fp, c[name].fn)
            c[name].add(found[name], exp[name], same)
            if (c[name].tp, c[name].fp, c[name].fn) != (before[0] + (exp[name] is not None), before[1], before[2]) \
                    and not (exp[name] is None and found[name] is None):
                result.misses.append((path.stem, name, found[name], exp[name]))
        pairs, extra = _pair(parsed.tasks, exp["tasks"])
        for expected_task, task in pairs:
            if task is None:
                c["task"].fn += 1
                result.misses.append((path.stem, "task", None, expected_task["starts"]))
                if expected_task["lead_unit"] is not None:
                    c["lead_unit"].fn += 1
                if expected_task["deadline"] is not None:
                    c["deadline"].fn += 1
                continue
            c["task"].tp += 1
            for name, value, same in (("lead_unit", task.lead_unit, _same_unit),
                                      ("deadline", _deadline_value(task), lambda a, b: a == b)):
                before = (c[name].tp, c[name].fp, c[name].fn)
                c[name].add(value, expected_task[name], same)
                ok = (c[name].fp, c[name].fn) == before[1:]
                if not ok:
                    result.misses.append((path.stem, f"{name} of “{expected_task['starts']}”", value,
                                          expected_task[name]))
        for task in extra:
            c["task"].fp += 1
            result.misses.append((path.stem, "extra task", task.content[:60], None))
            if task.lead_unit is not None:
                c["lead_unit"].fp += 1
            if _deadline_value(task) is not None:
                c["deadline"].fp += 1
    return result


def table(split: str | None, first_split: str | None = None, title: str | None = None) -> str:
    result = score(split, first_split)
    right, total = result.expected_fields()
    title = title or split
    lines = [f"**{title}** ({result.documents} documents): {right}/{total} expected fields right "
             f"({100 * right / total:.1f}%)", "", "| field | precision | recall | tp | fp | fn |",
             "|---|---|---|---|---|---|"]
    for name in FIELDS:
        c = result.counts[name]
        lines.append(f"| {name} | {100 * c.precision:.1f}% | {100 * c.recall:.1f}% | {c.tp} | {c.fp} | {c.fn} |")
    return "\n".join(lines)


# (title, split, first_split) of each table printed.
PARTS = (
    ("tuning, first part (22 documents tuned on from the start)", "tuning", "tuning"),
    ("tuning, former held-out part (21 documents, tuning material since their misses were read)", "tuning", "heldout"),
    ("tuning, former second held-out part (25 documents, tuning material since round 2 of issue dirlead)", "tuning",
     "heldout2"),
    ("tuning, former third held-out part (16 documents, tuning material since round 3 of issue dirlead)", "tuning",
     "heldout3"),
    ("heldout4", "heldout4", None),
)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    show_heldout = "--show-heldout-misses" in argv
    for title, split, first_split in PARTS:
        print(table(split, first_split, title))
        print()
        if (verbose and split == "tuning") or show_heldout:
            for miss in score(split, first_split).misses:
                print("  ", miss)
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
