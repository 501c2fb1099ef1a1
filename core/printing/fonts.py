"""Which serif font documents are printed in, and the guarantee that every letter exists in it.

Nghị định 30/2020/NĐ-CP asks for Times New Roman. On Windows it is installed and we
use it; elsewhere we use the bundled Liberation Serif (SIL OFL 1.1, same glyph widths
as Times New Roman, full Vietnamese coverage). Both are embedded as TrueType subsets.

reportlab draws a character the font lacks as *nothing* — a missing "ỡ" would silently
vanish from a signed report. `GuardedTTFont` checks every string at the moment it is
drawn and raises `MissingGlyphError` naming the character, so no PDF is ever written
with a hole in it. `check_text` gives the same answer earlier, when a block is built.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from core.errors import AppError
from core.resources import resource

# The names the PDF engine knows the four faces by (whatever file they came from).
REGULAR = "VnSerif"
BOLD = "VnSerif-Bold"
ITALIC = "VnSerif-Italic"
BOLD_ITALIC = "VnSerif-BoldItalic"
FAMILY = "VnSerif"

_STYLES = ("regular", "bold", "italic", "bold_italic")
_BUNDLED = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bold_italic": "LiberationSerif-BoldItalic.ttf",
}
_TIMES_FILES = {"regular": "times.ttf", "bold": "timesbd.ttf", "italic": "timesi.ttf", "bold_italic": "timesbi.ttf"}
# Linux packages of the Microsoft core fonts name the files differently.
_TIMES_MAC_FILES = {
    "regular": "Times New Roman.ttf",
    "bold": "Times New Roman Bold.ttf",
    "italic": "Times New Roman Italic.ttf",
    "bold_italic": "Times New Roman Bold Italic.ttf",
}
_TIMES_ALT_FILES = {
    "regular": "Times_New_Roman.ttf",
    "bold": "Times_New_Roman_Bold.ttf",
    "italic": "Times_New_Roman_Italic.ttf",
    "bold_italic": "Times_New_Roman_Bold_Italic.ttf",
}
# Characters a document never draws but text may carry (line breaks, tabs).
_LAYOUT_CHARS = frozenset("\n\r\t\u00a0")


class MissingGlyphError(AppError):
    """A character of the document does not exist in the printing font."""

    exit_code = 2

    def __init__(self, character: str, font_label: str, context: str = ""):
        code = f"U+{ord(character):04X}"
        name = unicodedata.name(character, "không rõ tên")
        shown = character if character.isprintable() else code
        message = (f"Phông chữ {font_label} không có ký tự “{shown}” ({code}); "
                   f"văn bản sẽ in thiếu chữ nên không tạo tệp PDF. Hãy sửa hoặc bỏ ký tự này.")
        details = f"{code} {name}" + (f" trong: {context[:200]!r}" if context else "")
        super().__init__(message, details=details)
        self.character = character


class FontFileError(AppError):
    """The printing fonts cannot be loaded (a damaged or missing file)."""


@dataclass(frozen=True)
class FontSet:
    """The four registered faces and where they came from."""

    label: str                     # "Times New Roman" or "Liberation Serif"
    files: dict[str, Path]
    regular: str = REGULAR
    bold: str = BOLD
    italic: str = ITALIC
    bold_italic: str = BOLD_ITALIC


class GuardedTTFont(TTFont):
    """A TrueType font that refuses to draw a character it has no glyph for."""

    def __init__(self, name: str, filename: str | os.PathLike, label: str):
        super().__init__(name, str(filename))
        self.label = label
        self.covered = frozenset(chr(c) for c in self.face.charToGlyph) | _LAYOUT_CHARS

    def missing(self, text: str) -> str | None:
        """The first character of `text` this font cannot draw, or None."""
        if not text:
            return None
        lacking = set(text) - self.covered
        if not lacking:
            return None
        return next(ch for ch in text if ch in lacking)

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 - reportlab API
        # Every string reportlab draws with a TrueType font passes through here.
        if isinstance(text, bytes):
            text = text.decode(encoding)
        bad = self.missing(text)
        if bad is not None:
            raise MissingGlyphError(bad, self.label, text)
        return super().splitString(text, doc, encoding)


def _windows_font_dirs() -> list[Path]:
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:  # fonts installed "for this user only" on Windows 10+
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs.append(Path("C:/Windows/Fonts"))
    return dirs


def _system_font_dirs() -> list[Path]:
    if sys.platform == "win32":
        return _windows_font_dirs()
    if sys.platform == "darwin":
        return [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"), Path.home() / "Library/Fonts"]
    return [Path("/usr/share/fonts/truetype/msttcorefonts"), Path("/usr/share/fonts/TTF"),
            Path.home() / ".fonts", Path.home() / ".local/share/fonts"]


def find_times_new_roman(dirs: list[Path] | None = None) -> dict[str, Path] | None:
    """The four Times New Roman files if all are installed in one folder, else None."""
    for folder in dirs if dirs is not None else _system_font_dirs():
        for names in (_TIMES_FILES, _TIMES_ALT_FILES, _TIMES_MAC_FILES):
            files = {}
            for style, filename in names.items():
                # Windows' folder is case-insensitive, Linux's is not: try both spellings.
                for candidate in (filename, filename.upper(), filename.capitalize()):
                    path = folder / candidate
                    if path.is_file():
                        files[style] = path
                        break
            if len(files) == 4:
                return files
    return None


def bundled_font_files() -> dict[str, Path]:
    return {style: resource("fonts", filename) for style, filename in _BUNDLED.items()}


def _register(label: str, files: dict[str, Path]) -> FontSet:
    names = dict(zip(_STYLES, (REGULAR, BOLD, ITALIC, BOLD_ITALIC)))
    try:
        for style in _STYLES:
            pdfmetrics.registerFont(GuardedTTFont(names[style], files[style], label))
    except Exception as exc:  # a truncated or foreign file: reportlab raises its own types
        raise FontFileError(f"Không đọc được phông chữ in ấn {label}.", details=f"{files}: {exc}") from exc
    # <b>/<i> inside paragraphs and the family lookups of tables go through these mappings.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD_ITALIC)
    return FontSet(label=label, files=dict(files))


@lru_cache(maxsize=1)
def register_fonts() -> FontSet:
    """Register the printing fonts once per process: Times New Roman if installed, else Liberation Serif.

    Set MOTCUA_PRINT_FONT=bundled to force the bundled font (tests, identical output everywhere).
    """
    if os.environ.get("MOTCUA_PRINT_FONT", "").lower() != "bundled":
        times = find_times_new_roman()
        if times is not None:
            try:
                fontset = _register("Times New Roman", times)
            except FontFileError:
                pass  # a broken system font should not stop printing: fall back to the bundled one
            else:
                if _covers_vietnamese(fontset):
                    return fontset
    return _register("Liberation Serif", bundled_font_files())


# Every letter with a Vietnamese diacritic, both cases, plus đ/Đ.
VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)


def _covers_vietnamese(fontset: FontSet) -> bool:
    # Old Times New Roman files (before Windows 2000) lack the Vietnamese block.
    return all(pdfmetrics.getFont(name).missing(VIETNAMESE_LETTERS) is None
               for name in (fontset.regular, fontset.bold, fontset.italic, fontset.bold_italic))


# Invisible characters that pasted text carries (zero-width space, BOM, soft hyphen, word joiner…)
# and C0 control characters: nothing to print, so they are dropped rather than refused.
_INVISIBLE = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                                0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}


def clean_text(text: str) -> str:
    """Text as it should be printed: composed (NFC) and without invisible characters.

    Vietnamese typed with "Unicode tổ hợp" arrives decomposed (e + combining marks): composed,
    it prints with the font's own accented letters instead of marks placed by guesswork.
    """
    text = unicodedata.normalize("NFC", text)
    return text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


def check_text(text: str, font_name: str = REGULAR) -> None:
    """Raise MissingGlyphError if `text` holds a character the given printing face cannot draw."""
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    bad = font.missing(text)
    if bad is not None:
        raise MissingGlyphError(bad, font.label, text)
