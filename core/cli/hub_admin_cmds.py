"""Hub staff accounts and upkeep: hub user add|passwd|disable|list, hub retention, hub audit.

`hub user add NAME --role admin|viewer` asks for the password twice without echo (getpass),
or reads one line from standard input with `--password-stdin` (for scripts).
"""

from __future__ import annotations

import sys

from core.cli.common import print_json
from core.errors import UserInputError
from core.hub import accounts


def register(sub, common) -> None:
    user = sub.add_parser("user", parents=[common], help="tài khoản cán bộ tỉnh xem trang tổng hợp")
    usub = user.add_subparsers(dest="user_command", metavar="LỆNH", required=True)

    p = usub.add_parser("add", parents=[common], help="thêm tài khoản")
    p.add_argument("name", metavar="TÊN")
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (một dòng)")
    p.set_defaults(handler=cmd_user_add)

    p = usub.add_parser("passwd", parents=[common], help="đổi mật khẩu (đăng xuất mọi phiên của tài khoản)")
    p.add_argument("name", metavar="TÊN")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(handler=cmd_user_passwd)

    p = usub.add_parser("disable", parents=[common], help="khóa tài khoản")
    p.add_argument("name", metavar="TÊN")
    p.set_defaults(handler=cmd_user_disable)

    p = usub.add_parser("list", parents=[common], help="danh sách tài khoản")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_user_list)

    p = sub.add_parser("retention", parents=[common], help="xóa tệp gói gốc đã nhận quá số ngày lưu")
    p.add_argument("--keep-days", type=int, default=400, metavar="NGÀY")
    p.set_defaults(handler=cmd_retention)

    p = sub.add_parser("audit", parents=[common], help="nhật ký thao tác quản trị")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(handler=cmd_audit)


def _read_password(args, *, confirm: bool = True) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    import getpass

    first = getpass.getpass("Mật khẩu: ")
    if confirm and getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise UserInputError("Hai lần nhập mật khẩu không giống nhau.")
    return first


def _store(args):
    from core.hub.store import hub_paths, open_hub

    return open_hub(hub_paths(getattr(args, "data_dir", None)).require())


def cmd_user_add(args) -> int:
    password = _read_password(args)
    with _store(args) as store, store.transaction() as conn:
        user = accounts.add_user(conn, args.name, args.role, password)
        accounts.audit(conn, actor=accounts.cli_actor(), via="cli", action="user_add", target=user.name,
                       detail={"role": user.role})
    print(f"Đã thêm tài khoản {user.name} ({accounts.ROLE_LABELS[user.role]}).")
    return 0


def cmd_user_passwd(args) -> int:
    password = _read_password(args)
    with _store(args) as store, store.transaction() as conn:
        accounts.set_password(conn, args.name, password)
        accounts.audit(conn, actor=accounts.cli_actor(), via="cli", action="user_password", target=args.name)
    print(f"Đã đổi mật khẩu của {args.name}.")
    return 0


def cmd_user_disable(args) -> int:
    with _store(args) as store, store.transaction() as conn:
        accounts.disable_user(conn, args.name)
        accounts.audit(conn, actor=accounts.cli_actor(), via="cli", action="user_disable", target=args.name)
    print(f"Đã khóa tài khoản {args.name}.")
    return 0


def cmd_user_list(args) -> int:
    with _store(args) as store:
        users = accounts.list_users(store.conn)
    if args.json:
        print_json({"users": users})
    else:
        for u in users:
            print(f"{u['name']}\t{u['role']}\t{'khóa' if u['disabled'] else ''}")
    return 0


def cmd_retention(args) -> int:
    from core.hub import limits

    if args.keep_days < 1:
        raise UserInputError("Số ngày lưu phải từ 1 trở lên.")
    with _store(args) as store, store.transaction() as conn:
        from core.hub.store import hub_paths

        pruned = limits.apply_retention(hub_paths(args.data_dir).bundles_dir, conn, args.keep_days)
        accounts.audit(conn, actor=accounts.cli_actor(), via="cli", action="retention",
                       detail={"keep_days": args.keep_days, "pruned": pruned})
    print(f"Đã xóa {pruned} tệp gói gốc nhận quá {args.keep_days} ngày (dữ liệu đã nhận vẫn giữ nguyên).")
    return 0


def cmd_audit(args) -> int:
    with _store(args) as store:
        rows = accounts.audit_log(store.conn, args.limit)
    if args.json:
        print_json({"audit": rows})
    else:
        for a in rows:
            print(f"{a['at']}\t{a['actor']}\t{a['via']}\t{a['action']}\t{a['target'] or ''}\t{a['detail'] or ''}")
    return 0


def audit_cli(store, action: str, target: str | None = None, detail: dict | None = None) -> None:
    """One audit row for an admin action run from the command line."""
    with store.transaction() as conn:
        accounts.audit(conn, actor=accounts.cli_actor(), via="cli", action=action, target=target, detail=detail)
