"""Studies > Reconstruction quality and anomalies: how well the main window's model reconstructs each image.

A lane of the main session measures the PSNR of every reconstruction (``trainer.quality``, decoding the codes
the session already has): the test split first, then its worst images, then the training split. The window
shows the PSNR histogram over the test split (mean and median marked), a gallery of the worst-reconstructed
test images (image | reconstruction, class and PSNR; a click selects the image in the main scatter), and a
box that colours the main scatter by PSNR instead of by class (once every image is measured).

An image the model reconstructs badly is unlike what it learned: the worst ones are the data set's anomalies
as the model sees them (odd shapes, rare styles, sometimes mislabelled images). A data set without a test
split is measured whole. The work is redone for each new model or data set while the window is open;
closing it stops the work and brings back the class colours.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer import workers
from explorer.tools.jobs import Jobs
from explorer.widgets.images import to_qimage
from trainer.export import tile

TITLE = "Reconstruction quality and anomalies"
WORST_K = 24
GALLERY_COLS = 6
PAIR_HEIGHT = 64  # pixels of one image | reconstruction pair in the gallery
CHUNK = 2048
BINS = 40
COLOUR_LABEL = "PSNR (dB)"


def _in_pixels(mean_db: float, rms_error) -> str:
    """The summary's tail for a mean PSNR: " · a typical pixel is off by 5.6% of the range (14 of 255 grey
    levels)" at 25 dB (trainer.quality.rms_error)."""
    if not np.isfinite(mean_db):
        return ""
    fraction, grey = rms_error(mean_db)
    return f" · a typical pixel is off by {fraction:.1%} of the range ({grey:.2g} of 255 grey levels)"


@dataclass(frozen=True)
class Chunk:
    start: int
    psnr: np.ndarray  # float64 PSNR (dB) of rows start..start+len


@dataclass(frozen=True)
class Gallery:
    rows: np.ndarray  # data rows of the worst reconstructions of the measured split, worst first
    psnr: np.ndarray
    images: np.ndarray  # uint8 k×C×H×W, the data images
    recons: np.ndarray  # float32 k×C×H×W in [0, 1], their reconstructions


def quality_steps(model, images: np.ndarray, codes: np.ndarray, first: int, k: int) -> Iterator:
    """(In a lane) Chunks of rows first..N, then the Gallery of their k worst, then chunks of rows 0..first
    (the split shown comes first: its histogram and gallery need not wait for the rest)."""
    import torch

    from trainer.latent import decode
    from trainer.quality import reconstruction_errors, worst

    torch.set_num_threads(workers.THREADS)
    n, measured = len(images), []
    for start in [*range(first, n, CHUNK), *range(0, first, CHUNK)]:
        stop = min(start + CHUNK, n if start >= first else first)
        with workers.torch_errors("Measuring the reconstructions"):
            errors = reconstruction_errors(model, images[start:stop], codes=codes[start:stop])
        yield Chunk(start, errors.psnr_db.copy())
        measured.append(errors.psnr_db)
        if stop == n:
            rows = first + worst(np.concatenate(measured), k)
            with workers.torch_errors("Decoding the worst reconstructions"):
                recons = np.array(decode(model, codes[rows]), dtype=np.float32, copy=True)
            yield Gallery(rows, np.concatenate(measured)[rows - first], images[rows].copy(), recons)


