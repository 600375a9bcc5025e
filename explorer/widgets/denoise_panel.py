"""The Denoising panel: corrupt the selected image (Gaussian noise, salt and pepper, or erased blocks) at a
level from 0 to 100 %, and see clean | noisy | reconstruction with both PSNRs; the image's latent mean at
growing levels is drawn on the scatter as a trail. The noise sweep plots mean PSNR against the level over a
test batch, for the current model and for any checkpoint added with "Compare with model…".

A passive view of ``explorer.tools.denoise.Denoiser`` (``.tool``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.denoise import KINDS, Denoiser
from explorer.widgets.empty_state import EmptyState
from explorer.widgets.inspector import ImageBox
from explorer.widgets.overlays import BLUE, ORANGE, RED
from explorer.widgets.plot_legend import BELOW, side_legend

HINT = "Select an image in the scatter"
SWEEP_EMPTY = ("Press Noise sweep: this plot then shows the mean PSNR of the noisy images and of their "
               "reconstructions over 256 test images, at every noise level.")
PSNR_CAP_DB = 100.0  # trainer.metrics.PSNR_CAP_DB: identical images (not imported: it would load torch)
CURVE_COLORS = (BLUE, ORANGE, RED, "#009988", "#EE3377", "#AA4499")  # each 3:1 on a light and a dark plot
TITLES = ("Clean", "Noisy", "Reconstruction")


def psnr_text(db: float | None) -> str:
    if db is None:
        return "—"
    return "PSNR ∞ (identical)" if db >= PSNR_CAP_DB else f"PSNR {db:.2f} dB"


class DenoisePanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = Denoiser(session, self)
        self.overlay = scatter.overlay("denoise")
        self._build()
        self._connect()
        self._on_settings()
        self._on_model()
        self._on_curves()

    # ---- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #555;")
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet("color: #b00;")
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        layout.addWidget(self.hint)
        layout.addLayout(self._images(), 1)
        layout.addLayout(self._sweep_row())
        layout.addWidget(self._plot())
        layout.addWidget(self.message)

    def _controls(self) -> QGridLayout:
        self.kind_box = QComboBox()
        for key, name in KINDS.items():
            self.kind_box.addItem(name, key)
        self.level_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.level_slider.setToolTip("Gaussian: σ of the noise; salt and pepper, masking: fraction of pixels")
        self.level_label = QLabel(minimumWidth=40)
        grid = QGridLayout()
        grid.addWidget(QLabel("Corruption"), 0, 0)
        grid.addWidget(self.kind_box, 0, 1, 1, 2)
        grid.addWidget(QLabel("Level"), 1, 0)
        grid.addWidget(self.level_slider, 1, 1)
        grid.addWidget(self.level_label, 1, 2)
        grid.setColumnStretch(1, 1)
        return grid

    def _images(self) -> QGridLayout:
        self.boxes = [ImageBox() for _ in TITLES]
        self.psnr_labels = [QLabel("—", alignment=Qt.AlignmentFlag.AlignHCenter) for _ in TITLES]
        grid = QGridLayout()
        for col, (title, box, label) in enumerate(zip(TITLES, self.boxes, self.psnr_labels, strict=True)):
            grid.addWidget(QLabel(title, alignment=Qt.AlignmentFlag.AlignHCenter), 0, col)
            grid.addWidget(box, 1, col)
            grid.addWidget(label, 2, col)
        grid.setRowStretch(1, 1)
        return grid

    def _sweep_row(self) -> QHBoxLayout:
        self.sweep_button = QPushButton("Noise sweep")
        self.sweep_button.setToolTip("Mean PSNR against the level over 256 test images, for this corruption")
        self.compare_button = QPushButton("Compare with model…")
        self.compare_button.setToolTip("Add another checkpoint's reconstruction curve, on the same images")
        self.compare_button.setProperty("advanced", True)  # hidden in presentation mode
        self.progress = QProgressBar(maximum=1, textVisible=False, maximumHeight=10)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the noise sweep (the curves measured so far stay)")
        self.cancel_button.setVisible(False)
        row = QHBoxLayout()
        for widget in (self.sweep_button, self.compare_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        return row

    def _plot(self) -> pg.PlotWidget:
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumHeight(200)
        self.plot.hideButtons()  # pyqtgraph's "A" (auto-range) button
        self.plot.setLabel("bottom", "noise level")
        self.plot.setLabel("left", "mean PSNR (dB)")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setXRange(0, 1, padding=0.02)
        self.legend = side_legend(self.plot.getPlotItem(), BELOW, colCount=2)  # never over the curves
        self.noisy_item = None
        self.curve_items: list[pg.PlotDataItem] = []
        self.empty = EmptyState(self.plot, SWEEP_EMPTY, "Noise sweep")
        return self.plot

    def _connect(self) -> None:
        t = self.tool
        self.kind_box.currentIndexChanged.connect(lambda i: t.set_kind(self.kind_box.itemData(i)))
        self.level_slider.valueChanged.connect(lambda v: t.set_level(v / 100))
        self.sweep_button.clicked.connect(t.run_sweep)
        self.compare_button.clicked.connect(self.choose_comparison)
        t.settingsChanged.connect(self._on_settings)
        t.indexChanged.connect(self._on_index)
        t.resultChanged.connect(self._on_result)
        t.curvesChanged.connect(self._on_curves)
        t.sweepProgress.connect(self._on_progress)
        t.sweepBusyChanged.connect(self._on_sweep_busy)
        self.cancel_button.clicked.connect(t.cancel_sweep)
        t.message.connect(self.message.setText)
        self.session.modelChanged.connect(self._on_model)
        self.session.ready.connect(self._on_model)

    # ---- showing the state --------------------------------------------------------------------------------

    def _on_settings(self) -> None:
        t = self.tool
        self.kind_box.blockSignals(True)
        self.kind_box.setCurrentIndex(self.kind_box.findData(t.kind))
        self.kind_box.blockSignals(False)
        self.level_slider.blockSignals(True)
        self.level_slider.setValue(round(t.level * 100))
        self.level_slider.blockSignals(False)
        self.level_label.setText(f"{round(t.level * 100)} %")

    def _on_model(self) -> None:
        self.sweep_button.setEnabled(self.tool.can_run)
        self._on_index(self.tool.index)

    def _on_index(self, index: int) -> None:
        s = self.session
        shown = index >= 0 and s.dataset is not None and index < len(s.dataset.images)
        self.hint.setVisible(not shown)
        self.boxes[0].show_array(s.dataset.images[index] if shown else None)
        if self.tool.result is None:
            waiting = "…" if shown and self.tool.can_run else ""
            for box in self.boxes[1:]:
                box.show_array(None, waiting)
            for label in self.psnr_labels:
                label.setText("—")
            self.overlay.clear()

    def _on_result(self) -> None:
        r = self.tool.result
        if r is None:
            self._on_index(self.tool.index)
            return
        self.boxes[1].show_array(r.noisy)
        self.boxes[2].show_array(r.reconstruction)
        self.psnr_labels[1].setText(psnr_text(r.psnr_noisy))
        self.psnr_labels[2].setText(psnr_text(r.psnr_recon))
        if not (self.overlay.move("trail", r.trail_codes) and self.overlay.move("end", r.trail_codes[-1:])):
            self.overlay.path("trail", r.trail_codes, color=ORANGE, width=2.0)
            self.overlay.points("end", r.trail_codes[-1:], color=ORANGE, symbol="s", size=12)

    def _title_style(self) -> dict:
        """The plot's title in the text's size (larger in presentation mode) and the axes' (theme's) ink."""
        ink = self.plot.getAxis("bottom").textPen().color()
        return dict(size=f"{self.font().pointSizeF():.3g}pt", color=ink)

    def _on_curves(self) -> None:
        """Few curves, changed rarely: rebuilt from scratch."""
        self.plot.clear()
        self.legend.clear()
        noisy = self.tool.noisy_curve
        self.empty.set_empty(noisy is None)
        if noisy is None:
            self.plot.setTitle(None)
            return
        sweep = self.tool.curves[0].sweep
        self.plot.setTitle(f"{KINDS[sweep.kind]}, {sweep.n_images} test images", **self._title_style())
        levels, db = noisy
        db = np.where(db >= PSNR_CAP_DB, np.nan, db)  # level 0: the input is the clean image
        self.plot.plot(levels, db, pen=pg.mkPen("#888", width=2, style=Qt.PenStyle.DashLine),
                       name="noisy input", connect="finite")
        for k, curve in enumerate(self.tool.curves):
            color = CURVE_COLORS[k % len(CURVE_COLORS)]
            self.plot.plot(curve.sweep.levels, curve.sweep.psnr_recon, pen=pg.mkPen(color, width=2.5),
                           symbol="o", symbolSize=5, symbolBrush=color, symbolPen=None, name=curve.label)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def _on_sweep_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setValue(0)

    def choose_comparison(self) -> None:
        from explorer.file_menu import MODEL_FILTER

        folder = self.session.model_path.parent if self.session.model_path is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Compare with model", str(folder), MODEL_FILTER)
        if path:
            self.tool.compare_with(path)
