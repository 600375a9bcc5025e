"""The Draw panel: a canvas to draw on with the mouse, what the model sees of the drawing (its own small
image), the reconstruction, and the nearest data images; a star marks the drawing's code on the scatter and a
faint path shows where the code went during the last stroke.

A passive view of ``explorer.tools.draw.DrawTool`` (``.tool``) and ``DrawingCanvas`` (``.canvas``): the
canvas's bitmaps go to the tool, the tool's answers come back here.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.draw import NEIGHBOURS, DrawTool
from explorer.widgets.canvas import BRUSH_RANGE, DEFAULT_SHAPE, DrawingCanvas
from explorer.widgets.images import to_pixmap
from explorer.widgets.inspector import ImageBox
from explorer.widgets.numbers import NumberBox
from explorer.widgets.overlays import INK

HINT = "Draw a digit (or a shape, or a letter) with the mouse"
TRAIL = "#00000080"  # the stroke's path of codes, fainter than the star
THUMB = 56
LABEL = "your drawing"


class DrawPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = DrawTool(session, self)
        self.overlay = scatter.overlay("draw")
        self._build()
        self._connect()

    # ---- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        hint = QLabel(HINT, wordWrap=True)
        hint.setStyleSheet("color: #555;")
        self.canvas = DrawingCanvas(self.tool.image_shape or DEFAULT_SHAPE)
        self.sees, self.recon = ImageBox(), ImageBox()
        self.code_label = QLabel(wordWrap=True)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.canvas)
        layout.addLayout(self._controls())
        layout.addLayout(self._images())
        layout.addWidget(self.code_label)
        nearest = QLabel("Nearest data images in latent space (click one to select it):", wordWrap=True)
        layout.addWidget(nearest)  # (wrapped: on one line it was clipped in a narrow panel)
        layout.addLayout(self._neighbours())
        layout.addStretch(1)

    def _controls(self) -> QHBoxLayout:
        self.undo_button, self.clear_button = QPushButton("Undo"), QPushButton("Clear")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z on the canvas)")
        self.clear_button.setToolTip("Start again (Delete on the canvas)")
        self.brush_box = NumberBox(*BRUSH_RANGE, self.canvas.brush, step=0.5, decimals=1, suffix=" px")
        self.brush_box.setToolTip("The brush's width, in pixels of the model's image")
        row = QHBoxLayout()
        row.addWidget(self.undo_button)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        row.addWidget(QLabel("Brush:"))
        row.addWidget(self.brush_box)
        return row

    def _images(self) -> QGridLayout:
        grid = QGridLayout()
        grid.addWidget(QLabel("What the model sees"), 0, 0)
        grid.addWidget(QLabel("Reconstruction"), 0, 1)
        for col, box in enumerate((self.sees, self.recon)):
            box.setMinimumSize(120, 120)
            grid.addWidget(box, 1, col)
        return grid

    def _neighbours(self) -> QHBoxLayout:
        self.neighbour_buttons: list[QToolButton] = []
        row = QHBoxLayout()
        for _ in range(NEIGHBOURS):
            button = QToolButton(toolButtonStyle=Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setIconSize(QSize(THUMB, THUMB))
            button.setAutoRaise(True)
            button.clicked.connect(lambda _checked=False, b=button: self._select(b))
            self.neighbour_buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        t, c = self.tool, self.canvas
        c.changed.connect(lambda: t.set_bitmap(c.bitmap()))
        c.strokeStarted.connect(t.begin_stroke)
        c.strokeFinished.connect(t.end_stroke)
        c.brushChanged.connect(self._on_brush)
        t.shapeChanged.connect(c.set_shape)
        t.bitmapChanged.connect(self._on_bitmap)
        t.resultChanged.connect(self._on_result)
        t.trailChanged.connect(self._on_trail)
        self.undo_button.clicked.connect(c.undo)
        self.clear_button.clicked.connect(c.clear)
        self.brush_box.valueChanged.connect(c.set_brush)
        t.set_bitmap(c.bitmap())
        self._on_result()

    # ---- tool -> view --------------------------------------------------------------------------------------

    def _on_brush(self, diameter: float) -> None:
        self.brush_box.blockSignals(True)
        self.brush_box.setValue(diameter)
        self.brush_box.blockSignals(False)

    def _on_bitmap(self) -> None:
        bitmap = self.tool.bitmap
        blank = bitmap is None or not bitmap.any()
        self.sees.show_array(None if blank else bitmap, "Nothing drawn yet")
        self.undo_button.setEnabled(bool(self.canvas.strokes))
        self.clear_button.setEnabled(bool(self.canvas.strokes))

    def _on_result(self) -> None:
        result = self.tool.result
        self.code_label.setText(self._describe(result))
        if result is None:
            self.recon.show_array(None, "Needs a model" if self.session.model is None else "")
            self.overlay.remove("drawing")
            self._show_neighbours(None)
            return
        self.recon.show_array(result.reconstruction)
        if not self.overlay.move("drawing", result.code):  # in place, drawn throttled while drawing
            self.overlay.points("drawing", result.code, color=INK, symbol="star", size=22, labels=[LABEL])
        self._show_neighbours(result.rows)

    def _on_trail(self) -> None:
        trail = self.tool.trail
        if len(trail) < 2:
            self.overlay.remove("trail")
        elif not self.overlay.move("trail", np.stack(trail)):
            self.overlay.path("trail", np.stack(trail), color=TRAIL, width=1.5, dots=False)

    def _describe(self, result) -> str:
        if self.session.model is None:
            return "Load a model to see what it makes of your drawing."
        if result is None:
            return ""
        code = result.code
        if len(code) <= 4:
            text = "Its code: z = (" + ", ".join(f"{v:.2f}" for v in code) + ")"
        else:
            text = f"Its code has {len(code)} numbers; the star shows it in the current view"
        return f"{text}. The star on the scatter is your drawing."

    def _show_neighbours(self, rows) -> None:
        s = self.session
        for k, button in enumerate(self.neighbour_buttons):
            row = int(rows[k]) if rows is not None and k < len(rows) else -1
            button.setProperty("row", row)
            button.setVisible(row >= 0)
            if row >= 0:
                button.setIcon(QIcon(to_pixmap(s.dataset.images[row], THUMB)))
                button.setText(_name(s, row))
                button.setToolTip(f"#{row} · {button.text()}: click to select it in the scatter")

    def _select(self, button: QToolButton) -> None:
        row = button.property("row")
        if row is not None and row >= 0:
            self.session.select(int(row))


def _name(session, row: int) -> str:
    label, names = int(session.dataset.labels[row]), session.class_names
    return names[label] if 0 <= label < len(names) else f"#{row}"
