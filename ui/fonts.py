"""Fonts: the system's UI font when it covers Vietnamese, else the bundled Liberation Sans."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication


log = logging.getLogger(__name__)
FALLBACK_FAMILY = "Liberation Sans"
VIETNAMESE_SAMPLE = "Ắ ặ ơ ư đ Đ ễ ỹ"


def load_bundled_fonts(pattern: str = "LiberationSans-*.ttf") -> list[str]:
    """Register the bundled UI fonts (the serif faces are for printing, not the screen)."""
    from core.resources import resources_dir

    families = []
    for path in sorted((resources_dir() / "fonts").glob(pattern)):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load font %s", path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return sorted(set(families))


def covers_vietnamese(family: str) -> bool:
    return QFontDatabase.WritingSystem.Vietnamese in QFontDatabase.writingSystems(family)


def apply_app_font(app: QApplication, point_size: float = 10.0) -> QFont:
    font = QFont(app.font())
    if not covers_vietnamese(font.family()):
        load_bundled_fonts()
        font = QFont(FALLBACK_FAMILY)
    font.setPointSizeF(point_size)
    if font.family() != FALLBACK_FAMILY:
        # Any glyph the system family lacks falls back to the bundled font, not to a box;
        # registering it is deferred until the window is up.
        QFont.insertSubstitution(font.family(), FALLBACK_FAMILY)
    app.setFont(font)
    return font
