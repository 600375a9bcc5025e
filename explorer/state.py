"""The session: everything the views show, in one QObject, with a signal per change.

Views get the session in ``__init__``, connect ``_on_*`` slots to its signals and call its methods; they never
run torch. Heavy work (loading, encoding, decoding) runs in ``explorer.workers`` lanes; results arrive here on
the GUI thread and are applied only if no newer request of the same kind was made (the latest request wins).

Attributes (read them; change them only through the methods below)
    model        Autoencoder | None     the torch module (only workers call it)
    info         CheckpointInfo | None  its metadata (None for a model made in the app and not yet saved)
    model_path   Path | None            the file it came from
    dataset      Dataset | None         the images shown in the scatter
    codes        float32 N×D | None     latent means of ``dataset.images`` (grows while encoding)
    n_encoded    int                    rows of ``codes`` filled so far
    projection   Projection             the 2-D view shown: latent axes (i, j), the codes' PCA plane (both
                                        ``.invertible``), or t-SNE or UMAP of the codes, PCA, t-SNE or UMAP
                                        of the raw pixels (not); ``.label``, ``.axis_labels`` name it
    computing    Projection | None      a view being computed in the background (the old one stays shown)
    plane        Plane | None           trainer.latent.Plane for ``projection`` (None until codes exist, and
                                        in a non-invertible view: nothing decodes there)
    xy           float32 N×2 | None     view coordinates of ``codes[:n_encoded]`` (through ``plane``, or the
                                        embedding of a non-invertible view)
    selected     int                    selected dataset row, -1 for none
    reconstruction  Reconstruction | None   decoded image of the selected row (index, image, psnr)
    decoded      DecodedPoint | None    a latent point decoded by clicking empty space (xy, z, image)
    view_range   ((x0, x1), (y0, y1)) | None   the region the scatter shows, in view coordinates
    grid         GridResult | None      the last decoded grid (x_range, y_range, n, images, mosaic)
    busy         str                    what is running, "" when idle
    encoding     bool                   the data set is being encoded (``encodeProgress`` counts it)
    is_ready     bool                   model, data and all codes present and projected

Signals (all emitted on the GUI thread)
    modelChanged()            model / info / model_path replaced or cleared (codes are recomputed next)
    modelSaved()              the same model was saved: ``model_path`` is its new file
    modelUpdated()            the model in training has newer weights, and its codes came with them
    trainingChanged()         a model began or ended training, or its label ("untitled (training, epoch
                              3/20)", which ``model_name()`` returns) changed: explorer/session_training
    datasetChanged()          dataset replaced (selection cleared, codes recomputed)
    codesChanged()            codes / xy changed (also progressively while encoding)
    projectionChanged()       projection, plane and xy changed
    projectionComputing(object)  the Projection now being computed, or None when that ended (done,
                              cancelled, failed, or given up because the codes changed)
    projectionProgress(float, str)  progress of that computation: fraction 0…1 and what it is doing
    selectionChanged(int)     selected row (-1 = none)
    reconstructionReady(int)  ``reconstruction`` for that row is ready
    decodedChanged()          ``decoded`` changed (None when cleared)
    viewRangeChanged()        ``view_range`` changed (the scatter was panned or zoomed)
    gridReady(object)         a GridResult for the latest grid request
    busyChanged(str)          work started / finished ("" = idle)
    encodeProgress(int, int)  images encoded so far and their total (0 of N when encoding starts)
    status(str)               a short line for the status bar
    error(str)                one clear message for the person; the previous model and data stay loaded
    ready()                   everything loaded, encoded and projected (after each model or data change)

Methods
    open_model(path, data_spec=None)   (False when ``confirm_replace`` says keep the unsaved model) load a
                                       checkpoint in a worker; also loads ``data_spec``, or the model's
                                       own data set when the current one is missing or does not fit
    open_dataset(spec)                 load a data set in a worker (``error`` if it does not fit the model)
    set_model(model, info=None, path=None)   adopt a model built on the GUI side (e.g. the Training dock);
                                       the session only reads it from workers: pass a copy if training goes on
    set_dataset(dataset)               adopt a loaded Dataset
    reencode()                         encode the data again (after the model's weights changed)
    set_projection(projection)         choose the view; ``projection_choices(latent_dim)`` lists them. The
                                       selected row stays selected (a decoded point is cleared). Invertible
                                       views switch at once; t-SNE, UMAP and the pixel views are computed in a
                                       lane (``computing``, progress signals) unless cached: the last
                                       embedding per kind is kept until the codes (t-SNE, UMAP of the
                                       codes) or the data set (pixel views) change. New codes (another model,
                                       re-encoding) bring back the last invertible view; while a model
                                       trains, a view asked for is computed to its end and stays shown,
                                       computed again for the newest codes (explorer/session_training)
    cancel_projection()                stop computing a view; the view shown before stays (while a model
                                       trains, it is not computed again for newer codes until chosen again)
    cancel_work()                      stop loading a model or data set, encoding and computing a view (the
                                       status bar's Cancel). A model being loaded is dropped: the model and
                                       data open before stay. An encoding stops where it is: the scatter keeps
                                       the images encoded so far (``is_ready`` stays False, no ``ready``;
                                       ``reencode()`` or opening the model again encodes them all). A job
                                       already inside torch or a download ends in the background, unused
    select(index)                      select a row (-1 clears); its reconstruction follows
    decode_at(x, y)                    decode the latent point at view coordinates (x, y) (nothing in a
                                       non-invertible view)
    set_view_range(x_range, y_range)   the scatter reports what it shows
    request_grid(x_range, y_range, n)  decode an n×n grid over that region; answered by gridReady (nothing
                                       in a non-invertible view)
    shutdown()                         stop all workers and wait for them (call before the app quits)

For the tools (explorer/tools/)
    new_lane(name) -> Lane             a worker lane the session owns: stopped by ``shutdown``, its failures
                                       reported through ``error``; connect its ``done``/``yielded`` yourself
    to_view(codes) -> float32 M×2      where latent codes M×D are drawn in the current view (through the
                                       plane; in a non-invertible view, at the point of the nearest code)
    current_code() -> (z, label) | None   the latent point the person is looking at: the selected row's code,
                                       or the decoded point; label says which ("#12 · Coat", "decoded point")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer import workers
from explorer.session_training import TrainingSession
from explorer.workers import DecodedPoint, GridResult, Reconstruction
from trainer import embed
from trainer.errors import TrainerError

__all__ = ["DecodedPoint", "GridResult", "Projection", "Reconstruction", "Session", "projection_choices"]

LANES = ("model", "data", "encode", "grid", "recon", "point", "projection", "warm")
_NAMES = {  # projection kind -> (label, x axis, y axis)
    "pca": ("PCA plane", "PC 1", "PC 2"),
    "tsne": ("t-SNE of the codes", "t-SNE 1", "t-SNE 2"),
    "pixels-pca": ("PCA of the pixels", "pixel PC 1", "pixel PC 2"),
    "pixels-tsne": ("t-SNE of the pixels", "t-SNE 1", "t-SNE 2"),
    "umap": ("UMAP of the codes", "UMAP 1", "UMAP 2"),
    "pixels-umap": ("UMAP of the pixels", "UMAP 1", "UMAP 2"),
    "line": ("1-D code by class", "z0", "class"),  # a latent size of 1: x is the code, y the class
}
WARM_UP_DELAY_MS = 1500  # after the first ready: the grid and a screenshot come first
PREVIEW_PAINT_MS = 60  # a preview's points are drawn within this: then the model lane may import torch
CODE_EMBEDDINGS = ("tsne", "umap")  # computed from the codes: forgotten when the codes change


@dataclass(frozen=True)
class Projection:
    """A 2-D view of the points. Invertible (a view position is a latent point: clicks and grids decode):
    two raw latent axes (the rest at their mean), or the codes' PCA plane. Not invertible: t-SNE of the
    codes, and PCA or t-SNE of the raw pixels (to compare with the autoencoder's own embedding)."""

    kind: str = "axes"  # "axes" | "pca" | "tsne" | "umap" | "pixels-pca" | "pixels-tsne" | "pixels-umap"
    i: int = 0
    j: int = 1

    @property
    def invertible(self) -> bool:
        return self.kind in ("axes", "pca", "line")

    @property
    def of_pixels(self) -> bool:
        return self.kind.startswith("pixels-")

    @property
    def axis_labels(self) -> tuple[str, str]:
        return _NAMES[self.kind][1:] if self.kind in _NAMES else (f"z{self.i}", f"z{self.j}")

    @property
    def label(self) -> str:
        return _NAMES[self.kind][0] if self.kind in _NAMES else f"latent axes z{self.i}, z{self.j}"


EMBEDDINGS = (Projection("tsne"), Projection("umap"), Projection("pixels-pca"), Projection("pixels-tsne"),
              Projection("pixels-umap"))


def projection_choices(latent_dim: int) -> list[Projection]:
    """The PCA plane and every pair of axes (the first pair first for a 2-D code: the default there), then
    the views that are not invertible: t-SNE of the codes, PCA and t-SNE of the pixels."""
    if latent_dim == 1:  # a line: the code against the class (decodes along x); PCA and t-SNE need 2-D
        return [Projection("line"), *(p for p in EMBEDDINGS if p.of_pixels)]
    pairs = [Projection("axes", i, j) for i in range(latent_dim) for j in range(i + 1, latent_dim)]
    planes = (pairs[:1] + [Projection("pca")] + pairs[1:]) if latent_dim == 2 else [Projection("pca"), *pairs]
    return [*planes, *EMBEDDINGS]


def default_projection(latent_dim: int) -> Projection:
    if latent_dim == 1:
        return Projection("line")
    return Projection("axes", 0, min(1, latent_dim - 1)) if latent_dim <= 2 else Projection("pca")


class Session(QObject, TrainingSession):
    modelChanged = Signal()
    modelUpdated = Signal()  # the model in training has newer weights (and codes): explorer/session_training
    trainingChanged = Signal()  # a model began or ended training, or its label changed
    modelSaved = Signal()
    datasetChanged = Signal()
    codesChanged = Signal()
    projectionChanged = Signal()
    projectionComputing = Signal(object)
    projectionProgress = Signal(float, str)
    selectionChanged = Signal(int)
    reconstructionReady = Signal(int)
    decodedChanged = Signal()
    viewRangeChanged = Signal()
    gridReady = Signal(object)
    busyChanged = Signal(str)
    encodeProgress = Signal(int, int)
    status = Signal(str)
    error = Signal(str)
    ready = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.model = self.info = self.model_path = self.dataset = None
        self.codes: np.ndarray | None = None
        self.n_encoded = 0
        self.projection = Projection()
        self.computing: Projection | None = None
        self._computing_codes: np.ndarray | None = None
        self._embedded_from: dict[str, np.ndarray] = {}  # kind -> the codes its embedding was computed from
        self._held = False  # the person cancelled: training does not compute the view shown again
        self._last_plane = self.projection  # the last invertible view: shown again when codes change
        self._embeddings: dict[str, np.ndarray] = {}  # kind -> N×2, for the non-invertible views
        self._nearest = None  # cKDTree over the codes, for to_view in a non-invertible view
        self.plane = None
        self.xy: np.ndarray | None = None
        self.selected = -1
        self.reconstruction: Reconstruction | None = None
        self.decoded: DecodedPoint | None = None
        self._pending_point: tuple[float, float] | None = None  # view (x, y) being decoded
        self.view_range: tuple | None = None
        self.grid: GridResult | None = None
        self.is_ready = False
        self._preview: workers.Preview | None = None  # bundled codes shown before the model loaded
        self._warmed = False  # workers.warm_up submitted
        self._busy: dict[str, str] = {}
        self._lanes = {name: workers.Lane(f"explorer-{name}") for name in LANES}
        self._connect_lanes()
        self._init_training()

    def _connect_lanes(self) -> None:
        lanes = self._lanes
        lanes["model"].yielded.connect(self._on_model_step)
        lanes["model"].done.connect(self._on_model_loaded)
        lanes["data"].done.connect(self._on_data_loaded)
        lanes["encode"].yielded.connect(self._on_codes)
        # from the first model on screen, the GUI thread gets the GIL back within 1 ms (not during start-up:
        # there the torch import and the GUI thread would pass it back and forth, 0.5 s slower)
        self.ready.connect(workers.share_the_gil)
        lanes["encode"].done.connect(self._on_encoded)
        lanes["grid"].done.connect(self._on_grid)
        lanes["recon"].done.connect(self._on_reconstruction)
        lanes["point"].done.connect(self._on_decoded)
        lanes["projection"].yielded.connect(self._on_embed_step)
        lanes["projection"].failed.connect(self._on_embed_failed)
        for lane in lanes.values():
            lane.failed.connect(self._on_failed)

    # ---- reading ---------------------------------------------------------------------------------------

    @property
    def busy(self) -> str:
        return "; ".join(self._busy.values())

    @property
    def encoding(self) -> bool:
        return "encode" in self._busy

    @property
    def latent_dim(self) -> int:
        return self.model.config.latent_dim if self.model is not None else 0

    @property
    def class_names(self) -> list[str]:
        return list(self.dataset.class_names) if self.dataset is not None else []

    # ---- loading ---------------------------------------------------------------------------------------

    def open_model(self, path: str | Path, data_spec: str | None = None) -> bool:
        """False when the person chose to keep an unsaved model (``confirm_replace``)."""
        path = Path(path)
        if not self.confirm_replace(f"Opening {path.name}"):
            return False
        shape = None if data_spec or self.dataset is None else self.dataset.image_shape
        self._set_busy("model", f"Loading {path.name}…")
        self._preview = None
        self._lanes["model"].submit(workers.open_model, path, data_spec, shape)
        return True

    def open_dataset(self, spec: str) -> None:
        self._set_busy("data", f"Loading data set {spec}…")
        self._lanes["data"].submit(workers.load_data, spec)

    def set_model(self, model, info=None, path: str | Path | None = None) -> bool:
        """Adopt ``model``; False (and ``error``) if it does not fit the open data set."""
        if not self._fits(model.config.image_shape, self.dataset,
                          f"Open a data set of {_dims(model.config.image_shape)} images first (File → Open "
                          "data set…)."):
            return False
        if model.config.latent_dim != self.latent_dim:
            self.projection = self._last_plane = default_projection(model.config.latent_dim)
        self.model, self.info = model, info
        self.model_path = Path(path) if path is not None else None
        self.unsaved, self._reselect, self._redecode, self._reproject = False, -1, None, None
        self.modelChanged.emit()
        self.status.emit(f"Model: {self.model_name()}")
        self.reencode()
        return True

    def set_dataset(self, dataset) -> bool:
        """Adopt ``dataset``; False (and ``error``) if it does not fit the open model."""
        if self.model is not None and not self._fits(self.model.config.image_shape, dataset,
                                                     workers.new_model_hint(dataset.spec)):
            return False
        self.dataset = dataset
        self._embeddings.clear()  # the pixel views too
        self.select(-1)
        self.datasetChanged.emit()
        self.status.emit(f"Data: {dataset.spec} ({len(dataset.images):,} images)")
        self.reencode()
        return True

    def model_saved(self, path: str | Path) -> None:
        """The current model was written to ``path``: from now on it is the model's file."""
        self.model_path = Path(path)
        self.unsaved = False
        self.modelSaved.emit()
        self.status.emit(f"Saved {self.model_path}")

    def model_name(self) -> str:
        if self.training:
            return self.training
        if self.model_path is not None:
            return self.model_path.name
        return "untitled model" if self.model is not None else "no model"

    def _fits(self, shape, dataset, what_to_do: str) -> bool:
        """True when ``dataset`` (or none) has images of ``shape``; else one ``error`` that says what
        happened and ``what_to_do``."""
        if dataset is None or tuple(shape) == dataset.image_shape:
            return True
        self.error.emit(f"The model expects {_dims(shape)} images, but the data set {dataset.spec} has "
                        f"{_dims(dataset.image_shape)} images. The previous model and data stay loaded. "
                        f"{what_to_do}")
        return False

    def _on_model_step(self, number: int, item) -> None:
        if isinstance(item, workers.Preview):
            self._on_preview(number, item)
        else:
            self._on_model_loaded(number, item)

    def _on_preview(self, number: int, preview: workers.Preview) -> None:
        """Show a model's bundled codes on its data set while torch and the model load (only when no model
        is open: the points must never be drawn next to another model's decoder)."""
        if not self._lanes["model"].is_current(number) or self.model is not None or preview.codes is None:
            preview.shown.set()
            return
        QTimer.singleShot(PREVIEW_PAINT_MS, preview.shown.set)  # after the views have drawn it
        self._preview = preview
        self.dataset = preview.dataset
        self._embeddings.clear()
        self.select(-1)
        self.datasetChanged.emit()
        self._codes_replaced()
        dim = preview.codes.shape[1]
        self.projection = self._last_plane = default_projection(dim)
        self.codes, self.n_encoded = preview.codes, len(preview.codes)
        self._project()
        self.codesChanged.emit()
        self.projectionChanged.emit()

    def _on_model_loaded(self, number: int, loaded: workers.LoadedModel | None) -> None:
        if loaded is None or not self._finish("model", number):  # None: the end of open_model's steps
            return
        if number == self._adopting:
            self._adopt_trained(loaded)
            return
        if loaded.dataset is not None and self._shown_preview(loaded) is not None:
            self.model = None  # the data set is on screen already, with the bundled codes
        elif loaded.dataset is not None:
            self.dataset = None  # the new pair replaces the old one together
            self.model = None
            if not self.set_dataset(loaded.dataset):
                return
        self.set_model(loaded.model, loaded.info, loaded.path)

    def _on_data_loaded(self, number: int, dataset) -> None:
        if self._finish("data", number):
            self.set_dataset(dataset)

    # ---- codes and projection ----------------------------------------------------------------------------

    def _shown_preview(self, loaded) -> np.ndarray | None:
        """The bundled codes on screen if they belong to ``loaded``'s model file and data set."""
        p = self._preview
        same_file = p is not None and Path(p.path).resolve() == Path(loaded.path).resolve()
        return p.codes if same_file and p.dataset is self.dataset and loaded.dataset is p.dataset else None

    def reencode(self) -> None:
        """Forget the codes and encode the data set with the current model (in a worker). Bundled codes
        shown before the model loaded stay on screen while a worker checks them against the encoder."""
        self._lanes["encode"].cancel()
        self._busy.pop("encode", None)
        self.is_ready = False
        known, self._preview = self._kept_codes(), None
        if known is not None:
            n = len(known)
            self._set_busy("encode", f"Checking the bundled codes of {n:,} images…")
            cache = workers.cache_path(self.model_path, self.dataset)
            self._lanes["encode"].submit(workers.encode, self.model, self.dataset.images, cache, known.copy())
            self.encodeProgress.emit(0, n)
            return
        self.codes, self.n_encoded, self.plane, self.xy = None, 0, None, None
        self._clear_points()
        back = self._codes_replaced()
        self.codesChanged.emit()
        if back:
            self.projectionChanged.emit()
        if self.model is None or self.dataset is None:
            self.busyChanged.emit(self.busy)
            return
        n = len(self.dataset.images)
        self.codes = np.zeros((n, self.latent_dim), dtype=np.float32)
        self._set_busy("encode", f"Encoding {n:,} images…")
        cache = workers.cache_path(self.model_path, self.dataset)
        self._lanes["encode"].submit(workers.encode, self.model, self.dataset.images, cache)
        self.encodeProgress.emit(0, n)

    def _kept_codes(self) -> np.ndarray | None:
        p = self._preview
        if p is None or self.model is None or p.dataset is not self.dataset or self.model_path is None:
            return None
        same = Path(p.path).resolve() == Path(self.model_path).resolve() and self.codes is p.codes
        return p.codes if same and self.n_encoded == len(p.codes) else None

    def _on_codes(self, number: int, chunk: workers.EncodedChunk) -> None:
        if not self._lanes["encode"].is_current(number):
            return
        stop = chunk.start + len(chunk.codes)
        self.codes[chunk.start:stop] = chunk.codes
        self.n_encoded, self._nearest = stop, None
        if stop < chunk.total:
            self._set_busy("encode", f"Encoding… {stop:,} of {chunk.total:,} images")
        self.encodeProgress.emit(stop, chunk.total)
        self._project()
        self.codesChanged.emit()

    def _on_encoded(self, number: int, _result) -> None:
        if self._finish("encode", number):
            self.is_ready = True
            bad = int((~np.isfinite(self.codes[:self.n_encoded]).all(axis=1)).sum())
            shown = self.n_encoded - bad
            self.status.emit(f"{self.model_name()} on {self.dataset.spec}: {shown:,} points")
            if bad:
                self.error.emit(non_finite_message(bad, self.n_encoded))
            self._warm_up()
            self.ready.emit()
            self._select_again()

    def _warm_up(self) -> None:
        """Once, after the first model is shown: the imports a first action would stall on (warm_up)."""
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(WARM_UP_DELAY_MS, self, lambda: self._lanes["warm"].submit(workers.warm_up))

    def set_projection(self, projection: Projection) -> None:
        """Show ``projection``: at once when it is invertible or cached, else once computed (in a lane)."""
        if projection.invertible or projection.kind in self._embeddings:
            self.cancel_projection()
            if projection != self.projection:
                self._show(projection)
            if self._older_codes(projection):  # a model in training moved the codes since it was computed
                self._compute(projection)
        elif projection != self.computing:
            self._compute(projection)
        self._held = False

    def _older_codes(self, projection: Projection) -> bool:
        """The cached t-SNE or UMAP was computed from codes older than ``codes`` (only while training)."""
        return (projection.kind in CODE_EMBEDDINGS
                and self._embedded_from.get(projection.kind) is not self.codes)

    def cancel_projection(self) -> None:
        """Stop computing a view (the running t-SNE ends at its next step); the view shown stays."""
        if self.computing is None:
            return
        self._held = True  # while a model trains, the view shown is not computed again for newer codes
        self._lanes["projection"].cancel()
        self.computing = None
        if self._busy.pop("projection", None) is not None:
            self.busyChanged.emit(self.busy)
        self.projectionComputing.emit(None)

    def cancel_work(self) -> None:
        """Stop loading, encoding and computing a view (see the module docstring); the status bar says what
        was stopped and what stays."""
        kept = f" ({self.model_name()} stays open)" if self.model is not None else ""
        jobs = (("model", f"loading the model{kept}"), ("data", "loading the data set"))
        stopped = [what for lane, what in jobs if self._drop(lane)]
        if self._drop("encode"):
            stopped.append(f"encoding: {self.n_encoded:,} of {len(self.codes):,} images shown")
        if self.computing is not None:
            stopped.append(f"the {self.computing.label}")
            self.cancel_projection()
        if stopped:
            self.busyChanged.emit(self.busy)
            self.status.emit("Cancelled " + "; ".join(stopped))

    def _drop(self, lane: str) -> bool:
        """Make the lane's job stale and the lane idle; False if it had nothing to do."""
        if lane not in self._busy:
            return False
        self._lanes[lane].cancel()
        del self._busy[lane]
        return True

    def _show(self, projection: Projection) -> None:
        self.projection = projection
        if projection.invertible:
            self._last_plane = projection
        self._clear_decoded()  # a decoded point belongs to the old view; the selected row stays
        if self.n_encoded:
            self._project()
        self.projectionChanged.emit()

    def _compute(self, projection: Projection) -> None:
        if self.dataset is None or not self.is_ready:
            self.status.emit(f"The {projection.label} can be computed once every image is encoded")
            return
        self.computing = projection
        self._computing_codes = self.codes  # the codes it is computed from (training moves them on)
        data = self.dataset.images if projection.of_pixels else self.codes[:self.n_encoded].copy()
        steps = embedding_steps(projection.kind)
        self._set_busy("projection", f"Computing the {projection.label}…")
        self._lanes["projection"].submit(steps, data)
        self.projectionComputing.emit(projection)
        self.projectionProgress.emit(0.0, f"Computing the {projection.label}…")

    def _on_embed_step(self, number: int, step: embed.EmbedStep) -> None:
        if not self._lanes["projection"].is_current(number) or self.computing is None:
            return
        if step.xy is None:
            self.projectionProgress.emit(step.fraction, step.text)
            return
        projection = self.computing
        self._embeddings[projection.kind] = step.xy
        self._embedded_from[projection.kind] = self._computing_codes
        self._finish("projection", number)
        self.computing = None
        self.projectionComputing.emit(None)
        self._show(projection)
        self._embedding_shown(projection, self._computing_codes)

    def _on_embed_failed(self, number: int, _message: str) -> None:
        if self._lanes["projection"].is_current(number) and self.computing is not None:
            self.computing = None  # the session's error signal shows the message (_on_failed)
            self.projectionComputing.emit(None)

    def _codes_replaced(self) -> bool:
        """New codes: forget their t-SNE, stop computing, and go back to the last invertible view if a
        non-invertible one is shown (True then)."""
        for kind in CODE_EMBEDDINGS:
            self._embeddings.pop(kind, None)
        self._nearest = None
        self.cancel_projection()
        if self.projection.invertible:
            return False
        self.projection = self._last_plane
        return True

    def _project(self) -> None:
        from trainer.planes import Plane  # numpy only: a preview is projected before torch is imported

        codes = self.codes[:self.n_encoded]
        p = self.projection
        if not p.invertible:
            self.plane, self.xy = None, self._embeddings[p.kind][:self.n_encoded]
            return
        if p.kind == "line":
            from trainer.planes import Line, code_against_class

            self.plane = Line.of(codes.shape[1])
            self.xy = code_against_class(codes, self.dataset.labels[:len(codes)])
            return
        finite = codes[finite_rows(codes)]  # NaN codes (an overflowing model) are not drawn
        try:
            pca = p.kind == "pca" and (len(finite) or not len(codes))  # no finite code: axes 0, 1
            rest = dict(dim=2) if codes.shape[1] == 2 else dict(center=_mean(finite, codes))  # no other axes
            self.plane = Plane.pca(finite) if pca else Plane.axes(p.i, p.j, **rest)
        except TrainerError as e:  # fewer than 3 images for PCA, axes the code does not have
            self.plane, self.xy = None, None
            self.error.emit(f"Cannot show the latent space as a scatter: {e}")
            return
        self.xy = np.ascontiguousarray(self.plane.from_latent(codes), dtype=np.float32)

    # ---- selection and decoding ------------------------------------------------------------------------

    def select(self, index: int) -> None:
        """Select data row ``index`` (-1 clears); its reconstruction arrives with ``reconstructionReady``."""
        self.selected, self.reconstruction = int(index), None
        if index >= 0:
            self._clear_decoded()
        self.selectionChanged.emit(self.selected)
        if 0 <= index < self.n_encoded and self.model is not None:
            code, image = self.codes[index].copy(), self.dataset.images[index]
            self._lanes["recon"].submit(workers.reconstruct, self.model, index, code, image)

    def decode_at(self, x: float, y: float) -> bool:
        """Decode the latent point at view coordinates (x, y); the result comes with ``decodedChanged``.
        False (and a status line) when there is no model or no invertible view to decode with."""
        if self.model is None or self.plane is None:
            self.status.emit("Nothing to decode here: " + ("no model is loaded yet" if self.model is None
                                                           else "this view is not invertible"))
            return False
        if self.selected >= 0:
            self.select(-1)
        self._pending_point = (float(x), float(y))
        self._lanes["point"].submit(workers.decode_point, self.model, self.plane, self._pending_point)
        return True

    def clear_points(self) -> None:
        """No selected row and no decoded point (Escape)."""
        self._clear_points()

    def _clear_points(self) -> None:
        if self.selected >= 0:
            self.select(-1)
        self._clear_decoded()

    def _clear_decoded(self) -> None:
        """No decoded point, nor one on its way (the scatter drew its cross-hair at the click already)."""
        pending, self._pending_point = self._pending_point is not None, None
        if pending:
            self._lanes["point"].cancel()
        if self.decoded is not None or pending:
            self.decoded = None
            self.decodedChanged.emit()

    def _on_reconstruction(self, number: int, rec: Reconstruction) -> None:
        if self._lanes["recon"].is_current(number) and rec.index == self.selected:
            self.reconstruction = rec
            self.reconstructionReady.emit(rec.index)

    def _on_decoded(self, number: int, point: DecodedPoint) -> None:
        if self._lanes["point"].is_current(number) and self.selected < 0:
            self.decoded, self._pending_point = point, None
            self.decodedChanged.emit()

    # ---- the visible region and its grid -----------------------------------------------------------------

    def set_view_range(self, x_range, y_range) -> None:
        self.view_range = ((float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1])))
        self.viewRangeChanged.emit()

    def request_grid(self, x_range, y_range, n: int) -> None:
        if self.model is not None and self.plane is not None:
            self._lanes["grid"].submit(workers.decode_grid, self.model, self.plane, tuple(x_range),
                                       tuple(y_range), int(n))

    def _on_grid(self, number: int, grid: GridResult) -> None:
        if self._lanes["grid"].is_current(number) and self.plane is not None:
            self.grid = grid
            self.gridReady.emit(grid)

    # ---- for the tools -----------------------------------------------------------------------------------

    def new_lane(self, name: str) -> workers.Lane:
        if name in self._lanes:
            raise ValueError(f"a lane named {name!r} exists already")
        lane = self._lanes[name] = workers.Lane(f"explorer-{name}")
        lane.failed.connect(self._on_failed)
        return lane

    def to_view(self, codes: np.ndarray) -> np.ndarray:
        """View coordinates M×2 of latent codes M×D (empty when nothing is projected yet). In a view that is
        not invertible each code is drawn where its nearest encoded code is (a KD-tree over ``codes``)."""
        dim = self.codes.shape[1] if self.codes is not None else max(self.latent_dim, 1)
        codes = np.asarray(codes, dtype=np.float32).reshape(-1, dim)
        if self.plane is not None:
            return np.asarray(self.plane.from_latent(codes), dtype=np.float32)
        if self.xy is None or not len(self.xy) or not len(codes):
            return np.zeros((0, 2), np.float32)
        if self._nearest is None:
            from scipy.spatial import cKDTree

            self._nearest = cKDTree(self.codes[:len(self.xy)])
        _, rows = self._nearest.query(codes)
        return self.xy[rows].astype(np.float32)

    def current_code(self) -> tuple[np.ndarray, str] | None:
        if 0 <= self.selected < self.n_encoded:
            name = self.class_names[int(self.dataset.labels[self.selected])]
            return self.codes[self.selected].copy(), f"#{self.selected} · {name}"
        if self.decoded is not None:
            return self.decoded.z.copy(), "decoded point"
        return None

    # ---- work bookkeeping --------------------------------------------------------------------------------

    def _set_busy(self, lane: str, text: str) -> None:
        self._busy[lane] = text
        self.busyChanged.emit(self.busy)

    def _finish(self, lane: str, number: int) -> bool:
        """True if job ``number`` is the lane's latest (and then the lane is no longer busy)."""
        if not self._lanes[lane].is_current(number):
            return False
        if self._busy.pop(lane, None) is not None:
            self.busyChanged.emit(self.busy)
        return True

    def _on_failed(self, number: int, message: str) -> None:
        name = next((k for k, lane in self._lanes.items() if lane is self.sender()), None)
        if name is not None and self._finish(name, number):
            self.error.emit(message)

    def shutdown(self) -> None:
        """Stop every worker and wait for it; safe to call twice."""
        for lane in self._lanes.values():
            lane.stop()

    # --- training (owned by the training dock: explorer/training.py) ------------------------------------

    def show_codes(self, codes: np.ndarray) -> None:
        """Show the codes of a model in training (the scatter moves). The session's own model is set aside
        (``model`` is None until ``adopt_weights``) so that nothing decodes these codes with another model."""
        if self.dataset is None or len(codes) != len(self.dataset.images):
            return
        self._lanes["encode"].cancel()
        if self._busy.pop("encode", None) is not None:
            self.busyChanged.emit(self.busy)
        if self.model is not None:
            self.model = self.info = self.model_path = None
            self.modelChanged.emit()
        self.is_ready = False
        self._clear_points()
        back = self._codes_replaced()
        self.codes, self.n_encoded = codes, len(codes)
        if self.projection not in projection_choices(codes.shape[1]):
            self.projection = self._last_plane = default_projection(codes.shape[1])
        self._project()
        self.codesChanged.emit()
        if back:
            self.projectionChanged.emit()


