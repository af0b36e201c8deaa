"""Native Excel bar charts placed so that none covers another chart or a table.

A chart is anchored to cells at both corners (a two-cell anchor): it spans exactly the rows
it is given, whatever height Excel or LibreOffice gives a row, so a sheet that reserves
chart_rows() rows for each chart, and starts the next one below them, never has two charts
on top of each other. A chart's height follows its number of bars (categories)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

# Rows for what is not bars: a title of up to three lines, the value axis, a legend of up
# to two lines; and rows per bar (a default row is 15 points; a bar with its gap gets a
# little more, so that its label is readable).
CHROME_ROWS = 8
ROWS_PER_BAR = 1.25
COLUMNS = 12                        # about 20 cm at the default column width


def chart_rows(bars: int) -> int:
    """The rows a chart of `bars` categories needs."""
    return CHROME_ROWS + math.ceil(ROWS_PER_BAR * max(bars, 1))


def anchor(chart, top: int, left: int, rows: int, columns: int = COLUMNS) -> None:
    """Place the chart over rows top .. top + rows - 1 and columns left .. left + columns
    - 1 (1-based, as openpyxl's cells): its corners fixed to those cells."""
    chart.anchor = TwoCellAnchor(
        editAs="oneCell",
        _from=AnchorMarker(col=left - 1, row=top - 1),
        to=AnchorMarker(col=left - 1 + columns, row=top - 1 + rows))
    chart.height = rows * 15 / 72 * 2.54           # cm, for a reader that asks
    chart.width = columns * 64 / 96 * 2.54


def diverging_bars(ws, title: str, first: int, last: int, series: Mapping[int, str],
                   categories: int) -> BarChart:
    """Stacked horizontal bars of rows first..last, one series per column in `series`
    (column -> fill colour, "#rrggbb"; the names from row 1), categories from column
    `categories`. Disagreeing shares written negative diverge around the centre line;
    the category labels sit left of the bars (not on the zero line, across them)."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap, chart.gapWidth = "bar", "stacked", 100, 40
    chart.title = title
    for col, colour in series.items():
        bars = Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                      title_from_data=False, title=ws.cell(1, col).value)
        bars.graphicalProperties.solidFill = colour.lstrip("#").upper()
        bars.graphicalProperties.line.noFill = True
        chart.series.append(bars)
    chart.set_categories(Reference(ws, min_col=categories, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"      # first statement at the top
    chart.x_axis.tickLblPos = "low"                  # labels left of -100 %, clear of bars
    chart.y_axis.crosses = "max"                     # the % axis below the last bar
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = -100, 100
    chart.y_axis.number_format = "0;0"
    chart.y_axis.majorUnit = 25
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    # everything the chart's XML depends on (not its place: that is the drawing's), so that
    # xlsxwrite.save writes the XML of the same chart in the next CLB's workbook from a cache
    chart.xml_key = ("diverging_bars", ws.title, title, first, last, categories,
                     tuple((col, colour, ws.cell(1, col).value)
                           for col, colour in series.items()))
    return chart
