"""The monthly report PDF, read back (poppler or pdfplumber: tests/pdftools.py)."""

from core.dossiers import locks
from core.dossiers.register import add_dossier, update_dossier
from core.dossiers.report_pdf import build_month_report
from core.dossiers.tallies import save_tally
from tests.pdftools import pdftotext

from .conftest import dossier


def _text(path) -> str:
    raw = pdftotext(path)
    return " ".join(raw.split())  # lines wrap where the layout wraps them


def test_month_report_shows_counters_indicators_tallies_and_locked_changes(commune_store, tmp_path):
    import datetime as dt

    s = commune_store
    first = add_dossier(s, dossier(1, "2025-05-05", channel=2, components_digitised=1, result_digitised="yes",
                                   finished_on="2025-05-06", promised_on="2025-05-08"))
    add_dossier(s, dossier(2, "2025-05-06", field="Chứng thực", finished_on="2025-05-06"))
    save_tally(s, {"day": "2025-05-07", "field": "Đất đai", "channel": 1, "received": 5})
    locks.lock_month(s, "2025-05")
    update_dossier(s, first, {"data_reused": 1}, reason="Bổ sung cờ tái sử dụng theo hệ thống tỉnh")
    out = build_month_report(s, "2025-05", tmp_path / "bc.pdf", today=dt.date(2025, 6, 3))
    text = _text(tmp_path / "bc.pdf")
    assert out.pages >= 1
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ BA TƠ" in text
    assert "tháng 05 năm 2025" in text
    assert "tiếp nhận 7 hồ sơ" in text  # 2 in the register + 5 from the tally
    assert "Đất đai (số liệu tổng hợp)" in text
    assert "Tỷ lệ hồ sơ trực tuyến" in text and "1/7" in text
    assert "Bổ sung cờ tái sử dụng theo hệ thống tỉnh" in text
    assert "BC-SHHS-2025-05" in text
