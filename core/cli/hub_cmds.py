"""Province hub commands: hub init | register | ingest | directive | targets | template | ack | status | report | serve."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from core.cli.common import print_json
from core.cli.hub_admin_cmds import audit_cli
from core.clock import format_date
from core.errors import NotFoundError, UserInputError
from core.hub import ingest, overview, province
from core.hub.store import device_list, hub_paths, init_hub, open_hub, register_unit, revoke_key
from core.units import find_unit


def register(subparsers, common) -> None:
    hub = subparsers.add_parser("hub", parents=[common], help="máy chủ đồng bộ của tỉnh")
    sub = hub.add_subparsers(dest="hub_command", metavar="LỆNH", required=True)

    p = sub.add_parser("init", parents=[common], help="tạo cơ sở dữ liệu và cặp khóa của tỉnh")
    p.add_argument("--database", metavar="postgresql://NGƯỜI_DÙNG@MÁY:CỔNG/TÊN_CSDL",
                   help="giữ dữ liệu trên máy chủ PostgreSQL (mật khẩu lấy từ PGPASSWORD hoặc .pgpass, không ghi "
                        "trong địa chỉ); mặc định: biến môi trường MOTCUA_HUB_DATABASE nếu có, không thì tệp SQLite "
                        "trong thư mục dữ liệu")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("register", parents=[common],
                       help="đăng ký khóa công khai của một máy của đơn vị (thêm máy, không thay máy cũ)")
    p.add_argument("--unit", required=True, metavar="MÃ")
    p.add_argument("--public-key", required=True, metavar="KHÓA")
    p.add_argument("--by", metavar="NGƯỜI", help="người đăng ký (mặc định: tài khoản đang chạy lệnh)")
    p.set_defaults(handler=cmd_register)

    p = sub.add_parser("devices", parents=[common], help="các máy (khóa) của một đơn vị và lịch sử khóa")
    p.add_argument("--unit", required=True, metavar="MÃ")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_devices)

    p = sub.add_parser("revoke", parents=[common], help="thu hồi khóa của một máy (gói ký trước lúc thu hồi vẫn nhận)")
    p.add_argument("--unit", required=True, metavar="MÃ")
    p.add_argument("--fingerprint", required=True, metavar="DẤU_VÂN_TAY")
    p.add_argument("--by", metavar="NGƯỜI")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_revoke)

    p = sub.add_parser("pull", parents=[common],
                       help="tạo gói toàn bộ dữ liệu của một đơn vị (cho máy mới hoặc máy khác, mang bằng USB)")
    p.add_argument("--unit", required=True, metavar="MÃ")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.add_argument("--after", type=int, default=0, metavar="SỐ", help="chỉ các bản ghi sau số thứ tự này")
    p.set_defaults(handler=cmd_pull)

    p = sub.add_parser("ingest", parents=[common], help="nhận một gói xã mang lên bằng USB")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("directive", parents=[common], help="gửi văn bản chỉ đạo xuống các đơn vị")
    p.add_argument("file", metavar="TỆP")
    p.add_argument("--units", nargs="*", metavar="MÃ", help="mặc định: mọi đơn vị đã đăng ký")
    p.add_argument("--allow-duplicate", action="store_true", help="gửi lại văn bản cùng số và ngày")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_directive)

    p = sub.add_parser("targets", parents=[common], help="gửi chỉ tiêu số hóa hồ sơ (tệp CSV) xuống các đơn vị")
    p.add_argument("file", metavar="TỆP.csv")
    p.add_argument("--units", nargs="*", metavar="MÃ", help="mặc định: mọi đơn vị đã đăng ký")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_targets)

    p = sub.add_parser("template", parents=[common],
                       help="gửi phiên bản mới của mẫu phiếu kiểm tra hội nghị truyền hình (tệp CSV)")
    p.add_argument("file", metavar="TỆP.csv")
    p.add_argument("--name", required=True, metavar="TÊN", help="tên mẫu phiếu")
    p.add_argument("--version", required=True, type=int, metavar="SỐ", help="số phiên bản (tăng dần)")
    p.add_argument("--units", nargs="*", metavar="MÃ", help="mặc định: mọi đơn vị đã đăng ký")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_template)

    p = sub.add_parser("ack", parents=[common], help="tạo gói xác nhận cho một đơn vị (mang về bằng USB)")
    p.add_argument("--unit", required=True, metavar="MÃ")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.set_defaults(handler=cmd_ack)

    p = sub.add_parser("status", parents=[common], help="tình hình đồng bộ của các đơn vị")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("report", parents=[common], help="báo cáo Excel tình hình các đơn vị")
    p.add_argument("--out", required=True, metavar="TỆP.xlsx")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("serve", parents=[common], help="chạy máy chủ (HTTP)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--ssl-certfile", metavar="TỆP", help="chứng thư HTTPS (PEM); không có thì chạy HTTP trong mạng nội bộ")
    p.add_argument("--ssl-keyfile", metavar="TỆP", help="khóa bí mật của chứng thư HTTPS (PEM)")
    p.add_argument("--behind-proxy", action="store_true",
                   help="chạy sau proxy HTTPS trên cùng máy (tin X-Forwarded-For/-Proto từ 127.0.0.1)")
    p.set_defaults(handler=cmd_serve)

    from core.cli import hub_admin_cmds

    hub_admin_cmds.register(sub, common)


def _paths(args):
    return hub_paths(getattr(args, "data_dir", None))


def cmd_init(args) -> int:
    from core.hub.database import redact

    paths = _paths(args)
    pair = init_hub(paths, getattr(args, "database", None) or None)
    _restrict_keys(paths)
    config = paths.config()
    where = f"cơ sở dữ liệu PostgreSQL {redact(config.database)}" if config.is_postgres else f"tệp {paths.db_file.name}"
    print(f"Đã khởi tạo máy chủ tỉnh tại {paths.root} (dữ liệu trong {where}).")
    print(f"Khóa công khai của tỉnh (nhập vào máy các xã): {pair.public_text}")
    print(f"Dấu vân tay: {pair.fingerprint}")
    return 0


def _restrict_keys(paths) -> None:
    """The province signing key: readable by the service's own user alone (docs/DEPLOY_HUB.md)."""
    import os

    try:
        os.chmod(paths.keys_dir, 0o700)
        for key_file in paths.keys_dir.iterdir():
            os.chmod(key_file, 0o600)
    except OSError:
        pass


