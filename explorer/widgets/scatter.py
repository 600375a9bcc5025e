"""The latent scatter: every image as a point at its latent mean, coloured by class.

One ``PointLayer`` per colour, all drawn as one image by a ``PointRaster`` (``point_raster.py``: new codes
cost no GUI time, a repaint is O(points + pixels), a density image above 300k points in view); picking by a
KD-tree in pixel-scaled view coordinates (built in a thread for many points; exact brute force meanwhile).
Click a point to select it, click empty space to decode that latent point. The decoded manifold can be drawn
behind the points as one ImageItem in latent coordinates.

The toolbar's "View" box lists the session's projections. t-SNE and the pixel views are computed in the
background; they are not invertible, so there a click selects the nearest point, a click on empty space only
says why nothing is decoded, the decoded manifold is off, and the tools' lines and arrows are not drawn (a
latent direction means nothing there); a note under the plot says so. While a view is computed, a banner in
the plotting area's top-left corner shows the progress and a Cancel button, wrapped to the plotting area's
width (never over the axis or the legend); it floats outside every layout, because a toolbar that changes
width makes the main window lay out and repaint every dock (50-90 ms of GUI time). Nothing stays over the
points once the view is shown.

For the tools: ``overlay(name)`` gives a tool its own marks layer (``explorer/widgets/overlays.py``);
``shiftClicked(index, x, y)`` reports shift-clicks (index -1 for empty space); ``claim_clicks(handler, hint)``
sends the next plain clicks to ``handler(index, x, y)`` instead of selecting (until ``release_clicks``), with
``hint`` shown in the toolbar.

``color_by(values, label)`` colours the points by a value per row (e.g. reconstruction PSNR) instead of by
class, in ``len(PALETTE)`` steps of a colour-blind-safe colormap (``set_colormap``: viridis, cividis) drawn
by the same colour layers, with a colour bar beside the plot (``explorer/widgets/colour_bar.py``);
``color_by(None)`` brings the class colours back; ``coloursChanged`` follows either.
``set_point_labels(labels)`` writes a short text at each
point (at most MAX_LABELS); the toolbar's "Labels" box does it with the class names for a small data set, and
is ticked by itself when the class names are single characters (the 5×7 glyphs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer import themes
from explorer.state import Session, finite_rows, projection_choices
from explorer.widgets.colour_bar import ColourBar, steps
from explorer.widgets.images import to_pixmap
from explorer.widgets.manifold import OPACITY as MANIFOLD_OPACITY
from explorer.widgets.manifold import manifold_image
from explorer.widgets.overlays import Overlay
from explorer.widgets.plot_legend import RIGHT, side_legend
from explorer.widgets.point_raster import PointLayer, PointRaster
from explorer.widgets.scatter_keys import KeyboardCursor
from explorer.widgets.scatter_notes import BANNER_MARGIN, Banner, HintLabel, NoteLabel

# Paul Tol's "muted" scheme (colour-blind safe) plus a grey for a tenth class; cycles beyond ten. Ordered so
# that neighbouring classes differ in hue and lightness (4 shapes: indigo, sand, green, rose). Every colour
# reaches 3:1 against the plot (WCAG 2.1 non-text contrast): on a light plot Tol's pale sand, cyan, teal,
# olive and grey are drawn darker (PALETTE), on a dark one his indigo, green, wine and purple lighter
# (PALETTE_ON_DARK; the wine as a pale pink: a mid one looked like the rose and the purple beside it).
PALETTE = ("#332288", "#A67C1A", "#117733", "#CC6677", "#2F80B5", "#882255", "#2A8A7C", "#86862B",
           "#AA4499", "#777777")
PALETTE_ON_DARK = ("#8877DD", "#DDCC77", "#2A9A4E", "#CC6677", "#88CCEE", "#EE99BB", "#44AA99", "#999933",
                   "#BB55AA", "#BBBBBB")
PICK_RADIUS_PX = 6
MAX_LABELS = 500  # text items per point: more are slow to draw and unreadable anyway
VALUE_COLORMAP = "viridis"  # colour_by: dark (low values, drawn on top) to light
EMPTY_TEXT = "No model: train one in the Training dock"
# sizes at scale 1 (``ScatterView.set_scale`` multiplies them: presentation mode)
POINT_SIZE, HIGHLIGHT_SIZE, LEGEND_SAMPLE_SIZE, LEGEND_TEXT_PT, THUMB_SIZE = 5, 16, 10, 11, 112
LABEL_PT = 10


def value_bins(values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(the bin 0…n-1 of each value, the n+1 edges): equal widths between the 1st and 99th percentiles, the
    outer bins open-ended, so that a few extreme values do not squeeze all others into one colour. Bin k
    holds edges[k] ≤ v < edges[k+1]; NaN goes to bin 0."""
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    lo, hi = (float(q) for q in np.percentile(finite, [1, 99])) if len(finite) else (0.0, 1.0)
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, n + 1)
    index = np.searchsorted(edges[1:-1], np.where(np.isfinite(v), v, -np.inf), side="right")
    return index.astype(np.int64), edges


