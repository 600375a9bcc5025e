"""Studies > Compare models side by side: 2-4 models (or views) of the same data in linked panes (issue 6).

Each pane is its own ``Session`` + ``ScatterView`` + a small decoded grid, under a coloured title (model,
view, test PSNR). The panes show the same rows, so selection is linked: selecting row i in one pane selects
it in all, and the strip at the bottom shows that image beside each pane's reconstruction. The presets are
the course's lessons: a plain autoencoder next to a VAE (the AE's empty regions decode to garbage), one
autoencoder next to PCA and t-SNE of the pixels, and an MLP next to a conv autoencoder with their loss curves
(train solid, test dashed, from the checkpoints' ``metrics["history"]``) on one plot. "Open model…" puts any
model in a pane; it is shown on the other panes' data set so that the rows still match.

The window owns its sessions: ``closeEvent`` shuts them down (no thread is left), and showing it again
rebuilds the panes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer import themes
from explorer.app import MODELS_DIR, default_model
from explorer.state import Projection, Session
from explorer.widgets.grid import GridView
from explorer.widgets.images import to_pixmap
from explorer.widgets.plot_legend import RIGHT, side_legend
from explorer.widgets.scatter import ScatterView

TITLE = "Compare models side by side"
COLOURS = ("#332288", "#CC6677", "#117733", "#AA7700")  # one per pane: its title, its loss curves
GRID_N = 8
TILE_PX = 104

BOTTOM_HEIGHT = 250  # pixels: the selected image and each reconstruction, or the loss curves


@dataclass(frozen=True)
class PaneSpec:
    """One pane: a model file, the view to show once it is loaded (None: the model's default) and a name."""

    path: Path
    projection: Projection | None = None
    name: str = ""


@dataclass(frozen=True)
class Preset:
    name: str
    panes: tuple[PaneSpec, ...]
    curves: bool = False  # show the loss-curve plot
    manifold: bool = False  # draw the decoded manifold behind the points
    grid: int = GRID_N  # decoded images per side
    note: str = ""


def presets(folder: Path = MODELS_DIR) -> list[Preset]:
    """The standard lessons, built from the bundled models in ``folder``."""
    base = default_model(folder) or folder / "digits-vae.safetensors"
    return [
        Preset("Autoencoder vs VAE (glyphs, 2-D)",
               (PaneSpec(folder / "glyphs-ae.safetensors", name="Autoencoder"),
                PaneSpec(folder / "glyphs-vae.safetensors", name="VAE")), grid=6,
               note="Each grid decodes the region its scatter shows (tick Decoded manifold to see it behind "
                    "the points): the plain autoencoder's empty regions decode to garbage and jumps; the "
                    "VAE's prior keeps its latent space filled."),
        Preset("Autoencoder vs PCA vs t-SNE",
               (PaneSpec(base, None, "Autoencoder (its latent space)"),
                PaneSpec(base, Projection("pixels-pca"), "PCA of the pixels"),
                PaneSpec(base, Projection("pixels-tsne"), "t-SNE of the pixels")),
               note="The same images three ways: the model's own 2-D code, a linear projection of the raw "
                    "pixels, and t-SNE of the pixels (neighbours kept, distances and axes meaningless)."),
        Preset("MLP vs conv autoencoder (loss curves)",
               (PaneSpec(folder / "digits-mlp-ae.safetensors", name="MLP autoencoder"),
                PaneSpec(folder / "digits-conv-ae.safetensors", name="Conv autoencoder")), curves=True,
               note="Two autoencoders with a 2-D code trained on the same digits: loss per epoch, train "
                    "solid, test dashed."),
    ]


class Pane(QFrame):
    """One model: a title, "Open model…", the scatter and a small decoded grid."""

    def __init__(self, number: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.number, self.spec = number, None
        self.colour = COLOURS[number % len(COLOURS)]
        self.session = Session(self)
        self.scatter = ScatterView(self.session)
        self.grid = GridView(self.session, n=GRID_N)
        self.pending: Projection | None = None
        self.error = ""
        self._build()
        s = self.session
        s.ready.connect(self._on_ready)
        for signal in (s.modelChanged, s.projectionChanged, s.projectionComputing, s.busyChanged):
            signal.connect(self._update_title)
        s.error.connect(self._on_error)

    def _build(self) -> None:
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(wordWrap=True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.open_button = QPushButton("Open model…")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.open_button)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.scatter)
        split.addWidget(self.grid)
        split.setSizes([580, 380])
        self.grid.setMinimumSize(180, 180)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def set_vertical(self, vertical: bool) -> None:
        """The grid under the scatter (narrow panes) or beside it."""
        self.split.setOrientation(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
        self.split.setSizes([600, 330] if vertical else [580, 380])

    def load(self, spec: PaneSpec, data_spec: str | None = None) -> None:
        """Open ``spec.path`` (on ``data_spec``, else the model's own data) and then show its view."""
        self.spec, self.pending, self.error = spec, spec.projection, ""
        self.session.open_model(spec.path, data_spec)
        self._update_title()

    def _on_ready(self) -> None:
        projection, self.pending = self.pending, None
        if projection is not None:
            self.session.set_projection(projection)
        self._update_title()

    def _on_error(self, message: str) -> None:
        self.error = message
        self._update_title()

    def _update_title(self, *_args) -> None:
        s = self.session
        name = self.spec.name if self.spec and self.spec.name else "Pane"
        if s.model is None:
            detail = self.error or s.busy or "no model"
        else:
            cfg = s.model.config
            computing = f" · computing the {s.computing.label}…" if s.computing else ""
            detail = f"{s.model_name()} · {cfg.family} {cfg.arch}{_psnr(s.info)}{computing}"
        colour, grey = themes.text_color(self.colour, self), themes.text_color("#444", self)
        self.title.setText(f"<span style='color:{colour}; font-size:13pt; font-weight:bold'>"
                           f"{html.escape(name)}</span><br>"
                           f"<span style='color:{grey}'>{html.escape(detail)}</span>")
        self.title.setToolTip(self.error)
        self.grid.setVisible(s.projection.invertible)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme: the title's colours for it
            self._update_title()

    def shutdown(self) -> None:
        self.session.shutdown()


def _psnr(info) -> str:
    test = (info.metrics or {}).get("test") if info is not None else None
    value = test.get("psnr_db") if isinstance(test, dict) else None
    return f" · test PSNR {value:.1f} dB" if isinstance(value, (int, float)) else ""


class SelectionStrip(QWidget):
    """The selected row's image, then each pane's reconstruction of it (with its PSNR)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(4, 0, 4, 0)
        self.tiles: list[tuple[QLabel, QLabel]] = []
        self.index, self.images = -1, []  # the row shown and the images in its tiles (None: not ready yet)
        self.hint = QLabel("Click a point in any pane: it is selected in every pane, and its image and each "
                           "model's reconstruction show here.", wordWrap=True)
        self.row.addWidget(self.hint, 1)
        self.row.addStretch(0)

    def show_row(self, index: int, panes: list[Pane]) -> None:
        """Fill the tiles for data row ``index`` (-1: the hint only): the image, then one reconstruction per
        distinct model (panes showing the same model in other views share one)."""
        panes = distinct_models(panes)
        self.index, self.images = index, []
        self._ensure_tiles(len(panes) + 1)
        self.hint.setVisible(index < 0)
        for k, (image, caption) in enumerate(self.tiles):
            image.setVisible(index >= 0 and k <= len(panes))
            caption.setVisible(index >= 0 and k <= len(panes))
        if index < 0 or not panes or panes[0].session.dataset is None:
            return
        data = panes[0].session.dataset
        if index < len(data.images):
            label = data.class_names[int(data.labels[index])]
            self._set_tile(0, data.images[index], f"#{index} · {label}", "#222")
        for k, pane in enumerate(panes, start=1):
            rec = pane.session.reconstruction
            ok = rec is not None and rec.index == index
            text = f"{pane.spec.name if pane.spec else ''}\n" + (f"PSNR {rec.psnr:.1f} dB" if ok else "…")
            self._set_tile(k, rec.image if ok else None, text, pane.colour)

    def _ensure_tiles(self, n: int) -> None:
        while len(self.tiles) < n:
            image, caption = QLabel(alignment=Qt.AlignmentFlag.AlignCenter), QLabel(wordWrap=True)
            image.setFixedSize(TILE_PX, TILE_PX)
            image.setStyleSheet("background: #2b2b2b;")
            caption.setFixedWidth(TILE_PX + 40)
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            column = QVBoxLayout()
            column.addWidget(image, alignment=Qt.AlignmentFlag.AlignHCenter)
            column.addWidget(caption)
            self.row.insertLayout(len(self.tiles), column)
            self.tiles.append((image, caption))

    def _set_tile(self, k: int, image: np.ndarray | None, text: str, colour: str) -> None:
        label, caption = self.tiles[k]
        self.images[k:] = [image]
        if image is None:
            label.clear()
        else:
            label.setPixmap(to_pixmap(image, TILE_PX))
        caption.setText(text)
        caption.setProperty("colour", colour)  # the pane's; shown as text_color for the theme
        caption.setStyleSheet(f"color: {themes.text_color(colour, self)}; font-weight: bold;")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme: the captions' colours for it
            for _image, caption in self.tiles:
                if caption.property("colour"):
                    caption.setStyleSheet(f"color: {themes.text_color(caption.property('colour'), self)}; "
                                          "font-weight: bold;")


def distinct_models(panes: list[Pane]) -> list[Pane]:
    seen, kept = set(), []
    for pane in panes:
        key = pane.session.model_path or id(pane)
        if key not in seen:
            seen.add(key)
            kept.append(pane)
    return kept


class CurvePlot(pg.PlotWidget):
    """Loss per epoch of every pane's model: train solid, test dashed, one colour per pane. The y range
    leaves out the first epochs' large losses so that the gap between train and test can be seen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("bottom", "epoch")
        self.setLabel("left", "loss (nats per image)")
        self.legend = side_legend(self.getPlotItem(), RIGHT, labelTextSize="10pt")  # never over the curves
        self.setTitle("Loss per epoch: train solid, test dashed", color="#222", size="10pt")
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        self.note = QLabel("")

    def show_panes(self, panes: list[Pane]) -> None:
        self.clear()
        self.legend.clear()
        self.curves.clear()
        missing = []
        for pane in distinct_models(panes):  # the same model twice would draw the same curves twice
            history = history_of(pane.session.info)
            if pane.session.model is not None and not history:
                missing.append(pane.session.model_name())
            if history:
                self._add(pane, history)
        self._fit_range()
        themes.fit_marks(self.getPlotItem())  # the panes' colours, readable on the theme's plot
        self.note.setText(f"No per-epoch losses stored in {', '.join(missing)} (trained before they were "
                          "recorded)." if missing else "")

    def _add(self, pane: Pane, history: list[dict]) -> None:
        name = pane.spec.name if pane.spec else pane.session.model_name()
        for split, style in (("train", Qt.PenStyle.SolidLine), ("val", Qt.PenStyle.DashLine)):
            points = [(h["epoch"], h[split]["loss"]) for h in history
                      if isinstance(h.get(split), dict) and (h[split].get("loss") or 0) > 0]
            if not points:
                continue
            x, y = np.array(points, dtype=float).T
            pen = pg.mkPen(pane.colour, width=2, style=style)
            label = f"{name}, {'train' if split == 'train' else 'test'}"
            self.curves[pane.number, split] = self.plot(x, y, pen=pen, name=label)


    def _fit_range(self) -> None:
        """x over every epoch; y from the lowest loss up to the highest after the first tenth of training."""
        ys = [c.getData()[1] for c in self.curves.values()]
        if not ys:
            return
        late = np.concatenate([y[len(y) // 10:] for y in ys])
        low, high = float(min(y.min() for y in ys)), float(late.max())
        pad = 0.08 * max(high - low, 1e-6)
        self.setYRange(low - pad, high + pad, padding=0)
        self.setXRange(0, max(c.getData()[0].max() for c in self.curves.values()), padding=0.02)


def history_of(info) -> list[dict]:
    """The per-epoch losses a checkpoint stores (``metrics["history"]``, see trainer/cli.py), or []."""
    history = (info.metrics or {}).get("history") if info is not None else None
    return [h for h in history if isinstance(h, dict) and "epoch" in h] if isinstance(history, list) else []


class CompareWindow(QWidget):
    """The study's window: a preset box, 2-4 linked panes, the selection strip and the loss curves."""

    def __init__(self, parent: QWidget | None = None, folder: Path = MODELS_DIR, start: int | None = 0):
        """``start``: the preset shown first (None: no panes until ``choose`` or ``set_panes``)."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(TITLE)
        self.presets = presets(folder)
        self.panes: list[Pane] = []
        self.specs: list[PaneSpec] = []
        self._linking = self._closed = False
        self._build()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        if start is not None:
            self.choose(start)

    def _build(self) -> None:
        self.preset_box = QComboBox()
        self.preset_box.addItems([p.name for p in self.presets])
        self.preset_box.activated.connect(self.choose)
        self.curves_box = QCheckBox("Loss curves")
        self.curves_box.toggled.connect(self._show_curves)
        self.add_button = QPushButton("Add pane")
        self.add_button.clicked.connect(self.add_pane)
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: #444;")
        bar = QHBoxLayout()
        for widget in (QLabel("Example:"), self.preset_box, self.curves_box, self.add_button):
            bar.addWidget(widget)
        bar.addWidget(self.note, 1)
        self.pane_row = QHBoxLayout()
        self.strip = SelectionStrip()
        self.plot = CurvePlot()
        self.curve_area = QWidget()
        column = QVBoxLayout(self.curve_area)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.plot, 1)
        column.addWidget(self.plot.note)
        bottom = QHBoxLayout()
        bottom.addWidget(self.strip, 1)
        bottom.addWidget(self.curve_area, 2)
        self.bottom = QWidget()
        self.bottom.setLayout(bottom)
        self.bottom.setFixedHeight(BOTTOM_HEIGHT)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(self.pane_row, 1)
        layout.addWidget(self.bottom)
        self._show_curves(False)

    # ---- presets and panes -------------------------------------------------------------------------------

    def choose(self, row: int) -> None:
        """Build the panes of preset ``row``."""
        preset = self.presets[row]
        self.preset_box.setCurrentIndex(row)
        self.note.setText(preset.note)
        self.curves_box.setChecked(preset.curves)
        self.set_panes(list(preset.panes))
        for pane in self.panes:
            pane.scatter.manifold_box.setChecked(preset.manifold)
            pane.grid.size_box.setValue(preset.grid)

    def set_panes(self, specs: list[PaneSpec]) -> None:
        """Replace every pane: one per spec (their sessions shut down first)."""
        self._clear_panes()
        self.specs = list(specs)
        for spec in specs:
            self._new_pane().load(spec)
        self._arrange()
        self._on_row(-1)

    def add_pane(self) -> None:
        """Another pane (at most four), opened with the first pane's model on the same data."""
        if len(self.panes) >= len(COLOURS) or not self.specs:
            return
        spec = PaneSpec(self.specs[0].path, None, f"Pane {len(self.panes) + 1}")
        self.specs.append(spec)
        self._new_pane().load(spec, self._data_spec())
        self._arrange()

    def _arrange(self) -> None:
        for pane in self.panes:
            pane.set_vertical(len(self.panes) > 2)

    def open_in(self, pane: Pane, path: str | Path) -> None:
        """Show the model at ``path`` in ``pane``, on the data set the panes share."""
        spec = PaneSpec(Path(path), None, Path(path).stem)
        self.specs[pane.number] = spec
        pane.load(spec, self._data_spec(but=pane))

    def _data_spec(self, but: Pane | None = None) -> str | None:
        for pane in self.panes:
            if pane is not but and pane.session.dataset is not None:
                return pane.session.dataset.spec
        return None

    def _new_pane(self) -> Pane:
        pane = Pane(len(self.panes))
        s = pane.session
        s.selectionChanged.connect(lambda index, p=pane: self._on_selected(p, index))
        s.reconstructionReady.connect(lambda _i: self._on_row(self.selected))
        s.modelChanged.connect(self._refresh_curves)
        pane.open_button.clicked.connect(lambda _=False, p=pane: self._ask_model(p))
        self.panes.append(pane)
        self.pane_row.addWidget(pane, 1)
        themes.style_window(pane)  # made after the window took the theme
        self.add_button.setEnabled(len(self.panes) < len(COLOURS))
        return pane

    def _clear_panes(self) -> None:
        for pane in self.panes:
            pane.shutdown()
            self.pane_row.removeWidget(pane)
            pane.hide()
            pane.deleteLater()
        self.panes = []

    def _ask_model(self, pane: Pane) -> None:
        from explorer.file_menu import MODEL_FILTER

        folder = str(pane.spec.path.parent) if pane.spec else str(MODELS_DIR)
        path, _ = QFileDialog.getOpenFileName(self, "Open model", folder, MODEL_FILTER)
        if path:
            self.open_in(pane, path)

    # ---- linked selection ----------------------------------------------------------------------------------

    @property
    def selected(self) -> int:
        return self.panes[0].session.selected if self.panes else -1

    def _on_selected(self, source: Pane, index: int) -> None:
        """Row ``index`` selected in ``source``: select it in the other panes (once: no ping-pong)."""
        if self._linking:
            return
        self._linking = True
        try:
            for pane in self.panes:
                if pane is not source and pane.session.selected != index:
                    pane.session.select(index)
        finally:
            self._linking = False
        self._on_row(index)

    def _on_row(self, index: int) -> None:
        self.strip.show_row(index, self.panes)
        self._fit_bottom()

    # ---- loss curves ---------------------------------------------------------------------------------------

    def _show_curves(self, on: bool) -> None:
        self.curve_area.setVisible(on)
        if on:
            self._refresh_curves()
        self._fit_bottom()

    def _fit_bottom(self) -> None:
        """The bottom row is tall only when it holds images or curves; else just the one-line hint (no large
        empty strip)."""
        full = self.curve_area.isVisibleTo(self) or self.strip.index >= 0
        hint = max(self.strip.hint.heightForWidth(max(self.width() // 2, 200)),
                   self.strip.hint.sizeHint().height())
        self.bottom.setFixedHeight(BOTTOM_HEIGHT if full else hint + 8)

    def _refresh_curves(self) -> None:
        if self.curves_box.isChecked():
            self.plot.show_panes(self.panes)

    # ---- life cycle ----------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop every pane's workers and wait for them; safe to call twice."""
        for pane in self.panes:
            pane.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        self._closed = True
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        if self._closed:  # the sessions were shut down: build the panes again
            self._closed = False
            self.set_panes(self.specs)
        super().showEvent(event)


def open_study(window) -> CompareWindow:
    study = CompareWindow(window)
    study.resize(1600, 1000)
    return study
