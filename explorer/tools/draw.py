"""Draw your own: a bitmap the person draws, its latent code, its reconstruction and its nearest data images.

The canvas (``explorer.widgets.canvas``) hands over a new bitmap on every change; the tool encodes it in its
own lane with one job in flight: while one runs, newer bitmaps only mark it stale and the latest is submitted
when it returns, so a fast stroke shows a code every few milliseconds instead of starving, and the last bitmap
always gets its own code. A job encodes the bitmap (``trainer.latent.encode``), decodes the mean for the
reconstruction and looks up the nearest data codes (a scipy ``cKDTree`` over ``session.codes``, built once
per set of codes in the lane and kept). While a stroke is drawn the codes it passes through are kept as a
trail. A blank bitmap has no code. When the model goes away the results clear; they come back with
``session.ready``. A model for another image size asks for the drawing at that size (``shapeChanged``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.tools.jobs import Jobs

NEIGHBOURS = 5


@dataclass(frozen=True)
class Encoded:
    """The answer for one bitmap (numpy copies made in the lane)."""

    bitmap: np.ndarray  # uint8 C×H×W, what was encoded
    code: np.ndarray  # float32 D, the latent mean
    logvar: np.ndarray | None  # float32 D for a VAE
    reconstruction: np.ndarray  # float32 C×H×W in [0, 1]: decode(code)
    rows: np.ndarray | None  # int64 k: the nearest data rows, nearest first (None: codes not ready)
    distances: np.ndarray | None  # float32 k: their distances in latent space


class DrawTool(QObject):
    """State of the Draw tool; its panel shows it and feeds it the canvas's bitmaps.

    Signals: ``bitmapChanged`` (``bitmap`` replaced), ``resultChanged`` (``result`` replaced, None when
    cleared), ``trailChanged`` (``trail`` changed), ``shapeChanged(object)`` (the model takes images of this
    C×H×W shape: draw at that size).
    """

    bitmapChanged = Signal()
    resultChanged = Signal()
    trailChanged = Signal()
    shapeChanged = Signal(object)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "draw", self)
        self.bitmap: np.ndarray | None = None
        self.result: Encoded | None = None
        self.trail: list[np.ndarray] = []  # codes during the last stroke
        self.stroking = False
        self.image_shape = self._model_shape()
        self._trail_open = False  # results are added to the trail until the stroke's last bitmap is encoded
        self._stale = False
        self._tree = None  # cKDTree over the session's codes
        self._generation = 0  # bumped when the codes change: a tree or rows of older codes are dropped
        s = session
        s.modelChanged.connect(self._on_model)
        s.datasetChanged.connect(self._on_model)
        s.codesChanged.connect(self._on_codes)
        s.ready.connect(self.refresh)
        s.modelUpdated.connect(self._on_weights)  # the model in training: newer weights
        self.jobs.lane.failed.connect(self._on_failed)

    # ---- reading -------------------------------------------------------------------------------------------

    @property
    def code(self) -> np.ndarray | None:
        return None if self.result is None else self.result.code

    @property
    def reconstruction(self) -> np.ndarray | None:
        return None if self.result is None else self.result.reconstruction

    @property
    def up_to_date(self) -> bool:
        """True when ``result`` is the answer for the current bitmap (or there is nothing to encode)."""
        if not self._encodable():
            return self.result is None
        return self.result is not None and np.array_equal(self.result.bitmap, self.bitmap)

    def _model_shape(self) -> tuple[int, int, int] | None:
        model = self.session.model
        return None if model is None else tuple(int(s) for s in model.config.image_shape)

    # ---- the drawing ---------------------------------------------------------------------------------------

    def set_bitmap(self, bitmap: np.ndarray | None) -> None:
        """The drawing changed: encode it (a copy is kept). A change outside a stroke (undo, clear, another
        size) removes the trail."""
        self.bitmap = None if bitmap is None else np.array(bitmap, dtype=np.uint8, copy=True)
        self.bitmapChanged.emit()
        if not self.stroking and not self._trail_open:
            self._set_trail([])
        self.refresh()

    def begin_stroke(self) -> None:
        self.stroking = self._trail_open = True
        self._set_trail([])

    def end_stroke(self) -> None:
        self.stroking = False
        if not self.jobs.busy:
            self._trail_open = False

    # ---- encoding ------------------------------------------------------------------------------------------

    def _encodable(self) -> bool:
        b = self.bitmap
        return (self.session.model is not None and b is not None and b.shape == self.image_shape
                and bool(b.any()))

    def refresh(self) -> None:
        """Encode the current bitmap (one job in flight; a blank or misfitting bitmap clears the result)."""
        if not self._encodable():
            self._cancel()
            self._set_result(None)
            return
        if self.jobs.busy:
            self._stale = True
            return
        self._stale = False
        s = self.session
        codes = s.codes[:s.n_encoded].copy() if s.is_ready and self._tree is None else None
        self.jobs.submit(encode_drawing, s.model, self.bitmap.copy(), self._tree, codes, self._generation,
                         then=self._on_result)

    def _on_result(self, answer) -> None:
        result, tree, generation = answer
        if generation == self._generation:
            self._tree = tree
        elif result.rows is not None:
            result = Encoded(result.bitmap, result.code, result.logvar, result.reconstruction, None, None)
        self._set_result(result)
        if self._trail_open:
            self._set_trail([*self.trail, result.code])
            self._trail_open = self.stroking or self._stale
        if self._stale:
            self.refresh()

    def _on_failed(self, _number: int, _message: str) -> None:
        if self._stale:
            self.refresh()

    def _cancel(self) -> None:
        self._stale = False
        if self.jobs.busy:
            self.jobs.cancel()

    # ---- the session ---------------------------------------------------------------------------------------

    def _on_model(self) -> None:
        """Another model (or none, or other data): the codes, the trail and the neighbours are gone."""
        self._cancel()
        self._forget_codes()
        self._trail_open = False
        self._set_trail([])
        self._set_result(None)
        shape = self._model_shape()
        if shape is not None and shape != self.image_shape:
            self.image_shape = shape
            self.shapeChanged.emit(shape)

    def _on_weights(self) -> None:
        """The model in training has newer weights: the drawing is encoded again (the star and its
        neighbours move); the trail, codes of the older weights, is gone."""
        self._trail_open = self.stroking
        self._set_trail([])
        self.refresh()

    def _on_codes(self) -> None:
        """New codes (encoding, or a snapshot of a model in training): the neighbours are found again."""
        self._forget_codes()

    def _forget_codes(self) -> None:
        self._tree = None
        self._generation += 1

    def _set_result(self, result: Encoded | None) -> None:
        if result is not None or self.result is not None:
            self.result = result
            self.resultChanged.emit()

    def _set_trail(self, trail: list[np.ndarray]) -> None:
        if trail or self.trail:
            self.trail = trail
            self.trailChanged.emit()


def encode_drawing(model, bitmap: np.ndarray, tree, codes: np.ndarray | None, generation: int):
    """The job (in the tool's lane): (Encoded, the KD-tree, generation). The tree is built from ``codes``
    when none is given; without either there are no neighbours."""
    import torch

    from explorer.workers import THREADS, torch_errors
    from trainer.latent import decode, encode

    torch.set_num_threads(THREADS)
    with torch_errors("Encoding the drawing"):
        mu, logvar = encode(model, bitmap[None])
        reconstruction = decode(model, mu)[0]
    if tree is None and codes is not None and len(codes):
        from scipy.spatial import cKDTree

        tree = cKDTree(codes)
    rows = distances = None
    if tree is not None:
        k = min(NEIGHBOURS, tree.n)
        distances, rows = tree.query(mu[0], k=k)
        rows, distances = np.atleast_1d(rows).astype(np.int64), np.atleast_1d(distances).astype(np.float32)
    result = Encoded(bitmap, mu[0].copy(), None if logvar is None else logvar[0].copy(),
                     np.array(reconstruction, copy=True), rows, distances)
    return result, tree, generation
