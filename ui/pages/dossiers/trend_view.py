"""Trend of one indicator month by month (with its target), and the same indicator per field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import (QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries,
                              QLineSeries, QValueAxis)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QSplitter, QVBoxLayout, QWidget

from core.clock import today_local
from core.dossiers.indicators import INDICATORS
from core.dossiers.periods import Period
from ui.pages.dossiers.common import percent

LINE_COLOUR = QColor("#1f6feb")
TARGET_COLOUR = QColor("#cf222e")
# With localised numbers (the decimal comma) Qt Charts reads only "%.<precision><type>" formats:
# "%d%%" matched nothing and every axis label came out empty.
PERCENT_AXIS_FORMAT = "%.0f%"
VI = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


class TrendView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.data = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Chỉ số:"))
        self.indicator = QComboBox()
        for key, d in INDICATORS.items():
            self.indicator.addItem(f"{d.number} {d.name}", key)
        self.indicator.currentIndexChanged.connect(lambda _i: self._draw())
        top.addWidget(self.indicator, 1)
        top.addWidget(QLabel("Năm:"))
        self.year = QSpinBox()
        self.year.setRange(2015, 2100)
        self.year.setValue(today_local().year)
        self.year.valueChanged.connect(lambda _v: self.reload())
        top.addWidget(self.year)
        layout.addLayout(top)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.trend_chart = QChart()
        self.trend_chart.setMargins(QMargins(4, 4, 4, 4))
        self.trend_chart.setLocalizeNumbers(True)  # 52,4% with a decimal comma
        self.trend_chart.setLocale(VI)
        self.trend_view = QChartView(self.trend_chart)
        self.trend_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.field_chart = QChart()
        self.field_chart.setMargins(QMargins(4, 4, 4, 4))
        self.field_chart.setLocalizeNumbers(True)
        self.field_chart.setLocale(VI)
        self.field_view = QChartView(self.field_chart)
        self.field_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        splitter.addWidget(self.trend_view)
        splitter.addWidget(self.field_view)
        splitter.setSizes([600, 400])
        layout.addWidget(splitter, 1)

    def reload(self) -> None:
        year = self.year.value()
        period = Period(dt.date(year, 1, 1), dt.date(year, 12, 31))

        def load(store):
            from core.dossiers.indicators import field_breakdown, monthly_trend
            from core.dossiers.targets import targets_on

            targets = {month: targets_on(store, INDICATORS, dt.date(year, int(month[5:]), 28))
                       for month in period.months()}
            return monthly_trend(store, period), field_breakdown(store, period), targets

        self.ctx.bg.read(load, self._loaded)

    def _loaded(self, data) -> None:
        self.data = data
        self._draw()

    def _draw(self) -> None:
        if self.data is None:
            return
        trend, breakdown, targets = self.data
        key = self.indicator.currentData()
        d = INDICATORS[key]
        year = self.year.value()
        self.note.setText(f"{d.number} {d.name}: tử số là {d.numerator}; mẫu số là {d.denominator}. "
                          "Tháng không có hồ sơ thuộc mẫu số thì không có điểm.")
        self._draw_trend(trend, targets, key, year)
        self._draw_fields(breakdown, key, year)

    def _draw_trend(self, trend, targets, key: str, year: int) -> None:
        chart = self.trend_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(f"Theo tháng, năm {year}")
        values = QLineSeries()
        values.setName("Tỷ lệ")
        values.setPointsVisible(True)
        values.setPen(QPen(LINE_COLOUR, 2.5))
        target_line = QLineSeries()
        target_line.setName("Chỉ tiêu")
        pen = QPen(TARGET_COLOUR, 1.5)
        pen.setStyle(Qt.PenStyle.DashLine)
        target_line.setPen(pen)
        categories = []
        for index, (month, rates, _sums) in enumerate(trend):
            categories.append(f"T{int(month[5:])}")
            if rates[key] is not None:
                values.append(index, rates[key] * 100)
            target = targets[month].get(key)
            if target is not None:
                target_line.append(index, target.target * 100)
        chart.addSeries(values)
        if target_line.count():
            chart.addSeries(target_line)
        x_axis = QValueAxis()
        category_axis = QBarCategoryAxis()
        category_axis.append(categories)
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat(PERCENT_AXIS_FORMAT)
        y_axis.setTickCount(6)
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        # Points are placed on a hidden numeric axis aligned with the month categories.
        x_axis.setVisible(False)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        for series in chart.series():
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        x_axis.setRange(-0.5, 11.5)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def _draw_fields(self, breakdown, key: str, year: int) -> None:
        chart = self.field_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(f"Theo lĩnh vực, năm {year}")
        rows = [(name, rates[key]) for name, rates in breakdown.items() if rates[key] is not None]
        rows = rows[:12]
        bars = QBarSet("Tỷ lệ")
        bars.setColor(LINE_COLOUR)
        names = []
        for name, value in reversed(rows):
            bars.append(value * 100)
            names.append(name if len(name) <= 28 else name[:26] + "…")
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        series.setLabelsPrecision(3)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append(names)
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat(PERCENT_AXIS_FORMAT)
        axis_x.setTickCount(6)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        chart.legend().setVisible(False)
        if not rows:
            chart.setTitle(f"Theo lĩnh vực, năm {year}: chưa có số liệu")

    def axis_labels(self, chart: QChart) -> list[str]:
        """The texts drawn on `chart` (axis labels among them): what a person sees, for tests."""
        from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsTextItem

        import shiboken6

        texts = []
        for item in chart.scene().items() if chart.scene() else []:
            # Qt Charts' label classes are private: read them through their public base class.
            if item.type() == 8:  # QGraphicsTextItem::Type (not bound in PySide6)
                obj = item.toGraphicsObject()  # the QGraphicsItem part sits at an offset
                text_item = shiboken6.wrapInstance(shiboken6.getCppPointer(obj)[0], QGraphicsTextItem)
                texts.append(text_item.toPlainText())
            elif item.type() == 9:  # QGraphicsSimpleTextItem::Type
                text_item = shiboken6.wrapInstance(shiboken6.getCppPointer(item)[0], QGraphicsSimpleTextItem)
                texts.append(text_item.text())
        return texts

    def rates_shown(self) -> list[str]:
        """The month labels and values drawn (for tests and screen readers)."""
        if self.data is None:
            return []
        key = self.indicator.currentData()
        return [f"T{int(m[5:])}: {percent(rates[key])}" for m, rates, _s in self.data[0]]

