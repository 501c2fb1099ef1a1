"""Passphrase prompts on screen: hidden text, typed twice when new, kept for the session."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from core.sync import key_protection as kp
from ui.passphrase_prompt import ask_key_passphrase, ask_passphrase


def _answer(values: list[str | None], seen: list) -> None:
    """Type each value into the next input dialog that opens (None: cancel)."""
    def step():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            if values:
                QTimer.singleShot(20, step)
            else:
                if dialog is not None:  # an error box between the questions
                    dialog.close()
            return
        seen.append(dialog.textEchoMode())
        value = values.pop(0)
        if value is None:
            dialog.reject()
        else:
            dialog.setTextValue(value)
            dialog.accept()
        if values:
            QTimer.singleShot(20, step)
    QTimer.singleShot(0, step)




def test_a_new_passphrase_is_typed_twice_and_hidden(qtbot, monkeypatch):
    import ui.errors

    errors = []
    monkeypatch.setattr(ui.errors, "show_error", lambda parent, message, details=None: errors.append(message))
    seen = []
    _answer(["ngan", "du dai roi day", "khac han", "du dai roi day", "du dai roi day"], seen)
    assert ask_passphrase(None, "Khóa", "Chọn:", choose=True) == "du dai roi day"
    assert set(seen) == {QLineEdit.EchoMode.Password}
    assert len(errors) == 2 and "8 ký tự" in errors[0] and "không khớp" in errors[1]


def test_the_key_passphrase_is_kept_for_the_session(qtbot):
    kp.set_session_passphrase(None)
    try:
        _answer(["cum mat khau cua xa"], [])
        assert ask_key_passphrase(None) is True
        assert kp.session_passphrase() == "cum mat khau cua xa"
        kp.set_session_passphrase(None)
        _answer([None], [])
        assert ask_key_passphrase(None) is False and kp.session_passphrase() is None
    finally:
        kp.set_session_passphrase(None)
