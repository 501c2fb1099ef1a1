"""Passphrases on the command line: typed at a hidden prompt, or one line of stdin (`--passphrase-stdin`)."""

from __future__ import annotations

import getpass
import sys

from core.errors import UserInputError
from core.passphrase_crypto import check_new_passphrase

def read_passphrase(args, prompt: str, *, confirm: bool = False) -> str:
    """The passphrase for this command. With --passphrase-stdin, the first line of stdin (read once)."""
    if getattr(args, "passphrase_stdin", False):
        if not hasattr(args, "_stdin_passphrase"):  # one line, read once per command
            args._stdin_passphrase = sys.stdin.readline().rstrip("\r\n")
        value = args._stdin_passphrase
    else:
        if not sys.stdin.isatty():
            raise UserInputError("Cần cụm mật khẩu: chạy lệnh trong cửa sổ dòng lệnh để nhập, "
                                 "hoặc dùng --passphrase-stdin và đưa cụm mật khẩu vào stdin.")
        value = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass("Nhập lại để xác nhận: ") != value:
            raise UserInputError("Hai lần nhập cụm mật khẩu không khớp nhau.")
    if confirm:
        check_new_passphrase(value)
    if not value:
        raise UserInputError("Chưa nhập cụm mật khẩu.")
    return value


def with_key_passphrase(args, handler):
    """Run `handler(args)`; when the signing key needs its passphrase, ask once and run it again."""
    from core.sync.key_protection import PassphraseRequired, set_session_passphrase

    try:
        return handler(args)
    except PassphraseRequired as exc:
        prompt = "Chọn cụm mật khẩu cho khóa ký (ít nhất 8 ký tự)" if exc.choose else "Cụm mật khẩu của khóa ký"
        print(exc.message, file=sys.stderr)
        set_session_passphrase(read_passphrase(args, prompt, confirm=exc.choose))
        return handler(args)
