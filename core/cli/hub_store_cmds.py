"""hub migrate-store --to postgresql://USER@HOST:PORT/DB: move a province hub from SQLite to PostgreSQL
(core/hub/migrate_store.py). The password comes from PGPASSWORD or ~/.pgpass, never the URL."""

from __future__ import annotations

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
    if args.json:
        print_json(report.as_json())
    return 0