def cmd_register(args) -> int:
    paths = _paths(args).require()
    with open_hub(paths) as store:
        with store.transaction():  # the key and its audit row commit together
            info = register_unit(store, args.unit, args.public_key, by=args.by)
            audit_cli(store, "register_unit", info["unit"], _by({"fingerprint": info["fingerprint"]}, args.by))
        count = sum(1 for d in device_list(store, info["unit"]) if d["status"] == "active")
    print(f"Đã đăng ký khóa cho {info['name']} (mã {info['unit']}), dấu vân tay {info['fingerprint']}. "
          f"Đơn vị có {count} khóa đang dùng.")
    return 0


def _by(detail: dict, by: str | None) -> dict:
    """The audit row's actor is the operating-system account; a --by name is kept beside it."""
    return {**detail, "by": by} if by else detail


def cmd_devices(args) -> int:
    paths = _paths(args).require()
    with open_hub(paths) as store:
        items = device_list(store, args.unit)
    if args.json:
        print_json(items)
    else:
        for d in items:
            state = f"thu hồi {d['revoked_at']} ({d['revoked_by']})" if d["revoked_at"] else "đang dùng"
            print(f"{d['fingerprint']}  máy {d['device'] or 'chưa gửi gói'}  đăng ký {d['registered_at']} "
                  f"({d['registered_by']})  {state}  gói liền mạch đến số {d['bundles_through']}"
                  + (f", thiếu {d['missing']}" if d["missing"] else ""))
    return 0


def cmd_revoke(args) -> int:
    paths = _paths(args).require()
    with open_hub(paths) as store:
        with store.transaction():  # the revocation and its audit row commit together
            items = revoke_key(store, args.unit, args.fingerprint, by=args.by)
            audit_cli(store, "revoke_device", find_unit(args.unit).code,
                      _by({"fingerprint": args.fingerprint.strip().upper()}, args.by))
    if args.json:
        print_json(items)
    else:
        print(f"Đã thu hồi khóa {args.fingerprint.upper()} của đơn vị {find_unit(args.unit).code}. "
              "Gói ký bằng khóa này trước lúc thu hồi vẫn được nhận.")
    return 0


def cmd_pull(args) -> int:
    from core.hub.unit_rows import rows_bundle

    paths = _paths(args).require()
    with open_hub(paths) as store:
        path, manifest = rows_bundle(paths, store, args.unit, Path(args.out), after=args.after, limit=50_000)
    print(f"Đã tạo gói dữ liệu của đơn vị: {path} ({manifest['record_count']} bản ghi"
          + ("; còn tiếp, chạy lại với --after " + str(manifest["rev_to"]) if manifest["more"] else "") + ").")
    return 0


def cmd_ingest(args) -> int:
    paths = _paths(args).require()
    source = Path(args.file)
    if not source.is_file():
        raise NotFoundError(f"Không tìm thấy tệp gói “{source}”.")
    with open_hub(paths) as store:
        result = ingest.ingest_bytes(paths, store, source.read_bytes(), via="usb")
    if args.json:
        print_json(result.as_json())
    elif result.status == "rejected":
        print(f"Lỗi: gói bị từ chối: {result.message}", file=sys.stderr)
    else:
        print(result.message)
    return 0 if result.status in ("applied", "duplicate") else 5


