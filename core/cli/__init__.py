"""The command line: every sub-command, its Vietnamese errors and its exit codes.

Each capability adds a module here with `register(subparsers, common)`; the
module list is COMMAND_MODULES. Expected failures (AppError) print one
Vietnamese line on stderr and exit with the error's code, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from core.errors import AppError

log = logging.getLogger(__name__)


# argparse builds its words through gettext; these are the ones a user of this CLI meets.
_ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
}
argparse._ = lambda text: _ARGPARSE_VI.get(text, text)


class VietnameseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi: tham số dòng lệnh không hợp lệ ({message}).\n"
                     f"Xem hướng dẫn: python main.py --help\n")


def _command_modules():
    from core.cli import checklist_cmds, dossiers_cmds, report_cmds, workspace_cmds
    from core.cli import hub_cmds, sync_cmds
    from core.cli import tasks_cmds

    return [workspace_cmds, report_cmds, dossiers_cmds, checklist_cmds, sync_cmds, hub_cmds, tasks_cmds]


def build_parser() -> argparse.ArgumentParser:
    common = VietnameseArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="thư mục dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    common.add_argument("--passphrase-stdin", action="store_true", default=argparse.SUPPRESS,
                        help="đọc cụm mật khẩu (khóa ký ở chế độ di động, bản sao lưu mã hóa) từ dòng đầu của stdin")
    parser = VietnameseArgumentParser(
        prog="main.py", parents=[common],
        description="Một Cửa Xã — phần mềm cho Bộ phận Một cửa cấp xã. Không có lệnh con: mở giao diện.")
    parser.add_argument("--demo", action="store_true", help="mở giao diện với dữ liệu mẫu")
    parser.add_argument("--smoke", action="store_true",
                        help="mở cửa sổ chính rồi thoát sau lần vẽ đầu tiên (kiểm tra khởi động)")
    subparsers = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    for module in _command_modules():
        module.register(subparsers, common)
    return parser


def _gui_only_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(prog="main.py", add_help=False)
    parser.add_argument("--data-dir", metavar="DIR", default=None)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    return parser


def run(argv: list[str] | None = None, *, gui: Callable[[argparse.Namespace], int] | None = None) -> int:
    from core.console import make_standard_streams_safe

    make_standard_streams_safe()  # Vietnamese output on a cp1252/cp1258 pipe or file (core/console.py)
    argv = sys.argv[1:] if argv is None else list(argv)
    if gui is not None and not any(a in ("-h", "--help") for a in argv):
        # Starting the window must not pay for importing every command's module.
        args, rest = _gui_only_parser().parse_known_args(argv)
        if not rest:
            args.command = None
            return gui(args)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "data_dir"):
        args.data_dir = None
    if args.command is None:
        if gui is None:
            parser.print_help()
            return 0
        return gui(args)
    try:
        from core.cli.passphrase import with_key_passphrase

        return int(with_key_passphrase(args, args.handler) or 0)
    except AppError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        if exc.details:
            log.info("details: %s", exc.details)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
