"""Typing Vietnamese into widgets in tests.

`qtbot.keyClicks` aborts the process on non-ASCII characters, so text is sent as
QKeyEvents carrying the text, the way an input method delivers it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text: str) -> None:
    widget.setFocus()
    for char in text:
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QCoreApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
    QApplication.processEvents()


def press_key(widget, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier, text: str = "") -> None:
    for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
        QCoreApplication.sendEvent(widget, QKeyEvent(kind, key, modifiers, text))
    QApplication.processEvents()


def _mouse(widget, kind, pos, button=Qt.MouseButton.LeftButton, buttons=None):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent

    local = QPointF(pos)
    held = button if buttons is None else buttons
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, held, Qt.KeyboardModifier.NoModifier)
    QCoreApplication.sendEvent(widget, event)


def double_click(widget, pos) -> None:
    """The events a real double-click delivers (Qt 6): press, release, press, double-click, release."""
    from PySide6.QtGui import QMouseEvent

    T = QMouseEvent.Type
    for kind in (T.MouseButtonPress, T.MouseButtonRelease, T.MouseButtonPress, T.MouseButtonDblClick,
                 T.MouseButtonRelease):
        _mouse(widget, kind, pos, buttons=Qt.MouseButton.NoButton if kind == T.MouseButtonRelease else None)
    QApplication.processEvents()


def right_click(widget, pos) -> None:
    """A right click as the system delivers it: press, release, then the context-menu event."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent, QMouseEvent

    T = QMouseEvent.Type
    _mouse(widget, T.MouseButtonPress, pos, Qt.MouseButton.RightButton)
    _mouse(widget, T.MouseButtonRelease, pos, Qt.MouseButton.RightButton, Qt.MouseButton.NoButton)
    point = QPoint(int(pos.x()), int(pos.y()))
    QCoreApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                         widget.mapToGlobal(point)))
    QApplication.processEvents()


def drag(widget, start, end) -> None:
    """Press at `start`, move to `end` with the button held, release there."""
    from PySide6.QtGui import QMouseEvent

    T = QMouseEvent.Type
    _mouse(widget, T.MouseButtonPress, start)
    steps = 5
    for i in range(1, steps + 1):
        point = start + (end - start) * i / steps
        _mouse(widget, T.MouseMove, point, Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
    _mouse(widget, T.MouseButtonRelease, end, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)
    QApplication.processEvents()


def save_as(dialog, name: str | None = None, file_types_down: int = 0) -> None:
    """Drive ui.save_file's dialog as a person does: arrow down the file-type list `file_types_down`
    times, type `name` over the suggested one (if given), then press Enter."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    combo = dialog.findChild(QComboBox, "fileTypeCombo")
    combo.setFocus()
    for _ in range(file_types_down):
        press_key(combo, Qt.Key.Key_Down)
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    if name is not None:
        edit.setFocus()
        press_key(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(edit, name)
    press_key(edit, Qt.Key.Key_Return, text="\r")


def click_header(view, column: int) -> None:
    """A left click in the middle of a column's header (a ListTable orders its list by it)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(x, header.height() // 2))
    QApplication.processEvents()


def drag_column_border(view, column: int, dx: int) -> int:
    """Drag the right border of `column` by `dx` pixels, as a person widens it; its new width."""
    from PySide6.QtCore import QPointF

    header = view.horizontalHeader()
    edge = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    y = header.height() / 2
    drag(header.viewport(), QPointF(edge, y), QPointF(edge + dx, y))
    return header.sectionSize(column)


def cell(view, row: int, column: int) -> str:
    """The text a table view shows in one cell."""
    model = view.model()
    return model.data(model.index(row, column)) or ""
