import datetime as dt
from pathlib import Path

import pytest

from core.directives.errors import DuplicateDirectiveError
from core.directives.parser import parse_directive
from core.errors import UserInputError
from core.tasks.queries import (TaskFilter, get_task, list_tasks, recurring_periods, task_alert_counts,
                                task_history)
from core.tasks.report import write_report
from core.tasks.store import add_progress, import_directive, rebuild_task_state, update_local_task
from core.workspace import list_staff
from tests.core.directives import samples_text as S
from tests.pdftools import pdftotext

TODAY = dt.date(2025, 8, 28)


@pytest.fixture
def loaded(commune_store):
    store = commune_store
    plan = import_directive(store, parse_directive(S.PLAN_2024), source_name="kh77.txt")
    letter = import_directive(store, parse_directive(S.LETTER_DASHES_2025), source_name="cv3120.txt")
    decision = import_directive(store, parse_directive(S.DECISION_MULTILEVEL))
    return store, plan, letter, decision


def refs(rows):
    return [r["ref"] for r in rows]


def test_import_writes_one_transaction_and_refuses_duplicates(loaded):
    store, plan, letter, _ = loaded
    assert store.scalar("SELECT count(*) FROM local_tasks WHERE directive_id = ?", (letter.directive_id,)) == 3
    before = store.scalar("SELECT count(*) FROM change_log")
    with pytest.raises(DuplicateDirectiveError):
        import_directive(store, parse_directive(S.LETTER_DASHES_2025))
    assert store.scalar("SELECT count(*) FROM change_log") == before
    row = store.query("SELECT * FROM local_tasks WHERE ref = '1' AND directive_id = ?", (letter.directive_id,))[0]
    assert row["deadline"] == "2025-08-25" and row["deadline_kind"] == "date" and row["origin"] == "21484"


def test_filters_in_sql(loaded):
    store, plan, letter, decision = loaded
    everything = list_tasks(store, today=TODAY)
    assert len(everything) == store.scalar("SELECT count(*) FROM local_tasks")
    overdue = list_tasks(store, TaskFilter(overdue=True), today=TODAY)
    assert overdue and all(r["deadline"] < TODAY.isoformat() and r["overdue"] for r in overdue)
    soon = list_tasks(store, TaskFilter(due_within_days=7), today=TODAY)
    assert [r["deadline"] for r in soon] == []  # nothing between 28/8 and 4/9 …
    soon30 = list_tasks(store, TaskFilter(due_within_days=30), today=TODAY)
    assert "2025-09-05" in [r["deadline"] for r in soon30]
    by_directive = list_tasks(store, TaskFilter(directive_id=letter.directive_id), today=TODAY)
    assert refs(by_directive) == ["1", "2", "3"]
    commune = list_tasks(store, TaskFilter(commune_only=True), today=TODAY)
    assert commune and all(r["for_commune"] for r in commune)
    lead = list_tasks(store, TaskFilter(lead_unit="Sở Tư pháp"), today=TODAY)
    assert refs(lead) == ["1.1"]


def test_search_is_diacritic_insensitive(loaded):
    store, *_ = loaded
    found = list_tasks(store, TaskFilter(search="hien trang tru so"), today=TODAY)
    assert [r["content"][:27] for r in found] == ["Rà soát hiện trạng trụ sở, "]
    assert list_tasks(store, TaskFilter(search="Sở Xây dựng"), today=TODAY)[0]["ref"] == "3"
    assert list_tasks(store, TaskFilter(search="so tu phap"), today=TODAY)
    assert list_tasks(store, TaskFilter(search="khongcotu"), today=TODAY) == []


def test_status_history_and_overdue_is_computed(loaded, paths, tmp_path):
    store, plan, letter, _ = loaded
    staff = list_staff(store)[0]["id"]
    task_id = letter.task_ids[0]  # due 25/8/2025
    assert get_task(store, task_id, today=TODAY)["overdue"]
    attachment = tmp_path / "bien_ban.pdf"
    attachment.write_bytes(b"%PDF-1.4 test")
    add_progress(store, task_id, note="Đã rà soát 3 trụ sở.", status="doing", assignee_id=staff,
                 noted_on=dt.date(2025, 8, 20), attachments=[attachment], attachments_dir=paths.attachments_dir)
    add_progress(store, task_id, status="done", noted_on=dt.date(2025, 8, 27))
    task = get_task(store, task_id, today=TODAY)
    assert task["status"] == "done" and not task["overdue"] and task["assignee_id"] == staff
    history = task_history(store, task_id)
    assert [h["status"] for h in history] == ["done", "doing"]
    stored = paths.attachments_dir / history[1]["attachments"][0]
    assert stored.read_bytes() == b"%PDF-1.4 test"
    assert list_tasks(store, TaskFilter(status="done"), today=TODAY)[0]["id"] == task_id
    assert list_tasks(store, TaskFilter(assignee_id=staff), today=TODAY)[0]["id"] == task_id
    # task_state can be rebuilt from the history alone
    rebuild_task_state(store)
    assert get_task(store, task_id, today=TODAY)["status"] == "done"


