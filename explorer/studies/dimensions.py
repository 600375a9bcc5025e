"""Studies > Latent dimensions: KL per dimension, the active units, and a latent traversal.

The bars are the mean KL(q(z_d|x) || N(0, 1)) of each latent dimension over (up to SUBSET) images of the data
set: what each dimension costs the VAE, nats per image. A dimension is an *active unit* when its mean code
varies across the data by more than 0.01 (Burda et al. 2015); the others collapsed to the prior and carry
nothing. Clicking a bar makes that dimension a scatter axis. Below, the latent traversal (the beta-VAE
papers' figure): one row per dimension, decoded from the current point (the selected image, the decoded
point, or the codes' mean) with that one dimension swept over ±3 standard deviations (the prior's for a VAE,
the codes' spread for an autoencoder). An active unit changes the image along its row; a collapsed one does
not. All computation is ``trainer.posterior``; the work runs in a lane of the main session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from explorer import themes
from explorer.tools.jobs import Jobs
from trainer.export import tile

TITLE = "Latent dimensions (KL, active units, traversal)"
SUBSET = 5000
STEPS = 9
SPAN = 3.0
MAX_ROWS = 64  # traversal rows shown (the dimensions with the most KL, or spread, first)
ROW_PX = 56  # height of a traversal row on screen
ACTIVE, COLLAPSED = "#332288", "#BBBBBB"
TEXT = (
    "Each bar is one number of the code. Its height is what that number costs the VAE (the <b>KL</b> "
    "term, in nats per image): a dimension the model uses carries information and costs; one it does not "
    "use is squeezed back to the prior and costs nothing. Dark bars are <b>active units</b> (their mean "
    "varies across the images by more than 0.01). <b>Click a bar</b> to make that dimension an axis of the "
    "scatter. Below, each row changes ONE number of the current code from -3 to +3 standard deviations and "
    "decodes: a row that changes the image is a dimension the model uses."
)


@dataclass(frozen=True)
class Found:
    dims: object  # trainer.posterior.Dimensions
    order: np.ndarray  # the dimensions of the traversal rows, most informative first
    images: np.ndarray  # float32 (rows·STEPS)×C×H×W
    vae: bool
    label: str


def dimensions_steps(model, images: np.ndarray | None, z: np.ndarray, label: str, dims=None):
    """(In a lane) the Dimensions of ``images`` (unless ``dims`` are known already) and the traversal of
    ``z``."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.latent import decode
    from trainer.posterior import dimensions, encode_posterior, traversal_codes

    torch.set_num_threads(THREADS)
    vae = model.config.family == "vae"
    if dims is None:
        with torch_errors("Encoding for the latent dimensions"):
            mu, logvar = encode_posterior(model, images)
        dims = dimensions(mu, logvar)
    order = np.argsort(-(dims.kl if vae else dims.spread), kind="stable")[:MAX_ROWS]
    scale = np.ones(len(z)) if vae else np.where(dims.spread > 0, dims.spread, 1.0)
    codes = traversal_codes(z, scale, STEPS, SPAN)[order]
    with torch_errors("Decoding the traversal"):
        decoded = decode(model, codes.reshape(-1, len(z)))
    return Found(dims, order, np.array(decoded, copy=True), vae, label)


