"""Directive and task commands: parse-directive, import-directive, task-report."""

from __future__ import annotations

import sys
from pathlib import Path

from core.cli.common import open_store, print_json
from core.clock import format_date


def register(subparsers, common) -> None:
    p = subparsers.add_parser("parse-directive", parents=[common],
                              help="đọc một văn bản chỉ đạo và liệt kê các nhiệm vụ (không lưu)")
    p.add_argument("file", metavar="TỆP", help="tệp .txt, .docx hoặc .pdf có chữ")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_parse_directive)

    p = subparsers.add_parser("import-directive", parents=[common],
                              help="nhập văn bản chỉ đạo và lưu các nhiệm vụ của nó")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--yes", action="store_true", help="lưu ngay, không hỏi lại")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="vẫn nhập khi đã có văn bản cùng số và ngày")
    p.add_argument("--commune-only", action="store_true", help="chỉ lưu các nhiệm vụ của cấp xã")
    p.add_argument("--allow-empty", action="store_true",
                   help="vẫn lưu văn bản khi không tìm thấy nhiệm vụ nào (để thêm nhiệm vụ bằng tay)")
    p.set_defaults(handler=cmd_import_directive)

    p = subparsers.add_parser("task-report", parents=[common],
                              help="báo cáo tiến độ nhiệm vụ theo quý (.xlsx, .pdf hoặc .docx)")
    p.add_argument("--quarter", metavar="QUÝ/NĂM", help="ví dụ 3/2025 (mặc định: quý hiện tại)")
    p.add_argument("--out", metavar="TỆP", required=True, help="tệp .xlsx, .pdf hoặc .docx (sửa trong Word)")
    p.set_defaults(handler=cmd_task_report)


def _parse(path: str):
    from core.directives.parser import parse_directive
    from core.directives.readers import read_directive_file

    # Whenever the text can be read, its document info is returned, with warnings when it has
    # no task or looks like a report; only an unreadable file is an error (exit 2).
    return parse_directive(read_directive_file(path), require_tasks=False)


def cmd_parse_directive(args) -> int:
    parsed = _parse(args.file)
    if args.json:
        print_json(parsed.as_json())
        return 0
    for warning in parsed.warnings:
        print(f"Lưu ý: {warning}")
    doc = parsed.document
    print(f"Văn bản: {doc.number or '(chưa có số)'} ngày {format_date(doc.date) or '(chưa có ngày)'}")
    if doc.issuer:
        print(f"Cơ quan ban hành: {doc.issuer}")
    if doc.subject:
        print(f"Trích yếu: {doc.subject}")
    print(f"{len(parsed.tasks)} nhiệm vụ:")
    for task in parsed.tasks:
        due = format_date(task.deadline.due) if task.deadline.due else (task.deadline.text or "không ghi thời hạn")
        mark = "[xã]" if task.for_commune else "    "
        print(f"  {mark} {task.ref:8} {task.lead_unit or '—'} — hạn: {due}")
    return 0


def cmd_import_directive(args) -> int:
    from core.tasks.store import import_directive

    parsed = _parse(args.file)
    chosen = [t for t in parsed.tasks if t.for_commune] if args.commune_only else parsed.tasks
    if not chosen and not args.allow_empty:
        from core.directives.errors import NoTasksFoundError

        what = ("Văn bản không có nhiệm vụ nào của cấp xã" if parsed.tasks
                else "Không tìm thấy nhiệm vụ nào trong văn bản")
        raise NoTasksFoundError(f"{what} nên không lưu. Chạy lại với --allow-empty để vẫn lưu văn bản "
                                "(rồi thêm nhiệm vụ bằng tay).")
    for warning in parsed.warnings:
        print(f"Lưu ý: {warning}")
    doc = parsed.document
    print(f"Văn bản {doc.number or '(chưa có số)'} ngày {format_date(doc.date) or '(chưa có ngày)'}: "
          f"{len(chosen)} nhiệm vụ sẽ được lưu.")
    if not args.yes:
        if not sys.stdin.isatty():
            print("Lỗi: cần xác nhận; chạy lại với --yes để lưu không hỏi.", file=sys.stderr)
            return 2
        answer = input("Lưu? [c/K] ").strip().lower()
        if answer not in ("c", "co", "có", "y", "yes"):
            print("Đã hủy, không lưu gì.")
            return 1
    _, store = open_store(args)
    with store:
        result = import_directive(store, parsed, source_name=Path(args.file).name, tasks=chosen,
                                  allow_duplicate=args.allow_duplicate, allow_empty=args.allow_empty)
    print(f"Đã lưu văn bản và {len(result.task_ids)} nhiệm vụ.")
    return 0


def cmd_task_report(args) -> int:
    from core.clock import today_local
    from core.errors import UserInputError
    from core.tasks.report import check_target, quarter_of, write_report

    if args.quarter:
        try:
            quarter, year = (int(x) for x in args.quarter.split("/"))
            if not 1 <= quarter <= 4:
                raise ValueError
        except ValueError:
            raise UserInputError("Quý không hợp lệ: ghi dạng QUÝ/NĂM, ví dụ 3/2025.") from None
    else:
        quarter, year = quarter_of(today_local())
    out = Path(args.out)
    check_target(out)
    paths, store = open_store(args)
    with store:
        made = write_report(store, out, year=year, quarter=quarter, today=today_local())
    print(f"Đã lập báo cáo: {made}")
    return 0