def embedding_steps(kind: str):
    """The step generator that computes a non-invertible view (``trainer.embed``, ``trainer.embed_umap``)."""
    from trainer import embed_umap  # numpy only: umap-learn itself is imported in the worker

    return {"pca": embed.pca_steps, "tsne": embed.tsne_steps,
            "umap": embed_umap.umap_steps}[kind.removeprefix("pixels-")]


def non_finite_message(bad: int, total: int) -> str:
    """The one message for codes that are NaN or Inf."""
    which = f"None of the {total:,} images has" if bad == total else f"{bad:,} of the {total:,} images have"
    return (f"{which} a finite latent code: the model's encoder gives NaN or Inf (its weights overflow "
            "float32, so it was probably damaged or diverged in training). Those points are not drawn; "
            "retrain the model or open another.")


def finite_rows(a: np.ndarray) -> np.ndarray | slice:
    """The rows of ``a`` (N×D) without NaN or ±inf: ``slice(None)`` when all are (one reduction over the
    array, 0.1 ms at 70k×2, where a per-row mask took 3-5 ms of GUI time at every epoch of a training),
    else a boolean mask of N."""
    good = np.isfinite(a)
    return slice(None) if good.all() else good.all(axis=1)


def _mean(finite: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return finite.mean(axis=0) if len(finite) else np.zeros(codes.shape[1], np.float32)


def _dims(shape) -> str:
    return "×".join(str(int(s)) for s in shape)
