"""The decoded grid: N×N images decoded over the latent region the scatter shows, as one ImageItem mosaic.

It follows pan and zoom: range changes are debounced, the session decodes in a worker, and only the answer
to the latest request arrives. A view that is not invertible (t-SNE, the pixel views) has no latent point
under a view position: the grid is cleared and a caption says so.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.accessibility import describe_plot
from explorer.state import GridResult, Session
from explorer.widgets.numbers import IntBox

DEBOUNCE_MS = 30
EMPTY = "Images decoded over the region the scatter shows appear here once a model is loaded."
WAITING = "Images decoded by the model in training appear here after its first epoch."
NOT_INVERTIBLE = ("The {label} is not invertible, so there is nothing to decode here: the grid needs an "
                  "invertible view (latent axes or the PCA plane).")


class GridView(QWidget):
    updated = Signal(object)  # the GridResult now shown

    def __init__(self, session: Session, n: int = 15, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.result: GridResult | None = None
        self._build(n)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.request)
        for signal in (session.viewRangeChanged, session.ready, session.projectionChanged,
                       session.modelUpdated):  # the model in training has newer weights
            signal.connect(self._timer.start)
        self.size_box.valueChanged.connect(self._timer.start)
        session.gridReady.connect(self._on_grid)
        session.codesChanged.connect(self._on_codes)
        session.projectionChanged.connect(self._on_codes)

    def _build(self, n: int) -> None:
        self.size_box = IntBox(2, 40, n, suffix=" per side")
        self.size_box.setProperty("advanced", True)  # hidden in presentation mode
        self.caption = QLabel(EMPTY, wordWrap=True, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        self.view = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        row = QHBoxLayout()
        row.addWidget(QLabel("Grid:"))
        row.addWidget(self.size_box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.caption)
        self._set_caption(EMPTY)

    @property
    def n(self) -> int:
        return self.size_box.value()

    @property
    def x_range(self) -> tuple[float, float] | None:
        return None if self.result is None else self.result.x_range

    @property
    def y_range(self) -> tuple[float, float] | None:
        return None if self.result is None else self.result.y_range

    def request(self) -> None:
        """Ask for a grid over the scatter's visible region (the debounce timer calls this)."""
        if self.session.view_range is not None:
            self.session.request_grid(*self.session.view_range, self.n)

    def _on_codes(self) -> None:
        s = self.session
        if s.xy is None or not s.projection.invertible:
            self.result = None
            self.image.clear()
            empty = WAITING if s.training else EMPTY
            self._set_caption(empty if s.xy is None else NOT_INVERTIBLE.format(label=s.projection.label))

    def _on_grid(self, grid: GridResult) -> None:
        self.result = grid
        tiles = grid.mosaic  # made in the worker, grey lines between the images
        h, w = tiles.shape[:2]
        self.image.setImage(tiles, levels=(0, 255), autoLevels=False)
        self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0.01)
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        x_name, y_name = self.session.projection.axis_labels
        self._set_caption(f"{grid.n}×{grid.n} decoded over {x_name} {x0:.2f} … {x1:.2f}, "
                          f"{y_name} {y0:.2f} … {y1:.2f}")
        self.updated.emit(grid)

    def _set_caption(self, text: str) -> None:
        """The caption under the grid, which is also the grid's description for screen readers."""
        self.caption.setText(text)
        describe_plot(self.canvas, "Decoded grid", f"Images decoded by the model: {text}")
