"""The denoising tool's state: corruption kind, level and seed, the selected image's preview, and the sweep.

The preview (noisy image, reconstruction, PSNRs, the trail of latent means) runs in its own lane with one job
in flight: while one runs, newer settings only mark it stale and the latest is submitted when it returns, so
a slider drag shows every few milliseconds instead of starving. The noise sweep runs in a second lane, so
dragging the slider never cancels a sweep. ``compare_with(path)`` adds a checkpoint's reconstruction curve
measured on the same test batch (a denoising-trained model against a plain one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.tools.jobs import Jobs

KINDS = {"gaussian": "Gaussian noise", "salt-pepper": "Salt and pepper", "mask": "Masking (inpainting)"}
SWEEP_LEVELS = tuple(round(0.1 * i, 1) for i in range(11))
SWEEP_SIZE = 256  # test images in the sweep batch
SWEEP_SEED = 0


@dataclass(frozen=True)
class Request:
    index: int
    kind: str
    level: float
    seed: int


@dataclass(frozen=True)
class Curve:
    """A model's sweep: ``label`` for the legend, ``path`` None for the session's own model."""

    label: str
    sweep: object  # trainer.denoise.Sweep
    path: Path | None


@dataclass(frozen=True)
class SweepStep:
    done: int
    total: int


class Denoiser(QObject):
    """State of the Denoising tool; its panel shows it and calls the methods.

    Signals: ``settingsChanged`` (kind, level, seed), ``indexChanged(int)`` (the image worked on, -1 none),
    ``resultChanged`` (``result`` replaced or cleared), ``curvesChanged``, ``sweepProgress(done, total)``,
    ``sweepBusyChanged(bool)``, ``message(str)`` (a line for the panel, "" clears it).
    """

    settingsChanged = Signal()
    indexChanged = Signal(int)
    resultChanged = Signal()
    curvesChanged = Signal()
    sweepProgress = Signal(int, int)
    sweepBusyChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.preview_jobs = Jobs(session, "denoise-preview", self)
        self.sweep_jobs = Jobs(session, "denoise-sweep", self)
        self.kind, self.level, self.seed = "gaussian", 0.3, 0
        self.index = -1
        self.result = None  # trainer.denoise.DenoiseResult of ``request``
        self.request: Request | None = None
        self.curves: list[Curve] = []
        self.compare_paths: list[Path] = []
        self._stale = False
        self._connect()

    def _connect(self) -> None:
        s = self.session
        s.selectionChanged.connect(self._on_selection)
        s.modelChanged.connect(self._on_model)
        s.datasetChanged.connect(self._on_dataset)
        s.ready.connect(self.refresh)
        s.modelUpdated.connect(self.refresh)  # the model in training: newer weights
        self.preview_jobs.lane.failed.connect(self._on_preview_failed)
        self.sweep_jobs.lane.failed.connect(self._on_sweep_failed)
        self.sweep_jobs.busyChanged.connect(self.sweepBusyChanged)

    # ---- settings -----------------------------------------------------------------------------------------

    def set_kind(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown corruption {kind!r}")
        if kind != self.kind:
            self.kind = kind
            self._clear_curves()
            self._changed()

    def set_level(self, level: float) -> None:
        level = min(max(float(level), 0.0), 1.0)
        if level != self.level:
            self.level = level
            self._changed()

    def set_seed(self, seed: int) -> None:
        if int(seed) != self.seed:
            self.seed = max(0, int(seed))
            self._clear_curves()
            self._changed()

    def _changed(self) -> None:
        self.settingsChanged.emit()
        self.refresh()

    # ---- the preview --------------------------------------------------------------------------------------

    @property
    def can_run(self) -> bool:
        s = self.session
        return s.model is not None and s.dataset is not None

    def refresh(self) -> None:
        """Corrupt and reconstruct the selected image at the current settings (one job in flight)."""
        if not self.can_run or self.index < 0:
            return
        if self.preview_jobs.busy:
            self._stale = True
            return
        self._stale = False
        request = Request(self.index, self.kind, self.level, self.seed)
        image = np.array(self.session.dataset.images[self.index], copy=True)
        self.preview_jobs.submit(preview, self.session.model, request, image, then=self._on_result)

    def _on_result(self, answer) -> None:
        request, result = answer
        if request.index == self.index:
            self.request, self.result = request, result
            self.resultChanged.emit()
        if self._stale:
            self.refresh()

    def _on_preview_failed(self, _number: int, _message: str) -> None:
        if self._stale:
            self.refresh()

    def _on_selection(self, index: int) -> None:
        if index == self.index:
            return
        self._clear_result()
        self.index = index
        self.indexChanged.emit(index)
        self.refresh()

    def _clear_result(self) -> None:
        self.preview_jobs.cancel()
        self._stale = False
        if self.result is not None:
            self.request = self.result = None
            self.resultChanged.emit()

    def _on_model(self) -> None:
        """A new model (or none, while training): nothing shown so far belongs to it."""
        self._clear_result()
        self.sweep_jobs.cancel()
        self._drop_curves(lambda curve: curve.path is None)

    def _on_dataset(self) -> None:
        self._clear_result()
        self._clear_curves()

    # ---- the sweep ----------------------------------------------------------------------------------------

    @property
    def noisy_curve(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(levels, mean PSNR of the noisy input): the same for every model (same batch, seed, corruption)."""
        if not self.curves:
            return None
        sweep = self.curves[0].sweep
        return sweep.levels, sweep.psnr_noisy

    def run_sweep(self) -> None:
        """Measure the current model and every compared file on the test batch, for the current corruption."""
        self._clear_curves()
        self._sweep_missing()

    def compare_with(self, path: str | Path) -> None:
        """Add the reconstruction curve of the checkpoint at ``path`` (measured on the same batch)."""
        path = Path(path)
        if path not in self.compare_paths:
            self.compare_paths.append(path)
        self._drop_curves(lambda curve: curve.path == path)
        self._sweep_missing()

    def cancel_sweep(self) -> None:
        """Stop a running sweep at its next level; the curves measured so far stay."""
        if self.sweep_jobs.busy:
            self.sweep_jobs.cancel()
            self.message.emit("Noise sweep cancelled.")

    def clear_comparisons(self) -> None:
        self.compare_paths.clear()
        self._drop_curves(lambda curve: curve.path is not None)

    def _sweep_missing(self) -> None:
        s = self.session
        if s.dataset is None:
            self.message.emit("Load a data set first.")
            return
        done = {curve.path for curve in self.curves}
        entries = [(s.model_name(), s.model)] if s.model is not None and None not in done else []
        entries += [(p.name, p) for p in self.compare_paths if p not in done]
        if not entries:
            return
        self.message.emit("")
        self.sweep_jobs.submit(sweep_job, entries, s.dataset.images, s.dataset.n_train, self.kind,
                               SWEEP_LEVELS, self.seed, each=self._on_sweep_item)

    def _on_sweep_item(self, item) -> None:
        if isinstance(item, SweepStep):
            self.sweepProgress.emit(item.done, item.total)
        else:
            self.curves = [c for c in self.curves if c.path != item.path] + [item]
            self.curves.sort(key=lambda c: c.path is not None)  # the session's model first
            self.curvesChanged.emit()

    def _on_sweep_failed(self, _number: int, message: str) -> None:
        """A compared file that fails (not a checkpoint, wrong image size) is dropped from the comparison."""
        done = {curve.path for curve in self.curves}
        self.compare_paths = [p for p in self.compare_paths if p in done]
        self.message.emit(message)

    def _clear_curves(self) -> None:
        self.sweep_jobs.cancel()
        self._drop_curves(lambda curve: True)

    def _drop_curves(self, drop) -> None:
        kept = [curve for curve in self.curves if not drop(curve)]
        if len(kept) != len(self.curves):
            self.curves = kept
            self.curvesChanged.emit()


