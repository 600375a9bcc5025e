"""Studies > Latent formation replay: how the latent space formed, epoch by epoch, during the last training
run in this window.

The codes of every epoch come from ``ReplayStore`` (fed by the Training dock's per-epoch snapshots). A lane
aligns them from epoch to epoch (``trainer.replay.align``: orthogonal Procrustes back from the last epoch, so
that the last frame is the model as trained) and, for codes of more than two dimensions, projects every frame
onto the PCA plane of the last one. A slider scrubs through the epochs; Play runs them; Export GIF writes the
replay with Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from explorer.tools.jobs import Jobs
from explorer.widgets.plot_legend import RIGHT, side_legend
from explorer.widgets.scatter import PALETTE

TITLE = "Latent formation replay"
FRAME_MS = 400
TEXT = (
    "Training moves every code a little each epoch. This replays it: each frame is where the images' codes "
    "were at the end of one epoch. Drag the <b>slider</b> or press <b>Play</b>. At first the classes are "
    "mixed; then they pull apart into groups. Between frames the whole cloud is turned (never stretched) "
    "to match the next one, so you see the shape form instead of the cloud spinning. Train a model in the "
    "Training dock first; <b>Export GIF</b> saves the replay."
)


@dataclass(frozen=True)
class Replay:
    xy: list[np.ndarray]  # float32 rows×2 per epoch, in one common view
    epochs: list[int]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    axis: str  # what the axes are


def replay_job(frames: list[np.ndarray], epochs: list[int]) -> Replay:
    """(In a lane) align the frames and bring them into one 2-D view."""
    from trainer.replay import align, frame_range

    aligned = align(frames)
    last = aligned[-1].astype(np.float64)
    if last.shape[1] == 1:
        xy = [np.c_[f[:, 0], np.zeros(len(f))] for f in aligned]
        axis = "z0"
    elif last.shape[1] == 2:
        xy, axis = [np.asarray(f, np.float64) for f in aligned], "latent axes z0, z1"
    else:
        ok = np.isfinite(last).all(1)
        mean = last[ok].mean(0)
        _, _, vt = np.linalg.svd(last[ok] - mean, full_matrices=False)
        xy = [(np.asarray(f, np.float64) - mean) @ vt[:2].T for f in aligned]
        axis = "the last epoch's PCA plane"
    x_range, y_range = frame_range(xy)
    return Replay([f.astype(np.float32) for f in xy], list(epochs), x_range, y_range, axis)


class ReplayStudy(QWidget):
    def __init__(self, window):
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle(f"{TITLE} — Latent Explorer")
        self.window_, self.session = window, window.session
        self.store = window.studies.replay_store
        self.jobs = Jobs(self.session, "replay", self)
        self.replay: Replay | None = None
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._advance)
        self._build()
        self.store.changed.connect(self.refresh)
        self.refresh()
        self.resize(760, 820)

    def _build(self) -> None:
        from explorer.help import ExplainBox

        self.explain = ExplainBox(TEXT)
        self.title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setAspectLocked(False)
        self.layers = [pg.ScatterPlotItem(pen=None, size=4, brush=pg.mkBrush(c)) for c in PALETTE]
        for layer in self.layers:
            self.plot.addItem(layer)
        self.legend = side_legend(self.plot.getPlotItem(), RIGHT)  # never over the points
        self.plot.setAccessibleName("Latent formation replay")
        self.plot.setAccessibleDescription("The codes of the images at the end of the epoch chosen with the "
                                           "slider, coloured by class")
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=0)
        self.slider.setAccessibleName("Epoch")
        self.slider.valueChanged.connect(self.show_frame)
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle)
        self.gif_button = QPushButton("Export GIF…")
        self.gif_button.clicked.connect(self._export)
        self.epoch_label = QLabel(minimumWidth=120)
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.epoch_label)
        row.addWidget(self.gif_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)

    def refresh(self) -> None:
        if not self.store.frames:
            self.replay = None
            self.title.setText("Nothing to replay yet: train a model in the Training dock (the codes of "
                               "every "
                               "epoch are kept here).")
            for layer in self.layers:
                layer.clear()
            self._controls(False)
            return
        self.jobs.submit(replay_job, list(self.store.frames), list(self.store.epochs), then=self._on_replay)

    def _controls(self, on: bool) -> None:
        for widget in (self.slider, self.play_button, self.gif_button):
            widget.setEnabled(on)

    def _on_replay(self, replay: Replay) -> None:
        at_end = self.replay is None or self.slider.value() == self.slider.maximum()
        self.replay = replay
        self._controls(True)
        self.plot.setXRange(*replay.x_range, padding=0)
        self.plot.setYRange(*replay.y_range, padding=0)
        self.plot.setLabel("bottom", f"{replay.axis} (aligned from epoch to epoch)")
        n = len(replay.xy)
        self.legend.clear()
        names = self.store.class_names
        if len(names) <= len(PALETTE):
            for layer, name in zip(self.layers, names, strict=False):
                self.legend.addItem(layer, name)
        self.title.setText(f"{len(self.store.rows):,} images of the last run, {n} epochs recorded")
        self.slider.blockSignals(True)
        self.slider.setMaximum(n - 1)
        if at_end:
            self.slider.setValue(n - 1)
        self.slider.blockSignals(False)
        self.show_frame(self.slider.value())

    def show_frame(self, k: int) -> None:
        if self.replay is None or not 0 <= k < len(self.replay.xy):
            return
        xy, labels = self.replay.xy[k], self.store.labels % len(PALETTE)
        for c, layer in enumerate(self.layers):
            mine = xy[(labels == c) & np.isfinite(xy).all(1)]
            layer.setData(x=mine[:, 0], y=mine[:, 1])
        self.epoch_label.setText(f"epoch {self.replay.epochs[k]} of {self.replay.epochs[-1]}")

    def toggle(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
        elif self.replay is not None:
            if self.slider.value() == self.slider.maximum():
                self.slider.setValue(0)
            self.timer.start()
        self.play_button.setText("Pause" if self.timer.isActive() else "Play")

    def _advance(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.toggle()
            return
        self.slider.setValue(self.slider.value() + 1)

    def export_gif(self, path) -> object:
        """Write the replay as a GIF (trainer.replay.render and save_gif); returns the path."""
        from trainer.replay import render, save_gif

        r = self.replay
        frames = r.xy if r is not None else []
        pictures = [render(xy, self.store.labels, list(PALETTE), r.x_range, r.y_range) for xy in frames]
        return save_gif(pictures, path, FRAME_MS)

    def _export(self) -> None:
        from trainer.errors import TrainerError

        path, _ = QFileDialog.getSaveFileName(self, "Export the replay", "latent-formation.gif",
                                              "GIF (*.gif)")
        if not path:
            return
        try:
            saved = self.export_gif(path)
        except (OSError, TrainerError) as e:
            self.session.error.emit(f"Could not save {path}: {e}")
            return
        self.title.setText(f"Saved {saved}")

    def closeEvent(self, event) -> None:
        self.timer.stop()
        self.play_button.setText("Play")
        super().closeEvent(event)


def open_study(window) -> ReplayStudy:
    return ReplayStudy(window)
