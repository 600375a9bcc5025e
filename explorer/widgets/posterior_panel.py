"""The Posterior panel: the selected image's q(z|x) as 1-sigma and 2-sigma ellipses on the scatter, a few
posterior samples as dots, and the reparameterisation z = mu + sigma·eps written out with its numbers.

A passive view of ``explorer.tools.posterior.PosteriorTool`` (``.tool``); the marks live in the scatter's
"posterior" overlay and show while this tab is in front.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from explorer.tools.posterior import MAX_SAMPLES, PosteriorTool
from explorer.widgets.numbers import IntBox
from explorer.widgets.overlays import BLUE, INK, RED

MAX_ROWS_WRITTEN = 8  # dimensions written out in the equation table


def equation(clouds, dims: tuple[int, ...], name: str) -> str:
    """The reparameterisation for the selected image, as HTML: one line per latent dimension (those of the
    view first, at most MAX_ROWS_WRITTEN), with the first sample's eps."""
    mu, sigma = clouds.mu[0], clouds.sigma[0]
    order = [*dims, *(d for d in range(len(mu)) if d not in dims)][:MAX_ROWS_WRITTEN]
    eps = clouds.eps[0] if len(clouds.eps) else np.zeros(len(mu))
    lines = [f"z{d} = {mu[d]:+.3f} + {sigma[d]:.3f} · ({eps[d]:+.2f}) = {mu[d] + sigma[d] * eps[d]:+.3f}"
             for d in order]
    more = f"<br>… and {len(mu) - len(order)} more dimensions" if len(mu) > len(order) else ""
    return (f"<b>{name}</b>: the encoder gives a mean μ and a spread σ for every dimension; a code is "
            f"drawn as <b>z = μ + σ·ε</b>, with ε ~ N(0, 1) (the reparameterisation trick: the randomness "
            f"is outside the network). For the first sample:<br><tt>{'<br>'.join(lines)}</tt>{more}")


class PosteriorPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = PosteriorTool(session, self)
        self.overlay = scatter.overlay("posterior")
        self._build()
        self.tool.cloudsChanged.connect(self._on_clouds)
        self._on_clouds()

    def _build(self) -> None:
        self.text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.samples_box = IntBox(0, MAX_SAMPLES, self.tool.n_samples)
        self.samples_box.valueChanged.connect(self.tool.set_samples)
        self.reroll_button = QPushButton("New samples")
        self.reroll_button.setToolTip("Draw other ε: new posterior samples of the same image")
        self.reroll_button.clicked.connect(self.tool.reroll)
        self.zoom_button = QPushButton("Zoom to the cloud")
        self.zoom_button.setToolTip("Show the selected image's 2σ ellipse large (the wheel zooms back out)")
        self.zoom_button.clicked.connect(self.zoom)
        self.crowd_box = QCheckBox("Also the 1σ clouds of 40 other images")
        self.crowd_box.setToolTip("How big the clouds are compared with the gaps between the points")
        self.crowd_box.toggled.connect(self.tool.set_crowd)
        self.legend = QLabel(wordWrap=True)
        self.legend.setStyleSheet("color: #555;")
        self.legend.setText("On the scatter: the solid ellipse holds 39% of q(z|x) seen in this view (1σ), "
                            "the dashed one 86% (2σ); the dots are samples z. Each is a code the decoder "
                            "was trained to turn into this image.")
        row = QHBoxLayout()
        row.addWidget(QLabel("Samples:"))
        row.addWidget(self.samples_box)
        row.addWidget(self.reroll_button)
        row.addStretch(1)
        buttons = QHBoxLayout()  # a row of its own: in one row they were wider than the panel at 1280×720
        buttons.addWidget(self.zoom_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.crowd_box)
        layout.addWidget(self.text)
        layout.addWidget(self.legend)
        layout.addStretch(1)

    def set_visible(self, visible: bool) -> None:
        """The dock's visibility (tool_docks connects it to the overlay): the tool works only then."""
        self.tool.set_active(visible)

    def zoom(self) -> None:
        """Fit the scatter's view to the selected image's 2-sigma ellipse (three times its size)."""
        if "sigma2" not in self.overlay.marks:
            return
        xy = self.overlay.view_xy("sigma2").astype(np.float64)  # float32 overflows pyqtgraph's limit checks
        centre, half = (xy.max(0) + xy.min(0)) / 2, np.maximum((xy.max(0) - xy.min(0)) * 1.5, 1e-6)
        (x0, y0), (x1, y1) = (centre - half).tolist(), (centre + half).tolist()
        self.scatter.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    # ---- tool -> view ------------------------------------------------------------------------------------

    def _on_clouds(self) -> None:
        clouds, s = self.tool.clouds, self.session
        self.overlay.clear()
        vae = s.model is not None and s.model.config.family == "vae"
        for widget in (self.samples_box, self.reroll_button, self.crowd_box, self.legend, self.zoom_button):
            widget.setEnabled(vae)
        if clouds is None:
            self.text.setText(self.tool.reason or "Computing the posterior…")
            return
        for k, ellipses in clouds.ellipses.items():
            for m, codes in enumerate(ellipses):
                if m == 0:
                    self.overlay.path(f"sigma{k}", codes, color=RED, width=2.5, dashed=k == 2, dots=False)
                elif k == 1:
                    self.overlay.path(f"crowd{m}", codes, color=BLUE, width=1.2, dots=False)
        if len(clouds.samples):
            self.overlay.points("samples", clouds.samples, color=INK, symbol="o", size=6)
        row = int(clouds.rows[0])
        name = f"#{row} · {s.class_names[int(s.dataset.labels[row])]}"
        p = s.projection
        dims = (p.i, p.j) if p.kind == "axes" else ()
        self.text.setText(equation(clouds, dims, name))
