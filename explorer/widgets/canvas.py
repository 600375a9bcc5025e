"""``DrawingCanvas``: a large canvas where a person draws white strokes on black for the model to encode.

Strokes are drawn on a fine surface (about ``FINE`` pixels on its long side, a whole number of fine pixels per
model pixel) with an antialiased round brush, then reduced to the model's image size by area averaging, so an
8×8 digit still gets smooth grey edges. ``bitmap()`` is that image as the model takes it: uint8 C×H×W, the
grey copied into every channel of a colour model. The faint grid on the canvas shows the model's pixels.

Strokes are kept in a list (points in the unit square, so they can be drawn again at another size): Undo
removes the last one, Clear empties the list. A stroke unites its segments (ink takes the brighter value,
erasing the darker), so drawing it piece by piece as the mouse moves gives exactly the pixels of drawing it
again from the list. Left button draws, right button erases; Ctrl+Z undoes and Delete clears while the canvas
has focus. ``changed`` is emitted on every change (the tool throttles its own work).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

FINE = 256  # fine pixels on the long side of the drawing surface
BRUSH_RANGE = (0.5, 12.0)  # brush diameter, in model pixels
MIN_GRID_PX = 5  # no grid once model pixels are smaller than this on screen
DEFAULT_SHAPE = (1, 28, 28)


def default_brush(shape) -> float:
    """About a tenth of the image's side, at least 1.5 model pixels (1 for glyphs smaller than 8 pixels, drawn
    with one-pixel lines): about the stroke width of the data sets."""
    side = max(shape[1:])
    return float(min(max(1.0 if side < 8 else 1.5, round(0.1 * side * 2) / 2), BRUSH_RANGE[1]))


@dataclass
class Stroke:
    """``points``: (x, y) in the unit square (0 = left/top edge, 1 = right/bottom edge of the image);
    ``width``: the brush diameter as a fraction of the image's longer side; ``erase``: paints black."""

    width: float
    erase: bool = False
    points: list[tuple[float, float]] = field(default_factory=list)


class Surface:
    """The fine drawing (float32, 0 black … 1 white) for an image shape C×H×W, and its area average."""

    def __init__(self, shape):
        self.shape = tuple(int(s) for s in shape)
        _, h, w = self.shape
        self.factor = max(1, round(FINE / max(h, w)))  # fine pixels per model pixel
        self.pixels = np.zeros((h * self.factor, w * self.factor), np.float32)

    def to_fine(self, point) -> tuple[float, float]:
        return point[0] * self.pixels.shape[1], point[1] * self.pixels.shape[0]

    def radius(self, stroke: Stroke) -> float:
        return stroke.width * max(self.pixels.shape) / 2

    def draw(self, stroke: Stroke, start: int = 0) -> None:
        """Draw the stroke's segments ending at points ``start`` … (a lone first point is a dot)."""
        points = stroke.points
        for i in range(start, len(points)):
            a = points[i - 1] if i else points[0]
            self.segment(self.to_fine(a), self.to_fine(points[i]), self.radius(stroke), stroke.erase)

    def segment(self, a, b, radius: float, erase: bool) -> None:
        """An antialiased round-capped segment a→b (fine pixel coordinates): coverage = radius + ½ minus the
        distance of a pixel's centre from the segment, clipped to [0, 1]."""
        h, w = self.pixels.shape
        reach = radius + 1
        x0, x1 = max(0, math.floor(min(a[0], b[0]) - reach)), min(w, math.ceil(max(a[0], b[0]) + reach))
        y0, y1 = max(0, math.floor(min(a[1], b[1]) - reach)), min(h, math.ceil(max(a[1], b[1]) + reach))
        if x0 >= x1 or y0 >= y1:
            return
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        t = np.clip(((xs - a[0]) * dx + (ys - a[1]) * dy) / length2, 0, 1) if length2 > 0 else 0.0
        distance = np.hypot(xs - (a[0] + t * dx), ys - (a[1] + t * dy))
        cover = np.clip(radius + 0.5 - distance, 0, 1)
        region = self.pixels[y0:y1, x0:x1]
        if erase:
            np.minimum(region, 1 - cover, out=region)
        else:
            np.maximum(region, cover, out=region)

    def bitmap(self) -> np.ndarray:
        """Area average of each model pixel's fine pixels, as uint8 C×H×W."""
        c, h, w = self.shape
        f = self.factor
        grey = self.pixels.reshape(h, f, w, f).mean(axis=(1, 3))
        pixels = np.clip(np.rint(grey * 255), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.broadcast_to(pixels, (c, h, w)))


