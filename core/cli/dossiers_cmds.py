"""Dossier commands: indicators, import-dossiers, export-dossiers, lock-month, unlock-month."""

from __future__ import annotations

import sys
from pathlib import Path

from core.cli.common import open_store, print_json
from core.dossiers import locks
from core.dossiers.excel_import import import_dossiers
from core.dossiers.export import export_counters, export_register
from core.dossiers.indicators import INDICATORS, compute_indicators
from core.dossiers.periods import custom_period
from core.dossiers.register import RegisterFilter
from core.dossiers.targets import RAG_LABELS


def register(subparsers, common) -> None:
    p = subparsers.add_parser("indicators", parents=[common],
                              help="chỉ số số hóa hồ sơ của một kỳ (QĐ 766/QĐ-TTg)")
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="từ ngày")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="đến ngày")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_indicators)

    p = subparsers.add_parser("import-dossiers", parents=[common],
                              help="nhập danh sách hồ sơ từ tệp Excel (.xlsx) của hệ thống một cửa")
    p.add_argument("file", metavar="TỆP.xlsx")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    p.add_argument("--reason", metavar="LÝ_DO", help="lý do sửa số liệu của tháng đã khóa")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_import)

    p = subparsers.add_parser("export-dossiers", parents=[common],
                              help="xuất sổ hồ sơ hoặc bảng số liệu của một kỳ ra .xlsx / .csv")
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="TỆP", help="tệp .xlsx hoặc .csv")
    p.add_argument("--counters", action="store_true", help="xuất bảng số liệu theo lĩnh vực thay cho sổ hồ sơ")
    p.set_defaults(handler=cmd_export)

    p = subparsers.add_parser("dossier-report", parents=[common],
                              help="báo cáo số hóa hồ sơ một tháng (PDF, hoặc .docx để sửa trong Word)")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--out", required=True, metavar="TỆP", help="tệp .pdf hoặc .docx")
    p.set_defaults(handler=cmd_report)

    p = subparsers.add_parser("lock-month", parents=[common], help="khóa số liệu một tháng đã báo cáo")
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("--note", metavar="GHI_CHÚ")
    p.set_defaults(handler=cmd_lock)

    p = subparsers.add_parser("unlock-month", parents=[common], help="mở khóa một tháng (cần lý do)")
    p.add_argument("month", metavar="YYYY-MM")
    p.add_argument("--reason", required=True, metavar="LÝ_DO")
    p.set_defaults(handler=cmd_unlock)


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def cmd_indicators(args) -> int:
    period = custom_period(args.date_from, args.date_to)
    _, store = open_store(args)
    with store:
        report = compute_indicators(store, period)
    tallies = report.tallies
    if tallies.received or tallies.finished:
        # stdout keeps the exact JSON shape; the tally share is said on stderr.
        print(f"Ghi chú: bao gồm {tallies.received} hồ sơ tiếp nhận và {tallies.finished} hồ sơ giải quyết "
              "từ số liệu tổng hợp theo ngày (không có trong sổ đăng ký).", file=sys.stderr)
    if args.json:
        print_json(report.as_json())
        return 0
    total = report.total
    print(f"Chỉ số số hóa hồ sơ {period.label()}: tiếp nhận {total.received}, đã giải quyết {total.finished}.")
    for key, value in report.values.items():
        d = INDICATORS[key]
        target = "" if value.target is None else f"; chỉ tiêu {_percent(value.target.target)}"
        verdict = f" — {RAG_LABELS[value.rag]}" if value.rag else ""
        print(f"  {d.number} {d.name}: {_percent(value.value)} ({value.numerator}/{value.denominator} "
              f"{d.denominator}){target}{verdict}")
    return 0


def cmd_import(args) -> int:
    _, store = open_store(args)
    with store:
        plan = import_dossiers(store, Path(args.file), dry_run=args.dry_run, reason=args.reason)
    if args.json:
        print_json(plan.as_json(dry_run=args.dry_run))
        return 0
    c = plan.counts()
    verb = "Kiểm tra (chưa ghi)" if args.dry_run else "Đã nhập"
    print(f"{verb}: {c['new']} hồ sơ mới, {c['updated']} cập nhật, {c['unchanged']} không đổi, "
          f"{c['rejected']} bị từ chối.")
    for r in plan.rejected[:50]:
        print(f"  Dòng {r.row} {r.code}: {r.reason}")
    if len(plan.rejected) > 50:
        print(f"  … và {len(plan.rejected) - 50} dòng bị từ chối khác (xem --json).")
    return 0


def cmd_export(args) -> int:
    from core.dossiers.export import FORMATS
    from core.output_files import require_suffix

    require_suffix(args.out, FORMATS)  # before opening anything: "x.pdf" would get an XLSX inside
    period = custom_period(args.date_from, args.date_to)
    _, store = open_store(args)
    with store:
        if args.counters:
            out = export_counters(store, period, Path(args.out))
        else:
            out = export_register(store, Path(args.out),
                                  RegisterFilter(received_from=period.start_iso, received_to=period.end_iso))
    print(f"Đã xuất {out}")
    return 0


def cmd_report(args) -> int:
    from core.clock import today_local
    from core.dossiers.report_pdf import build_month_report

    from core.output_files import require_suffix
    from core.printing.output import FORMATS

    month = locks.check_month(args.month)
    out = require_suffix(args.out, FORMATS)
    _, store = open_store(args)
    with store:
        built = build_month_report(store, month, out, today=today_local())
    print(f"Đã tạo báo cáo {out}" + (f" ({built.pages} trang)." if built.pages else " (Word)."))
    return 0


def cmd_lock(args) -> int:
    _, store = open_store(args)
    with store:
        locks.lock_month(store, args.month, args.note)
    print(f"Đã khóa tháng {locks.month_label(locks.check_month(args.month))}.")
    return 0


def cmd_unlock(args) -> int:
    _, store = open_store(args)
    with store:
        locks.unlock_month(store, args.month, args.reason)
    print(f"Đã mở khóa tháng {locks.month_label(locks.check_month(args.month))}; lý do đã được ghi lại.")
    return 0
