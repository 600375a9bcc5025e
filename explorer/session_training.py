"""The session while a model trains: every panel shows the model in training, or says that it waits.

A mixin of ``explorer.state.Session`` (its signals are declared there). The Training dock's controller
(``explorer.training``) calls these methods on the GUI thread:

    begin_training(dataset, label)   the open model is closed; ``dataset`` becomes the session's data set;
                                     ``model`` is None (the panels say they wait) until the first snapshot
    set_training_label(label)        "untitled (training, epoch 3/20)": ``model_name()``, the title
    show_training(codes, weights, model_config)
                                     codes N×D of the data set and the weights they came from; a worker builds
                                     the model and both become current together (``modelUpdated``). The
                                     selection and the decoded point stay and are decoded again with the new
                                     weights; the scatter keeps a zoom the person made. A t-SNE or UMAP
                                     asked for is computed to its end (never cancelled by a snapshot) and
                                     stays shown, computed again for the newest codes each time it ends
    end_training()                   no training label any more (before ``adopt_weights``)
    adopt_weights(config, weights)   the final model becomes current (re-encoded); the selected row, the
                                     decoded point and the view chosen come back once it is encoded
    restore(model, info, path, dataset)   training failed: put back what was open before it

Attributes: ``training`` (the label, "" when no model trains), ``unsaved`` (the current model was trained
here and is not saved: ``explorer.unsaved`` asks before it is lost), ``continuing`` (True while the
``modelChanged`` of the trained model adopted at the end is emitted: the views keep their zoom).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QTimer

from explorer import workers


@dataclass(frozen=True)
class TrainingModel:
    """What the snapshot lane hands back: a model built from one snapshot's weights and that snapshot's
    codes (float32 N×D latent means)."""

    model: object
    codes: np.ndarray


def build_training_model(model_config, weights: dict, codes: np.ndarray) -> TrainingModel:
    """Runs in the snapshot lane: an inference model (CPU, eval mode) from numpy ``weights``."""
    from explorer.training import model_from_weights

    return TrainingModel(model_from_weights(model_config, weights).model, codes)


class TrainingSession:
    """The training half of ``Session`` (see the module docstring)."""

    def _init_training(self) -> None:
        self.training = ""
        self.unsaved = False
        self.continuing = False
        self._reselect = -1  # a row selected before the trained model was re-encoded
        self._redecode: tuple[float, float] | None = None  # and the view position of a decoded point
        self._reproject = None  # and a t-SNE, UMAP or pixel view shown or asked for
        self._adopting = -1  # job number of the trained model being built in the model lane
        # asked before another model replaces the current one (the window asks Save / Discard / Cancel:
        # explorer.unsaved); the argument says what would replace it ("Opening x.safetensors")
        self.confirm_replace = lambda action: True
        lane = self._lanes["snapshot"] = workers.Lane("explorer-snapshot")
        lane.done.connect(self._on_training_model)
        lane.failed.connect(self._on_failed)

    @property
    def adopting(self) -> bool:
        """The trained model is being built (``adopt_weights``) and is not current yet."""
        return self._adopting != -1

    def begin_training(self, dataset, label: str) -> None:
        self._lanes["snapshot"].cancel()
        self._drop("model")  # a model still loading (or a trained one being adopted) would replace it
        self._adopting = -1
        self._held = False
        self.training, self.unsaved = label, False
        self.model = self.info = self.model_path = None
        if dataset is not self.dataset:
            self.dataset = dataset
            self._embeddings.clear()
            self.select(-1)
            self.datasetChanged.emit()
        self.modelChanged.emit()
        self.reencode()  # no model: the codes are cleared and the panels wait
        self.trainingChanged.emit()
        self.status.emit(f"Training a new model on {dataset.spec}: its codes appear after its first epoch")

    def set_training_label(self, label: str) -> None:
        if self.training and label != self.training:
            self.training = label
            self.trainingChanged.emit()

    def show_training(self, codes: np.ndarray, weights: dict, model_config) -> None:
        if self.training and self.dataset is not None and len(codes) == len(self.dataset.images):
            self._lanes["snapshot"].submit(build_training_model, model_config, weights, codes)

    def _on_training_model(self, number: int, result: TrainingModel) -> None:
        if not self._lanes["snapshot"].is_current(number) or not self.training:
            return
        first = self.model is None or self.model.config != result.model.config
        self.model, self.info, self.model_path, self.unsaved = result.model, None, None, True
        self._show_training_codes(result.codes)
        if first:
            self.modelChanged.emit()
            self.status.emit(f"The model in training on {self.dataset.spec}: {self.n_encoded:,} points, "
                             "moved at each epoch")
        self._show_training_weights(result.model)

    def _show_training_weights(self, model) -> None:
        """The second half of a snapshot, in the event loop's next turn: the codes are drawn first, then the
        tools follow the newer weights (``modelUpdated``); one turn for both held the GUI thread ~50 ms."""
        def follow() -> None:
            if self.model is model:  # not replaced in between (by a newer snapshot, or the trained model)
                self._decode_points_again()
                self.modelUpdated.emit()

        QTimer.singleShot(0, follow)

    def _show_training_codes(self, codes: np.ndarray) -> None:
        """Newer codes of the same images. A view being computed goes on (with the codes it started from),
        and a t-SNE or UMAP shown stays shown until the one of these codes is ready."""
        from explorer.state import CODE_EMBEDDINGS, default_projection, projection_choices

        self.is_ready = False
        self._nearest = None
        for kind in CODE_EMBEDDINGS:  # of older codes: only the one shown stays, until its newer one is ready
            if kind != self.projection.kind:
                self._embeddings.pop(kind, None)
        self.codes, self.n_encoded = codes, len(codes)
        back = self.projection not in projection_choices(codes.shape[1])
        if back:  # another latent size
            self.cancel_projection()
            self.projection = self._last_plane = default_projection(codes.shape[1])
        self._project()
        self.is_ready = True  # a model and the codes of every image: the tools may decode (modelUpdated)
        self.codesChanged.emit()
        if back:
            self.projectionChanged.emit()
        elif not self._held and self.computing is None and self.projection.kind in CODE_EMBEDDINGS:
            self._compute(self.projection)  # the view shown, for these codes (it stays shown meanwhile)

    def _embedding_shown(self, projection, codes) -> None:
        """A view computed from ``codes`` is shown: while the model trains, compute it again if newer codes
        came meanwhile (a run is never cancelled by a snapshot, so each one ends and is seen)."""
        from explorer.state import CODE_EMBEDDINGS

        newer = codes is not self.codes
        if self.training and newer and not self._held and projection.kind in CODE_EMBEDDINGS:
            self._compute(projection)

    def _decode_points_again(self) -> None:
        """The selected row's reconstruction and the decoded point, with the newest weights."""
        if 0 <= self.selected < self.n_encoded:
            row = self.selected
            code, image = self.codes[row].copy(), self.dataset.images[row]
            self._lanes["recon"].submit(workers.reconstruct, self.model, row, code, image)
        elif (xy := self.decoded.xy if self.decoded is not None else self._pending_point) is not None \
                and self.plane is not None:  # a click being decoded by the older weights too
            self._pending_point = xy = tuple(float(v) for v in xy)
            self._lanes["point"].submit(workers.decode_point, self.model, self.plane, xy)

    def end_training(self) -> None:
        if self.training:
            self._lanes["snapshot"].cancel()
            self.training = ""
            self.trainingChanged.emit()

    def adopt_weights(self, model_config, weights: dict, info=None) -> None:
        """Make the model built (in a worker) from numpy ``weights`` current; ``ready`` follows as usual, then
        the selected row, the decoded point and the view chosen come back (``_select_again``)."""
        from explorer.training import model_from_weights

        self._set_busy("model", "Loading the trained model…")
        self._adopting = self._lanes["model"].submit(model_from_weights, model_config, weights, info)

    def _adopt_trained(self, loaded) -> None:
        """The model lane's answer to ``adopt_weights``."""
        self._adopting = -1
        keep = self.selected if self.decoded is None else -1
        point = self.decoded.xy if self.decoded is not None else self._pending_point
        point = point if self.projection.invertible else None
        view = self.computing or self.projection
        self.continuing = True
        try:
            adopted = self.set_model(loaded.model, loaded.info, None)
        finally:
            self.continuing = False
        self.unsaved = adopted
        self._reselect = keep if adopted else -1
        self._redecode = point if adopted else None
        self._reproject = view if adopted and not view.invertible else None

    def _select_again(self) -> None:
        """After the trained model is encoded: the view chosen during training comes back, and the row
        selected then is selected again, or the point decoded then is decoded again (at the same view
        position, with the trained model)."""
        from explorer.state import projection_choices

        row, self._reselect = self._reselect, -1
        point, self._redecode = self._redecode, None
        view, self._reproject = self._reproject, None
        if view is not None and view in projection_choices(self.latent_dim):
            self.set_projection(view)  # the person's choice, computed for the trained model's codes
        if 0 <= row < self.n_encoded:
            self.select(row)
        elif point is not None and self.plane is not None and self.selected < 0:
            self.decode_at(*point)

    def restore(self, model, info, path, dataset) -> None:
        """Training failed before it gave a model: the model and data set open before it come back."""
        self.end_training()
        if self.model is not None or model is None:
            return
        if dataset is not None and dataset is not self.dataset:
            self.set_dataset(dataset)
        self.set_model(model, info, path)
