"""The key registration sheet: what the commune prints and sends to the province (out of band).

It carries the unit, its public key (in groups of four, easy to type back), the
short fingerprint (read aloud over the phone to confirm) and a QR code holding
`MOTCUA-KEY|<unit>|<public key>` so the province can scan instead of typing.
"""

from __future__ import annotations

from pathlib import Path

from core.clock import today_local
from core.paths import AppPaths
from core.printing import blocks as b
from core.printing import build_pdf
from core.sync.identity import describe
from core.units import find_unit
from db.store import Store


def qr_payload(unit: str, public_key: str) -> str:
    return f"MOTCUA-KEY|{unit}|{public_key}"


def grouped(key: str, size: int = 4) -> str:
    return " ".join(key[i:i + size] for i in range(0, len(key), size))


def registration_sheet(store: Store, paths: AppPaths, out: Path):
    info = describe(store, paths)
    unit = find_unit(info["unit"])
    governing, issuing = b.unit_bodies(unit)
    today = today_local()
    story = [
        b.header(governing_body=governing, issuing_body=issuing, place=unit.short_name, date=today),
        b.title("PHIẾU ĐĂNG KÝ", "Khóa ký gói dữ liệu đồng bộ với tỉnh"),
        b.paragraph("Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi.", indent=False),
        b.paragraph(f"{unit.name} đề nghị đăng ký khóa công khai dưới đây để tỉnh kiểm tra chữ ký của các gói "
                    "dữ liệu đồng bộ do đơn vị gửi (qua mạng hoặc USB). Khóa bí mật tương ứng chỉ lưu trên máy "
                    "tính của Bộ phận Một cửa, không gửi kèm phiếu này. Mỗi máy tính của đơn vị có khóa riêng; "
                    "đăng ký khóa này là thêm một máy, các máy đã đăng ký vẫn dùng được."),
        b.table(["Nội dung", "Thông tin"], [
            ("Đơn vị", unit.name),
            ("Mã đơn vị", unit.code),
            ("Máy tính (mã thiết bị)", info["device"]),
            ("Khóa công khai (Ed25519)", grouped(info["public_key"])),
            ("Dấu vân tay", info["fingerprint"]),
            ("Ngày lập phiếu", f"{today.day:02d}/{today.month:02d}/{today.year}"),
        ], widths=(2, 6)),
        b.qr_code(qr_payload(unit.code, info["public_key"]), size_mm=40),
        b.paragraph("Khi đăng ký, cán bộ của tỉnh quét mã QR hoặc nhập khóa công khai (bỏ qua dấu cách), rồi gọi "
                    "điện cho đơn vị để đọc đối chiếu dấu vân tay. Lệnh trên máy chủ tỉnh: ",
                    b.emphasis(f"hub register --unit {unit.code} --public-key <khóa>"), "."),
        b.closing(b.recipients(["Sở Khoa học và Công nghệ tỉnh"], archive="VT"),
                  b.signature(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "")),
    ]
    return build_pdf(story, out, report_id=f"DK-KHOA-{unit.code}", data=info,
                     title=f"Phiếu đăng ký khóa — {unit.name}")
