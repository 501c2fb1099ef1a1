import os
import subprocess
import sys
from pathlib import Path

from core.cli import run

ROOT = Path(__file__).resolve().parents[3]


def main(*argv):
    return run(list(argv))


def test_init_then_check(tmp_path, capsys):
    data = str(tmp_path / "ws")
    assert main("init", "--unit", "21548", "--staff", "Trương Thị Lan", "Võ Văn Nam", "--data-dir", data) == 0
    assert "Đặc khu Lý Sơn" in capsys.readouterr().out
    assert main("--data-dir", data, "check") == 0
    out = capsys.readouterr().out
    assert "Cơ sở dữ liệu tốt" in out and "21548" in out


def test_init_rejects_unknown_unit_with_exit_2(tmp_path, capsys):
    assert main("init", "--unit", "12345", "--data-dir", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "12345" in err and "Traceback" not in err


def test_unknown_command_is_reported_in_vietnamese(tmp_path, capsys):
    try:
        main("khong-co", "--data-dir", str(tmp_path))
    except SystemExit as exc:
        assert exc.code == 2
    assert "Lỗi" in capsys.readouterr().err


def test_backup_and_restore_commands(tmp_path, capsys):
    data = str(tmp_path / "ws")
    main("init", "--unit", "21484", "--staff", "A", "--data-dir", data)
    assert main("backup", "--to", str(tmp_path / "usb"), "--data-dir", data) == 0
    made = next((tmp_path / "usb").glob("*.sqlite3"))
    assert main("restore", str(made), "--data-dir", data) == 0
    assert "Đã khôi phục" in capsys.readouterr().out
    assert main("restore", str(tmp_path / "none.sqlite3"), "--data-dir", data) == 2


def test_check_reports_a_damaged_database(tmp_path, capsys):
    data = tmp_path / "ws"
    main("init", "--unit", "21484", "--data-dir", str(data))
    db = data / "motcua.sqlite3"
    with open(db, "r+b") as f:
        f.seek(0)
        f.write(b"\x00" * 100)  # the header is gone
    assert main("check", "--data-dir", str(data)) == 4
    assert "hỏng" in capsys.readouterr().err


def test_demo_data_is_deterministic(tmp_path):
    for name in ("a", "b"):
        assert main("demo-data", "--seed", "7", "--data-dir", str(tmp_path / name)) == 0
    import sqlite3

    def content(name):
        conn = sqlite3.connect(tmp_path / name / "motcua.sqlite3")
        tables = [r[0] for r in conn.execute("SELECT table_name FROM syncable_tables ORDER BY 1")]
        counts = {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}
        conn.close()
        return counts

    assert content("a") == content("b")
    assert content("a")["staff"] >= 3


def test_main_py_cli_subprocess_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "main.py", "init", "--unit", "abc", "--data-dir", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Lỗi" in result.stderr


def test_help_and_usage_errors_are_in_vietnamese(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main("--help")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "cách dùng:" in out and "hiện hướng dẫn này" in out and "show this help" not in out
    with pytest.raises(SystemExit):
        main("init")
    assert "thiếu tham số bắt buộc: --unit" in capsys.readouterr().err
