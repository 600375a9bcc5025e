"""The scatter's colour bar: when points are coloured by a value (``ScatterView.color_by``), a vertical bar
to the right of the plot shows the colormap's steps against a value axis, with the value's name. It sits
outside the plotting area, so it never covers points. The colormaps are perceptually uniform and readable
with the common colour-vision deficiencies: viridis (the default) and cividis (Nuñez, Anderton & Renslow
2018, designed for deuteranopia and protanopia).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from explorer import themes

COLORMAPS = ("viridis", "cividis")
FINE = 512  # samples of a colormap when looking for the part that shows on a background
WIDTH = 14  # pixels at scale 1
AXIS_WIDTH = 68  # the value axis with its ticks and, turned, the value's name


def ramp_range(name: str, background) -> tuple[float, float]:
    """The part ``(lo, hi)`` (0…1) of colormap ``name`` whose every colour reaches ``themes.MARK_RATIO``
    (3:1, WCAG 2.1 SC 1.4.11) against ``background``: the widest such run of the map. On a white plot the
    light end (pale yellow) is left out, on a dark one the dark end (deep purple, navy)."""
    t = np.linspace(0.0, 1.0, FINE)
    colors = pg.colormap.get(name).map(t, mode="qcolor")
    ok = np.array([themes.contrast(c, background) >= themes.MARK_RATIO for c in colors])
    if not ok.any():
        raise ValueError(f"no part of colormap {name!r} reaches 3:1 against {background!r}")
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2] - 1  # the runs of colours that show, first and last index
    k = int(np.argmax(ends - starts))
    return float(t[starts[k]]), float(t[ends[k]])


def steps(name: str, n: int, background="w") -> list:
    """The ``n`` QColors of colormap ``name`` the scatter draws on ``background``, dark (low values) to
    light, within ``ramp_range`` (each reaches 3:1 against the background)."""
    lo, hi = ramp_range(name, background)
    return pg.colormap.get(name).map(np.linspace(lo, hi, n), mode="qcolor")


def stepped_map(colors: list) -> pg.ColorMap:
    """A colormap of hard steps: the bar shows exactly the colours the points have."""
    n = len(colors)
    pos = np.repeat(np.arange(n + 1) / n, 2)[1:-1]
    pos[1::2] -= 1e-6  # each step ends just before the next begins
    rgba = [c.getRgb() for c in colors for _ in range(2)]
    return pg.ColorMap(pos, rgba)


class ColourBar:
    """A non-interactive ``pg.ColorBarItem`` in the plot's layout, right of the plotting area (hidden until
    ``show_values``)."""

    def __init__(self, plot_item: pg.PlotItem):
        self.item = pg.ColorBarItem(values=(0.0, 1.0), width=WIDTH, interactive=False, colorMapMenu=False)
        self.axis = self.item.getAxis("right")  # the value axis (the other three only frame the bar)
        self.axis.setWidth(AXIS_WIDTH)
        plot_item.layout.addItem(self.item, 2, 5)
        self.item.hide()
        self.label, self.edges = "", None

    @property
    def visible(self) -> bool:
        return self.item.isVisible()

    def show_values(self, edges: np.ndarray, colors: list, label: str) -> None:
        """Steps between ``edges`` (n+1 values: the outer steps also take what lies beyond) in ``colors``."""
        self.edges, self.label = np.asarray(edges, dtype=np.float64), label
        self.item.setColorMap(stepped_map(colors))
        self.item.setLevels((float(self.edges[0]), float(self.edges[-1])))
        self.axis.setLabel(label)
        self.item.show()

    def hide(self) -> None:
        self.item.hide()
        self.label, self.edges = "", None

    def set_look(self, scale: float, ink) -> None:
        """Presentation mode (``scale``) and the theme's ink for the axis and its text."""
        self.item.layout.setColumnFixedWidth(1, WIDTH * scale)
        self.axis.setWidth(AXIS_WIDTH * scale)
        for side in ("left", "right"):
            axis = self.item.getAxis(side)
            axis.setPen(pg.mkPen(ink))
            axis.setTextPen(pg.mkPen(ink))
            font = axis.label.font()
            font.setPointSizeF(9 * scale)
            axis.setTickFont(font)
            axis.label.setFont(font)