class DimensionsStudy(QWidget):
    def __init__(self, window):
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"{TITLE} — Latent Explorer")
        self.window_, self.session = window, window.session
        self.jobs = Jobs(self.session, "dimensions", self)
        self.found: Found | None = None
        self._dims = None  # of the current model and data set (the traversal alone follows the selection)
        self._build()
        for signal in (self.session.modelChanged, self.session.datasetChanged):
            signal.connect(self._forget)
        for signal in (self.session.ready, self.session.selectionChanged, self.session.decodedChanged):
            signal.connect(self.refresh)
        self.resize(900, 900)

    def _build(self) -> None:
        from explorer.help import ExplainBox

        self.explain = ExplainBox(TEXT)
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.bars_plot = pg.PlotWidget(background="w")
        self.bars_plot.setMenuEnabled(False)
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_plot.setLabel("bottom", "latent dimension (click a bar: make it a scatter axis)")
        self.bars_plot.setLabel("left", "KL, nats per image")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brushes=[])
        self.bars_plot.addItem(self.bars)
        self.bars_plot.scene().sigMouseClicked.connect(self._on_bar_click)
        self.traversal_image = QLabel(alignment=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.traversal_image.setAccessibleName("Latent traversal")
        self.traversal = QScrollArea(widgetResizable=True)
        self.traversal.setWidget(self.traversal_image)
        self.traversal_title = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        for widget, stretch in ((self.explain, 0), (self.summary, 0), (self.bars_plot, 2),
                                (self.traversal_title, 0), (self.traversal, 5)):
            layout.addWidget(widget, stretch)

    def refresh(self, *_args) -> None:
        s = self.session
        if not self.isVisible() or s.model is None or not s.is_ready:
            if s.model is None:
                self.summary.setText("Open or train a model first.")
            return
        rows = np.random.default_rng(0).permutation(s.n_encoded)[:SUBSET]
        current = s.current_code()
        z, label = current if current is not None else (s.codes[:s.n_encoded].mean(0), "the codes' mean")
        images = None if self._dims is not None else s.dataset.images[np.sort(rows)].copy()
        z = np.asarray(z, np.float32).copy()
        self.jobs.submit(dimensions_steps, s.model, images, z, label, self._dims, then=self._on_found)
        if self._dims is None:
            self.summary.setText("Measuring every latent dimension…")

    def _forget(self) -> None:
        self._dims = None

    def _on_found(self, found: Found) -> None:
        self.found, self._dims = found, found.dims
        dims, d = found.dims, len(found.dims.kl)
        heights = dims.kl if found.vae else dims.activity
        brushes = [pg.mkBrush(ACTIVE if a else COLLAPSED) for a in dims.active]
        self.bars.setOpts(x=np.arange(d), height=heights, width=0.8, brushes=brushes)
        themes.fit_marks(self.bars_plot.getPlotItem())  # the colours made for white, readable on the plot
        self.bars_plot.setLabel("left", "KL, nats per image" if found.vae else "variance of the code")
        self.bars_plot.getAxis("bottom").setTicks([[(k, f"z{k}") for k in range(d)]] if d <= 40 else None)
        self.bars_plot.autoRange()
        what = (f"total KL {dims.kl.sum():.2f} nats per image" if found.vae
                else "a plain autoencoder has no KL: the bars show how much each code varies instead")
        self.summary.setText(f"<b>{self.session.model_name()}</b>: {d} latent dimensions, "
                             f"<b>{dims.n_active} active</b> (variance of the mean above "
                             f"{dims.threshold:g}); "
                             f"{what}.")
        rows = len(found.order)
        names = [f"z{k}" + ("" if dims.active[k] else " (off)") for k in found.order]
        self.traversal_image.setPixmap(traversal_pixmap(found.images, names))
        more = f" (the {rows} that {'cost' if found.vae else 'vary'} most)" if rows < d else ""
        self.traversal_title.setText(f"Latent traversal from {found.label}: one row per dimension{more}, "
                                     f"each swept from -{SPAN:g} to +{SPAN:g} standard deviations "
                                     "(left to right, the other dimensions kept); the middle column sets it "
                                     "to 0, the prior's mean")

    def _on_bar_click(self, event) -> None:
        if self.found is None:
            return
        x = self.bars_plot.plotItem.vb.mapSceneToView(event.scenePos()).x()
        self.make_axis(int(round(x)))

    def make_axis(self, dim: int) -> None:
        """Show dimension ``dim`` on the scatter, against the other dimension with the most KL (or spread)."""
        from explorer.state import Projection

        if self.found is None or not 0 <= dim < len(self.found.dims.kl):
            return
        d = len(self.found.dims.kl)
        if d < 2:
            return
        other = next(int(k) for k in self.found.order.tolist() + list(range(d)) if k != dim)
        i, j = sorted((dim, other))
        self.session.set_projection(Projection("axes", i, j))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def closeEvent(self, event) -> None:
        self.jobs.cancel()
        super().closeEvent(event)


def traversal_pixmap(images: np.ndarray, names: list[str], height: int = ROW_PX):
    """The traversal as one picture: a row of STEPS images per name, each about ``height`` pixels high
    (nearest-neighbour scaling), with the dimension's name in a margin on the left."""
    from PySide6.QtGui import QColor, QPainter, QPixmap

    from explorer.widgets.images import to_qimage

    mosaic = tile(images, cols=STEPS, gap=1, fill=200)
    chw = mosaic[None] if mosaic.ndim == 2 else np.moveaxis(mosaic, -1, 0)
    scale = max(1, round(height / images.shape[-2]))
    picture = QPixmap.fromImage(to_qimage(chw)).scaled(mosaic.shape[1] * scale, mosaic.shape[0] * scale,
                                                       Qt.AspectRatioMode.IgnoreAspectRatio,
                                                       Qt.TransformationMode.FastTransformation)
    margin, row = 84, picture.height() / max(len(names), 1)
    out = QPixmap(picture.width() + margin, picture.height())
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawPixmap(margin, 0, picture)
    painter.setPen(QColor("#222222"))
    for k, name in enumerate(names):
        painter.drawText(4, round(k * row), margin - 8, round(row), Qt.AlignmentFlag.AlignVCenter, name)
    painter.end()
    return out


def open_study(window) -> DimensionsStudy:
    return DimensionsStudy(window)
