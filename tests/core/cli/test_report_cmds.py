"""`python main.py report sample --out FILE.pdf`: output, messages, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from core.cli import run

ROOT = Path(__file__).resolve().parents[3]


def test_report_sample_writes_the_two_page_specimen(tmp_path, capsys):
    out = tmp_path / "mẫu in.pdf"
    assert run(["report", "sample", "--out", str(out), "--date", "2026-01-05", "--unit", "21484"]) == 0
    assert len(PdfReader(str(out)).pages) == 2
    said = capsys.readouterr().out
    assert "Đã in bản mẫu 2 trang" in said and "MAU-IN-0001" in said


def test_report_sample_bad_inputs_say_why_and_write_nothing(tmp_path, capsys):
    cases = [
        (["--out", str(tmp_path / "mau.txt")], "phải có đuôi .pdf"),
        (["--out", str(tmp_path / "mau.pdf"), "--date", "05/01/2026"], "không đúng dạng YYYY-MM-DD"),
        (["--out", str(tmp_path / "mau.pdf"), "--unit", "99999"], "Không có đơn vị hành chính mã “99999”"),
        (["--out", str(tmp_path / "khong-co" / "mau.pdf")], "Không có thư mục"),
    ]
    for extra, message in cases:
        code = run(["report", "sample", *extra])
        err = capsys.readouterr().err
        assert code != 0, extra
        assert message in err, (extra, err)
        assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_report_command_runs_through_main_py(tmp_path):
    out = tmp_path / "mau.pdf"
    proc = subprocess.run([sys.executable, "main.py", "report", "sample", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")
