"""The Interpolation panel: the two ends A and B, lerp or slerp, the strip of decoded images, its path on the
scatter and an animation along it; the strip exports as a PNG and the animation as a GIF.

A passive view of ``explorer.tools.interpolate.Interpolator`` (``.tool``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.interpolate import METHODS, STEPS_RANGE, Interpolator
from explorer.widgets.images import to_pixmap
from explorer.widgets.inspector import ImageBox
from explorer.widgets.numbers import IntBox
from explorer.widgets.overlays import BLUE, INK, ORANGE
from explorer.widgets.strip import ImageStrip
from trainer.errors import TrainerError

HINT = "Shift-click two points in the scatter (or use the buttons) to choose the ends"
THUMB = 64
MOVIE = 168


class EndView(QWidget):
    """One end: a thumbnail, its label and an "X = current" button."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image.setFixedSize(THUMB + 4, THUMB + 4)
        self.image.setStyleSheet("background: #2b2b2b; color: #ddd; font-size: 16pt; font-weight: bold;")
        self.label = QLabel(wordWrap=True)
        self.button = QPushButton(f"{name} = current")
        self.button.setToolTip(f"Make {name} the selected point or the decoded point")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.image, 0, 0, 2, 1)
        grid.addWidget(self.label, 0, 1)
        grid.addWidget(self.button, 1, 1)
        self.show_end(None)

    def show_end(self, end) -> None:
        self.label.setText(f"<b>{self.name}</b>: {end.label if end is not None else '—'}")
        if end is not None and end.image is not None:
            self.image.setPixmap(to_pixmap(end.image, THUMB))
        else:
            self.image.clear()
            self.image.setText(self.name)


class InterpolatePanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = Interpolator(session, self)
        self.overlay = scatter.overlay("interpolate")
        self._build()
        self._connect()
        self._on_current()

    # ---- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        hint = QLabel(HINT, wordWrap=True)
        hint.setStyleSheet("color: #555;")
        self.end_a, self.end_b = EndView("A"), EndView("B")
        self.strip = ImageStrip("The strip from A to B appears here", min_height=80)
        self.movie = ImageBox()
        self.movie.setFixedSize(MOVIE, MOVIE)
        self.frame_label = QLabel()
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.status = QLabel(wordWrap=True)
        self.status.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        for widget in (self.end_a, self.end_b):
            layout.addWidget(widget)
        layout.addLayout(self._settings_row())
        layout.addWidget(self.strip)
        layout.addLayout(self._movie_row())
        layout.addLayout(self._export_row())
        layout.addWidget(self.status)
        layout.addStretch(1)

    def _settings_row(self) -> QHBoxLayout:
        self.methods = QButtonGroup(self)
        row = QHBoxLayout()
        for k, text in enumerate(("Linear", "Spherical (slerp)")):
            button = QRadioButton(text)
            button.setChecked(METHODS[k] == self.tool.method)
            self.methods.addButton(button, k)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(QLabel("Steps:"))
        self.steps_box = IntBox(*STEPS_RANGE, self.tool.steps)
        row.addWidget(self.steps_box)
        return row

    def _movie_row(self) -> QHBoxLayout:
        side = QVBoxLayout()
        side.addWidget(self.play_button)
        side.addWidget(self.frame_label)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.movie)
        row.addLayout(side, 1)
        return row

    def _export_row(self) -> QHBoxLayout:
        self.scale_box = IntBox(1, 16, 4, suffix="×")
        self.scale_box.setToolTip("Each image pixel becomes scale×scale pixels in the exported file")
        self.png_button, self.gif_button = QPushButton("Export PNG…"), QPushButton("Export GIF…")
        for widget in (self.scale_box, self.png_button, self.gif_button):  # hidden in presentation mode
            widget.setProperty("advanced", True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pixel scale:"))
        row.addWidget(self.scale_box)
        row.addStretch(1)
        row.addWidget(self.png_button)
        row.addWidget(self.gif_button)
        return row

    def _connect(self) -> None:
        t, s = self.tool, self.session
        t.endsChanged.connect(self._on_ends)
        t.stripChanged.connect(self._on_strip)
        t.frameChanged.connect(self._on_frame)
        t.playingChanged.connect(self._on_playing)
        t.message.connect(self.status.setText)
        t.settingsChanged.connect(self._on_settings)
        self.methods.idClicked.connect(lambda k: t.set_method(METHODS[k]))
        self.steps_box.valueChanged.connect(t.set_steps)
        self.play_button.clicked.connect(lambda _checked: t.toggle())
        self.end_a.button.clicked.connect(lambda: t.set_current("a"))
        self.end_b.button.clicked.connect(lambda: t.set_current("b"))
        self.png_button.clicked.connect(self._export_png)
        self.gif_button.clicked.connect(self._export_gif)
        self.scatter.shiftClicked.connect(t.shift_click)
        for signal in (s.selectionChanged, s.decodedChanged, s.modelChanged):
            signal.connect(self._on_current)
        self._on_strip()

    # ---- tool -> view --------------------------------------------------------------------------------------

    def _on_current(self, *_args) -> None:
        can = self.session.model is not None and self.session.current_code() is not None
        self.end_a.button.setEnabled(can)
        self.end_b.button.setEnabled(can)

    def _on_settings(self) -> None:
        self.methods.button(METHODS.index(self.tool.method)).setChecked(True)
        self.steps_box.blockSignals(True)
        self.steps_box.setValue(self.tool.steps)
        self.steps_box.blockSignals(False)

    def _on_ends(self) -> None:
        t = self.tool
        self.end_a.show_end(t.a)
        self.end_b.show_end(t.b)
        ends = [(e.code, name) for e, name in ((t.a, "A"), (t.b, "B")) if e is not None]
        if not ends:
            self.overlay.remove("ends")
        elif not self.overlay.move("ends", codes := np.stack([c for c, _ in ends])):  # same count: in place
            self.overlay.points("ends", codes, color=BLUE, labels=[name for _, name in ends])
        if ends:
            self.status.setText("")

    def _on_strip(self) -> None:
        strip = self.tool.strip
        for widget in (self.play_button, self.png_button, self.gif_button):
            widget.setEnabled(strip is not None)
        if strip is None:
            self.strip.show_images(None)
            self.movie.show_array(None, "Play shows the\nanimation here")
            self.frame_label.setText("")
            for key in ("path", "frame"):
                self.overlay.remove(key)
            return
        if not self.overlay.move("path", strip.codes):  # same mark, new codes: drawn throttled
            self.overlay.path("path", strip.codes, color=INK)
        self._on_frame(self.tool.frame)

    def _on_frame(self, frame: int) -> None:
        """Highlight the frame in the strip, show it large and mark it on the path (-1: no frame)."""
        strip = self.tool.strip
        if strip is None:
            return
        shown = frame if frame >= 0 else len(strip.images) // 2
        self.strip.show_images(strip.images, highlight=frame if frame >= 0 else None)
        self.movie.show_array(strip.images[shown])
        if frame < 0:
            self.overlay.remove("frame")
            self.frame_label.setText("")
            return
        if not self.overlay.move("frame", strip.codes[frame]):
            self.overlay.points("frame", strip.codes[frame], color=ORANGE, size=18)
        self.frame_label.setText(f"Frame {frame + 1} of {len(strip.images)}")

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setChecked(playing)
        self.play_button.setText("Pause" if playing else "Play")

    # ---- export --------------------------------------------------------------------------------------------

    def _export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the strip", "interpolation.png", "PNG (*.png)")
        if path:
            self._save(self.tool.export_png, path)

    def _export_gif(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the animation", "interpolation.gif",
                                              "GIF (*.gif)")
        if path:
            self._save(self.tool.export_gif, path)

    def _save(self, export, path: str) -> None:
        try:
            saved = export(path, scale=self.scale_box.value())
        except (OSError, TrainerError) as e:
            self.session.error.emit(f"Could not save {path}: {e}")
            return
        self.status.setText(f"Saved {saved}")
