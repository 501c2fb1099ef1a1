"""The "save as" dialog every report and export uses: the file types offered as filters, and the
type the person picks decides the file — a name typed without an extension (or with one the list
does not offer) gets the chosen filter's extension instead of being refused later.

    ask_save_path(parent, "Lưu báo cáo", suggested_path, (".pdf", ".docx"), on_chosen)

The dialog is opened window-modal (`open()`, not `exec()`), so the caller carries on in
`on_chosen(path)`; it is kept on `parent.save_dialog` (tests drive it with real key events).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtWidgets import QFileDialog

FILTERS = {
    ".pdf": "PDF — để in, ký (*.pdf)",
    ".docx": "Word — để sửa trước khi ký (*.docx)",
    ".xlsx": "Excel (*.xlsx)",
    ".csv": "CSV, UTF-8 (*.csv)",
}


def filter_suffix(name_filter: str) -> str:
    """".docx" for "Word — … (*.docx)"; "" when the filter names no single extension."""
    found = re.search(r"\*(\.[A-Za-z0-9]+)\)", name_filter)
    return found.group(1).lower() if found else ""


def with_chosen_suffix(path: str | Path, name_filter: str, suffixes: Iterable[str]) -> Path:
    """`path` as typed when its extension is one offered; otherwise with the chosen filter's
    extension added ("bao cao thang 6" + Word → "bao cao thang 6.docx")."""
    path = Path(path)
    if path.suffix.lower() in {s.lower() for s in suffixes}:
        return path
    suffix = filter_suffix(name_filter)
    return path.with_name(path.name + suffix) if suffix else path


class SaveFileDialog(QFileDialog):
    def __init__(self, parent, title: str, suggested: str | Path, suffixes: Iterable[str]):
        super().__init__(parent, title)
        self.setObjectName("saveFileDialog")
        self.suffixes = tuple(suffixes)
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setFileMode(QFileDialog.FileMode.AnyFile)
        self.setNameFilters([FILTERS[s] for s in self.suffixes])
        suggested = Path(suggested)
        self.setDirectory(str(suggested.parent))
        self.selectFile(suggested.name)
        chosen = FILTERS.get(suggested.suffix.lower(), FILTERS[self.suffixes[0]])
        self.selectNameFilter(chosen)
        self._filter_chosen(chosen)
        self.filterSelected.connect(self._filter_chosen)

    def _filter_chosen(self, name_filter: str) -> None:
        # Qt's own dialog (and the Windows one) add the default suffix to a bare name; keep it in
        # step with the type chosen. The name already in the box follows the type too.
        suffix = filter_suffix(name_filter)
        self.setDefaultSuffix(suffix.lstrip("."))
        typed = self._typed_name()
        if typed and suffix and Path(typed).suffix.lower() in self.suffixes and Path(typed).suffix.lower() != suffix:
            self.selectFile(str(Path(typed).with_suffix(suffix).name))

    def _typed_name(self) -> str:
        from PySide6.QtWidgets import QLineEdit

        edit = self.findChild(QLineEdit, "fileNameEdit")
        return edit.text() if edit is not None else ""

    def chosen_path(self) -> Path | None:
        files = self.selectedFiles()
        if not files:
            return None
        return with_chosen_suffix(files[0], self.selectedNameFilter(), self.suffixes)


def ask_save_path(parent, title: str, suggested: str | Path, suffixes: Iterable[str],
                  on_chosen: Callable[[Path], None]) -> SaveFileDialog:
    dialog = SaveFileDialog(parent, title, suggested, suffixes)

    def accepted() -> None:
        path = dialog.chosen_path()
        if path is not None:
            on_chosen(path)

    dialog.accepted.connect(accepted)
    parent.save_dialog = dialog
    dialog.open()
    return dialog
