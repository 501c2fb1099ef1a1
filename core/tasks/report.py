"""The quarterly task progress report, as .xlsx (openpyxl) and as PDF (core.printing).

Grouped by directive; each task with its lead unit, deadline, status as of the report
date ("Quá hạn" computed, not stored) and the latest progress note written up to the end
of the quarter. Only tasks that fall to the commune (`for_commune`) are reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from core.clock import format_date
from core.errors import UserInputError
from core.output_files import require_suffix
from core.tasks.status import OVERDUE_LABEL, is_overdue, status_label
from db.store import Store

ROMAN = ["I", "II", "III", "IV"]
FORMATS = (".xlsx", ".pdf", ".docx")
HEADERS = ["STT", "Số hiệu", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Trạng thái",
           "Tiến độ mới nhất"]


def quarter_of(day: dt.date) -> tuple[int, int]:
    return (day.month - 1) // 3 + 1, day.year


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, quarter * 3 - 2, 1)
    last = dt.date(year + (quarter == 4), (quarter * 3) % 12 + 1, 1) - dt.timedelta(days=1)
    return first, last


@dataclass
class DirectiveGroup:
    title: str
    rows: list[dict] = field(default_factory=list)


@dataclass
class QuarterReport:
    year: int
    quarter: int
    as_of: dt.date
    groups: list[DirectiveGroup]

    @property
    def title(self) -> str:
        return f"Tiến độ thực hiện nhiệm vụ theo văn bản chỉ đạo Quý {ROMAN[self.quarter - 1]} năm {self.year}"

    def counts(self) -> dict[str, int]:
        counts = {"total": 0, "done": 0, "doing": 0, "todo": 0, "paused": 0, "overdue": 0}
        for group in self.groups:
            for row in group.rows:
                counts["total"] += 1
                counts[row["status"]] += 1
                counts["overdue"] += row["overdue"]
        return counts

    def data(self) -> list:
        """What the report shows, for the printed fingerprint."""
        return [[g.title, [[r["ref"], r["content"], r["status"], r["deadline"], r["latest_note"]] for r in g.rows]]
                for g in self.groups]


def collect(store: Store, *, year: int, quarter: int, today: dt.date) -> QuarterReport:
    first, last = quarter_bounds(year, quarter)
    as_of = min(today, last)
    rows = store.query("""
        SELECT r.id, r.ref, r.content, r.lead_unit, r.deadline, r.deadline_text, r.deadline_kind,
               r.directive_id, r.directive_number, r.directive_date, r.directive_subject, r.position,
               coalesce(s.status, 'todo') AS status,
               (SELECT p.noted_on || char(31) || p.note FROM task_progress p
                 WHERE p.task_id = r.id AND p.note IS NOT NULL AND p.deleted_at IS NULL AND p.noted_on <= :last
                 ORDER BY p.noted_on DESC, p.created_at DESC LIMIT 1) AS latest
        FROM task_register r LEFT JOIN task_state s ON s.task_id = r.id
        WHERE r.for_commune = 1
        ORDER BY r.directive_date DESC, r.directive_number, r.directive_id, r.position""", {"last": last.isoformat()})
    groups: dict[str, DirectiveGroup] = {}
    for row in rows:
        group = groups.get(row["directive_id"])
        if group is None:
            number = row["directive_number"] or "(chưa có số)"
            date = format_date(dt.date.fromisoformat(row["directive_date"])) if row["directive_date"] else ""
            title = f"Văn bản số {number}" + (f" ngày {date}" if date else "")
            if row["directive_subject"]:
                title += f" — {row['directive_subject']}"
            group = groups[row["directive_id"]] = DirectiveGroup(title)
        noted_on, note = (row["latest"].split("\x1f", 1) if row["latest"] else (None, None))
        overdue = is_overdue(row["deadline"], row["status"], as_of)
        deadline = (format_date(dt.date.fromisoformat(row["deadline"])) if row["deadline"]
                    else (row["deadline_text"] or "Không ghi thời hạn"))
        group.rows.append({
            "ref": row["ref"], "content": row["content"], "lead_unit": row["lead_unit"] or "",
            "deadline": deadline, "status": row["status"], "overdue": overdue,
            "deadline_on": dt.date.fromisoformat(row["deadline"]) if row["deadline"] else None,
            "status_text": status_label(row["status"]) + (f" ({OVERDUE_LABEL.lower()})" if overdue else ""),
            "latest_note": (f"{format_date(dt.date.fromisoformat(noted_on))}: {note}" if note else ""),
        })
    return QuarterReport(year, quarter, as_of, list(groups.values()))


def write_report(store: Store, out: Path, *, year: int, quarter: int, today: dt.date) -> Path:
    """Write the report to `out` (.xlsx, .pdf or .docx, chosen by the suffix)."""
    from core.workspace import identity

    check_target(out)
    report = collect(store, year=year, quarter=quarter, today=today)
    return write_collected(report, identity(store).unit, Path(out), today=today)


def check_target(out: Path) -> None:
    out = Path(out)
    require_suffix(out, FORMATS)
    if not out.parent.is_dir():
        raise UserInputError(f"Không có thư mục “{out.parent}” để lưu báo cáo.")


def write_collected(report: QuarterReport, unit, out: Path, *, today: dt.date) -> Path:
    """Write a collected report (no database needed: the GUI runs this on the I/O pool)."""
    check_target(out)
    if out.suffix.lower() == ".xlsx":
        from core.tasks.report_xlsx import write_xlsx

        write_xlsx(report, out, unit_name=unit.name if unit else "")
    else:
        from core.tasks.report_pdf import write_pdf

        write_pdf(report, unit, out, today=today)
    return out