class DrawingCanvas(QWidget):
    """Signals: ``changed`` (the drawing changed: a stroke grew, undo, clear, another size),
    ``strokeStarted`` / ``strokeFinished`` (a mouse stroke began / ended), ``brushChanged(float)``."""

    changed = Signal()
    strokeStarted = Signal()
    strokeFinished = Signal()
    brushChanged = Signal(float)

    def __init__(self, shape=DEFAULT_SHAPE, parent: QWidget | None = None):
        super().__init__(parent)
        self.surface = Surface(shape)
        self.strokes: list[Stroke] = []
        self.brush = default_brush(self.surface.shape)
        self._active: Stroke | None = None
        self._button = Qt.MouseButton.NoButton
        self._cursor: QPointF | None = None
        self._image: QImage | None = None
        self.setMouseTracking(True)  # the brush outline follows the mouse
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)  # right button erases
        self.setCursor(Qt.CursorShape.CrossCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(200, 200)
        self.setToolTip("Left button draws, right button erases. Ctrl+Z undoes a stroke, Delete clears.")

    # ---- reading -----------------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.surface.shape

    def bitmap(self) -> np.ndarray:
        """The drawing as the model sees it: uint8 C×H×W (a fresh array)."""
        return self.surface.bitmap()

    def is_blank(self) -> bool:
        return not self.surface.pixels.any()

    # ---- changing ----------------------------------------------------------------------------------------

    def set_shape(self, shape) -> None:
        """Draw every stroke again for images of ``shape`` (C×H×W); the brush becomes that size's default."""
        shape = tuple(int(s) for s in shape)
        if shape == self.shape:
            return
        self.surface = Surface(shape)
        self.set_brush(default_brush(shape))
        self._redraw()

    def set_brush(self, diameter: float) -> None:
        """The brush diameter in model pixels for the strokes that follow."""
        diameter = float(min(max(float(diameter), BRUSH_RANGE[0]), BRUSH_RANGE[1]))
        if diameter != self.brush:
            self.brush = diameter
            self.brushChanged.emit(diameter)
            self.update()

    def begin_stroke(self, point, erase: bool = False) -> None:
        """Start a stroke at ``point`` (unit square); it shows as a dot of the brush's size."""
        _, h, w = self.shape
        self._active = Stroke(self.brush / max(h, w), bool(erase), [tuple(map(float, point))])
        self.strokes.append(self._active)
        self.strokeStarted.emit()
        self._drawn(0)

    def extend_stroke(self, point) -> None:
        stroke = self._active
        point = tuple(map(float, point))
        if stroke is None or point == stroke.points[-1]:
            return
        stroke.points.append(point)
        self._drawn(len(stroke.points) - 1)

    def end_stroke(self) -> None:
        if self._active is not None:
            self._active = None
            self.strokeFinished.emit()

    def add_stroke(self, points, erase: bool = False) -> None:
        """A whole stroke through ``points`` (unit square), as if drawn with the mouse."""
        points = list(points)
        self.begin_stroke(points[0], erase)
        for point in points[1:]:
            self.extend_stroke(point)
        self.end_stroke()

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.strokes:
            self.end_stroke()
            self.strokes.pop()
            self._redraw()

    def clear(self) -> None:
        if self.strokes:
            self.end_stroke()
            self.strokes.clear()
            self._redraw()

    def _drawn(self, start: int) -> None:
        self.surface.draw(self._active, start)
        self._changed()

    def _redraw(self) -> None:
        self.surface = Surface(self.shape)
        for stroke in self.strokes:
            self.surface.draw(stroke)
        self._changed()

    def _changed(self) -> None:
        self._image = None
        self.update()
        self.changed.emit()

    # ---- mouse and keys ------------------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the image is drawn: the largest rectangle of its aspect, centred in the widget."""
        _, h, w = self.shape
        scale = min((self.width() - 2) / w, (self.height() - 2) / h)
        return QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)

    def to_unit(self, pos: QPointF) -> tuple[float, float]:
        rect = self.image_rect()
        return (pos.x() - rect.x()) / rect.width(), (pos.y() - rect.y()) / rect.height()

    def mousePressEvent(self, event) -> None:
        button = event.button()
        if button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton) and self._active is None:
            self._button = button
            self.begin_stroke(self.to_unit(event.position()), erase=button == Qt.MouseButton.RightButton)
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        self._cursor = event.position()
        if self._active is not None:
            self.extend_stroke(self.to_unit(event.position()))
        else:
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == self._button:
            self.end_stroke()
        event.accept()

    def leaveEvent(self, event) -> None:
        self._cursor = None
        self.update()
        super().leaveEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._own_key(event):
            event.accept()  # our keys beat a window-wide Ctrl+Z / Delete while the canvas has focus
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _own_key(event) -> bool:
        return event.matches(QKeySequence.StandardKey.Undo) or event.key() in (Qt.Key.Key_Delete,
                                                                                Qt.Key.Key_Backspace)

    # ---- painting ------------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """As high as the drawing's shape asks, at most 520 px and 45 % of the screen's height (on a 720 px
        projector a taller canvas pushed the model's answer under the fold)."""
        _, h, w = self.shape
        screen = self.screen().availableGeometry().height() if self.screen() is not None else 1080
        return max(self.minimumHeight(), min(round(width * h / w), 520, round(0.45 * screen)))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#3a3a3a"))
        rect = self.image_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self._fine_image())
        self._paint_grid(painter, rect)
        self._paint_brush(painter, rect)
        painter.end()

    def _fine_image(self) -> QImage:
        if self._image is None:
            pixels = np.ascontiguousarray(np.rint(self.surface.pixels * 255).astype(np.uint8))
            h, w = pixels.shape
            self._image = QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        return self._image

    def _paint_grid(self, painter: QPainter, rect: QRectF) -> None:
        _, h, w = self.shape
        step = rect.width() / w
        if step < MIN_GRID_PX:
            return
        painter.setPen(QPen(QColor(128, 128, 128, 70), 1))  # shows faintly on black and on white
        for i in range(1, w):
            x = rect.x() + i * step
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        for j in range(1, h):
            y = rect.y() + j * step
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    def _paint_brush(self, painter: QPainter, rect: QRectF) -> None:
        """The brush's outline under the mouse (its size in model pixels, as it will draw)."""
        if self._cursor is None:
            return
        radius = self.brush / 2 * rect.width() / self.shape[2]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#EE7733"), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(self._cursor, radius, radius)