def point_labels(dataset) -> list[str] | None:
    """Each row's class name for a data set of at most MAX_LABELS images (else None); "" for a row that
    repeats an earlier row's image and class (the glyphs' test split is their training split again)."""
    if dataset is None or len(dataset.images) > MAX_LABELS:
        return None
    keys = np.c_[dataset.labels, dataset.images.reshape(len(dataset.images), -1)]
    first = set(np.unique(keys, axis=0, return_index=True)[1].tolist()) if len(keys) else set()
    names = dataset.class_names
    return [names[int(label)] if row in first else "" for row, label in enumerate(dataset.labels)]


def labels_by_default(dataset) -> bool:
    """Label the points by themselves where the class names are (nearly all) single characters: glyphs."""
    if point_labels(dataset) is None or not dataset.class_names:
        return False
    return bool(np.mean([len(name) == 1 for name in dataset.class_names]) >= 0.9)


def split_by_layer(xy: np.ndarray, layer: np.ndarray, keep: np.ndarray, n: int) -> list[np.ndarray]:
    """The rows of ``xy`` (N×2) of each layer 0…n-1 where ``keep``, each in the original row order: one
    stable sort of the layer numbers (a radix sort of bytes: ~10 ms at 1M rows) instead of n masks."""
    key = np.where(keep, layer, n).astype(np.uint8 if n < 255 else np.int64)
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(n + 1))
    ordered = xy[order]
    return [ordered[bounds[k]:bounds[k + 1]] for k in range(n)]


FOLLOW_FILL = 0.6  # while training, the points fill at least this much of the view on each axis


class Picker:
    """Nearest point within a radius in screen pixels. The tree holds (x, y·r) with r = x-units per y-unit of
    one pixel, so it stays valid under uniform zoom and is rebuilt only when the aspect changes. Above
    ``TREE_IN_THREAD`` points the tree is built in a thread (0.1-1 s at 200k-1M points); until it is there a
    brute-force search answers, with the same exact result."""

    TREE_IN_THREAD = 50_000

    def __init__(self):
        self.xy: np.ndarray | None = None
        self._tree = None
        self._ratio = 0.0
        self._building: tuple | None = None  # (thread, ratio, result list) of a tree being built

    def set_points(self, xy: np.ndarray | None) -> None:
        finite = xy is None or bool(np.isfinite(xy).all())
        self.xy = xy if finite else np.where(np.isfinite(xy), xy, 1e30)  # NaN: never picked
        self._tree, self._building = None, None

    def nearest(self, x: float, y: float, pixel: tuple[float, float], radius: float = PICK_RADIUS_PX) -> int:
        """Row of the nearest point within ``radius`` pixels of (x, y), or -1; ``pixel``: units per pixel."""
        if self.xy is None or not len(self.xy) or not all(np.isfinite(pixel)) or min(pixel) <= 0:
            return -1
        ratio = pixel[0] / pixel[1]
        tree = self._tree_for(ratio)
        if tree is None:
            return self._brute(x, y * ratio, ratio, radius * pixel[0])
        dist, i = tree.query([x, y * ratio], distance_upper_bound=radius * pixel[0])
        return int(i) if np.isfinite(dist) else -1

    def _tree_for(self, ratio: float):
        """The tree for this aspect ``ratio``, or None while it is being built (in a thread)."""
        if self._tree is not None and abs(ratio / self._ratio - 1) <= 1e-3:
            return self._tree
        building = self._building
        if building is not None and abs(ratio / building[1] - 1) <= 1e-3:
            if building[0].is_alive():
                return None
            self._tree, self._ratio, self._building = building[2][0], ratio, None
            return self._tree
        from scipy.spatial import cKDTree  # 0.36 s to import: the model-load worker has done it already

        scaled = self.xy * np.array([1.0, ratio])
        if len(self.xy) <= self.TREE_IN_THREAD:
            self._tree, self._ratio = cKDTree(scaled), ratio
            return self._tree
        result: list = []
        thread = threading.Thread(target=lambda: result.append(cKDTree(scaled)), name="picker-tree",
                                  daemon=True)
        self._building = (thread, ratio, result)
        thread.start()
        return None

    def _brute(self, x: float, y: float, ratio: float, limit: float) -> int:
        d2 = (self.xy[:, 0] - x) ** 2 + (self.xy[:, 1] * ratio - y) ** 2
        i = int(np.argmin(d2))
        return i if d2[i] <= limit * limit else -1


