"""The Neighbours dock (a tab after the latent tools): for the selected point, its k nearest images in
latent space and in pixel space, with their distances (``trainer.neighbours``); click one to select it.
The neighbours are also marked on the scatter (latent: blue circles, pixels: orange squares) while the dock
is in front, so one sees whether images that look alike also lie together in the latent space.

The search runs in a lane of the session (latest selection wins) and only while the dock is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.jobs import Jobs
from explorer.widgets.images import to_pixmap
from explorer.widgets.numbers import IntBox
from explorer.widgets.overlays import BLUE, ORANGE

THUMB = 56  # pixels per thumbnail
COLUMNS = 4
HINT = "Select a point in the scatter to see its nearest neighbours."


def find_neighbours(codes: np.ndarray, images: np.ndarray, row: int, k: int):
    """Runs in the lane: ``trainer.neighbours.neighbours`` (numpy only)."""
    from trainer.neighbours import neighbours

    return neighbours(codes, images, row, k)


class NeighboursPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.jobs = Jobs(session, "neighbours", self)
        self.overlay = scatter.overlay("neighbours")
        self.result = None
        self.active = True
        self._moved = False  # the codes moved since ``result`` was found (a model in training)
        self._build()
        for signal in (session.selectionChanged, session.ready, session.datasetChanged):
            signal.connect(self.refresh)
        session.modelUpdated.connect(self._on_new_codes)  # the model in training: the codes moved
        self.k_box.valueChanged.connect(self.refresh)

    def _build(self) -> None:
        self.title = QLabel(HINT, wordWrap=True)
        self.k_box = IntBox(1, 32, 8)
        self.k_box.setToolTip("How many neighbours to show in each space")
        row = QHBoxLayout()
        row.addWidget(QLabel("Neighbours:"))
        row.addWidget(self.k_box)
        row.addStretch(1)
        self.latent_title = QLabel()
        self.pixel_title = QLabel()
        self.latent_grid, self.pixel_grid = QGridLayout(), QGridLayout()
        self.summary = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        for title, grid in ((self.latent_title, self.latent_grid), (self.pixel_title, self.pixel_grid)):
            layout.addWidget(title)
            layout.addLayout(grid)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.buttons: dict[str, list[QToolButton]] = {"latent": [], "pixel": []}

    # ---- computing -----------------------------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Search and show marks only while the dock is in front."""
        self.active = active
        self.overlay.set_visible(active)
        if active:
            self.refresh()

    def _on_new_codes(self) -> None:
        """The latent neighbours of the selected row are looked for again in the newer codes (the ones
        shown stay until then)."""
        self._moved = True
        self.refresh()

    def refresh(self, *_args) -> None:
        s = self.session
        row = s.selected
        if row < 0 or s.codes is None or row >= s.n_encoded or not s.is_ready:
            self.jobs.cancel()
            self._show(None)
            return
        if not self.active or (self.result is not None and self.result.row == row and not self._moved
                               and len(self.result.latent_rows) == min(self.k_box.value(), s.n_encoded - 1)):
            return
        self.title.setText(f"Looking for the neighbours of #{row}…")
        self._moved = False
        self.jobs.submit(find_neighbours, s.codes[:s.n_encoded].copy(), s.dataset.images[:s.n_encoded], row,
                         self.k_box.value(), then=self._show)

    # ---- showing -------------------------------------------------------------------------------------------

    def _show(self, result) -> None:
        self.result = result
        for grid, key in ((self.latent_grid, "latent"), (self.pixel_grid, "pixel")):
            for button in self.buttons[key]:
                grid.removeWidget(button)
                button.deleteLater()
            self.buttons[key] = []
        self.overlay.clear()
        if result is None:
            self.title.setText(HINT)
            for label in (self.latent_title, self.pixel_title, self.summary):
                label.setText("")
            return
        s = self.session
        self.title.setText(f"<b>#{result.row}</b> · {self._name(result.row)}")
        self.latent_title.setText("<b>In latent space</b> (distance between latent codes)")
        self.pixel_title.setText("<b>In pixel space</b> (distance between the images, pixels 0…1)")
        shared = set(result.shared.tolist())
        self._fill("latent", result.latent_rows, result.latent_dist, shared)
        self._fill("pixel", result.pixel_rows, result.pixel_dist, shared)
        self.summary.setText(f"{len(shared)} of {len(result.latent_rows)} are neighbours in both spaces "
                             "(underlined).")
        self.overlay.points("latent", s.codes[result.latent_rows], color=BLUE, symbol="o", size=11)
        self.overlay.points("pixel", s.codes[result.pixel_rows], color=ORANGE, symbol="s", size=11)

    def _fill(self, key: str, rows: np.ndarray, dist: np.ndarray, shared: set[int]) -> None:
        grid = self.latent_grid if key == "latent" else self.pixel_grid
        for k, (row, d) in enumerate(zip(rows.tolist(), dist.tolist(), strict=True)):
            button = self._button(row, d, row in shared)
            grid.addWidget(button, k // COLUMNS, k % COLUMNS)
            self.buttons[key].append(button)

    def _button(self, row: int, distance: float, shared: bool) -> QToolButton:
        image = self.session.dataset.images[row]
        button = QToolButton(toolButtonStyle=Qt.ToolButtonStyle.ToolButtonTextUnderIcon, autoRaise=True)
        button.setIcon(QIcon(to_pixmap(image, THUMB)))
        button.setIconSize(QSize(THUMB, THUMB))
        button.setText(f"#{row}\n{distance:.3g}")
        font = button.font()
        font.setUnderline(shared)
        button.setFont(font)
        button.setToolTip(f"#{row} · {self._name(row)} · distance {distance:.4g}\nClick to select it")
        button.setAccessibleName(f"Neighbour {row}, {self._name(row)}, distance {distance:.3g}")
        button.clicked.connect(lambda _checked=False, r=row: self.session.select(r))
        return button

    def _name(self, row: int) -> str:
        s = self.session
        return s.class_names[int(s.dataset.labels[row])] if s.class_names else ""

    def shown_rows(self, key: str) -> list[int]:
        """The rows of the buttons shown for "latent" or "pixel" (for tests)."""
        return [int(b.text().split("\n")[0][1:]) for b in self.buttons[key]]


def install(window) -> QDockWidget:
    """The Neighbours dock, a tab beside the Inspector (right: the left side's tabs fill its width), in the
    View menu and ``window.docks``."""
    panel = NeighboursPanel(window.session, window.scatter)
    dock = QDockWidget("Neighbours", window)
    dock.setObjectName("neighbours")
    scroll = QScrollArea(widgetResizable=True)
    scroll.setWidget(panel)
    dock.setWidget(scroll)
    dock.panel = panel
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.inspector_dock, dock)
    window.inspector_dock.raise_()
    dock.visibilityChanged.connect(panel.set_active)
    panel.set_active(False)
    window.docks["neighbours"] = dock
    window.view_menu.addAction(dock.toggleViewAction())
    return dock
