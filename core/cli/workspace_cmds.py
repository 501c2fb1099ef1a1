"""Workspace commands: init, demo-data, check, backup, restore."""

from __future__ import annotations

import sys
from pathlib import Path

from core import demo
from core.cli.common import open_store, paths_for
from core.errors import DatabaseDamagedError, NotFoundError
from core.paths import network_share_warning
from core.workspace import identity, initialise
from db import backup as backups
from db.migrations import latest_version, schema_version


def register(subparsers, common) -> None:
    p = subparsers.add_parser("init", parents=[common], help="thiết lập đơn vị và cán bộ (không hỏi)")
    p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị (5 chữ số)")
    p.add_argument("--staff", nargs="*", default=[], metavar="HỌ_TÊN", help="cán bộ dùng máy này")
    p.add_argument("--current", metavar="HỌ_TÊN", help="cán bộ đang làm việc (mặc định: người đầu tiên)")
    p.add_argument("--hub", metavar="URL", help="địa chỉ máy chủ đồng bộ của tỉnh")
    p.add_argument("--province-key", metavar="KHÓA", help="khóa công khai của tỉnh (44 ký tự)")
    p.add_argument("--replace-province-key", action="store_true",
                   help="xác nhận thay khóa của tỉnh đang lưu bằng khóa --province-key khác "
                        "(chỉ khi tỉnh đã thông báo đổi khóa bằng văn bản)")
    p.set_defaults(handler=cmd_init)

    p = subparsers.add_parser("demo-data", parents=[common], help="tạo dữ liệu mẫu tất định")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=cmd_demo_data)

    p = subparsers.add_parser("check", parents=[common], help="nâng cấp và kiểm tra toàn vẹn cơ sở dữ liệu")
    p.set_defaults(handler=cmd_check)

    p = subparsers.add_parser("backup", parents=[common], help="sao lưu ngay")
    p.add_argument("--to", metavar="DIR", help="thư mục đích (mặc định: thư mục sao lưu)")
    p.add_argument("--encrypt", action="store_true",
                   help="mã hóa bản sao lưu bằng cụm mật khẩu (hỏi khi chạy, hoặc --passphrase-stdin); cần --to")
    p.set_defaults(handler=cmd_backup)

    p = subparsers.add_parser("restore", parents=[common], help="khôi phục từ một bản sao lưu")
    p.add_argument("file", metavar="TỆP")
    p.set_defaults(handler=cmd_restore)


def cmd_init(args) -> int:
    from core.provision import apply_provision, describe as describe_provision
    from core.sync.identity import configure as configure_sync

    paths, store = open_store(args)
    with store:
        with store.transaction():  # a bad --province-key or --hub leaves nothing half set up
            who = initialise(store, args.unit, args.staff, args.current)
            # Creates the unit's signing key pair; pins the province key and hub when given.
            from core.provision import apply_lan_hosts

            apply_lan_hosts(store, paths)  # the province's LAN list first: an http:// --hub may be on it
            _refuse_silent_key_change(store, args)
            configure_sync(store, paths, hub=args.hub, province_key_text=args.province_key)
            # The province's provision.json fills what the flags above left empty.
            provisioned = apply_provision(store, paths)
    if provisioned is not None and not provisioned.already_applied:
        print(describe_provision(provisioned))
    print(f"Đã thiết lập: {who.unit.name} (mã {who.unit.code})"
          + (f", cán bộ đang làm việc: {who.staff_name}" if who.staff_name else "") + ".")
    return 0


def _refuse_silent_key_change(store, args) -> None:
    """A pinned province key is what makes a forged province bundle fail: replacing it must be asked
    for in so many words (as the Đồng bộ page asks), never a side effect of re-running init."""
    from core.errors import UserInputError
    from core.sync.hub_trust import key_change
    from db.settings import PROVINCE_KEY, get_setting

    if not args.province_key or args.replace_province_key:
        return
    change = key_change(get_setting(store, PROVINCE_KEY), args.province_key)
    if change is not None:
        old, new = change
        raise UserInputError(
            "Máy này đang lưu một khóa khác của tỉnh; khóa chưa được thay. Chỉ thay khi tỉnh đã thông báo "
            f"đổi khóa bằng văn bản, bằng cách chạy lại lệnh với --replace-province-key.\n"
            f"Dấu vân tay khóa đang lưu: {old}\nDấu vân tay khóa mới: {new}")


