"""Error dialogs: a short Vietnamese message, with the technical details copyable.

Modelled on calibre's error_dialog: the person reads one sentence; whoever
helps them can copy the details.
"""

from __future__ import annotations

import logging
import traceback

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from core.errors import AppError

if TYPE_CHECKING:  # QMessageBox loads when a dialog is first shown, not at start-up
    from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

GENERIC_MESSAGE = ("Đã xảy ra lỗi ngoài dự kiến. Dữ liệu đã lưu không bị ảnh hưởng. "
                   "Hãy sao chép chi tiết bên dưới và gửi cho cán bộ kỹ thuật.")


def describe(error: BaseException | str, details: str | None = None) -> tuple[str, str | None]:
    """(message, details) for any error: AppError keeps its own words."""
    if isinstance(error, AppError):
        return error.message, details or error.details
    if isinstance(error, BaseException):
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return GENERIC_MESSAGE, details or tb
    return str(error), details


def show_error(parent: QWidget | None, error: BaseException | str, details: str | None = None,
               *, title: str = "Lỗi") -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox

    message, details = describe(error, details)
    if isinstance(error, BaseException) and not isinstance(error, AppError):
        log.error("unexpected error shown to the user", exc_info=(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)  # selectable and copyable
    box.setTextInteractionFlags(box.textInteractionFlags())
    box.setObjectName("errorDialog")
    if QApplication.platformName() == "offscreen":
        box.show()  # tests inspect it; exec() would block them
    else:
        box.exec()
    return box


def show_info(parent: QWidget | None, message: str, *, title: str = "Thông báo") -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
    if QApplication.platformName() == "offscreen":
        box.show()
    else:
        box.exec()
