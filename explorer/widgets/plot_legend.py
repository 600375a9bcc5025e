"""Legends beside or below a pyqtgraph plot, never over it: ``side_legend(plot_item, where)`` puts a
``SideLegend`` in the plot item's own layout, right of the plotting area (and its axis) or under the bottom
axis, and makes it the plot item's legend (``plot_item.legend``: curves added with a ``name`` are listed in
it, and ``themes.style_plots`` gives it the theme's ink and fill). pyqtgraph's ``addLegend`` floats the legend
inside the view box, where it covers curves and points.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

RIGHT, BELOW = "right", "below"
GAP = 6  # pixels between the plotting area and a legend on its right


class SideLegend(pg.LegendItem):
    """A legend in a plot's layout: it never covers a point or a curve, in any view or zoom. The layout gives
    it the size its rows ask for; with no entries it is hidden (not an empty box)."""

    def __init__(self, **options):
        super().__init__(**options)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # its rows' size
        self.wanted = True
        self.hide()

    def show_when(self, wanted: bool) -> None:
        """Shown when ``wanted`` and it has entries (the scatter hides it while labels or values say it)."""
        self.wanted = wanted
        self.setVisible(wanted and bool(self.items))

    def updateSize(self) -> None:  # pyqtgraph sizes a floating legend itself; called on each change
        self.setVisible(self.wanted and bool(self.items))
        self.updateGeometry()

    def mouseDragEvent(self, event) -> None:  # a floating legend can be dragged; this one stays
        event.ignore()


def side_legend(plot_item: pg.PlotItem, where: str = RIGHT, own: bool = True, **options) -> SideLegend:
    """A ``SideLegend`` (``options``: those of ``pg.LegendItem``, e.g. ``colCount``, ``labelTextSize``) in
    ``plot_item``'s layout, ``RIGHT`` of the plotting area (row 2, column 4: after the right axis and a gap)
    or ``BELOW`` the bottom axis (row 4, column 1), and (``own``) the plot item's legend; a view that sizes
    and colours its legend itself (the scatter's, with the presentation scale) passes ``own=False``.

    Raises ValueError for another ``where``."""
    if where not in (RIGHT, BELOW):
        raise ValueError(f"a legend goes {RIGHT!r} or {BELOW!r} of a plot, not {where!r}")
    options.setdefault("brush", (255, 255, 255, 215))
    options.setdefault("pen", (120, 120, 120))
    options.setdefault("labelTextColor", (20, 20, 20))
    legend = SideLegend(**options)
    layout = plot_item.layout
    if where == RIGHT:
        layout.addItem(legend, 2, 4)
        layout.setColumnFixedWidth(3, GAP)
        layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop)
    else:
        layout.addItem(legend, 4, 1)
        layout.setAlignment(legend, Qt.AlignmentFlag.AlignLeft)
    if own:
        plot_item.legend = legend  # PlotItem.addItem(item, name=…) lists named items in plot_item.legend
    return legend
