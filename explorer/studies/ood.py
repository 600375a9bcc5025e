"""Studies > Out-of-distribution probe: a second data set through the open model.

A lane loads a foreign data set (the built-in ones: digits, glyphs, shapes, faces, Fashion-MNIST where it is
found), resizes it to the model's image shape, and ``trainer.ood.probe`` scores both sets: the ELBO of every
image (nats; for a plain autoencoder the reconstruction log-likelihood) and the latent means of the foreign
images. The window shows both ELBO histograms on one plot, their medians, the AUROC of the ELBO as an
in/out detector and one honest sentence on what happened; the foreign codes are marked on the main scatter.
Nalisnick et al. 2019 found that likelihood models can prefer the foreign set: whatever happens here is the
lesson.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from explorer.tools.jobs import Jobs
from explorer.widgets.overlays import RED
from explorer.widgets.plot_legend import BELOW, side_legend

TITLE = "Out-of-distribution probe"
FOREIGN = ("digits", "glyphs", "shapes", "faces", "fashion-mnist")
MAX_IMAGES = 2000  # per set (a seeded choice): the probe stays a few seconds
BINS = 40
OWN_COLOUR, FOREIGN_COLOUR = (51, 34, 136), (204, 51, 17)  # Paul Tol's indigo and red
TEXT = (
    "A model learns one kind of image. Here a <b>second, foreign data set</b> goes through it. On the "
    "main scatter, red × marks show where the foreign images' codes land. The plot compares the "
    "<b>ELBO</b> of both sets: a score of how likely the model finds each image (higher = more likely). "
    "You might expect foreign images to score lower. Often they do not: a simple image with many black "
    "pixels can be easier to explain than the model's own data (Nalisnick et al. 2019). A high score does "
    "not mean \"looks like what I learned\"."
)


def probe_steps(model, own: np.ndarray, spec: str):
    """(In a lane) load ``spec``, take up to MAX_IMAGES of it, and probe."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.data import load_dataset
    from trainer.ood import probe

    torch.set_num_threads(THREADS)
    foreign = load_dataset(spec, download=False).images
    foreign = foreign[np.sort(np.random.default_rng(0).permutation(len(foreign))[:MAX_IMAGES])]
    with torch_errors("Probing with a foreign data set"):
        return spec, probe(model, own, foreign, samples=1, seed=0)


def choices(current: str) -> list[str]:
    """The foreign data sets offered: the built-in ones found here, except the one shown."""
    from trainer.data.bundled import available_offline

    return [spec for spec in FOREIGN if spec != current and available_offline(spec)]


class OodStudy(QWidget):
    def __init__(self, window):
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"{TITLE} — Latent Explorer")
        self.window_, self.session = window, window.session
        self.jobs = Jobs(self.session, "ood", self)
        self.overlay = window.scatter.overlay("ood")
        self.result = None
        self._build()
        self.session.ready.connect(self._on_ready)
        self.jobs.busyChanged.connect(self._on_busy)
        self._on_ready()
        self.resize(820, 680)

    def _build(self) -> None:
        from explorer.help import ExplainBox

        self.explain = ExplainBox(TEXT)
        self.data_box = QComboBox()
        self.run_button = QPushButton("Probe")
        self.run_button.setToolTip("Encode the foreign images and score both sets")
        self.run_button.clicked.connect(self.run)
        row = QHBoxLayout()
        row.addWidget(QLabel("Foreign data set:"))
        row.addWidget(self.data_box)
        row.addWidget(self.run_button)
        row.addStretch(1)
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.lesson = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.lesson.setStyleSheet("font-size: 12pt;")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "ELBO, nats per image (higher = more likely under the model)")
        self.plot.setLabel("left", "share of the set's images")
        self.legend = side_legend(self.plot.getPlotItem(), BELOW, colCount=2)  # never over the histograms
        self.curves = {}
        for key, colour in (("own", OWN_COLOUR), ("foreign", FOREIGN_COLOUR)):
            self.curves[key] = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pg.mkPen(colour, width=2),
                                               brush=(*colour, 60))
            self.plot.addItem(self.curves[key])
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.lesson)

    def _on_ready(self) -> None:
        s = self.session
        self.data_box.clear()
        if s.dataset is not None:
            self.data_box.addItems(choices(s.dataset.spec))
        self._clear()
        self.summary.setText(f"<b>{s.model_name()}</b> on {s.dataset.spec}: choose a foreign data set and "
                             "press Probe." if s.model is not None and s.is_ready
                             else "Open a model first: its own data set is compared with a foreign one.")
        self.run_button.setEnabled(s.model is not None and s.is_ready and self.data_box.count() > 0)

    def set_foreign(self, spec: str) -> None:
        index = self.data_box.findText(spec)
        if index >= 0:
            self.data_box.setCurrentIndex(index)

    def run(self) -> None:
        s = self.session
        spec = self.data_box.currentText()
        if s.model is None or not s.is_ready or not spec:
            return
        ds = s.dataset
        own = ds.images[ds.n_train:] if ds.n_test else ds.images
        own = own[np.sort(np.random.default_rng(1).permutation(len(own))[:MAX_IMAGES])].copy()
        self._clear()
        self.summary.setText(f"Encoding {spec} through {s.model_name()}…")
        self.jobs.submit(probe_steps, s.model, own, spec, then=self._on_result)

    def _clear(self) -> None:
        self.result = None
        self.overlay.remove("foreign")
        for curve in self.curves.values():
            curve.setData([], [])
        self.legend.clear()
        self.lesson.setText("")

    def _on_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy and self.session.model is not None and self.data_box.count() > 0)

    def _on_result(self, found) -> None:
        spec, probe = found
        self.result = probe
        s = self.session
        values = np.concatenate([probe.elbo_in, probe.elbo_out])
        edges = np.histogram_bin_edges(values[np.isfinite(values)], BINS)
        for key, elbo, name in (("own", probe.elbo_in, f"{s.dataset.spec} (its own data)"),
                                ("foreign", probe.elbo_out, f"{spec} (foreign)")):
            counts, _ = np.histogram(elbo, edges)
            self.curves[key].setData(edges, counts / max(len(elbo), 1))
            self.legend.addItem(self.curves[key], name)
        self.plot.autoRange()
        what = "ELBO" if probe.vae else "reconstruction log-likelihood (a plain autoencoder has no ELBO)"
        self.summary.setText(
            f"<b>{s.model_name()}</b>: {len(probe.elbo_in):,} of its own images against "
            f"{len(probe.elbo_out):,} "
            f"{spec} images resized to {'×'.join(map(str, s.model.config.image_shape[1:]))} · median {what}: "
            f"own <b>{np.median(probe.elbo_in):.1f}</b>, "
            f"foreign <b>{np.median(probe.elbo_out):.1f}</b> nats · "
            f"AUROC {probe.auroc:.2f} (1 = always tells them apart, 0.5 = chance) · "
            f"{probe.share_higher:.0%} of the foreign images score above the own median")
        self.lesson.setText(probe.lesson())
        self.overlay.points("foreign", probe.codes_out[:500], color=RED, symbol="x", size=7)

    def closeEvent(self, event) -> None:
        self.jobs.cancel()
        self._clear()
        super().closeEvent(event)


def open_study(window) -> OodStudy:
    return OodStudy(window)
