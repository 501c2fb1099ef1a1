"""Asking for a passphrase on screen: the signing key's in portable mode, an encrypted backup's.

The typed text is hidden; a new passphrase is typed twice. The key's passphrase, once given,
is kept for the working session (`core.sync.key_protection.set_session_passphrase`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from core.passphrase_crypto import MIN_PASSPHRASE


def ask_passphrase(parent: QWidget | None, title: str, label: str, *, choose: bool = False) -> str | None:
    """The passphrase typed, or None if cancelled. `choose`: a new one, typed twice, long enough."""
    from ui.errors import show_error

    while True:
        text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
        if not ok or not text:
            return None
        if not choose:
            return text
        if len(text) < MIN_PASSPHRASE:
            show_error(parent, f"Cụm mật khẩu phải có ít nhất {MIN_PASSPHRASE} ký tự.")
            continue
        again, ok = QInputDialog.getText(parent, title, "Nhập lại cụm mật khẩu để xác nhận:", QLineEdit.EchoMode.Password)
        if not ok:
            return None
        if again == text:
            return text
        show_error(parent, "Hai lần nhập không khớp nhau. Hãy nhập lại.")


def ask_key_passphrase(parent: QWidget | None, *, choose: bool = False) -> bool:
    """Ask for the signing key's passphrase and keep it for this session; False if cancelled."""
    from core.sync.key_protection import set_session_passphrase

    label = ("Chọn cụm mật khẩu cho khóa ký của đơn vị (ít nhất 8 ký tự). Cần nhập mỗi lần mở phần mềm "
             "trước khi ký gói dữ liệu; hãy ghi nhớ:" if choose else
             "Nhập cụm mật khẩu của khóa ký để ký gói dữ liệu:")
    passphrase = ask_passphrase(parent, "Khóa ký của đơn vị", label, choose=choose)
    if passphrase:
        set_session_passphrase(passphrase)
    return bool(passphrase)