def cmd_demo_data(args) -> int:
    _, store = open_store(args)
    with store:
        summary = demo.fill(store, seed=args.seed)
    for line in summary:
        print(line)
    return 0


def cmd_check(args) -> int:
    paths = paths_for(args)
    warning = network_share_warning(paths.data_dir)
    if warning:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    if paths.db_file.exists():
        problems = backups.integrity_problems(paths.db_file)
        if problems:
            newest = backups.newest_good_backup(paths.backups_dir)
            hint = (f" Bản sao lưu tốt gần nhất: {newest.path}" if newest else " Không có bản sao lưu nào còn tốt.")
            raise DatabaseDamagedError("Cơ sở dữ liệu bị hỏng." + hint, details="\n".join(problems[:20]))
    _, store = open_store(args)
    with store:
        version = schema_version(store.conn)
        ok = store.scalar("PRAGMA integrity_check") == "ok"
        who = identity(store)
    if not ok:
        raise DatabaseDamagedError("Cơ sở dữ liệu không qua được kiểm tra toàn vẹn.")
    unit = f"{who.unit.name} ({who.unit.code})" if who.unit else "chưa thiết lập đơn vị"
    print(f"Cơ sở dữ liệu tốt: {paths.db_file}; phiên bản cấu trúc {version}/{latest_version()}; {unit}.")
    return 0


def cmd_backup(args) -> int:
    if getattr(args, "encrypt", False):
        return _backup_encrypted(args)
    paths, store = open_store(args)
    with store:
        dest = Path(args.to) if args.to else paths.backups_dir / "manual"
        made = backups.backup_database(store.conn, dest, "manual", paths.attachments_dir)
    attached = len(backups.backup_attachment_names(made))
    print(f"Đã sao lưu vào {made} (cơ sở dữ liệu và {attached} tệp đính kèm, đã kiểm tra đọc lại).")
    return 0


def _backup_encrypted(args) -> int:
    from core.backups import backup_encrypted
    from core.cli.passphrase import read_passphrase
    from core.errors import UserInputError

    if not args.to:
        raise UserInputError("--encrypt dùng cho bản sao lưu ra ngoài thư mục dữ liệu: hãy ghi --to THƯ_MỤC.")
    passphrase = read_passphrase(args, "Cụm mật khẩu cho bản sao lưu (ít nhất 8 ký tự)", confirm=True)
    paths, store = open_store(args)
    with store:
        made = backup_encrypted(store, paths, Path(args.to), passphrase)
    print(f"Đã sao lưu (mã hóa) vào {made}. Hãy ghi nhớ cụm mật khẩu: không có nó thì không khôi phục được.")
    return 0


def cmd_restore(args) -> int:
    from core.backups import is_encrypted, restore_from
    from core.cli.passphrase import read_passphrase

    paths = paths_for(args).ensure()
    source = Path(args.file)
    if not source.exists():
        raise NotFoundError(f"Không tìm thấy tệp sao lưu “{source}”.")
    passphrase = read_passphrase(args, "Cụm mật khẩu của bản sao lưu") if is_encrypted(source) else None
    # Restoring opens the result: the integrity check and an older backup's schema brought up to
    # date; the restored database becomes a new sync device with a new key (core.backups).
    aside = restore_from(paths, source, passphrase)
    _, store = open_store(args)
    with store:
        who = identity(store)
        from core.sync.identity import describe

        key = describe(store, paths) if who.unit else None
    print(f"Đã khôi phục từ {source}. Dữ liệu trước khi khôi phục được giữ tại {aside}")
    if key:
        print(f"Máy này nay là một máy đồng bộ mới (mã máy {key['device']}) với khóa ký mới. Khóa này phải được "
              f"tỉnh đăng ký trước khi đồng bộ: hub register --unit {key['unit']} --public-key {key['public_key']} "
              f"(dấu vân tay {key['fingerprint']}). In phiếu đăng ký: keys sheet --out phieu.pdf")
    return 0
