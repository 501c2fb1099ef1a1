"""A log-log plot of the growth figures (time against rows), drawn with Qt's QPainter into a PNG.

    python bench/growth_plot.py bench/results/full.json docs/growth.png

Called by bench/report.py; no plotting library needed.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

WIDTH, HEIGHT = 900, 520
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 90, 270, 50, 60
COLOURS = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98"]


def _seconds(figure: dict) -> float | None:
    if figure.get("value") is None:
        return None
    return figure["value"] / 1000 if figure["unit"] == "ms" else figure["value"]


def draw(summary: dict, out: Path) -> bool:
    """Draw the plot; False when the summary has no growth figures."""
    series: dict[str, list[tuple[int, float]]] = {}
    for f in summary["figures"]:
        if f.get("kind") == "growth" and _seconds(f):
            series.setdefault(f["operation"], []).append((f["rows"], _seconds(f)))
    if not series:
        return False
    # A size with no figure (the hub refused the bundle) is named in the legend.
    missing = {f["operation"]: f"{f['rows']:,} rows: {f.get('note', 'no figure')}" for f in summary["figures"]
               if f.get("kind") == "growth" and f.get("value") is None}
    series = {(f"{name} — {missing[name]}" if name in missing else name): pts for name, pts in series.items()}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need an application
    rows = [r for pts in series.values() for r, _ in pts]
    times = [t for pts in series.values() for _, t in pts]
    x0, x1 = math.floor(math.log10(min(rows))), math.ceil(math.log10(max(rows)))
    y0, y1 = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    plot = QRectF(MARGIN_LEFT, MARGIN_TOP, WIDTH - MARGIN_LEFT - MARGIN_RIGHT, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)

    def point(r: float, t: float) -> QPointF:
        x = plot.left() + (math.log10(r) - x0) / (x1 - x0) * plot.width()
        y = plot.bottom() - (math.log10(t) - y0) / (y1 - y0) * plot.height()
        return QPointF(x, y)

    image = QImage(WIDTH, HEIGHT, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    p.setFont(QFont("Liberation Sans", 10))
    p.setPen(QPen(QColor("#dddddd"), 1))
    for e in range(x0, x1 + 1):
        p.drawLine(point(10**e, 10**y0), point(10**e, 10**y1))
    for e in range(y0, y1 + 1):
        p.drawLine(point(10**x0, 10**e), point(10**x1, 10**e))
    p.setPen(QPen(QColor("#333333"), 1))
    p.drawRect(plot)
    for e in range(x0, x1 + 1):
        at = point(10**e, 10**y0)
        p.drawText(QRectF(at.x() - 50, at.y() + 6, 100, 20), Qt.AlignHCenter, f"{10**e:,}")
    for e in range(y0, y1 + 1):
        at = point(10**x0, 10**e)
        label = f"{10**e * 1000:g} ms" if e < 0 else f"{10**e:g} s"
        p.drawText(QRectF(at.x() - 85, at.y() - 10, 78, 20), Qt.AlignRight | Qt.AlignVCenter, label)
    p.drawText(QRectF(plot.left(), HEIGHT - 30, plot.width(), 20), Qt.AlignHCenter, "rows (log scale)")
    title = QFont("Liberation Sans", 12)
    title.setBold(True)
    p.setFont(title)
    p.drawText(QRectF(0, 12, WIDTH, 24), Qt.AlignHCenter,
               f"Growth with data size — python -m bench.growth ({summary['started_at'][:10]})")
    p.setFont(QFont("Liberation Sans", 10))
    for i, (name, pts) in enumerate(series.items()):
        colour = QColor(COLOURS[i % len(COLOURS)])
        p.setPen(QPen(colour, 2.5))
        pts = sorted(pts)
        for a, b in zip(pts, pts[1:]):
            p.drawLine(point(*a), point(*b))
        p.setBrush(colour)
        for r, t in pts:
            p.drawEllipse(point(r, t), 4, 4)
        y = MARGIN_TOP + 10 + i * 64
        p.drawLine(QPointF(WIDTH - MARGIN_RIGHT + 20, y + 8), QPointF(WIDTH - MARGIN_RIGHT + 45, y + 8))
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(WIDTH - MARGIN_RIGHT + 52, y - 2, MARGIN_RIGHT - 60, 60), Qt.TextWordWrap, name)
    p.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    return image.save(str(out))


if __name__ == "__main__":
    summary_file, out_file = Path(sys.argv[1]), Path(sys.argv[2])
    print("written" if draw(json.loads(summary_file.read_text(encoding="utf-8")), out_file) else "no growth figures")
