"""Report commands: `report sample --out FILE.pdf` renders the layout specimen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.errors import UserInputError


def register(subparsers, common) -> None:
    p = subparsers.add_parser("report", parents=[common], help="in báo cáo ra tệp PDF")
    sub = p.add_subparsers(dest="report_command", metavar="LOẠI", required=True)
    s = sub.add_parser("sample", parents=[common],
                       help="bản mẫu hai trang dùng mọi thành phần trình bày (kiểm tra bố cục)")
    s.add_argument("--out", required=True, metavar="TỆP.pdf", help="tệp PDF sẽ ghi")
    s.add_argument("--unit", metavar="MÃ", help="mã đơn vị in ở tiêu đề (mặc định: xã Ba Tơ)")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="ngày ghi trên văn bản (mặc định: hôm nay)")
    s.set_defaults(handler=cmd_sample)


def cmd_sample(args) -> int:
    from core.printing.sample import build_sample
    from core.units import find_unit

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UserInputError(f"Tên tệp “{out.name}” phải có đuôi .pdf.")
    unit = find_unit(args.unit) if args.unit else None
    today = None
    if args.date:
        try:
            today = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UserInputError(f"Ngày “{args.date}” không đúng dạng YYYY-MM-DD (ví dụ 2026-01-05).") from None
    built = build_sample(out, unit=unit, today=today)
    print(f"Đã in bản mẫu {built.pages} trang ra {built.path} "
          f"(mã {built.report_id}, dấu dữ liệu {built.short_fingerprint}).")
    return 0
