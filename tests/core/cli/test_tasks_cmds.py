import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.core.directives import samples_text as S
from tests.cli_env import scrubbed_env

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args, data_dir=None):
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, *extra], capture_output=True,
                          encoding="utf-8", cwd=ROOT, env=scrubbed_env())


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    result = run_cli("init", "--unit", "21484", "--staff", "Trần Văn Đức", data_dir=d)
    assert result.returncode == 0, result.stderr
    return d


def counts(data_dir):
    conn = sqlite3.connect(data_dir / "motcua.sqlite3")
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("local_directives", "local_tasks", "change_log"))
    finally:
        conn.close()


def test_parse_directive_json_shape(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_text(S.LETTER_DASHES_2025, encoding="utf-8")
    result = run_cli("parse-directive", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout and "Rà soát" in result.stdout  # UTF-8, not ASCII-escaped
    data = json.loads(result.stdout)
    assert data["document"] == {"number": "3120/UBND-NC", "date": "2025-08-12", "issuer": "UỶ BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
                                "subject": "V/v rà soát trụ sở làm việc của chính quyền cấp xã"}
    first = data["tasks"][0]
    assert set(first) == {"ref", "content", "lead_unit", "coordinating_units", "for_commune", "deadline"}
    assert first["deadline"] == {"kind": "date", "due": "2025-08-25", "text": "hoàn thành trước ngày 25/8/2025"} or \
        first["deadline"]["due"] == "2025-08-25"


def test_parse_unreadable_file_exits_2_with_vietnamese(tmp_path):
    path = tmp_path / "anh.txt"
    path.write_bytes(bytes(range(256)) * 10)
    result = run_cli("parse-directive", str(path), "--json")
    assert result.returncode == 2
    assert result.stderr.startswith("Lỗi: ") and "nhị phân" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def _bad_inputs(tmp_path):
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "nhi_phan.txt"
    binary.write_bytes(b"\x00\x01\x02\xff" * 500)
    big = tmp_path / "lon.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    fake = tmp_path / "gia.docx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    no_items = tmp_path / "moi_hop.txt"
    no_items.write_text(S.NO_ITEMS, encoding="utf-8")
    return [(empty, "trống"), (binary, "nhị phân"), (big, "quá lớn"), (fake, "không phải tài liệu Word"),
            (no_items, "Không tìm thấy nhiệm vụ")]


def test_import_bad_inputs_change_nothing(tmp_path, data_dir):
    good = tmp_path / "cv.txt"
    good.write_text(S.LETTER_DASHES_2025, encoding="utf-8")
    assert run_cli("import-directive", str(good), "--yes", data_dir=data_dir).returncode == 0
    before = counts(data_dir)
    assert before[:2] == (1, 3)
    for path, words in _bad_inputs(tmp_path):
        result = run_cli("import-directive", str(path), "--yes", data_dir=data_dir)
        assert result.returncode == 2, (path, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr
        assert counts(data_dir) == before


def test_import_refuses_duplicate_unless_allowed(tmp_path, data_dir):
    good = tmp_path / "cv.txt"
    good.write_text(S.PLAN_2024, encoding="utf-8")
    first = run_cli("import-directive", str(good), "--yes", data_dir=data_dir)
    assert first.returncode == 0 and "Đã lưu" in first.stdout
    before = counts(data_dir)
    again = run_cli("import-directive", str(good), "--yes", data_dir=data_dir)
    assert again.returncode == 2 and "đã được nhập" in again.stderr
    assert counts(data_dir) == before
    forced = run_cli("import-directive", str(good), "--yes", "--allow-duplicate", data_dir=data_dir)
    assert forced.returncode == 0
    assert counts(data_dir)[0] == 2


def test_task_report_xlsx(tmp_path, data_dir):
    good = tmp_path / "cv.txt"
    good.write_text(S.LETTER_DASHES_2025, encoding="utf-8")
    run_cli("import-directive", str(good), "--yes", data_dir=data_dir)
    out = tmp_path / "bao_cao.xlsx"
    result = run_cli("task-report", "--quarter", "3/2025", "--out", str(out), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("3120/UBND-NC" in c for c in cells)
    assert any(c.startswith("Rà soát hiện trạng trụ sở") for c in cells)
    bad = run_cli("task-report", "--quarter", "5/2025", "--out", str(out), data_dir=data_dir)
    assert bad.returncode == 2 and "Quý không hợp lệ" in bad.stderr


# --- issue 14: document info always, warnings, empty directives, duplicates by content ---------

REPORT = ROOT.parent / "shared" / "samples" / "directives" / "report_78_BC-UBND_2023-04-25.txt"


def test_parse_no_items_prints_document_with_warning_exit_0(tmp_path):
    path = tmp_path / "moi_hop.txt"
    path.write_text(S.NO_ITEMS, encoding="utf-8")
    result = run_cli("parse-directive", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["document"]["number"] == "4001/UBND-VX" and data["document"]["date"] == "2025-06-02"
    assert data["tasks"] == [] and any("Không tìm thấy nhiệm vụ" in w for w in data["warnings"])


def test_parse_report_warns(tmp_path):
    if not REPORT.exists():
        pytest.skip("../shared sample report not available")
    result = run_cli("parse-directive", str(REPORT), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert any("BÁO CÁO" in w for w in data["warnings"])


def test_import_empty_needs_allow_empty(tmp_path, data_dir):
    path = tmp_path / "moi_hop.txt"
    path.write_text(S.NO_ITEMS, encoding="utf-8")
    refused = run_cli("import-directive", str(path), "--yes", data_dir=data_dir)
    assert refused.returncode == 2 and "--allow-empty" in refused.stderr
    assert counts(data_dir)[:2] == (0, 0)
    kept = run_cli("import-directive", str(path), "--yes", "--allow-empty", data_dir=data_dir)
    assert kept.returncode == 0, kept.stderr
    assert counts(data_dir)[:2] == (1, 0)


DRAFT = ROOT / "resources" / "samples" / "directives" / "draft_2025_two_tier_government.txt"


def test_directive_without_number_and_date_is_not_imported_twice(tmp_path, data_dir):
    first = run_cli("import-directive", str(DRAFT), "--yes", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    before = counts(data_dir)
    # The same draft saved again with other line ends and spacing is still the same directive.
    again = tmp_path / "du_thao_lan_2.txt"
    again.write_text(DRAFT.read_text(encoding="utf-8").replace("\n", "\r\n").replace("  ", " "), encoding="utf-8")
    for path in (DRAFT, again):
        result = run_cli("import-directive", str(path), "--yes", data_dir=data_dir)
        assert result.returncode == 2 and "cùng nội dung" in result.stderr, result.stderr
        assert counts(data_dir) == before
    forced = run_cli("import-directive", str(DRAFT), "--yes", "--allow-duplicate", data_dir=data_dir)
    assert forced.returncode == 0 and counts(data_dir)[1] == 2 * before[1]
