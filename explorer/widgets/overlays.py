"""Marks the tools draw on the latent scatter: paths, labelled points and arrows, kept in latent coordinates.

A tool's panel gets an ``Overlay`` from ``ScatterView.overlay(name)`` and sets marks by key; the overlay draws
them through ``Session.to_view`` and redraws them whenever the projection or the codes change, so a path
stays where it belongs when the person switches from the latent axes to PCA. In a view that is not invertible
(t-SNE, UMAP, the pixel views) a code is drawn at its nearest encoded code, so points are still drawn there,
but paths and arrows are not: a straight line or a direction in latent space has no place in such a view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, QTimer

# strong colours that stand out against the muted class palette, each 3:1 on a white, dark grey or black plot
INK = "#000000"
ORANGE = "#D2601A"  # Tol's orange #EE7733, darker: 3:1 on a white plot too
RED = "#CC3311"
BLUE = "#0077BB"
Z_ORDER = 20  # above the class points
MOVE_EVERY_MS = 100  # ``move`` draws at most this often (the last move is always drawn)


@dataclass
class _Mark:
    kind: str  # "path" | "points" | "arrow"
    codes: np.ndarray  # float32 M×D
    labels: list[str] = field(default_factory=list)
    items: list = field(default_factory=list)
    style: dict = field(default_factory=dict)  # the arguments it was made with (``set_look`` remakes it)


class Overlay(QObject):
    """One tool's marks. ``path``, ``points`` and ``arrow`` replace the mark under their key."""

    def __init__(self, scatter, name: str):
        super().__init__(scatter)
        self.setObjectName(name)
        self.session, self.plot, self.view = scatter.session, scatter.plot, scatter.view
        self.marks: dict[str, _Mark] = {}
        self.visible = True
        self.scale, self.ink = 1.0, INK  # ``set_look``
        self._moved: set[str] = set()
        self._throttle = QTimer(self, singleShot=True, interval=MOVE_EVERY_MS)
        self._throttle.timeout.connect(self._draw_moved)
        for signal in (self.session.codesChanged, self.session.projectionChanged):
            signal.connect(self.redraw)
        self.view.sigRangeChanged.connect(self._turn_arrows)

    # ---- setting marks ---------------------------------------------------------------------------------

    def path(self, key: str, codes: np.ndarray, color: str = INK, width: float = 2.5, dashed: bool = False,
             dots: bool = True) -> None:
        """A polyline through the codes (with a small dot at each when ``dots``)."""
        style = dict(color=color, width=width, dashed=dashed, dots=dots)
        if self._reuse(key, "path", codes, style):
            return
        color, f = self._color(color), self.scale
        line = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        pen = pg.mkPen(color, width=width * f, style=line)
        symbol = dict(symbol="o", symbolSize=6 * f, symbolBrush=color, symbolPen=None) if dots else {}
        item = pg.PlotDataItem(pen=pen, **symbol)
        self._put(key, _Mark("path", _codes(codes), items=[item], style=style))

    def points(self, key: str, codes: np.ndarray, color: str = INK, symbol: str = "o", size: float = 14,
               labels: list[str] | None = None) -> None:
        """Hollow markers (so the class colour below still shows), each with an optional text label."""
        codes, style = _codes(codes), dict(color=color, symbol=symbol, size=size)
        if self._reuse(key, "points", codes, style, labels or []):
            return
        color, f = self._color(color), self.scale
        pen = pg.mkPen(color, width=2.5 * f)
        item = pg.ScatterPlotItem(pen=pen, brush=None, symbol=symbol, size=size * f)
        texts = [pg.TextItem(text, color=color, anchor=(-0.15, 1.1)) for text in (labels or [])]
        for text in texts:
            font = text.textItem.font()
            font.setPointSizeF(12 * f)
            font.setBold(True)
            text.setFont(font)
        self._put(key, _Mark("points", codes, list(labels or []), [item, *texts], style))

    def arrow(self, key: str, start: np.ndarray, end: np.ndarray, color: str = RED,
              width: float = 3.0) -> None:
        """A straight arrow from code ``start`` to code ``end``."""
        style = dict(color=color, width=width)
        codes = _codes(np.stack([np.ravel(start), np.ravel(end)]))
        if self._reuse(key, "arrow", codes, style):
            return
        color, f = self._color(color), self.scale
        line = pg.PlotDataItem(pen=pg.mkPen(color, width=width * f))
        head = pg.ArrowItem(pen=pg.mkPen(color), brush=color, headLen=18 * f, tipAngle=35, tailLen=0)
        self._put(key, _Mark("arrow", codes, items=[line, head], style=style))

    def set_look(self, scale: float = 1.0, ink: str = INK) -> None:
        """Lines, markers and labels ``scale`` times their size, and INK drawn as ``ink`` (presentation mode,
        dark themes): every mark is made again, in its own colours, where it is."""
        self.scale, self.ink = scale, ink
        for key, mark in list(self.marks.items()):
            self.remove(key)  # made again, not moved: the new look is in the items
            if mark.kind == "arrow":
                self.arrow(key, mark.codes[0], mark.codes[1], **mark.style)
            elif mark.kind == "points":
                self.points(key, mark.codes, labels=mark.labels or None, **mark.style)
            else:
                self.path(key, mark.codes, **mark.style)

    def _color(self, color: str) -> str:
        return self.ink if color == INK else color

    def move(self, key: str, codes: np.ndarray) -> bool:
        """New codes for the existing mark ``key``, same style and items (cheaper than replacing it on every
        step of a slider drag: no items are added or removed). False if there is no such mark, or its labels
        would no longer match."""
        mark = self.marks.get(key)
        codes = _codes(codes) if mark is not None else None
        if mark is None or (mark.labels and len(mark.labels) != len(codes)) or mark.kind == "arrow":
            return False
        if codes.shape == mark.codes.shape and np.array_equal(codes, mark.codes):
            return True  # nothing moved: no repaint of the scatter
        mark.codes = codes
        self._moved.add(key)
        if not self._throttle.isActive():
            self._draw_moved()
        return True

    def _draw_moved(self) -> None:
        """Draw the marks moved since the last draw; then wait ``MOVE_EVERY_MS`` before drawing again. A
        slider drag moves a mark on every step, and each draw repaints the scatter (about 40 ms at 70k
        points): at most one draw per interval keeps the tool's own images quick while the mark follows."""
        keys, self._moved = self._moved, set()
        for key in keys & self.marks.keys():
            self._draw(self.marks[key])
        if keys:
            self._throttle.start()

    def remove(self, key: str) -> None:
        mark = self.marks.pop(key, None)
        for item in mark.items if mark else ():
            self.plot.removeItem(item)

    def clear(self) -> None:
        for key in list(self.marks):
            self.remove(key)

    def set_visible(self, visible: bool) -> None:
        """Show or hide all marks (a mark that cannot be placed in the current view stays hidden)."""
        self.visible = bool(visible)
        self.redraw()

    # ---- reading (tests) -----------------------------------------------------------------------------------

    def view_xy(self, key: str) -> np.ndarray:
        """Where the mark's codes are drawn now (view coordinates, M×2)."""
        return self.session.to_view(self.marks[key].codes)

    # ---- drawing -----------------------------------------------------------------------------------------

    def _reuse(self, key: str, kind: str, codes: np.ndarray, style: dict, labels: list[str] = ()) -> bool:
        """Move the mark ``key`` to ``codes`` when it is of this kind, look and labels already: no items
        are made, removed or added (making an arrow's took ~30 ms of GUI time, at every epoch of a training
        that the Attributes tool follows). False when it must be made."""
        mark = self.marks.get(key)
        codes = _codes(codes)
        if mark is None or mark.kind != kind or mark.style != style or mark.labels != list(labels):
            return False
        mark.codes = codes
        self._moved.discard(key)
        self._draw(mark)
        return True

    def _put(self, key: str, mark: _Mark) -> None:
        self.remove(key)
        self.marks[key] = mark
        for item in mark.items:
            item.setZValue(Z_ORDER)
            self.plot.addItem(item, ignoreBounds=True)
            item.setVisible(self.visible)
        self._draw(mark)

    def redraw(self) -> None:
        for mark in self.marks.values():
            self._draw(mark)

    def _draw(self, mark: _Mark) -> None:
        s = self.session
        placed = mark.kind == "points" or s.plane is not None  # no lines where latent lines mean nothing
        xy = s.to_view(mark.codes) if placed and s.latent_dim == mark.codes.shape[1] else None
        shown = bool(xy is not None and len(xy) == len(mark.codes) and np.isfinite(xy).all())
        for item in mark.items:
            item.setVisible(shown and self.visible)
        if not shown:
            return
        first = mark.items[0]
        if mark.kind == "points":
            first.setData(x=xy[:, 0], y=xy[:, 1])
            for text, (x, y) in zip(mark.items[1:], xy, strict=False):
                text.setPos(float(x), float(y))
        else:
            first.setData(x=xy[:, 0], y=xy[:, 1])
        if mark.kind == "arrow":
            self._turn(mark, xy)

    def _turn_arrows(self, *_args) -> None:
        for mark in self.marks.values():
            if mark.kind == "arrow" and mark.items[1].isVisible():
                self._turn(mark, self.session.to_view(mark.codes))

    def _turn(self, mark: _Mark, xy: np.ndarray) -> None:
        """ArrowItem draws in screen pixels: its angle comes from the on-screen direction (0° points left)."""
        head = mark.items[1]
        a, b = (self.view.mapViewToScene(QPointF(float(x), float(y))) for x, y in xy[:2])
        dx, dy = b.x() - a.x(), b.y() - a.y()
        head.setStyle(angle=math.degrees(math.atan2(dy, dx)) + 180 if (dx or dy) else 0)
        head.setPos(float(xy[1, 0]), float(xy[1, 1]))


def _codes(codes) -> np.ndarray:
    codes = np.asarray(codes, dtype=np.float32)
    return codes.reshape(1, -1) if codes.ndim == 1 else codes
