import datetime as dt
import re

import pytest

from core import clock
from core.checklists import runs, sheet, templates
from core.errors import NotInitialisedError
from tests.pdftools import pdffonts_text, pdftotext


def _text(path) -> str:
    return pdftotext(path)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def closed_run(commune_store):
    clock.freeze(dt.datetime(2026, 3, 10, 7, 0, tzinfo=clock.LOCAL_TZ))
    try:
        run_id = runs.create_run(commune_store, title="Hội nghị trực tuyến sơ kết công tác 6 tháng", host="government",
                                 meeting_date="10/03/2026", start_time="08:30", leader_name="Phạm Văn Hùng")
        run = runs.load_run(commune_store, run_id)
        for item in run.items:
            if item.kind == "number":
                runs.record_answer(commune_store, run_id, item.id, number="1,5" if item.unit == "Mbps" else "45")
            elif item.kind == "text":
                runs.record_answer(commune_store, run_id, item.id, text="Đã ghi nhật ký")
            else:
                runs.record_answer(commune_store, run_id, item.id, status="pass")
        runs.add_incident(commune_store, run_id, time_text="09:10", what="Mất tiếng điểm cầu tỉnh", fix="Đổi micro")
        runs.close_run(commune_store, run_id, attendance=17)
        camera = next(i for i in run.items if i.text.startswith("Camera"))
        runs.add_correction(commune_store, run_id, camera.id, status="fail", reason="Camera mất nét giữa buổi")
        yield run_id
    finally:
        clock.freeze(None)


def test_completed_sheet_reads_back(commune_store, closed_run, tmp_path):
    out = tmp_path / "phieu.pdf"
    built = sheet.build_run_sheet(commune_store, closed_run, out)
    assert built.pages >= 1
    text = _flat(_text(out))
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ BA TƠ" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "PHIẾU KIỂM TRA SẴN SÀNG ĐIỂM CẦU HỘI NGHỊ TRUYỀN HÌNH TRỰC TUYẾN" in text
    assert "Hội nghị trực tuyến sơ kết công tác 6 tháng" in text and "Chính phủ" in text
    assert "Ba Tơ, ngày 10 tháng 3 năm 2026" in text
    assert "1,5 Mbps" in text and "Yêu cầu: ≥ 2 Mbps" in text
    assert "Kết luận: CHƯA SẴN SÀNG" in text
    assert "Băng thông đo được (mỗi chiều): đo được 1,5 Mbps, yêu cầu ≥ 2 Mbps" in text
    assert "Kết luận lúc khóa phiếu: CHƯA SẴN SÀNG" not in text  # unchanged: was already not ready
    assert "Số người dự tại điểm cầu: 17" in text and "Mất tiếng điểm cầu tỉnh" in text
    assert "ĐÍNH CHÍNH SAU KHI KHÓA PHIẾU" in text and "Camera mất nét giữa" in text
    assert "NGƯỜI KIỂM TRA" in text and "Nguyễn Thị Hồng Nhung" in text
    assert "LÃNH ĐẠO UBND XÃ" in text and "Phạm Văn Hùng" in text
    for category in templates.builtin_template().categories:
        assert category in text


def test_ready_run_says_so(commune_store, tmp_path):
    run_id = runs.create_run(commune_store, title="Họp giao ban", host="province", meeting_date="12/03/2026",
                             start_time="14:00")
    for item in runs.load_run(commune_store, run_id).items:
        if item.kind == "number":
            runs.record_answer(commune_store, run_id, item.id, number="100")
        else:
            runs.record_answer(commune_store, run_id, item.id, status="pass", text="x" if item.kind == "text" else None)
    out = tmp_path / "san-sang.pdf"
    sheet.build_run_sheet(commune_store, run_id, out)
    text = _flat(_text(out))
    assert "Kết luận: SẴN SÀNG" in text and "phiếu đang kiểm tra (chưa khóa)" in text


def test_blank_sheet_lists_every_item_with_empty_boxes(commune_store, tmp_path):
    out = tmp_path / "trong.pdf"
    sheet.build_blank_sheet(commune_store, out)
    text = _flat(_text(out))
    assert "PHIẾU KIỂM TRA SẴN SÀNG ĐIỂM CẦU" in text and "CHƯA SẴN SÀNG. Lý do" in text
    assert "Cán bộ kỹ thuật có mặt trước giờ họp" in text
    assert text.count("(*)") >= 12
    fonts = pdffonts_text(out)
    assert "Helvetica" not in fonts and "Times-Roman" not in fonts


def test_sheet_needs_an_initialised_unit(store, tmp_path):
    with pytest.raises(NotInitialisedError):
        sheet.build_blank_sheet(store, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
