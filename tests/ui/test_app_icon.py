"""The application's window icon is the shipped seal-and-document icon."""

from PySide6.QtGui import QColor, QImage

from core.resources import resource
from ui.app import make_application, set_window_icon


def test_window_icon_is_the_shipped_icon(qtbot):
    app = make_application()
    set_window_icon(app)  # the start-up does it right after the first paint (tests/ui/test_startup.py)
    icon = app.windowIcon()
    assert not icon.isNull()
    drawn = icon.pixmap(256, 256).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    shipped = QImage(str(resource("icons", "app.png"))).convertToFormat(QImage.Format.Format_ARGB32)
    assert drawn.size() == shipped.size()
    # Same picture (colour handling may differ by a step or two): compare a grid of pixels.
    for x in range(8, 256, 24):
        for y in range(8, 256, 24):
            a, b = QColor(drawn.pixel(x, y)), QColor(shipped.pixel(x, y))
            assert max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()),
                       abs(a.alpha() - b.alpha())) <= 8, (x, y)
    seal = QColor(shipped.pixel(162, 170 - 78 + 6))  # on the seal's red ring
    assert seal.red() > 150 and seal.green() < 80