def cmd_directive(args) -> int:
    from core.hub.directives import directive_rows, published_before

    paths = _paths(args).require()
    source = Path(args.file)
    if not source.is_file():
        raise NotFoundError(f"Không tìm thấy tệp văn bản “{source}”.")
    units = [find_unit(code).code for code in args.units] if args.units else None
    rows, attachments = directive_rows(source)
    with open_hub(paths) as store:
        directive = rows[0][1]
        if not args.allow_duplicate and published_before(store, directive):
            issued = format_date(dt.date.fromisoformat(directive["issued_on"]))
            raise UserInputError(f"Văn bản số {directive['number']} ngày {issued} đã được gửi trước đây. "
                                 "Dùng --allow-duplicate nếu thật sự muốn gửi lại.")
        made = province.publish(paths, store, rows, units, attachments=attachments)
        audit_cli(store, "directive", directive.get("number"),
                  {"issued_on": directive.get("issued_on"), "units": [m["unit"] for m in made]})
    if args.json:
        print_json({"bundles": made, "records": len(rows)})
    else:
        print(f"Đã tạo {len(made)} gói văn bản chỉ đạo ({len(rows)} bản ghi) cho: "
              + ", ".join(m["unit"] for m in made) + ".")
    return 0


def _publish_rows(args, rows, what: str, action: str) -> int:
    paths = _paths(args).require()
    units = [find_unit(code).code for code in args.units] if args.units else None
    with open_hub(paths) as store:
        made = province.publish(paths, store, rows, units)
        audit_cli(store, action, Path(args.file).name, {"records": len(rows), "units": [m["unit"] for m in made]})
    if args.json:
        print_json({"bundles": made, "records": len(rows)})
    else:
        print(f"Đã tạo {len(made)} gói {what} ({len(rows)} bản ghi) cho: " + ", ".join(m["unit"] for m in made) + ".")
    return 0


def cmd_targets(args) -> int:
    from core.dossiers.targets import province_target_rows

    return _publish_rows(args, province_target_rows(Path(args.file)), "chỉ tiêu số hóa hồ sơ", "targets")


def cmd_template(args) -> int:
    from core.checklists.templates import province_template_rows

    if args.version < 1:
        raise UserInputError("Số phiên bản mẫu phiếu phải từ 1 trở lên.")
    rows = province_template_rows(Path(args.file), name=args.name, version=args.version)
    return _publish_rows(args, rows, "mẫu phiếu kiểm tra", "template")


def cmd_ack(args) -> int:
    paths = _paths(args).require()
    with open_hub(paths) as store:
        path = province.ack_bundle(paths, store, args.unit, Path(args.out))
    print(f"Đã tạo gói xác nhận: {path}")
    return 0


def cmd_status(args) -> int:
    paths = _paths(args).require()
    with open_hub(paths) as store:
        units = overview.unit_status(store)
    if args.json:
        print_json({"units": units})
    else:
        for u in units:
            print(f"{u['code']}: {u['bundles_applied']} gói, đến thay đổi số {u['last_seq']}, "
                  f"lần cuối {u['last_sync'] or 'chưa đồng bộ'}")
    return 0


def cmd_report(args) -> int:
    from core.hub.report import write_report
    from core.output_files import require_suffix

    paths = _paths(args).require()
    out = require_suffix(args.out, (".xlsx",))
    with open_hub(paths) as store:
        write_report(store, out)
    print(f"Đã lưu báo cáo: {out}")
    return 0


def cmd_serve(args) -> int:
    from core.hub.app import serve

    paths = _paths(args).require()
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise UserInputError("Cần cả --ssl-certfile và --ssl-keyfile để chạy HTTPS.")
    for name in (args.ssl_certfile, args.ssl_keyfile):
        if name and not Path(name).is_file():
            raise NotFoundError(f"Không tìm thấy tệp “{name}”.")
    _restrict_keys(paths)
    with open_hub(paths) as store:
        if not store.scalar("SELECT count(*) FROM hub_users WHERE disabled = 0"):
            print("Chưa có tài khoản cán bộ nào để xem trang tổng hợp: tạo bằng "
                  f"“python main.py hub user add TÊN --role admin --data-dir {paths.root}”.", flush=True)
    scheme = "https" if args.ssl_certfile else "http"
    print(f"Máy chủ tỉnh đang chạy tại {scheme}://{args.host}:{args.port}/ (Ctrl+C để dừng).", flush=True)
    serve(paths, args.host, args.port, ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile,
          behind_proxy=args.behind_proxy)
    return 0


