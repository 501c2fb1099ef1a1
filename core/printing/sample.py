"""The two-page specimen: every building block once, for checking the layout by eye.

`python main.py report sample --out mau.pdf` renders it. The tests read it back too,
so it doubles as the reference document of the printing layer.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import BinaryIO

from core.printing import blocks as b
from core.printing.blocks import Mark
from core.printing.document import BuiltPdf, build_pdf
from core.printing.formats import vi_date, vi_number, vi_percent
from core.units import Unit, find_unit

DEFAULT_UNIT_CODE = "21484"  # Xã Ba Tơ
SAMPLE_REPORT_ID = "MAU-IN-0001"

_FIELDS = [
    ("Hộ tịch", 46, 46, 44), ("Chứng thực", 120, 118, 120), ("Đất đai", 18, 15, 12),
    ("Xây dựng", 9, 9, 7), ("Lao động, thương binh và xã hội", 31, 29, 30),
    ("Nuôi con nuôi", 2, 2, 2), ("Tôn giáo", 3, 3, 1), ("Người có công", 12, 12, 11),
    ("Bảo trợ xã hội", 27, 26, 27), ("Giáo dục và đào tạo", 5, 5, 5), ("Y tế", 4, 4, 4),
    ("Văn hóa, thể thao và du lịch", 6, 6, 5), ("Thi đua, khen thưởng", 8, 8, 8),
    ("Nông nghiệp và môi trường", 14, 13, 11), ("Tư pháp (hòa giải ở cơ sở)", 3, 3, 3),
    ("Dân tộc", 2, 2, 2), ("Công thương", 7, 7, 6), ("Tài chính", 5, 5, 5), ("Nội vụ", 10, 10, 9),
    ("Thông tin và truyền thông", 3, 3, 3), ("Phòng cháy, chữa cháy", 2, 2, 2),
    ("Đường bộ (giao thông)", 4, 4, 4), ("Thủy lợi", 3, 3, 3), ("Lâm nghiệp", 6, 5, 6),
    ("Khoa học và công nghệ", 1, 1, 1), ("Hộ kinh doanh", 11, 11, 10),
]

_CHECKS = [
    (Mark.TICKED, "Đường truyền mạng truyền số liệu chuyên dùng hoạt động ổn định, tốc độ đạt yêu cầu."),
    (Mark.TICKED, "Máy tính, màn hình, camera và micrô tại điểm cầu đã được kiểm tra trước phiên họp."),
    (Mark.CROSSED, "Bộ lưu điện (UPS) cho thiết bị điểm cầu: chưa có, đã đề nghị bổ sung."),
    (Mark.EMPTY, "Phần mềm hội nghị truyền hình cập nhật phiên bản mới (chưa kiểm tra)."),
]


def sample_data() -> dict:
    """The numbers the specimen shows (also what its fingerprint is computed from)."""
    return {"fields": [list(r) for r in _FIELDS], "checks": [[m.value, t] for m, t in _CHECKS]}


def sample_story(unit: Unit, today: dt.date) -> list:
    governing, issuing = b.unit_bodies(unit)
    received = sum(r[1] for r in _FIELDS)
    digitised = sum(r[2] for r in _FIELDS)
    on_time = sum(r[3] for r in _FIELDS)
    rows = [(str(i), name, vi_number(rec), vi_number(dig), vi_percent(dig / rec), Mark.TICKED if dig == rec else Mark.CROSSED)
            for i, (name, rec, dig, _) in enumerate(_FIELDS, 1)]
    rows.append(("", "Tổng cộng", vi_number(received), vi_number(digitised), vi_percent(digitised / received), ""))
    return [
        b.header(governing_body=governing, issuing_body=issuing, number=5, symbol="BC-UBND",
                 place=unit.short_name, date=today),
        b.title("BÁO CÁO", "Kết quả tiếp nhận, số hóa hồ sơ thủ tục hành chính\n"
                           f"tháng {today.month} năm {today.year}"),
        b.paragraph(f"Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh Quảng Ngãi về đẩy mạnh chuyển đổi số "
                    f"và số hóa hồ sơ, kết quả giải quyết thủ tục hành chính, Ủy ban nhân dân {unit.kind.lower()} {unit.short_name} "
                    f"báo cáo kết quả thực hiện đến ngày {vi_date(today)} như sau:"),
        b.heading("I. KẾT QUẢ THỰC HIỆN"),
        b.paragraph("1. Tổng số hồ sơ tiếp nhận trong kỳ: ", b.strong(vi_number(received)),
                    " hồ sơ; đã số hóa thành phần hồ sơ: ", b.strong(vi_number(digitised)),
                    f" hồ sơ, đạt {vi_percent(digitised / received)}; giải quyết đúng hạn ",
                    b.strong(vi_number(on_time)), " hồ sơ."),
        b.paragraph("2. Kết quả số hóa theo từng lĩnh vực được tổng hợp tại bảng dưới đây; "
                    "dấu ", b.emphasis("đánh dấu"), " cho biết lĩnh vực đã số hóa đủ 100% hồ sơ, dấu ",
                    b.emphasis("gạch chéo"), " cho biết lĩnh vực còn hồ sơ chưa số hóa."),
        b.table(["STT", "Lĩnh vực", "Tiếp nhận", "Đã số hóa", "Tỷ lệ", "Đủ"], rows,
                widths=(0.8, 5.2, 1.6, 1.6, 1.4, 0.8),
                align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "CENTER"),
                style=[("FONTNAME", (0, -1), (-1, -1), "VnSerif-Bold")]),
        b.heading("II. KIỂM TRA ĐIỂM CẦU HỘI NGHỊ TRUYỀN HÌNH"),
        *[b.check_item(mark, text) for mark, text in _CHECKS],
        b.heading("III. ĐỀ XUẤT, KIẾN NGHỊ"),
        b.paragraph("Đề nghị Sở Khoa học và Công nghệ hỗ trợ trang bị bộ lưu điện cho điểm cầu và tập huấn "
                    "bổ sung cho công chức Bộ phận Một cửa về ký số, số hóa kết quả giải quyết thủ tục "
                    "hành chính. Ký tự đặc biệt in đúng: <, >, & và “ngoặc kép”."),
        b.closing(
            b.recipients(["Sở Khoa học và Công nghệ", "Trung tâm Phục vụ hành chính công tỉnh",
                          "Thường trực Đảng ủy, HĐND xã", "Chủ tịch, các PCT UBND xã"], archive="VT, VP"),
            b.signature(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "Nguyễn Văn Mẫu"),
        ),
    ]


def build_sample(out: str | os.PathLike | BinaryIO, *, unit: Unit | None = None,
                 today: dt.date | None = None) -> BuiltPdf:
    from core.clock import today_local

    unit = unit or find_unit(DEFAULT_UNIT_CODE)
    today = today or today_local()
    return build_pdf(sample_story(unit, today), out, report_id=SAMPLE_REPORT_ID, data=sample_data(),
                     title="Mẫu trình bày văn bản (Nghị định 30/2020/NĐ-CP)", author=unit.committee_name,
                     subject="Bản mẫu kiểm tra bố cục in ấn")
