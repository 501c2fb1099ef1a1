"""The application's window icon is the shipped seal-and-document icon."""

from PySide6.QtGui import QImage

from core.resources import resource
from ui.app import make_application


def test_window_icon_is_the_shipped_icon(qtbot):
    app = make_application()
    icon = app.windowIcon()
    assert not icon.isNull()
    drawn = icon.pixmap(256, 256).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    shipped = QImage(str(resource("icons", "app.png"))).convertToFormat(QImage.Format.Format_ARGB32)
    assert drawn.size() == shipped.size() and drawn == shipped
