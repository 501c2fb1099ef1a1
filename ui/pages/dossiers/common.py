"""Small helpers shared by the dossier widgets: number formats, verdict colours, reasons."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from core.dossiers.targets import RAG_LABELS
from ui.personal_data import screen_text
from ui.style import RAG

TALLY_COLOUR = QColor("#e8f0fe")  # tally rows: light blue, never mistaken for register rows
TOTAL_COLOUR = QColor("#eef1f4")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def rag_colour(level: str | None) -> QColor | None:
    return RAG.get(level) if level else None


def rag_text(level: str | None) -> str:
    return RAG_LABELS.get(level, "Chưa có chỉ tiêu") if level else ""


def ask_reason(parent: QWidget, message: str) -> str | None:
    """Ask why a locked month is being changed. None when the person cancels.
    (Tests replace this function: a modal dialog would block them.)"""
    text, ok = QInputDialog.getText(parent, "Tháng đã khóa", message + "\n\nLý do sửa:", QLineEdit.EchoMode.Normal)
    if not (ok and text.strip()):
        return None
    return screen_text(parent, text.strip(), "Lý do")
