import logging
import subprocess
import sys
from pathlib import Path

from core.logging_setup import LOG_NAME, setup_logging

ROOT = Path(__file__).resolve().parents[2]


def test_records_reach_the_rotating_file_and_setup_is_idempotent(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log_file = setup_logging(tmp_path / "logs")
        setup_logging(tmp_path / "logs")
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and log_file == tmp_path / "logs" / LOG_NAME
        assert log_file.is_file() and log_file.read_text(encoding="utf-8") == ""
        logging.getLogger("motcua.test").error("Lỗi thử: %s", "đĩa đầy")
        for handler in added:
            handler.flush()
        text = log_file.read_text(encoding="utf-8")
        assert "ERROR motcua.test: Lỗi thử: đĩa đầy" in text
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()


def test_the_log_rotates_at_its_size_limit(tmp_path, monkeypatch):
    import core.logging_setup as setup

    monkeypatch.setattr(setup, "MAX_BYTES", 2_000)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        log_file = setup_logging(tmp_path)
        for n in range(200):
            logging.getLogger("motcua.test").warning("dòng %d %s", n, "x" * 40)
        assert (tmp_path / f"{LOG_NAME}.1").is_file()
        assert log_file.stat().st_size <= 2_000
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()


def test_setting_up_does_not_import_logging_handlers_until_a_record_arrives(tmp_path):
    script = (f"import sys; from core.logging_setup import setup_logging; setup_logging(__import__('pathlib')"
              f".Path({str(tmp_path)!r})); print('logging.handlers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
