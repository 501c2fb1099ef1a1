"""Before a free text is saved: point out numbers shaped like a citizen's CCCD/CMND or phone.

`screen_text(parent, text, field)` returns the text to save, or None when the person chose
to go back and edit. With nothing found it returns `text` at once (no dialog). Otherwise a
dialog lists each number with its reason and offers:
- “Bỏ số này” — the numbers are replaced by “[đã bỏ số]” and that text is saved;
- “Vẫn lưu” — only when none of them is clearly personal (a 9-digit number, a landline);
- “Sửa lại” — back to the field, nothing saved.
The core save functions refuse clearly personal numbers anyway (core/privacy.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from core.privacy import PersonalNumber, find_personal_data, remove_personal_data


class PersonalDataDialog(QDialog):
    REMOVE, KEEP, EDIT = 1, 2, 0

    def __init__(self, parent: QWidget | None, field: str, findings: list[PersonalNumber]):
        super().__init__(parent)
        self.setObjectName("personalDataDialog")
        self.setWindowTitle("Có thể có thông tin cá nhân")
        self.choice = self.EDIT
        layout = QVBoxLayout(self)
        lines = "".join(f"<li><b>{f.text}</b> — {f.reason}</li>" for f in findings)
        clear = any(f.clearly_personal for f in findings)
        ending = ("Phần mềm không lưu số CCCD/CMND hay số điện thoại của người dân: hãy bỏ số này, "
                  "chỉ ghi mã hồ sơ." if clear else
                  "Nếu đây là số của người dân, hãy bỏ số này; nếu là số khác (số máy cơ quan, số văn bản…), "
                  "có thể vẫn lưu.")
        message = QLabel(f"<p>{field} có số giống thông tin cá nhân của công dân:</p><ul>{lines}</ul><p>{ending}</p>")
        message.setObjectName("personalDataMessage")
        message.setWordWrap(True)
        layout.addWidget(message)
        buttons = QDialogButtonBox()
        self.remove_button = QPushButton("Bỏ số này")
        self.remove_button.setObjectName("removeNumbersButton")
        self.remove_button.setDefault(True)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = None
        if not clear:
            self.keep_button = QPushButton("Vẫn lưu")
            self.keep_button.setObjectName("keepNumbersButton")
            buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.AcceptRole)
            self.keep_button.clicked.connect(lambda: self._choose(self.KEEP))
        self.edit_button = QPushButton("Sửa lại")
        self.edit_button.setObjectName("editTextButton")
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.remove_button.clicked.connect(lambda: self._choose(self.REMOVE))
        self.edit_button.clicked.connect(lambda: self._choose(self.EDIT))
        layout.addWidget(buttons)

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.done(QDialog.DialogCode.Accepted if choice else QDialog.DialogCode.Rejected)


def screen_text(parent: QWidget | None, text: str | None, field: str = "Nội dung") -> str | None:
    """The text to save (maybe with numbers removed), or None to go back and edit."""
    findings = find_personal_data(text)
    if not findings:
        return text
    dialog = PersonalDataDialog(parent, field, findings)
    dialog.exec()
    if dialog.choice == PersonalDataDialog.REMOVE:
        return remove_personal_data(text, findings)
    if dialog.choice == PersonalDataDialog.KEEP:
        return text
    return None


def screen_fields(parent: QWidget | None, values: dict[str, str | None], labels: dict[str, str]) -> dict | None:
    """`screen_text` over several fields of one save; None if the person went back to edit."""
    screened = dict(values)
    for key, label in labels.items():
        result = screen_text(parent, values.get(key), label)
        if result is None and values.get(key) is not None:
            return None
        screened[key] = result
    return screened
