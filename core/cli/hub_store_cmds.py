"""The hub's store: `hub migrate-store --to postgresql://USER@HOST:PORT/DB` moves a province hub from
SQLite to PostgreSQL (core/hub/migrate_store.py; the password from PGPASSWORD or ~/.pgpass, never the
URL); `hub check-rows` checks the record lines it holds against today's line rules
(core/hub/row_audit.py): exit 0 when all pass, 1 when some would be refused today."""

from __future__ import annotations

import sys

from core.cli.common import print_json


def register(sub, common) -> None:
    p = sub.add_parser("migrate-store", parents=[common],
                       help="chuyển dữ liệu máy chủ tỉnh từ SQLite sang PostgreSQL (kiểm tra từng dòng, chạy lại được)")
    p.add_argument("--to", required=True, metavar="postgresql://NGƯỜI_DÙNG@MÁY:CỔNG/TÊN_CSDL",
                   help="cơ sở dữ liệu đích (mới, trống); mật khẩu qua PGPASSWORD hoặc .pgpass")
    p.add_argument("--batch-rows", type=int, default=None, metavar="SỐ",
                   help="số dòng mỗi lần ghi (mặc định 5000)")
    p.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    p.set_defaults(handler=cmd_migrate_store)

    p = sub.add_parser("check-rows", parents=[common],
                       help="kiểm tra lại các dòng dữ liệu tỉnh đang giữ theo quy tắc hiện nay (mã thoát 1 nếu có dòng sai)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_check_rows)


def cmd_migrate_store(args) -> int:
    from core.errors import UserInputError
    from core.hub import migrate_store
    from core.hub.store import hub_paths

    paths = hub_paths(getattr(args, "data_dir", None))
    batch = args.batch_rows or migrate_store.BATCH_ROWS
    if batch < 1:
        raise UserInputError("--batch-rows phải từ 1 trở lên.")
    report = migrate_store.migrate_store(paths, args.to, batch_rows=batch,
                                         progress=None if args.json else (lambda line: print(line, flush=True)))
    # Copied as they are, lines stored before today's checks would break PostgreSQL's readers
    # (each line is cast to jsonb there): said now, while the SQLite file is still beside it.
    audit = _audit(paths)
    if args.json:
        print_json({**report.as_json(), "row_audit": audit.as_json()})
    elif not audit.clean:
        _print_audit(audit, sys.stderr)
    return 0


def _audit(paths):
    from core.hub import row_audit
    from core.hub.store import open_hub

    with open_hub(paths) as store:
        return row_audit.audit_rows(store)


def _print_audit(audit, out) -> None:
    if audit.clean:
        print(f"Đã kiểm tra {audit.checked} dòng dữ liệu: tất cả đạt quy tắc hiện nay.", file=out)
        return
    print(f"Đã kiểm tra {audit.checked} dòng dữ liệu: {audit.problem_count} dòng nhận trước khi có quy tắc "
          "hiện nay sẽ bị từ chối nếu gửi lại hôm nay. Đề nghị đơn vị sửa và gửi lại các bản ghi này:", file=out)
    for p in audit.problems:
        print(f"  {p.unit}  {p.table}  {p.row_id}: {p.problem}", file=out)
    if audit.problem_count > len(audit.problems):
        print(f"  … và {audit.problem_count - len(audit.problems)} dòng khác (danh sách đầy đủ có giới hạn {row_audit.LISTED} dòng trong --json).", file=out)


def cmd_check_rows(args) -> int:
    from core.hub.store import hub_paths

    audit = _audit(hub_paths(getattr(args, "data_dir", None)))
    if args.json:
        print_json(audit.as_json())
    else:
        _print_audit(audit, sys.stdout)
    return 0 if audit.clean else 1
