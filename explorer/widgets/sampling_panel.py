"""The Sampling panel: a grid of new images decoded from random codes, with rows × cols, a temperature, a seed
and Re-roll; the codes are marked on the scatter with small × markers, and the grid exports as a PNG.

A passive view of ``explorer.tools.sampling.Sampler`` (``.tool``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.sampling import MAX_TEMPERATURE, SIZE_RANGE, Sampler
from explorer.widgets.numbers import IntBox, format_number
from explorer.widgets.overlays import RED
from explorer.widgets.strip import ImageStrip
from trainer.errors import TrainerError

SLIDER_STEPS = 100  # slider units per 1.0 of temperature
SOURCE_NAMES = {"prior": "the prior (standard normal)", "mixture": "a mixture fitted to the codes"}
NO_PRIOR_NAME = "one Gaussian fitted to the codes (no prior)"  # the "prior" choice of a model without one


def source_names(has_prior: bool) -> list[str]:
    """The choices of "From:" that exist for the open model, in ``SOURCES`` order: a VAE's prior, or for a
    plain or sparse autoencoder (it has no prior) one Gaussian fitted to its codes; then a mixture fitted to
    the codes."""
    return [SOURCE_NAMES["prior"] if has_prior else NO_PRIOR_NAME, SOURCE_NAMES["mixture"]]


def note(samples) -> str:
    """One or two sentences saying what the grid is."""
    n, t = len(samples.codes), samples.temperature
    if samples.mixture is not None:
        k = len(samples.mixture.weights)
        return (f"{n} new images, each decoded from a random code drawn where the data's codes really "
                f"are: from a mixture of {k} bell curves (Gaussians) fitted to them, their spread multiplied "
                f"by the temperature T = {t:.2f} (seed {samples.seed}). Fewer of them fall into the holes "
                "that the standard normal prior leaves (see the Holes tab).")
    if samples.from_prior:
        return (f"{n} new images, each decoded from a random code: every number of the code drawn from "
                f"the VAE's prior, the standard normal distribution, and multiplied by the temperature "
                f"T = {t:.2f} (seed {samples.seed}). A lower temperature gives more typical, less varied "
                "images.")
    return (f"This autoencoder has no prior, so these {n} codes come from a Gaussian fitted to the data's "
            f"codes (their mean and covariance, scaled by T = {t:.2f}; seed {samples.seed}). Many land "
            "between the clusters the decoder knows and come out as smudges: a VAE's KL term is what makes "
            "sampling work.")


class SamplingPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = Sampler(session, self)
        self.overlay = scatter.overlay("sampling")
        self._build()
        self._connect()
        self._on_samples()

    def _build(self) -> None:
        self.grid = ImageStrip("The samples appear here once a model is loaded", min_height=240)
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: #555;")
        self.status = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.note)
        layout.addLayout(self._export_row())
        layout.addWidget(self.status)
        layout.addStretch(0)

    def _controls(self) -> QGridLayout:
        t = self.tool
        self.rows_box = IntBox(*SIZE_RANGE, t.rows)
        self.cols_box = IntBox(*SIZE_RANGE, t.cols)
        self.rows_box.setAccessibleName("Grid rows")  # one label, "Grid:", for both boxes
        self.cols_box.setAccessibleName("Grid columns")
        self.temperature_slider = QSlider(Qt.Orientation.Horizontal, minimum=0,
                                          maximum=int(MAX_TEMPERATURE * SLIDER_STEPS))
        self.temperature_slider.setValue(round(t.temperature * SLIDER_STEPS))
        self.temperature_label = QLabel(minimumWidth=36)
        self.seed_box = IntBox(0, 2**31 - 1, t.seed)
        self.reroll_button = QPushButton("Re-roll")
        self.reroll_button.setToolTip("Draw a new grid (the next seed)")
        size = QHBoxLayout()
        for widget in (self.rows_box, QLabel("×"), self.cols_box):
            size.addWidget(widget)
        size.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(QLabel("Grid:"), 0, 0)
        grid.addLayout(size, 0, 1, 1, 2)
        grid.addWidget(QLabel("Temperature:"), 1, 0)
        grid.addWidget(self.temperature_slider, 1, 1)
        grid.addWidget(self.temperature_label, 1, 2)
        self.source_box = QComboBox()
        self.source_box.addItems(source_names(True))
        grid.addWidget(QLabel("From:"), 3, 0)
        grid.addWidget(self.source_box, 3, 1, 1, 2)
        grid.addWidget(QLabel("Seed:"), 2, 0)
        seed = QHBoxLayout()
        seed.addWidget(self.seed_box, 1)
        seed.addWidget(self.reroll_button)
        grid.addLayout(seed, 2, 1, 1, 2)
        return grid

    def _export_row(self) -> QHBoxLayout:
        self.scale_box = IntBox(1, 16, 4, suffix="×")
        self.scale_box.setToolTip("Each image pixel becomes scale×scale pixels in the exported file")
        self.png_button = QPushButton("Export PNG…")
        for widget in (self.scale_box, self.png_button):  # hidden in presentation mode
            widget.setProperty("advanced", True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pixel scale:"))
        row.addWidget(self.scale_box)
        row.addStretch(1)
        row.addWidget(self.png_button)
        return row

    def _connect(self) -> None:
        t = self.tool
        t.settingsChanged.connect(self._on_settings)
        t.samplesChanged.connect(self._on_samples)
        self.rows_box.valueChanged.connect(lambda v: t.set_size(v, t.cols))
        self.cols_box.valueChanged.connect(lambda v: t.set_size(t.rows, v))
        self.temperature_slider.valueChanged.connect(lambda v: t.set_temperature(v / SLIDER_STEPS))
        self.seed_box.valueChanged.connect(t.set_seed)
        self.reroll_button.clicked.connect(t.reroll)
        self.source_box.activated.connect(lambda k: t.set_source(list(SOURCE_NAMES)[k]))
        self.png_button.clicked.connect(self._export_png)
        self.session.modelChanged.connect(self._on_model)
        self._on_settings()
        self._on_model()

    # ---- tool -> view --------------------------------------------------------------------------------------

    def _on_settings(self) -> None:
        t = self.tool
        for widget, value in ((self.rows_box, t.rows), (self.cols_box, t.cols), (self.seed_box, t.seed),
                              (self.temperature_slider, round(t.temperature * SLIDER_STEPS))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.temperature_label.setText(format_number(t.temperature, 2))
        self.source_box.setCurrentIndex(list(SOURCE_NAMES).index(t.source))

    def _on_model(self) -> None:
        """The "From:" choices that exist for the open model (nothing to choose without one)."""
        model, has_prior = self.session.model, self.tool.has_prior
        for k, name in enumerate(source_names(has_prior)):
            self.source_box.setItemText(k, name)
        self.source_box.setEnabled(model is not None)
        self.source_box.setToolTip(
            "Open a model first: there is nothing to sample without one" if model is None else
            "The VAE's prior N(0, I), or a mixture of Gaussians fitted to the codes: where the data really "
            "are (pythae's GMM sampler)" if has_prior else
            "An autoencoder has no prior: one Gaussian fitted to its codes, or a mixture of Gaussians fitted "
            "to them (pythae's GMM sampler)")

    def _on_samples(self) -> None:
        samples = self.tool.samples
        self.png_button.setEnabled(samples is not None)
        if samples is None:
            self.grid.show_images(None)
            self.note.setText("")
            self.overlay.remove("samples")
            return
        self.grid.show_images(samples.images, cols=samples.cols)
        self.note.setText(note(samples))
        if not self.overlay.move("samples", samples.codes):  # same count: moved in place, drawn throttled
            self.overlay.points("samples", samples.codes, color=RED, symbol="x", size=7)

    # ---- export --------------------------------------------------------------------------------------------

    def _export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the samples", "samples.png", "PNG (*.png)")
        if not path:
            return
        try:
            saved = self.tool.export_png(path, scale=self.scale_box.value())
        except (OSError, TrainerError) as e:
            self.session.error.emit(f"Could not save {path}: {e}")
            return
        self.status.setText(f"Saved {saved}")
