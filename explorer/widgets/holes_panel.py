"""The Holes panel: the holes map behind the scatter, the "off the map" meter, and samples from the prior
N(0, I) beside samples from a mixture fitted to the codes.

A passive view of ``explorer.tools.holes.HolesTool`` (``.tool``). The map is one ImageItem of its own behind
the points (below the decoded manifold): grey where the encoded data are dense, orange where the prior
expects codes but the data leave a hole; dashed rings are the prior's 1, 2 and 3σ contours in the view; both
only while the Holes tab is in front, like every tool's marks. The meter is a box at the top of this panel,
never over the scatter (at its corner it hid points, an interpolation's end and labelled glyphs, whichever
tool was in front): it follows clicks, moves, the interpolation's frames (the Interpolate tab is on the other
side, so both show at once) and the samples.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.holes import HolesTool
from explorer.widgets.strip import ImageStrip

DATA_RGB = (68, 90, 120)  # the aggregate posterior's shading
HOLE_RGBA = (238, 119, 51, 120)  # Paul Tol's orange, translucent
MAP_Z = -20  # behind the decoded manifold (-10) and the points
METER_WAITING = "Off-the-map meter: click a point or empty space on the scatter"  # before a reading


def map_rgba(holes_map) -> np.ndarray:
    """RGBA uint8 n×n×4 of a HolesMap (row 0 = top): the data density as a grey-blue of growing opacity
    (log scale, the densest cell opaque at 55%), the holes in translucent orange."""
    data = holes_map.data
    top = float(data.max()) if data.size else 0.0
    shade = np.zeros(data.shape)
    if top > 0:
        shade = np.clip(np.log1p(data / top * 100.0) / np.log1p(100.0), 0.0, 1.0)
    rgba = np.zeros((*data.shape, 4), np.uint8)
    rgba[..., :3] = DATA_RGB
    rgba[..., 3] = np.round(shade * 140).astype(np.uint8)
    rgba[holes_map.holes] = HOLE_RGBA
    return rgba


def meter_text(reading) -> str:
    if reading is None:
        return ""
    verdict = ("<b style='color:#CC3311'>OFF THE MAP</b>: almost no data there"
               if reading.off_map else "on the map")
    return (f"{reading.what}: log q(z) = {reading.log_density:.1f} nats · denser than "
            f"{reading.percentile:.0f}% of the data's codes · {verdict}")


class Meter(QFrame):
    """The "off the map" meter: a box in the Holes panel, its text wrapped to the panel's width (its own
    light background and dark text in every theme, so that the red verdict reads on a dark one too)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("meter")
        self.setStyleSheet("#meter { background: #ffffff; border: 1px solid #999; border-radius: 3px; }")
        self.label = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.label.setStyleSheet("color: #222;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label)
        self.hide()

    def show_text(self, text: str) -> None:
        """Show ``text`` (hide for "")."""
        self.label.setText(text)
        self.setVisible(bool(text))


class HolesPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.in_front = False  # the Holes tab (``set_visible``)
        self.tool = HolesTool(session, self)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(MAP_Z)
        self.image.hide()
        pen = pg.mkPen((90, 90, 90), width=1.2, style=Qt.PenStyle.DashLine)
        self.rings = [pg.PlotCurveItem(pen=pen) for _ in range(3)]
        for item in (self.image, *self.rings):
            scatter.plot.addItem(item, ignoreBounds=True)
            item.hide()
        self._build()
        self._connect()
        self._on_mixture()

    def _build(self) -> None:
        self.map_box = QCheckBox("Holes map behind the scatter")
        self.map_box.setToolTip("Grey: where the encoded data are dense. Orange: inside the prior's 2σ "
                                "ring but nearly empty: a hole. Dashed rings: the prior N(0, I) at 1, 2, 3σ")
        self.share = QLabel(wordWrap=True)
        self.share.hide()
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.meter = Meter()
        self.prior_strip = ImageStrip("Samples from N(0, I)", min_height=150)
        self.mixture_strip = ImageStrip("Samples from the mixture", min_height=150)
        self.prior_title, self.mixture_title = (QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
                                                for _ in range(2))
        self.reroll_button = QPushButton("Re-roll both")
        self.reroll_button.setToolTip("New samples on both sides (the same seed for both)")
        sides = QGridLayout()
        sides.addWidget(self.prior_title, 0, 0)
        sides.addWidget(self.mixture_title, 0, 1)
        sides.addWidget(self.prior_strip, 1, 0)
        sides.addWidget(self.mixture_strip, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.meter)
        layout.addWidget(self.map_box)
        layout.addWidget(self.share)
        layout.addWidget(self.summary)
        layout.addLayout(sides)
        layout.addWidget(self.reroll_button)
        layout.addStretch(0)

    def _connect(self) -> None:
        t = self.tool
        t.mixtureChanged.connect(self._on_mixture)
        t.mapChanged.connect(self._on_map)
        t.readingChanged.connect(self._on_reading)
        t.samplesChanged.connect(self._on_samples)
        self.map_box.toggled.connect(t.set_show_map)
        self.reroll_button.clicked.connect(t.reroll)

    def set_visible(self, visible: bool) -> None:
        """The dock's visibility (tool_docks): showing it fits the mixture on first use; the map and the
        prior's rings are on the scatter only while it is in front."""
        self.in_front = bool(visible)
        self.tool.set_active(visible)
        self._on_map()

    def watch(self, interpolator=None, sampler=None) -> None:
        """Also measure the Interpolate tool's frames and the Sample tool's samples."""
        if interpolator is not None:
            def frame(k):
                strip = interpolator.strip
                if strip is not None and 0 <= k < len(strip.codes):
                    self.tool.measure(strip.codes[k], f"interpolation frame {k + 1} of {len(strip.codes)}")
            interpolator.frameChanged.connect(frame)
        if sampler is not None:
            def samples():
                if sampler.samples is not None:
                    self.tool.measure(sampler.samples.codes, "the Sample tab's samples (median)")
            sampler.samplesChanged.connect(samples)

    # ---- tool -> view ------------------------------------------------------------------------------------

    def _on_mixture(self) -> None:
        m, s = self.tool.mixture, self.session
        self.reroll_button.setEnabled(m is not None)
        if m is None:
            self.summary.setText("Open a model: a mixture of Gaussians is fitted to its codes when this tab "
                                 "is shown." if s.model is None else "Fitting a mixture to the codes…")
        else:
            self.summary.setText(
                f"A mixture of {len(m.weights)} Gaussians fitted to the {s.n_encoded:,} codes (sklearn "
                "GaussianMixture) stands for where the data really are: the aggregate posterior. The meter "
                "says how dense it is at a latent point: denser than X% of the data's own codes "
                "(about 50% is typical, under 2% is off the map). Below: samples from the prior and from "
                "the mixture, with the median X of their codes.")
        self._on_reading()

    def _on_map(self) -> None:
        holes_map = self.tool.map
        shown = holes_map is not None and self.tool.show_map and self.in_front
        self.image.setVisible(shown)
        self.share.setVisible(shown)
        for ring in self.rings:
            ring.setVisible(shown and self.tool.prior_in_view is not None)
        if not shown:
            return
        (x0, x1), (y0, y1) = holes_map.x_range, holes_map.y_range
        self.image.setImage(map_rgba(holes_map)[::-1], autoLevels=False)  # ImageItem's row 0 is at y0
        self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        from trainer.posterior import ellipse

        centre, cov = self.tool.prior_in_view
        for k, ring in enumerate(self.rings, start=1):
            xy = ellipse(centre, cov, k)
            ring.setData(xy[:, 0], xy[:, 1])
        share = holes_map.hole_share
        self.share.setText(f"Orange: {share:.0%} of the prior's 2σ region in view is a hole.")

    def _on_reading(self, *_args) -> None:
        self.meter.show_text(meter_text(self.tool.reading) or METER_WAITING)

    def _on_samples(self) -> None:
        pair = self.tool.samples
        if pair is None:
            for strip in (self.prior_strip, self.mixture_strip):
                strip.show_images(None)
            self.prior_title.setText("")
            self.mixture_title.setText("")
            return
        self.prior_strip.show_images(pair.prior_images, cols=4)
        self.mixture_strip.show_images(pair.mixture_images, cols=4)
        self.prior_title.setText(f"<b>From N(0, I)</b><br>median {pair.prior_percentile:.0f}%")
        self.mixture_title.setText(f"<b>From the mixture</b><br>median {pair.mixture_percentile:.0f}%")
