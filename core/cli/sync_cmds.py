"""Commune sync commands: export-bundle, import-bundle, sync, keys show."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.common import open_store, print_json
from core.errors import NotFoundError
from core.sync import identity, inbox, outbox, service
from core.sync.errors import BundleRejected


def register(subparsers, common) -> None:
    p = subparsers.add_parser("export-bundle", parents=[common],
                              help="đóng gói các thay đổi và chép các gói chưa được tỉnh xác nhận ra thư mục (USB)")
    p.add_argument("--out", required=True, metavar="THƯ_MỤC")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=cmd_export)

    p = subparsers.add_parser("import-bundle", parents=[common],
                              help="nhập gói của tỉnh (văn bản chỉ đạo, xác nhận) từ tệp hoặc thư mục")
    p.add_argument("file", metavar="TỆP_HOẶC_THƯ_MỤC")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_import)

    p = subparsers.add_parser("sync", parents=[common], help="gửi hàng chờ lên máy chủ tỉnh và nhận gói của tỉnh")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_sync)

    p = subparsers.add_parser("keys", parents=[common], help="khóa ký gói dữ liệu của đơn vị")
    sub = p.add_subparsers(dest="keys_command", metavar="LỆNH", required=True)
    show = sub.add_parser("show", parents=[common], help="in mã đơn vị, khóa công khai và dấu vân tay")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_keys_show)
    rotate = sub.add_parser("rotate", parents=[common],
                            help="tạo khóa ký mới cho máy này (gói chưa được xác nhận vẫn được gửi)")
    rotate.add_argument("--json", action="store_true")
    rotate.set_defaults(handler=cmd_keys_rotate)
    sheet = sub.add_parser("sheet", parents=[common], help="in phiếu đăng ký khóa (PDF) để gửi tỉnh")
    sheet.add_argument("--out", required=True, metavar="TỆP.pdf")
    sheet.set_defaults(handler=cmd_keys_sheet)
    register_v2(subparsers, common)


def cmd_export(args) -> int:
    paths, store = open_store(args)
    with store:
        cut = outbox.cut_pending(store, paths)
        written = outbox.export_to_folder(store, paths, Path(args.out))
    result = cut.as_json()
    if cut.path is not None:
        result["bundle"] = str(Path(args.out) / cut.path.name)
    result["exported"] = [str(p) for p in written]
    if args.json:
        print_json(result)
    elif written:
        print(f"Đã chép {len(written)} gói ra {args.out}"
              + (f" (gói mới: {cut.records} bản ghi)." if cut.path else "."))
    else:
        print("Không có thay đổi nào chờ gửi.")
    return 0


def cmd_import(args) -> int:
    target = Path(args.file)
    if not target.exists():
        raise NotFoundError(f"Không tìm thấy “{target}”.")
    paths, store = open_store(args)
    with store:
        if target.is_dir():
            results = inbox.import_folder(store, paths, target)
        else:
            results = [(target, inbox.import_bundle_file(store, paths, target))]
    failed = [(p, r) for p, r in results if isinstance(r, BundleRejected)]
    if args.json:
        print_json([{"file": str(p), **(r.as_json() if not isinstance(r, BundleRejected) else
                                          {"status": "rejected", "reason": r.reason, "message": r.message})}
                    for p, r in results])
    else:
        for path, result in results:
            text = f"Bị từ chối: {result.message}" if isinstance(result, BundleRejected) else result.message
            print(f"{path.name}: {text}", file=sys.stderr if isinstance(result, BundleRejected) else sys.stdout)
        if not results:
            print("Không có gói nào trong thư mục.")
    if failed:
        return failed[0][1].exit_code
    return 0


def cmd_sync(args) -> int:
    paths, store = open_store(args)
    with store:
        summary = service.sync_now(store, paths, timeout=args.timeout)
    if args.json:
        print_json(summary.as_json())
    else:
        for line in summary.lines():
            print(line)
    return 0 if not summary.errors else 6


def cmd_keys_show(args) -> int:
    paths, store = open_store(args)
    with store:
        info = identity.describe(store, paths)
    if args.json:
        print_json(info)
    else:
        print(f"Đơn vị: {info['unit']}\nKhóa công khai: {info['public_key']}\nDấu vân tay: {info['fingerprint']}")
    return 0


def cmd_keys_rotate(args) -> int:
    from core.sync import device

    paths, store = open_store(args)
    with store:
        device.rotate_key(store, paths)
        info = identity.describe(store, paths)
    if args.json:
        print_json(info)
    else:
        print(f"Đã tạo khóa mới cho máy {info['device']}.\nKhóa công khai: {info['public_key']}\n"
              f"Dấu vân tay: {info['fingerprint']}\nKhóa mới phải được tỉnh đăng ký: hub register --unit "
              f"{info['unit']} --public-key {info['public_key']}. Các gói đã ký bằng khóa cũ vẫn được gửi.")
    return 0


def register_v2(subparsers, common) -> None:
    """Sync v2 commands (issue 13): conflicts and merged dossiers."""
    p = subparsers.add_parser("sync-conflicts", parents=[common],
                              help="các phiên bản bản ghi bị thay bởi bản mới hơn (xung đột đồng bộ)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_conflicts)
    p = subparsers.add_parser("merged-dossiers", parents=[common],
                              help="hồ sơ cùng mã được nhập ở hai quầy và đã gộp thành một")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_merged)
    p = subparsers.add_parser("share-letter-text", parents=[common],
                              help="cho phép (hoặc thôi) gửi toàn văn một văn bản xã tự nhập lên tỉnh")
    p.add_argument("directive_id", metavar="MÃ_VĂN_BẢN")
    p.add_argument("--stop", action="store_true", help="thôi gửi toàn văn (mặc định: không gửi)")
    p.set_defaults(handler=cmd_share_text)


def cmd_share_text(args) -> int:
    _, store = open_store(args)
    with store:
        row = store.get("local_directives", args.directive_id)
        store.update("local_directives", row["id"], {"share_source_text": 0 if args.stop else 1})
    print(("Sẽ không gửi" if args.stop else "Sẽ gửi") + f" toàn văn văn bản {row['number'] or row['id']} lên tỉnh "
          "ở lần đồng bộ tới.")
    return 0


def _print_list(args, load, empty: str, line) -> int:
    """A listing command: JSON with --json, else one Vietnamese line per item (or `empty`)."""
    _, store = open_store(args)
    with store:
        items = load(store)
    if args.json:
        print_json(items)
    elif not items:
        print(empty)
    else:
        for item in items:
            print(line(item))
    return 0


def cmd_conflicts(args) -> int:
    from core.sync import pull

    def line(c) -> str:
        where = "tại tỉnh" if c["where_found"] == "hub" else "trên máy này"
        return f"{c['recorded_at']}: bảng {c['table_name']}, bản ghi {c['row_id']}: bản sửa cũ hơn bị thay ({where})."
    return _print_list(args, pull.list_conflicts, "Không có xung đột đồng bộ.", line)


def cmd_merged(args) -> int:
    from core.sync import pull

    return _print_list(args, pull.merged_dossiers, "Không có hồ sơ trùng mã nào phải gộp.",
                       lambda m: f"Hồ sơ {m['code']}: giữ bản nhập {m['kept_created_at']}, "
                                 f"gộp bản nhập {m['merged_created_at']}.")


def cmd_keys_sheet(args) -> int:
    from core.sync.registration import registration_sheet

    paths, store = open_store(args)
    with store:
        built = registration_sheet(store, paths, Path(args.out))
    print(f"Đã tạo phiếu đăng ký: {built.path}")
    return 0