class ThumbTip(QWidget):
    """A tooltip window with a thumbnail and a caption."""

    def __init__(self, parent: QWidget):
        super().__init__(parent, Qt.WindowType.ToolTip)
        self.image, self.caption = QLabel(), QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.image, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.index = -1
        self.size = THUMB_SIZE

    def show_image(self, index: int, image: np.ndarray, caption: str, at: QPoint) -> None:
        if index != self.index:
            self.index = index
            self.image.setPixmap(to_pixmap(image, self.size))
            self.caption.setText(caption)
            self.adjustSize()
        self.move(at + QPoint(16, 16))
        self.show()

    def hide_tip(self) -> None:
        self.index = -1
        self.hide()


class ScatterView(QWidget):
    shiftClicked = Signal(int, float, float)  # data row (-1 = empty space), view x, y
    coloursChanged = Signal()  # color_by or set_colormap changed the points' colours

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.picker = Picker()
        self.overlays: dict[str, Overlay] = {}
        self._click_handler: Callable[[int, float, float], None] | None = None
        self._brushes = [pg.mkBrush(c) for c in PALETTE]
        self.colormap = VALUE_COLORMAP
        self._ramp = [pg.mkBrush(c) for c in steps(self.colormap, len(PALETTE), "w")]
        self.values: np.ndarray | None = None  # color_by's values (None: class colours)
        self.value_label, self.value_edges, self._bins = "", None, np.zeros(0, np.int64)
        self.label_items: list[pg.TextItem] = []
        self._label_rows = np.zeros(0, np.int64)
        self.scale, self._ink, self._paper = 1.0, "k", "w"
        self.follow = True  # the view fits the points as they come (until the person zooms or pans)
        self._build()
        self._connect()
        self._on_model()
        self.keys = KeyboardCursor(self)  # arrow keys, Enter; the plot's accessible description

    # ---- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        self.plot.own_marks = True  # set_colors gives the points, rings and legend the theme's colours
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()  # pyqtgraph's "A" (auto-range) button: View → Show all points (Home) does it
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):  # replaying an axis' picture costs ~9 ms a repaint: keep its pixels
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view = self.plot.plotItem.vb
        # one item per colour, each with one brush: setData of 70k points with a per-point brush list costs
        # 250-500 ms of GUI time (pyqtgraph's per-spot work); one brush per item makes it a few ms
        self.raster = PointRaster()  # draws every layer as one image (explorer/widgets/point_raster.py)
        self.layers = [PointLayer(self.raster, b, size=POINT_SIZE) for b in self._brushes]
        self.highlight = pg.ScatterPlotItem(pen=pg.mkPen("k", width=2.5), brush=None, size=16)
        self.manifold = pg.ImageItem(axisOrder="row-major")
        self.manifold.setZValue(-10)
        self.manifold.setOpacity(MANIFOLD_OPACITY)
        self.manifold.hide()
        dash = pg.mkPen("k", width=1.5, style=Qt.PenStyle.DashLine)
        self.cross = [pg.InfiniteLine(angle=a, pen=dash, movable=False) for a in (90, 0)]
        for item in (self.manifold, self.raster, *self.layers, self.highlight, *self.cross):
            self.plot.addItem(item, ignoreBounds=item not in self.layers)
        for line in self.cross:
            line.hide()
        # the class legend right of the plotting area (inside the plot it hid most of a cluster)
        self.legend = side_legend(self.plot.plotItem, RIGHT, own=False, labelTextSize="11pt", verSpacing=-4)
        self.colour_bar = ColourBar(self.plot.plotItem)
        self.tip = ThumbTip(self)
        self.banner = Banner(self.plot)
        # wrapped: its 16 pt line asked 420 px of the window's width
        self.empty = QLabel(EMPTY_TEXT, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setStyleSheet("font-size: 16pt; color: #555;")
        self.empty.setWordWrap(True)  # a long message must not widen the window
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._toolbar())
        layout.addWidget(self.hint)
        layout.addWidget(self.stack, 1)
        # under the plot, not in the View row: at 1280×720 that row had no room left for the view's name; the
        # note beside it (over the plot it covered the legend's first entry and the points at the top)
        under = QHBoxLayout()
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.note, 1)
        under.addWidget(self.count, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(under)

    def _toolbar(self) -> QHBoxLayout:
        self.projection_box = QComboBox()
        self.projection_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.manifold_box = QCheckBox("Decoded manifold")
        self.manifold_box.setToolTip("Draw the images decoded over the visible region behind the points")
        row = QHBoxLayout()
        row.setContentsMargins(6, 4, 6, 0)
        row.addWidget(QLabel("View:"))
        row.addWidget(self.projection_box)
        row.addWidget(self.manifold_box)
        self.labels_box = QCheckBox("Labels")
        self.labels_box.setToolTip("Write each point's class name beside it (small data sets only)")
        self.labels_box.hide()
        row.addWidget(self.labels_box)
        row.addStretch(1)
        self.hint = HintLabel()
        self.count = QLabel()
        self.count.setContentsMargins(0, 0, 6, 2)
        self.note = NoteLabel()
        return row

    def _connect(self) -> None:
        s = self.session
        s.modelChanged.connect(self._on_model)
        s.modelChanged.connect(self._on_new_model)
        s.modelUpdated.connect(self._follow)  # training: follow the points as they spread (unless zoomed)
        s.datasetChanged.connect(self._on_dataset)
        s.codesChanged.connect(self._on_codes)
        s.projectionChanged.connect(self._on_projection)
        s.projectionComputing.connect(self._on_computing)
        s.projectionProgress.connect(self._on_progress)
        self.banner.cancel_button.clicked.connect(s.cancel_projection)
        self.view.sigResized.connect(self._place_banner)
        s.ready.connect(self._on_ready)
        s.busyChanged.connect(self._on_busy)
        s.trainingChanged.connect(lambda: self._on_busy(s.busy))
        s.selectionChanged.connect(self._on_selection)
        s.decodedChanged.connect(self._on_decoded)
        s.gridReady.connect(self._on_grid)
        self.projection_box.activated.connect(self._on_projection_chosen)
        self.manifold_box.toggled.connect(self._on_manifold_toggled)
        self.labels_box.toggled.connect(self._on_labels_toggled)
        self.view.sigRangeChanged.connect(self._on_range)
        self.view.sigRangeChangedManually.connect(self._on_zoomed)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.scene().sigMouseMoved.connect(self._on_hover)

    # ---- session -> view ---------------------------------------------------------------------------------

    def _on_model(self) -> None:
        self._choices = projection_choices(self.session.latent_dim) if self.session.model else []
        self.projection_box.clear()
        self.projection_box.addItems([p.label for p in self._choices])
        self.projection_box.setEnabled(len(self._choices) > 1)
        self._on_busy(self.session.busy)

    def _on_new_model(self) -> None:
        """Another model (not the trained model taking over from its last snapshot): fit its points."""
        if not self.session.continuing:
            self.follow = True

    def _on_zoomed(self, *_) -> None:
        self.follow = False  # the person zoomed or panned: new codes (training, encoding) keep that view

    def _fit(self) -> None:
        if self.follow:
            self.view.autoRange(padding=0.04)

    def _follow(self) -> None:
        """At each snapshot of a training: fit the view again only when points have left it or they fill
        less than ``FOLLOW_FILL`` of it on an axis. A view that changed at every epoch made the person
        re-read the axes each time, and redrawing both axes took ~30 ms of GUI time per snapshot."""
        if not self.follow:
            return
        bounds = self.view.childrenBounds()  # what autoRange fits: the layers' bounds, kept until new points
        if any(b is None for b in bounds):
            return
        for (v0, v1), (a, b) in zip(self.view.viewRange(), bounds, strict=True):
            if a < v0 or b > v1 or (b - a) < FOLLOW_FILL * (v1 - v0):
                self._fit()
                return

    def _on_busy(self, busy: str) -> None:
        # codes without a model: shown as they are (a model set aside); a model in training before its
        # first snapshot: the panel says it waits
        s = self.session
        shown = s.model is not None or s.xy is not None
        waiting = (f"A new model is training on {s.dataset.spec}: its codes appear here after its first "
                   "epoch…") if s.training and s.dataset is not None else ""
        self.empty.setText(waiting or (busy if busy and not shown else EMPTY_TEXT))
        self.stack.setCurrentWidget(self.plot if shown else self.empty)

    def _on_dataset(self) -> None:
        self.follow = True
        if self.values is not None:  # values of the old data set's rows
            self._set_values(None, "")
        labels = point_labels(self.session.dataset)
        self.labels_box.setVisible(labels is not None)
        self.labels_box.blockSignals(True)
        self.labels_box.setChecked(bool(labels_by_default(self.session.dataset)))
        self.labels_box.blockSignals(False)
        self.set_point_labels(labels if self.labels_box.isChecked() else None)
        self._build_legend()

    def _build_legend(self) -> None:
        self.legend.clear()
        if self.values is not None:
            self.colour_bar.show_values(self.value_edges, [b.color() for b in self._ramp], self.value_label)
            return
        self.colour_bar.hide()
        names = self.session.class_names
        shown = names[:20]
        self.legend.setColumnCount(1 if len(shown) <= 10 else 2)
        for k, name in enumerate(shown):
            sample = pg.ScatterPlotItem(pen=None, brush=self._brushes[k % len(PALETTE)],
                                        size=LEGEND_SAMPLE_SIZE * self.scale)
            self.legend.addItem(sample, name)
        if len(names) > len(shown):
            self.legend.addItem(pg.ScatterPlotItem(pen=None, brush=None), f"… {len(names) - 20} more")

    def _on_codes(self) -> None:
        s = self.session
        self._on_busy(s.busy)
        xy = s.xy
        self.picker.set_points(xy)
        self._place_labels()
        if xy is None:
            for layer in self.layers:
                layer.clear()
            self.count.setText("")
            return
        rows = finite_rows(xy)  # NaN codes (an overflowing model) are not drawn
        finite = np.ones(len(xy), bool) if isinstance(rows, slice) else rows
        for layer, mine in zip(self.layers, split_by_layer(xy, self._colour_index(len(xy)), finite,
                                                           len(self.layers)), strict=True):
            layer.setData(x=mine[:, 0], y=mine[:, 1])  # PointLayer.setData only stores the arrays
        self.count.setText(f"{int(finite.sum()):,} points")
        self.plot.setLabel("bottom", s.projection.axis_labels[0])
        self.plot.setLabel("left", s.projection.axis_labels[1])
        self._sync_projection_box()
        self._show_kind()
        self._on_selection(s.selected)
        if not s.is_ready:
            self._fit()

    def _colour_index(self, n: int) -> np.ndarray:
        """The colour layer of each of the first ``n`` rows: its value's bin, or its class."""
        if self.values is not None and len(self._bins) >= n:
            return self._bins[:n]
        return self.session.dataset.labels[:n] % len(PALETTE)

    # ---- colour by a value, and point labels --------------------------------------------------------------

    def color_by(self, values: np.ndarray | None, label: str = "") -> None:
        """Colour the points by ``values`` (one per data row, e.g. the PSNR of each reconstruction) in
        ``len(PALETTE)`` steps of a colormap, low values dark and drawn on top, the steps in the legend;
        None brings back the class colours."""
        s = self.session
        if values is not None and (s.dataset is None or len(values) != len(s.dataset.images)):
            raise ValueError(f"color_by needs one value per data row, got {len(values)}")
        self._set_values(values, label)
        self._build_legend()
        self._show_legend()
        self._on_codes()
        self.coloursChanged.emit()

    def set_colormap(self, name: str) -> None:
        """The colormap of ``color_by`` (viridis or cividis: ``colour_bar.COLORMAPS``)."""
        self.colormap = name
        self._ramp = [pg.mkBrush(c) for c in steps(name, len(PALETTE), self._paper)]
        if self.values is not None:
            self.color_by(self.values, self.value_label)
    def _set_values(self, values: np.ndarray | None, label: str) -> None:
        self.values = None if values is None else np.array(values, dtype=np.float64)
        self.value_label = label if values is not None else ""
        if self.values is None:
            self.value_edges, self._bins = None, np.zeros(0, np.int64)
        else:
            self._bins, self.value_edges = value_bins(self.values, len(self.layers))
        brushes = self._brushes if values is None else self._ramp
        for k, (layer, brush) in enumerate(zip(self.layers, brushes, strict=True)):
            layer.setBrush(brush, update=False)
            layer.setZValue(0 if values is None else -(k + 1) * 1e-3)  # still under the marks (z 0)
            layer.clear()  # every point changes layer: none may be moved in place with its old colour

    def set_point_labels(self, labels: list[str] | None) -> bool:
        """Write ``labels[row]`` beside each point ("" for none); None removes them. Refused (False, and a
        status line) for more than MAX_LABELS texts."""
        for item in self.label_items:
            self.plot.removeItem(item)
        self.label_items, self._label_rows = [], np.zeros(0, np.int64)
        rows = [r for r, text in enumerate(labels or []) if text]
        if len(rows) > MAX_LABELS:
            self.session.status.emit(f"Too many points to label ({len(rows):,}; at most {MAX_LABELS})")
            self._show_legend()
            return False
        for r in rows:
            item = pg.TextItem(labels[r], anchor=(0.5, 1.05))
            self.plot.addItem(item, ignoreBounds=True)
            self.label_items.append(item)
        self._label_rows = np.array(rows, dtype=np.int64)
        self._style_labels()
        self._place_labels()
        self._show_legend()
        return True

    def _show_legend(self) -> None:
        """Labelled points need no class legend (it would list every label again); values have the colour
        bar instead."""
        self.legend.show_when(not self.label_items and self.values is None)

    def _on_labels_toggled(self, on: bool) -> None:
        self.set_point_labels(point_labels(self.session.dataset) if on else None)

    def _place_labels(self) -> None:
        xy = self.session.xy
        n = 0 if xy is None else len(xy)
        for item, row in zip(self.label_items, self._label_rows, strict=True):
            item.setVisible(bool(row < n))
            if row < n:
                item.setPos(float(xy[row, 0]), float(xy[row, 1]))

    def _style_labels(self) -> None:
        font = self.font()
        font.setPointSizeF(LABEL_PT * self.scale)
        fill = QColor(pg.mkColor(self._paper))
        fill.setAlpha(190)  # readable over the decoded manifold
        for item in self.label_items:
            item.setFont(font)
            item.setColor(self._ink)
            item.fill = pg.mkBrush(fill)

    def shown_points(self) -> np.ndarray:
        """N×2: every point drawn, colour layer by colour layer (for tests and benchmarks)."""
        parts = [np.c_[layer.getData()] for layer in self.layers]
        return np.concatenate([p.reshape(-1, 2) for p in parts])

    def _on_ready(self) -> None:
        self._fit()

    def _sync_projection_box(self) -> None:
        """The box shows the view being computed, else the view shown."""
        shown = self.session.computing or self.session.projection
        if shown in self._choices:
            self.projection_box.setCurrentIndex(self._choices.index(shown))

    def _on_projection(self) -> None:
        self.follow = True  # other coordinates: fit them
        self._on_codes()
        self._fit()

    def _show_kind(self) -> None:
        """The note, and the manifold only where the view is invertible."""
        p = self.session.projection
        self.note.setText("" if p.invertible else f"{p.label}: not invertible, so a click selects the "
                          "nearest point, and the tools draw no lines or arrows here")
        self.manifold_box.setEnabled(p.invertible)
        if not p.invertible:
            self.manifold.hide()

    def _on_computing(self, projection) -> None:
        self.banner.set_computing(None if projection is None else f"Computing the {projection.label}…")
        self._sync_projection_box()
        self._place_banner()

    def _on_progress(self, fraction: float, text: str) -> None:
        self.banner.set_progress(fraction, text)

    def _place_banner(self) -> None:
        """Just inside the top-left corner of the plotting area (right of the y axis), never wider than it:
        beside it are the axis and the legend."""
        area = self.plot.mapFromScene(self.view.sceneBoundingRect()).boundingRect()
        self.banner.fit_to(area.width() - 2 * BANNER_MARGIN)
        self.banner.move(area.left() + BANNER_MARGIN, area.top() + BANNER_MARGIN)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the banner's text grew
            self._place_banner()

    def _on_selection(self, index: int) -> None:
        xy = self.session.xy
        if 0 <= index < (0 if xy is None else len(xy)):
            self.highlight.setData(x=xy[index:index + 1, 0], y=xy[index:index + 1, 1])
        else:
            self.highlight.clear()

    def _on_decoded(self) -> None:
        point = self.session.decoded
        self._show_cross(*(point.xy if point is not None else (None, None)))

    def _show_cross(self, x: float | None, y: float | None) -> None:
        for line, value in zip(self.cross, (x, y), strict=True):
            line.setVisible(value is not None)
            if value is not None:
                line.setValue(value)

    def _on_grid(self, grid) -> None:
        if not self.manifold_box.isChecked() or self.session.plane is None:
            return
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        dx, dy = (x1 - x0) / max(grid.n - 1, 1), (y1 - y0) / max(grid.n - 1, 1)
        self.manifold.setImage(np.flipud(manifold_image(grid.images)), levels=(0, 255), autoLevels=False)
        self.manifold.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self.manifold.show()

    # ---- view -> session -----------------------------------------------------------------------------------

    def _on_projection_chosen(self, row: int) -> None:
        if 0 <= row < len(self._choices):
            self.session.set_projection(self._choices[row])
            self._sync_projection_box()  # back to the view shown if the session could not start this one

    def _on_manifold_toggled(self, on: bool) -> None:
        self.manifold.setVisible(on and self.session.grid is not None and self.session.plane is not None)
        if on and self.session.grid is not None:
            self._on_grid(self.session.grid)

    def _on_range(self, _view, ranges) -> None:
        self.session.set_view_range(ranges[0], ranges[1])

    def pick(self, x: float, y: float) -> int:
        """The data row drawn at view coordinates (x, y), or -1."""
        return self.picker.nearest(x, y, tuple(self.view.viewPixelSize()))

    def _view_pos(self, scene_pos):
        if self.session.xy is None or not self.view.sceneBoundingRect().contains(scene_pos):
            return None
        return self.view.mapSceneToView(scene_pos)

    def overlay(self, name: str) -> Overlay:
        """The marks layer named ``name`` (made on first use)."""
        if name not in self.overlays:
            self.overlays[name] = Overlay(self, name)
            self.overlays[name].set_look(self.scale, self._ink)
        return self.overlays[name]

    def claim_clicks(self, handler: Callable[[int, float, float], None], hint: str) -> None:
        self._click_handler = handler
        self.hint.setText(hint)

    def release_clicks(self) -> None:
        self._click_handler = None
        self.hint.setText("")

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or (p := self._view_pos(event.scenePos())) is None:
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.act_at(self.pick(p.x(), p.y()), p.x(), p.y(), shift)

    def act_at(self, index: int, x: float, y: float, shift: bool = False) -> None:
        """What a click at view (x, y) on row ``index`` (-1: empty space) does; also the keyboard's Enter."""
        if shift:
            self.shiftClicked.emit(index, x, y)
        elif self._click_handler is not None:
            self._click_handler(index, x, y)
        elif index >= 0:
            self.session.select(index)
        elif not self.session.projection.invertible:
            self.session.status.emit(f"Nothing to decode here: the {self.session.projection.label} is not "
                                     "invertible. Click a point, or choose latent axes or PCA to decode.")
        elif self.session.decode_at(x, y):
            self._show_cross(x, y)  # moved to the decoded point when it comes (decodedChanged)

    def _on_hover(self, scene_pos) -> None:
        p = self._view_pos(scene_pos)
        index = -1 if p is None else self.pick(p.x(), p.y())
        if index < 0:
            self.tip.hide_tip()
            return
        s = self.session
        label = s.class_names[int(s.dataset.labels[index])]
        if self.values is not None and index < len(self.values):
            label += f" · {self.value_label}: {self.values[index]:.3g}"
        at = self.plot.mapToGlobal(self.plot.mapFromScene(scene_pos))
        self.tip.show_image(index, s.dataset.images[index], f"#{index} · {label}", at)

    # ---- look (presentation mode, themes) ----------------------------------------------------------------

    def set_scale(self, f: float) -> None:
        """Points, the highlight ring, the legend and the hover thumbnail ``f`` times their usual size (for
        presentation mode; 1 restores them)."""
        self.scale = f
        for layer in self.layers:
            layer.setSize(POINT_SIZE * f)
        self.legend.setLabelTextSize(f"{LEGEND_TEXT_PT * f:.3g}pt")
        for sample, label in self.legend.items:
            sample.item.setSize(LEGEND_SAMPLE_SIZE * f)
            label.setText(label.text)  # the new size shows on the next setText
        self.tip.size = round(THUMB_SIZE * f)
        self.tip.hide_tip()
        self._style_marks()
        self.colour_bar.set_look(f, self._ink)

    def set_colors(self, background: str, foreground: str) -> None:
        """The plot's background, the class colours made for it (PALETTE or PALETTE_ON_DARK) and the ink of
        the highlight ring, the cross-hair and the legend (for light, dark and high-contrast themes)."""
        self._ink, self._paper = foreground, background
        self.plot.setBackground(background)
        self._brushes = [pg.mkBrush(c) for c in themes.on(background, PALETTE, PALETTE_ON_DARK)]
        self._ramp = [pg.mkBrush(c) for c in steps(self.colormap, len(PALETTE), background)]
        shown = self._brushes if self.values is None else self._ramp
        for layer, brush in zip(self.layers, shown, strict=True):
            layer.setBrush(brush)
        fill = QColor(pg.mkColor(background))
        fill.setAlpha(215)
        self.legend.setBrush(fill)
        self.legend.setLabelTextColor(foreground)
        self._build_legend()  # its samples in the new colours, its text in the new ink
        self._style_marks()
        self.colour_bar.set_look(self.scale, foreground)

    def on_look(self, look: themes.Look) -> None:
        """A theme for a scatter in a separate window (``themes.style_window``: Compare's panes)."""
        self.set_colors(look.background, look.ink)

    def _style_marks(self) -> None:
        self.highlight.setPen(pg.mkPen(self._ink, width=2.5 * self.scale))
        self.highlight.setSize(HIGHLIGHT_SIZE * self.scale)
        for line in self.cross:
            line.setPen(pg.mkPen(self._ink, width=1.5 * self.scale, style=Qt.PenStyle.DashLine))
        for overlay in self.overlays.values():
            overlay.set_look(self.scale, self._ink)
        self._style_labels()

    def leaveEvent(self, event) -> None:
        self.tip.hide_tip()
        super().leaveEvent(event)