class QualityTool(QObject):
    """The measurements: ``psnr`` per data row (NaN until measured), ``first`` (rows first..N are the split
    shown: the test split, or every row when there is none), ``gallery``, ``complete`` (every row measured).
    Runs on ``run()`` and, while ``active``, whenever the session is ready with a new model or data set."""

    progress = Signal(int, int)  # rows measured, rows in all
    testReady = Signal()  # the shown split is measured: histogram, summary and gallery
    allReady = Signal()  # every row is measured (the scatter can be coloured)
    cleared = Signal()  # the measurements are gone (new model or data set)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "quality", self)
        self.psnr: np.ndarray | None = None
        self.first, self.measured, self.complete, self.active = 0, 0, False, False
        self.gallery: Gallery | None = None
        self.stale = True
        session.ready.connect(self._on_ready)
        session.modelChanged.connect(self.clear)
        session.datasetChanged.connect(self.clear)

    def run(self) -> None:
        """Measure the session's model on its data set (if both are loaded and encoded)."""
        s = self.session
        self.clear()
        if not s.is_ready or s.model is None or s.n_encoded != len(s.dataset.images):
            return
        ds, self.stale = s.dataset, False
        self.first = ds.n_train if ds.n_test else 0
        self.psnr = np.full(len(ds.images), np.nan)
        self.jobs.submit(quality_steps, s.model, ds.images, s.codes[:len(ds.images)].copy(), self.first,
                         WORST_K, each=self._on_item, then=self._on_done)
        self.progress.emit(0, len(ds.images))

    def clear(self) -> None:
        self.jobs.cancel()
        self.psnr, self.gallery, self.measured, self.complete, self.stale = None, None, 0, False, True
        self.cleared.emit()

    def set_active(self, active: bool) -> None:
        """Work only while the window is shown: showing it measures what is stale; hiding it stops."""
        self.active = active
        if active and self.stale:
            self.run()
        elif not active and self.jobs.busy:
            self.clear()

    def shown_psnr(self) -> np.ndarray:
        """PSNR of the split shown (measured rows only)."""
        values = self.psnr[self.first:] if self.psnr is not None else np.zeros(0)
        return values[np.isfinite(values)]

    @property
    def split_name(self) -> str:
        ds = self.session.dataset
        return "test split" if ds is not None and ds.n_test else "whole data set"

    def _on_ready(self) -> None:
        self.stale = True
        if self.active:
            self.run()

    def _on_item(self, item) -> None:
        if isinstance(item, Gallery):
            self.gallery = item
            self.testReady.emit()
            return
        self.psnr[item.start:item.start + len(item.psnr)] = item.psnr
        self.measured += len(item.psnr)
        self.progress.emit(self.measured, len(self.psnr))

    def _on_done(self, _result) -> None:
        self.complete = self.psnr is not None and bool(np.isfinite(self.psnr).all())
        if self.complete:
            self.allReady.emit()