def test_bad_progress_changes_nothing(loaded):
    store, _, letter, _ = loaded
    before = store.scalar("SELECT count(*) FROM change_log")
    with pytest.raises(UserInputError):
        add_progress(store, letter.task_ids[0])
    with pytest.raises(UserInputError):
        add_progress(store, letter.task_ids[0], status="quá hạn")
    with pytest.raises(UserInputError):
        add_progress(store, letter.task_ids[0], note="x", attachments=["/khong/co.pdf"], attachments_dir="/tmp")
    assert store.scalar("SELECT count(*) FROM change_log") == before


def test_alert_counts(loaded):
    store, _, letter, _ = loaded
    counts = task_alert_counts(store, dt.date(2025, 9, 1))
    # overdue on 1/9/2025: 25/8 (letter 1), plus the 2024 plan's dated tasks
    assert counts["overdue"] >= 1
    assert counts["due_7"] == 1  # 5/9/2025
    add_progress(store, letter.task_ids[1], status="done")
    assert task_alert_counts(store, dt.date(2025, 9, 1))["due_7"] == 0


def test_recurring_periods_show_missing(loaded):
    store, plan, *_ = loaded
    recurring = [r for r in (get_task(store, t["id"], today=TODAY) for t in list_tasks(store, today=TODAY))
                 if r["deadline_kind"] == "recurring" and r["recurring_period"] == "month"][0]
    add_progress(store, recurring["id"], note="Báo cáo tháng 5.", period="2024-05")
    periods = recurring_periods(store, get_task(store, recurring["id"], today=dt.date(2024, 8, 15)),
                                dt.date(2024, 8, 15))
    assert [p["period"] for p in periods] == ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    assert [p["reported"] for p in periods] == [False, True, False, False, False]
    assert periods[0]["label"] == "Tháng 04/2024"


def test_local_task_edit(loaded):
    store, _, letter, _ = loaded
    update_local_task(store, letter.task_ids[0], {"deadline_text": "trong Quý IV/2025", "content": "Nội dung mới"})
    task = get_task(store, letter.task_ids[0], today=TODAY)
    assert (task["deadline_kind"], task["deadline"], task["content"]) == ("quarter", "2025-12-31", "Nội dung mới")
    with pytest.raises(UserInputError):
        update_local_task(store, letter.task_ids[0], {"content": "  "})


def test_quarter_report_pdf_reads_back(loaded, tmp_path):
    store, _, letter, _ = loaded
    add_progress(store, letter.task_ids[0], note="Đã rà soát xong 5 trụ sở.", status="doing",
                 noted_on=dt.date(2025, 8, 26))
    out = tmp_path / "bc.pdf"
    write_report(store, out, year=2025, quarter=3, today=TODAY)
    raw = pdftotext(out)
    text = " ".join(raw.split())
    assert "BÁO CÁO" in text and "Quý III năm 2025" in text
    # Table cells wrap, so the note comes back in pieces.
    assert "3120/UBND-NC" in text and "26/08/2025: Đã rà" in text and "xong 5 trụ sở" in text
    assert "quá hạn" in text


DRAFT = Path(__file__).resolve().parents[3] / "resources" / "samples" / "directives" / \
    "draft_2025_two_tier_government.txt"


def test_directive_without_number_found_again_by_content(commune_store, monkeypatch):
    """The 2025 draft (no number, no date) imported twice must not double its tasks; negative check:
    with the content comparison switched off, it does."""
    from core.directives.errors import DuplicateDirectiveError
    from core.directives.parser import parse_directive
    from core.directives.readers import read_directive_file
    from core.tasks import store as task_store

    parsed = parse_directive(read_directive_file(DRAFT))
    assert parsed.document.number is None and parsed.document.date is None
    task_store.import_directive(commune_store, parsed, source_name=DRAFT.name)
    with pytest.raises(DuplicateDirectiveError):
        task_store.import_directive(commune_store, parsed, source_name="ban_sao.txt")
    # The same tasks under the same subject (e.g. the PDF of the same draft) are found too.
    only_tasks = parse_directive(read_directive_file(DRAFT))
    only_tasks.text = "\n".join(t.content for t in only_tasks.tasks)
    with pytest.raises(DuplicateDirectiveError):
        task_store.import_directive(commune_store, only_tasks, source_name="du_thao.pdf")
    assert commune_store.scalar("SELECT count(*) FROM local_tasks") == len(parsed.tasks)
    monkeypatch.setattr(task_store, "find_duplicate_by_content", lambda store, parsed: None)
    task_store.import_directive(commune_store, parsed, source_name=DRAFT.name)
    assert commune_store.scalar("SELECT count(*) FROM local_tasks") == 2 * len(parsed.tasks)
