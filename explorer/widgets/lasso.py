"""Box and lasso selection on the latent scatter, and a highlight of the chosen group.

``LassoSelector(scatter)``: ``start("lasso" | "box")`` turns the mode on; the next drag on the scatter draws
the outline (an orange polygon in view coordinates) while ViewBox panning is off, and on release ``selected``
carries the mask of ``session.xy`` rows inside it. The mode then ends (``finished``); ``stop()`` ends it
early.
``GroupHighlight(scatter)`` outlines the rows of a mask (and rings them when few) and follows the projection.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal

from explorer.widgets.overlays import INK, ORANGE

RING = (0, 0, 0, 150)
MAX_RINGS = 1500  # more rings than this turn a dense cloud black: then the outline alone shows the group
MIN_STEP_PX = 3  # lasso vertices closer than this to the previous one are skipped
HINTS = {"lasso": "Drag around the points you want (Esc cancels)",
         "box": "Drag a box around the points you want (Esc cancels)"}


def points_in_polygon(xy: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Boolean mask of the points N×2 inside the closed polygon M×2 (even-odd rule). The points are sorted by
    y once; each edge then only touches the points in its own y-span, so 70k points take a few ms."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    inside = np.zeros(len(xy), dtype=bool)
    if len(poly) < 3 or not len(xy):
        return inside
    order = np.argsort(xy[:, 1], kind="stable")
    xs, ys = xy[order, 0], xy[order, 1]
    flip = np.zeros(len(xy), dtype=bool)
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        lo, hi = np.searchsorted(ys, (min(y0, y1), max(y0, y1)), side="left")
        if lo == hi:
            continue
        crossing = x0 + (ys[lo:hi] - y0) * (x1 - x0) / (y1 - y0)
        flip[lo:hi] ^= xs[lo:hi] < crossing
    inside[order] = flip
    return inside


def box_polygon(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """The four corners of the axis-aligned box with opposite corners a and b."""
    (x0, y0), (x1, y1) = a, b
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)


class LassoSelector(QObject):
    selected = Signal(object)  # bool mask over session.xy rows
    finished = Signal()  # the mode ended (after a selection, or cancelled)

    def __init__(self, scatter, parent: QObject | None = None):
        super().__init__(parent or scatter)
        self.scatter, self.session, self.view = scatter, scatter.session, scatter.view
        self.mode: str | None = None
        self.vertices: list[tuple[float, float]] = []
        self.last_polygon: np.ndarray | None = None  # the outline of the last selection (view coordinates)
        self._dragging = False
        self._mouse_enabled = [True, True]
        self.outline = pg.PlotDataItem(pen=pg.mkPen(ORANGE, width=2, style=Qt.PenStyle.DashLine))
        self.outline.setZValue(30)
        self.outline.hide()
        scatter.plot.addItem(self.outline, ignoreBounds=True)
        scatter.plot.viewport().installEventFilter(self)

    @property
    def active(self) -> bool:
        return self.mode is not None

    def start(self, mode: str) -> None:
        if mode not in HINTS:
            raise ValueError(f"unknown selection mode {mode!r}")
        self.mode = mode
        self.scatter.hint.setText(HINTS[mode])
        self.scatter.plot.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def stop(self) -> None:
        """End the mode (a drag in progress is dropped)."""
        if self.mode is None:
            return
        self._end_drag()
        self.mode = None
        self.scatter.hint.setText("")
        self.scatter.plot.viewport().unsetCursor()
        self.finished.emit()

    def polygon(self) -> np.ndarray:
        """The outline drawn so far, in view coordinates (M×2)."""
        if self.mode == "box" and len(self.vertices) >= 2:
            return box_polygon(self.vertices[0], self.vertices[-1])
        return np.array(self.vertices, dtype=np.float64).reshape(-1, 2)

    # ---- mouse ---------------------------------------------------------------------------------------------

    def eventFilter(self, obj, event) -> bool:
        if self.mode is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        elif kind == QEvent.Type.MouseMove and self._dragging:
            self._extend(event.position())
        elif kind == QEvent.Type.MouseButtonRelease and self._dragging:
            self._extend(event.position())
            self._finish()
        elif kind not in (QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove):
            return False
        return True  # the scatter never sees the drag: no panning, no click

    def _to_view(self, pos) -> tuple[float, float]:
        p = self.view.mapSceneToView(self.scatter.plot.mapToScene(pos.toPoint()))
        return float(p.x()), float(p.y())

    def _begin(self, pos) -> None:
        self._mouse_enabled = list(self.view.state["mouseEnabled"])
        self.view.setMouseEnabled(x=False, y=False)
        self._dragging, self._last_px = True, QPointF(pos)
        self.vertices = [self._to_view(pos)]
        self.outline.show()
        self._draw()

    def _extend(self, pos) -> None:
        step = pos - self._last_px
        if self.mode == "lasso" and abs(step.x()) + abs(step.y()) < MIN_STEP_PX:
            return
        self._last_px = QPointF(pos)
        point = self._to_view(pos)
        if self.mode == "box":
            self.vertices[1:] = [point]
        else:
            self.vertices.append(point)
        self._draw()

    def _draw(self) -> None:
        poly = self.polygon()
        closed = np.vstack([poly, poly[:1]]) if len(poly) > 2 else poly
        self.outline.setData(x=closed[:, 0], y=closed[:, 1])

    def _end_drag(self) -> None:
        if self._dragging:
            self.view.setMouseEnabled(*self._mouse_enabled)
        self._dragging = False
        self.outline.hide()
        self.outline.setData([], [])

    def _finish(self) -> None:
        poly = self.polygon()
        self._end_drag()
        xy = self.session.xy
        if xy is None or len(poly) < 3 or _area(poly) <= 0:
            return  # a click, not a drag: stay in the mode
        self.last_polygon = poly
        self.selected.emit(points_in_polygon(xy, poly))
        self.stop()


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


class GroupHighlight(QObject):
    """The person's own group on the scatter: its convex outline, and a ring around each of its points when
    there are few enough that rings do not bury the class colours. Redrawn when the points move."""

    def __init__(self, scatter, parent: QObject | None = None):
        super().__init__(parent or scatter)
        self.session = scatter.session
        self.mask: np.ndarray | None = None
        self.rings = pg.ScatterPlotItem(pen=pg.mkPen(RING, width=1.2), brush=None, size=9, antialias=False)
        self.hull = pg.PlotDataItem(pen=pg.mkPen(INK, width=2, style=Qt.PenStyle.DashLine))
        for item in (self.rings, self.hull):
            item.setZValue(15)
            scatter.plot.addItem(item, ignoreBounds=True)
        for signal in (self.session.codesChanged, self.session.projectionChanged):
            signal.connect(self.redraw)

    def show_mask(self, mask: np.ndarray | None) -> None:
        self.mask = None if mask is None else np.asarray(mask, dtype=bool)
        self.redraw()

    def redraw(self) -> None:
        xy = self.session.xy
        if self.mask is None or xy is None or len(xy) != len(self.mask):
            self.rings.clear()
            self.hull.setData([], [])
            return
        chosen = xy[self.mask]
        if len(chosen) <= MAX_RINGS:
            self.rings.setData(x=chosen[:, 0], y=chosen[:, 1])
        else:
            self.rings.clear()
        outline = convex_outline(chosen)
        self.hull.setData(x=outline[:, 0], y=outline[:, 1])

    def shown(self) -> np.ndarray:
        """N×2: the rings drawn now (tests)."""
        x, y = self.rings.getData()
        return np.c_[x, y].reshape(-1, 2)


def convex_outline(xy: np.ndarray) -> np.ndarray:
    """The closed convex hull of the points (first vertex repeated); empty when there is no 2-D hull."""
    from scipy.spatial import ConvexHull, QhullError

    try:
        corners = xy[ConvexHull(xy).vertices]
    except (QhullError, ValueError):
        return np.zeros((0, 2))
    return np.vstack([corners, corners[:1]])