# ---- jobs (run in a lane's thread) -----------------------------------------------------------------------

def _torch():
    import torch

    from explorer.workers import THREADS

    torch.set_num_threads(THREADS)


def preview(model, request: Request, image: np.ndarray):
    """(request, DenoiseResult) for one image: ≤ 22 corruptions, one encode batch, one decode."""
    _torch()
    from explorer.workers import torch_errors
    from trainer.denoise import denoise_one

    with torch_errors("Denoising"):
        return request, denoise_one(model, image, request.kind, request.level, request.seed)


def sweep_job(entries: list, images: np.ndarray, n_train: int, kind: str, levels, seed: int):
    """Yields SweepStep after each level of each model and a Curve per model. ``entries``: (label, model or
    checkpoint path); a checkpoint whose image shape does not fit the data is refused with one message."""
    _torch()
    from explorer.workers import torch_errors
    from trainer.denoise import Sweep, noise_sweep, sweep_batch

    batch = sweep_batch(images, n_train, SWEEP_SIZE, SWEEP_SEED)
    total = len(entries) * len(levels)
    for k, (label, source) in enumerate(entries):
        path = source if isinstance(source, Path) else None
        model = _load(path, tuple(batch.shape[1:])) if path is not None else source
        with torch_errors(f"The noise sweep of {label}"):
            for item in noise_sweep(model, batch, kind, levels, seed):
                if isinstance(item, Sweep):
                    yield Curve(label, item, path)
                else:
                    yield SweepStep(k * len(levels) + item.done, total)


def _load(path: Path, shape: tuple):
    from explorer.workers import torch_errors
    from trainer.errors import TrainerError
    from trainer.latent import for_inference
    from trainer.model_files import load_model

    with torch_errors(f"Loading {path.name}"):
        model, _ = load_model(path)  # a checkpoint or an ONNX model
    expects = tuple(model.config.image_shape)
    if expects != shape:
        raise TrainerError(f"{path.name} expects {_dims(expects)} images, but the open data set has "
                           f"{_dims(shape)} images: it cannot be compared on these images. Choose a model "
                           f"trained on {_dims(shape)} images.")
    return for_inference(model)


def _dims(shape) -> str:
    return "×".join(str(int(s)) for s in shape)
