"""Video-conference readiness checklists: printed sheets, run history, template files."""

from __future__ import annotations

from pathlib import Path

from core.checklists import history, sheet, templates
from core.checklists.model import VERDICT_LABELS
from core.cli.common import open_store, print_json


def register(subparsers, common) -> None:
    p = subparsers.add_parser("checklist", parents=[common],
                              help="phiếu kiểm tra sẵn sàng điểm cầu hội nghị truyền hình")
    sub = p.add_subparsers(dest="checklist_command", metavar="LỆNH", required=True,
                           parser_class=type(p))

    q = sub.add_parser("blank", parents=[common], help="in phiếu trống (PDF hoặc .docx) theo mẫu phiếu đang dùng")
    q.add_argument("--out", required=True, metavar="TỆP", help="tệp .pdf hoặc .docx")
    q.add_argument("--template", metavar="MẪU", help="mã mẫu phiếu (xem: checklist templates)")
    q.set_defaults(handler=cmd_blank)

    q = sub.add_parser("print", parents=[common], help="in phiếu đã kiểm tra của một cuộc họp (PDF hoặc .docx)")
    q.add_argument("run_id", metavar="MÃ_PHIẾU", help="mã phiếu như lệnh “checklist runs” in ra (hoặc mã đầy đủ)")
    q.add_argument("--out", required=True, metavar="TỆP", help="tệp .pdf hoặc .docx")
    q.set_defaults(handler=cmd_print)

    q = sub.add_parser("runs", parents=[common], help="danh sách phiếu kiểm tra và kết luận")
    q.add_argument("--json", action="store_true", help="in dạng JSON")
    q.set_defaults(handler=cmd_runs)

    q = sub.add_parser("templates", parents=[common], help="danh sách mẫu phiếu")
    q.add_argument("--json", action="store_true", help="in dạng JSON")
    q.set_defaults(handler=cmd_templates)

    q = sub.add_parser("import", parents=[common], help="nhập mẫu phiếu từ tệp CSV của tỉnh và dùng mẫu này")
    q.add_argument("file", metavar="TỆP.csv")
    q.add_argument("--name", metavar="TÊN", help="tên mẫu phiếu (mặc định: theo tên tệp)")
    q.set_defaults(handler=cmd_import)


def _out(args) -> Path:
    from core.output_files import require_suffix
    from core.printing.output import FORMATS

    return require_suffix(args.out, FORMATS)


def _pages(built) -> str:
    return f"{built.pages} trang" if built.pages else "Word"


def cmd_blank(args) -> int:
    out = _out(args)
    _, store = open_store(args)
    with store:
        template = templates.get_template(store, args.template) if args.template else None
        built = sheet.build_blank_sheet(store, out, template=template)
    print(f"Đã tạo phiếu trống: {built.path} ({_pages(built)}).")
    return 0


def cmd_print(args) -> int:
    out = _out(args)
    _, store = open_store(args)
    with store:
        run_id = history.resolve_run_id(store, args.run_id)
        built = sheet.build_run_sheet(store, run_id, out)
    print(f"Đã tạo phiếu kiểm tra: {built.path} ({_pages(built)}).")
    return 0


def cmd_runs(args) -> int:
    _, store = open_store(args)
    with store:
        rows = history.list_runs(store)
    short = history.short_ids([r["id"] for r in rows])
    if args.json:
        print_json([{"id": r["id"], "short_id": short[r["id"]], "meeting": r["meeting_title"], "date": r["meeting_date"],
                     "start_time": r["start_time"], "host": r["host"], "status": r["status"],
                     "verdict": r["verdict"], "verdict_label": VERDICT_LABELS[r["verdict"]],
                     "incidents": r["incident_count"], "attendance": r["attendance"]} for r in rows])
        return 0
    if not rows:
        print("Chưa có phiếu kiểm tra nào.")
    for r in rows:
        state = "đã khóa" if r["status"] == "closed" else "đang mở"
        print(f"{short[r['id']]:<8}  {r['date_label']} {r['start_time']}  {VERDICT_LABELS[r['verdict']]:<14}  "
              f"{state:<8}  {r['meeting_title']}")
    return 0


def cmd_templates(args) -> int:
    _, store = open_store(args)
    with store:
        active = templates.active_template(store).ref
        rows = [{"ref": t.ref, "name": t.name, "version": t.version, "origin": t.origin,
                 "items": len(t.items), "active": t.ref == active} for t in templates.list_templates(store)]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        mark = "*" if r["active"] else " "
        print(f"{mark} {r['ref']:<46} {r['name']} (phiên bản {r['version']}, {r['items']} mục)")
    return 0


def cmd_import(args) -> int:
    _, store = open_store(args)
    with store:
        template = templates.import_template_file(store, Path(args.file), name=args.name)
    print(f"Đã nhập mẫu phiếu “{template.name}” phiên bản {template.version} ({len(template.items)} mục); "
          "phiếu mới sẽ dùng mẫu này.")
    return 0
