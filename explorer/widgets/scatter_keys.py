"""The scatter from the keyboard: a cursor that walks from point to point or through the latent plane,
Enter to act on it as a click would, and a description of the plot for screen readers.

With the scatter focused (click it, Tab to it, or Ctrl+7):

* arrow keys move the cursor to the nearest point in that direction on screen (within 60° of it; the view
  pans to keep the cursor in sight). The first press starts at the selected point, else the point nearest
  the middle of the view.
* Shift+arrow moves the cursor off the points, through the latent plane, by ``FREE_STEP_PX`` screen pixels,
  and decodes the spot as it goes (views that cannot be inverted — t-SNE, the pixel views — say so instead).
* Enter does what a click there does: select the point (or the tool that waits for clicks gets it), decode
  the spot; Shift+Enter is a shift-click (choose an interpolation end).
* + and − zoom about the cursor. (Home shows every point and Escape clears the selection: the window's keys.)

The cursor is a ring in the ink colour with the hover thumbnail beside it; each move also goes to the status
bar and to the plot's accessible description, which always says what the plot shows (points, classes, axes,
selection) for screen readers. ``KEYS`` lists the keys for Help → Keyboard shortcuts.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QLocale, QObject, QPoint, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent

from explorer.accessibility import describe_plot
from explorer.widgets.numbers import format_number

FREE_STEP_PX = 24  # Shift+arrow: one step through the latent plane, in screen pixels
CONE = math.radians(60)  # arrow keys: a point counts as "in that direction" within this angle
ZOOM_STEP = 1.25
CURSOR_SIZE = 22
KEYS = (("Move to the nearest point in that direction", "Arrow keys"),
        ("Move through the latent plane and decode", "Shift+Arrow keys"),
        ("Select the point (or decode the spot) at the cursor", "Enter"),
        ("Shift-click at the cursor (interpolation end)", "Shift+Enter"),
        ("Zoom in · out about the cursor", "+ · −"),
        ("Focus the scatter", "Click it, Tab, or Ctrl+7"))
KEYBOARD_FOCUS = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                  Qt.FocusReason.ShortcutFocusReason)
DIRECTIONS = {Qt.Key.Key_Left: (-1.0, 0.0), Qt.Key.Key_Right: (1.0, 0.0), Qt.Key.Key_Up: (0.0, -1.0),
              Qt.Key.Key_Down: (0.0, 1.0)}  # screen directions (y grows downwards)


def nearest_in_direction(pixels: np.ndarray, start: np.ndarray, direction: tuple[float, float],
                         cone: float = CONE) -> int:
    """Row of ``pixels`` (N×2 screen positions) nearest to ``start`` in ``direction`` (a unit vector, screen
    axes), or -1 when none lies within ``cone`` radians of it. Distance along the direction counts once,
    sideways distance twice, so a point straight ahead beats a nearer one off to the side."""
    d = np.asarray(pixels, dtype=np.float64) - np.asarray(start, dtype=np.float64)
    along = d @ np.asarray(direction)
    across = np.abs(d @ np.array([-direction[1], direction[0]]))
    ok = (along > 0.5) & (across <= along * math.tan(cone)) & np.isfinite(along)
    if not ok.any():
        return -1
    score = np.where(ok, along + 2.0 * across, np.inf)
    return int(np.argmin(score))


class KeyboardCursor(QObject):
    """The keyboard cursor of one ``ScatterView`` (see the module docstring). ``index`` is the row under the
    cursor (-1 when it is off the points), ``position`` its view coordinates (None before the first key)."""

    def __init__(self, scatter):
        super().__init__(scatter)
        self.scatter, self.session = scatter, scatter.session
        self.index, self.position = -1, None
        self.ring = pg.ScatterPlotItem(size=CURSOR_SIZE, brush=None, symbol="s",
                                       pen=pg.mkPen("k", width=2, style=Qt.PenStyle.DotLine))
        self.ring.setZValue(20)
        self.ring.hide()
        scatter.plot.addItem(self.ring, ignoreBounds=True)
        scatter.plot.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        scatter.plot.installEventFilter(self)
        s = self.session
        for signal in (s.codesChanged, s.selectionChanged, s.datasetChanged, s.modelChanged):
            signal.connect(self.describe)
        s.codesChanged.connect(self._on_codes)
        self.describe()

    # ---- keys ----------------------------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            return self.key(event.key(), event.modifiers())
        if kind == QEvent.Type.FocusOut:
            self.scatter.tip.hide_tip()
        elif kind == QEvent.Type.FocusIn and event.reason() in KEYBOARD_FOCUS and self.position is None \
                and self.session.xy is not None and len(self.session.xy):
            self.move_to_point(self.start())  # reached by Tab or Ctrl+7: show where the keys will start
        return False

    def key(self, key, modifiers=Qt.KeyboardModifier.NoModifier) -> bool:
        """Handle one key press; False for keys the cursor does not use (they go on to the plot)."""
        if self.session.xy is None or not len(self.session.xy):
            return False
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        if modifiers & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False  # the window's shortcuts
        if key in DIRECTIONS:
            self.step_free(DIRECTIONS[key]) if shift else self.step(DIRECTIONS[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate(shift)
            return True
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.zoom(ZOOM_STEP if key != Qt.Key.Key_Minus else 1 / ZOOM_STEP)
            return True
        return False

    # ---- moving --------------------------------------------------------------------------------------------

    def start(self) -> int:
        """The row the cursor starts from: the selection, else the point nearest the middle of the view."""
        xy, selected = self.session.xy, self.session.selected
        if 0 <= selected < len(xy):
            return selected
        (x0, x1), (y0, y1) = self.scatter.view.viewRange()
        pixels = self._pixels()
        middle = self._pixels(np.array([[(x0 + x1) / 2, (y0 + y1) / 2]]))[0]
        return int(np.nanargmin(np.sum((pixels - middle) ** 2, axis=1)))

    def step(self, direction: tuple[float, float]) -> int:
        """Move to the nearest point in ``direction``; returns the row (the same one at the edge)."""
        if self.position is None:
            row = self.start()
        else:
            start = self._pixels(np.array([self.position]))[0]
            row = nearest_in_direction(self._pixels(), start, direction)
            if row < 0:
                self.session.status.emit("No point further that way")
                row = self.index if self.index >= 0 else self.start()
        self.move_to_point(row)
        return row

    def step_free(self, direction: tuple[float, float]) -> tuple[float, float]:
        """Move off the points by FREE_STEP_PX on screen and decode that spot (where the view allows)."""
        if self.position is None:
            self.position = tuple(float(v) for v in self.session.xy[self.start()])
        px, py = self.scatter.view.viewPixelSize()
        x = self.position[0] + direction[0] * FREE_STEP_PX * px
        y = self.position[1] - direction[1] * FREE_STEP_PX * py
        self.index, self.position = -1, (x, y)
        self._show()
        if self.session.projection.invertible:
            self.scatter._show_cross(x, y)
            self.session.decode_at(x, y)
            self._say(f"Latent point {_pair(x, y)}: decoded in the Inspector")
        else:
            self._say(f"{_pair(x, y)}: the {self.session.projection.label} cannot be decoded; "
                      "arrow keys move between points")
        return x, y

    def move_to_point(self, row: int) -> None:
        xy = self.session.xy
        self.index, self.position = row, (float(xy[row, 0]), float(xy[row, 1]))
        self._show()
        s = self.session
        name = s.class_names[int(s.dataset.labels[row])] if s.dataset is not None else ""
        self._say(f"Point #{row} · {name} · {_pair(*self.position)} · Enter selects it")
        at = self.scatter.plot.mapToGlobal(self._widget_pos())
        self.scatter.tip.show_image(row, s.dataset.images[row], f"#{row} · {name}", at)

    def activate(self, shift: bool = False) -> None:
        """What a click at the cursor does (a shift-click with ``shift``)."""
        if self.position is None:
            self.move_to_point(self.start())
        x, y = self.position
        self.scatter.act_at(self.index, x, y, shift)

    def zoom(self, factor: float) -> None:
        centre = pg.Point(*self.position) if self.position is not None else None
        self.scatter.view.scaleBy((1 / factor, 1 / factor), center=centre)

    # ---- showing -------------------------------------------------------------------------------------------

    def _show(self) -> None:
        x, y = self.position
        self.ring.setData(x=[x], y=[y])
        self.ring.setPen(pg.mkPen(self.scatter._ink, width=2 * self.scatter.scale, style=Qt.PenStyle.DotLine))
        self.ring.setSize(CURSOR_SIZE * self.scatter.scale)
        self.ring.show()
        self._keep_in_view(x, y)

    def _keep_in_view(self, x: float, y: float) -> None:
        (x0, x1), (y0, y1) = self.scatter.view.viewRange()
        mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        dx = min(0.0, x - (x0 + mx)) + max(0.0, x - (x1 - mx))
        dy = min(0.0, y - (y0 + my)) + max(0.0, y - (y1 - my))
        if dx or dy:
            self.scatter.view.translateBy(x=dx, y=dy)

    def _say(self, text: str) -> None:
        self.session.status.emit(text)
        self.describe(cursor=text)

    def _on_codes(self) -> None:
        """New codes (training, another view): the cursor stays on its row, or goes when the rows do."""
        xy = self.session.xy
        if xy is None or self.position is None or self.index >= len(xy):
            self.index, self.position = -1, None
            self.ring.hide()
        elif self.index >= 0:
            self.position = (float(xy[self.index, 0]), float(xy[self.index, 1]))
            self.ring.setData(x=[self.position[0]], y=[self.position[1]])

    def describe(self, *_args, cursor: str = "") -> str:
        """The plot's accessible description: what it shows, the selection, and where the cursor is."""
        s = self.session
        if s.xy is None or s.dataset is None:
            text = "Latent scatter: no model loaded yet."
        else:
            names = s.class_names
            kinds = f"{len(names)} classes ({', '.join(names[:10])}{', …' if len(names) > 10 else ''})"
            axes = s.projection.axis_labels
            text = (f"Latent scatter of {len(s.xy):,} images, coloured by class: {kinds}. Horizontal axis "
                    f"{axes[0]}, vertical axis {axes[1]}.")
            if 0 <= s.selected < len(s.xy):
                text += f" Selected: #{s.selected}, {names[int(s.dataset.labels[s.selected])]}."
            text += " Arrow keys move a cursor between points, Enter selects."
        if cursor:
            text += f" Cursor: {cursor}."
        describe_plot(self.scatter.plot, "Latent scatter", text)
        event = QAccessibleEvent(self.scatter.plot, QAccessible.Event.DescriptionChanged)
        QAccessible.updateAccessibility(event)
        return text

    # ---- coordinates ---------------------------------------------------------------------------------------

    def _pixels(self, xy: np.ndarray | None = None) -> np.ndarray:
        """View coordinates (default: every point) as screen pixels from the view's top-left corner."""
        xy = self.session.xy if xy is None else xy
        (x0, _), (_, y1) = self.scatter.view.viewRange()
        px, py = self.scatter.view.viewPixelSize()
        return np.stack([(xy[:, 0] - x0) / px, (y1 - xy[:, 1]) / py], axis=1)

    def _widget_pos(self) -> QPoint:
        scene = self.scatter.view.mapViewToScene(pg.Point(*self.position))
        return self.scatter.plot.mapFromScene(scene)


def _pair(x: float, y: float) -> str:
    """(x; y) with the locale's decimal mark: "(0,50; -1,20)" in German, "(0.50, -1.20)" in English."""
    separator = "; " if QLocale().decimalPoint() == "," else ", "
    return f"({format_number(x)}{separator}{format_number(y)})"