class QualityStudy(QWidget):
    """The study's window (a passive view of a QualityTool)."""

    def __init__(self, window):
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"{TITLE} — Latent Explorer")
        self.window_, self.session = window, window.session
        self.tool = QualityTool(self.session, self)
        self._build()
        self.tool.progress.connect(self._on_progress)
        self.tool.testReady.connect(self._on_test)
        self.tool.allReady.connect(self._on_all)
        self.tool.cleared.connect(self._on_cleared)
        self._on_cleared()
        self.resize(960, 900)

    def _build(self) -> None:
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.bar = QProgressBar(textVisible=True)
        self.histogram = pg.PlotWidget(background="w")
        self.histogram.setMenuEnabled(False)
        self.histogram.hideButtons()  # pyqtgraph's "A" (auto-range) button
        self.histogram.setMouseEnabled(x=False, y=False)
        self.histogram.setLabel("bottom", "PSNR of the reconstruction (dB): higher is better")
        self.histogram.setLabel("left", "images")
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush="#88CCEE", pen=pg.mkPen("#44779a"))
        self.histogram.addItem(self.bars)
        self.marks = {name: pg.InfiniteLine(angle=90, pen=pg.mkPen(colour, width=2, style=style),
                                            label=name, labelOpts=dict(position=pos, color=colour))
                      for name, colour, style, pos in (("mean", "#CC6677", Qt.PenStyle.SolidLine, 0.92),
                                                       ("median", "#332288", Qt.PenStyle.DashLine, 0.8))}
        for line in self.marks.values():
            self.histogram.addItem(line)
        self.gallery_title = QLabel()
        self.cells = QWidget()
        self.grid = QGridLayout(self.cells)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.cells)
        self.colour_box = QCheckBox("Colour the scatter by reconstruction error")
        self.colour_box.setToolTip("The main scatter's points coloured by their PSNR (dark: worst) instead "
                                   "of by class; untick to bring back the classes")
        self.colour_box.toggled.connect(self._on_colour)
        layout = QVBoxLayout(self)
        for widget, stretch in ((self.summary, 0), (self.bar, 0), (self.histogram, 2), (self.colour_box, 0),
                                (self.gallery_title, 0), (scroll, 3)):
            layout.addWidget(widget, stretch)

    # ---- tool -> view ------------------------------------------------------------------------------------

    def _on_cleared(self) -> None:
        self.colour_box.setChecked(False)
        self.colour_box.setEnabled(False)
        self.bars.setOpts(x0=[], x1=[], height=[])
        for line in self.marks.values():
            line.hide()
        self._fill_gallery(None)
        self.bar.hide()
        s = self.session
        self.summary.setText(f"<b>{s.model_name()}</b>: waiting for the model and its data set to be encoded"
                             if s.model is None or not s.is_ready else f"<b>{s.model_name()}</b>")
        self.gallery_title.setText("")

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"Measuring the reconstructions… {done:,} of {total:,} images")
        self.bar.setVisible(done < total)

    def _on_test(self) -> None:
        from trainer.metrics import psnr_histogram  # torch: imported by the worker already, not at start-up
        from trainer.quality import class_counts, rms_error, summary

        values, s = self.tool.shown_psnr(), self.session
        heights, edges = psnr_histogram(values, BINS)
        self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=heights)
        mean, median = summary(values)
        for name, value in (("mean", mean), ("median", median)):
            self.marks[name].setValue(value)
            self.marks[name].label.setFormat(f"{name} {value:.1f} dB")
            self.marks[name].show()
        self.histogram.autoRange()
        self.summary.setText(f"<b>{s.model_name()}</b> on {s.dataset.spec}, {self.tool.split_name}: "
                             f"{len(values):,} images · mean PSNR <b>{mean:.2f} dB</b> · "
                             f"median <b>{median:.2f} dB</b>" + _in_pixels(mean, rms_error))
        gallery, names = self.tool.gallery, s.class_names
        counts = class_counts(s.dataset.labels, gallery.rows, len(names))
        self.gallery_title.setText(f"The {len(gallery.rows)} worst reconstructions of the "
                                   f"{self.tool.split_name} (click one to select it in the scatter)"
                                   + by_class(counts, names))
        self._fill_gallery(gallery)

    def _on_all(self) -> None:
        self.colour_box.setEnabled(True)

    def _fill_gallery(self, gallery: Gallery | None) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            item.widget().deleteLater()
        if gallery is None:
            return
        names = self.session.class_names
        for i, row in enumerate(gallery.rows):
            caption = f"#{row} · {names[int(self.session.dataset.labels[row])]}\n{gallery.psnr[i]:.1f} dB"
            cell = pair_button(gallery.images[i], gallery.recons[i], caption)
            cell.clicked.connect(lambda _=False, r=int(row): self.session.select(r))
            self.grid.addWidget(cell, *divmod(i, GALLERY_COLS))

    def cells_shown(self) -> list[QToolButton]:
        return [self.grid.itemAt(i).widget() for i in range(self.grid.count())]

    # ---- view -> main window -----------------------------------------------------------------------------

    def _on_colour(self, on: bool) -> None:
        scatter = self.window_.scatter
        if on and self.tool.complete:
            scatter.color_by(self.tool.psnr, COLOUR_LABEL)
        elif scatter.values is not None:
            scatter.color_by(None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.tool.set_active(True)

    def closeEvent(self, event) -> None:
        self.colour_box.setChecked(False)
        self.tool.set_active(False)
        super().closeEvent(event)


def pair_button(image: np.ndarray, recon: np.ndarray, caption: str) -> QToolButton:
    """A flat button showing image | reconstruction side by side over a caption."""
    pixels = tile(np.stack([image.astype(np.float32) / 255, recon]), cols=2, gap=1, fill=110)
    chw = pixels[None] if pixels.ndim == 2 else np.moveaxis(pixels, -1, 0)
    qimage: QImage = to_qimage(chw)
    scale = max(1, PAIR_HEIGHT // qimage.height())
    pixmap = QPixmap.fromImage(qimage).scaled(qimage.width() * scale, qimage.height() * scale,
                                              Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.FastTransformation)
    button = QToolButton(toolButtonStyle=Qt.ToolButtonStyle.ToolButtonTextUnderIcon, autoRaise=True)
    button.setIcon(QIcon(pixmap))
    button.setIconSize(QSize(pixmap.width(), pixmap.height()))
    button.setText(caption)
    button.setToolTip("The image (left) and its reconstruction (right); click to select it in the scatter")
    return button


def by_class(counts: np.ndarray, names: list[str], most: int = 6) -> str:
    """": 6 Shirt, 5 Bag, …" from images per class, most frequent first; "" when no class has two (the
    glyphs: one image per class says nothing)."""
    if counts.max(initial=0) < 2:
        return ""
    order = [int(k) for k in np.argsort(-counts, kind="stable") if counts[k]]
    more = ", …" if len(order) > most else ""
    return ": " + ", ".join(f"{counts[k]} {names[k]}" for k in order[:most]) + more


def open_study(window) -> QualityStudy:
    return QualityStudy(window)
