import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.pdftools import pdftotext
from tests.cli_env import scrubbed_env

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args, data_dir):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(data_dir)],
                          capture_output=True, encoding="utf-8", cwd=ROOT, env=scrubbed_env())


@pytest.fixture
def data_dir(tmp_path):
    from core.checklists import runs
    from core.paths import AppPaths
    from core.workspace import initialise, open_workspace

    d = tmp_path / "data"
    store = open_workspace(AppPaths(d).ensure())
    initialise(store, "21484", ["Trần Văn Đức"], "Trần Văn Đức")
    run_id = runs.create_run(store, title="Hội nghị trực tuyến về chuyển đổi số", host="province",
                             meeting_date="15/04/2026", start_time="08:00")
    store.close()
    return d, run_id


def test_runs_json_lists_id_meeting_date_verdict(data_dir):
    d, run_id = data_dir
    result = run_cli("checklist", "runs", "--json", data_dir=d)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows == [{**rows[0], "id": run_id, "meeting": "Hội nghị trực tuyến về chuyển đổi số",
                     "date": "2026-04-15", "verdict": "not_ready", "verdict_label": "CHƯA SẴN SÀNG"}]


def test_print_and_blank_write_pdfs(data_dir, tmp_path):
    d, run_id = data_dir
    out = tmp_path / "phieu.pdf"
    result = run_cli("checklist", "print", run_id[:8], "--out", str(out), data_dir=d)
    assert result.returncode == 0, result.stderr
    assert "Đã tạo phiếu kiểm tra" in result.stdout
    text = pdftotext(out)
    assert "Hội nghị trực tuyến về chuyển đổi số" in text
    blank = tmp_path / "trong.pdf"
    result = run_cli("checklist", "blank", "--out", str(blank), data_dir=d)
    assert result.returncode == 0 and blank.stat().st_size > 1000


def test_unknown_run_and_bad_folder_fail_cleanly(data_dir, tmp_path):
    d, _ = data_dir
    result = run_cli("checklist", "print", "ffffffff", "--out", str(tmp_path / "x.pdf"), data_dir=d)
    assert result.returncode == 2 and "Không tìm thấy phiếu kiểm tra" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("checklist", "blank", "--out", str(tmp_path / "khong" / "x.pdf"), data_dir=d)
    assert result.returncode != 0 and result.stderr.startswith("Lỗi:") and "Traceback" not in result.stderr


def test_import_bad_file_keeps_template(data_dir, tmp_path):
    d, _ = data_dir
    bad = tmp_path / "mau.csv"
    bad.write_text("category,item,kind,unit,critical,guidance\nA,B,check,,yes,\n", encoding="utf-8")
    result = run_cli("checklist", "import", str(bad), data_dir=d)
    assert result.returncode == 2 and "thiếu cột: threshold" in result.stderr
    listed = json.loads(run_cli("checklist", "templates", "--json", data_dir=d).stdout)
    assert [t["ref"] for t in listed if t["active"]] == ["builtin:hnth"]
    good = tmp_path / "mau_moi.csv"
    good.write_text("category,item,kind,threshold,unit,critical,guidance\nA,Camera,check,,,yes,\n", encoding="utf-8")
    result = run_cli("checklist", "import", str(good), "--name", "Mẫu tỉnh 2026", data_dir=d)
    assert result.returncode == 0 and "Mẫu tỉnh 2026" in result.stdout
    listed = json.loads(run_cli("checklist", "templates", "--json", data_dir=d).stdout)
    assert [t["name"] for t in listed if t["active"]] == ["Mẫu tỉnh 2026"]
