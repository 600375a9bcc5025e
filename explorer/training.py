"""Training in the background: a ``TrainThread`` runs ``trainer.train.fit`` and yields numpy ``Snapshot``s;
the ``TrainingController`` (GUI thread) applies them to the session: codes move the scatter, the final
weights become the current model.

Only copies cross threads: codes and weights leave the worker as fresh numpy arrays. torch is imported in
the worker, which sets its own thread count so that the GUI keeps a core. ``Task`` runs one function in a
thread (device probe, saving, loading); ``wait_all`` waits for every such thread (call it before quitting).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QThread, Signal

from explorer.workers import THREADS, torch_errors, unexpected
from trainer.errors import TrainerError

_THREADS: set[QThread] = set()  # running threads, kept alive (and waited for) until they end


@dataclass(frozen=True)
class TrainRequest:
    model_config: object  # trainer.models.ModelConfig
    settings: dict  # TrainConfig fields (the worker builds the TrainConfig: it imports torch)
    data: object  # trainer.data.Dataset to train on
    shown: np.ndarray | None  # uint8 images whose codes the scatter shows (None: no codes)
    encode_every: int = 300  # steps between re-encodings (there is one at every epoch end too)


@dataclass(frozen=True)
class Snapshot:
    """What the worker hands over. ``kind``: step | epoch | done | stopped | diverged."""

    kind: str
    progress: object  # trainer.train.Progress (the last record)
    codes: np.ndarray | None = None  # float32 N×D latent means of ``TrainRequest.shown``
    weights: dict[str, np.ndarray] | None = None  # state_dict copy (epoch ends and the end)
    message: str = ""  # the TrainingDiverged message


# ---- the worker side (runs in the training thread) -------------------------------------------------------

def train(request: TrainRequest, should_stop: Callable[[], bool]) -> Iterator[Snapshot]:
    """Build the model and train it; snapshots carry codes at epoch ends (and every few hundred steps, when
    encoding is cheap enough), weights at epoch ends and at the end. Divergence ends with "diverged" and the
    last good weights."""
    from trainer.errors import TrainingDiverged
    from trainer.models import build_model
    from trainer.train import TrainConfig, fit

    cfg = TrainConfig.from_dict({**request.settings, "threads": THREADS})
    with torch_errors("Building the model"):
        model = build_model(request.model_config)
    clock, last = _EncodeClock(request.encode_every), None
    try:
        for p in fit(model, request.data, cfg, should_stop):
            last = p
            yield _snapshot(model, request, p, clock)
    except TrainingDiverged as e:
        yield Snapshot("diverged", last, None, weights_np(model), str(e))


def _snapshot(model, request: TrainRequest, p, clock: _EncodeClock) -> Snapshot:
    if p.kind in ("done", "stopped"):
        return Snapshot(p.kind, p, None, weights_np(model))
    steps = (p.epoch - 1) * p.steps_per_epoch + p.step
    if request.shown is None or not (p.kind == "epoch" or clock.due(steps)):
        return Snapshot(p.kind, p)
    codes = clock.timed(steps, lambda: encode_np(model, request.shown))
    return Snapshot(p.kind, p, codes, weights_np(model))  # the panels decode with the weights of these codes


class _EncodeClock:
    """Mid-epoch encodings every ``every`` steps, but never more than ~20% of the time."""

    def __init__(self, every: int):
        self.every, self.last_step, self.end, self.cost = every, 0, time.monotonic(), 0.0

    def due(self, steps: int) -> bool:
        return steps - self.last_step >= self.every and time.monotonic() - self.end >= 4 * self.cost

    def timed(self, steps: int, fn: Callable[[], np.ndarray]) -> np.ndarray:
        start = time.monotonic()
        result = fn()
        self.last_step, self.end, self.cost = steps, time.monotonic(), time.monotonic() - start
        return result


def encode_np(model, images: np.ndarray) -> np.ndarray:
    """Latent means of uint8 images with the training model (trainer.latent.encode restores train mode)."""
    from trainer.latent import encode

    with torch_errors("Encoding during training"):
        mu, _ = encode(model, images)
    return np.array(mu, dtype=np.float32, copy=True)


def weights_np(model) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def model_from_weights(model_config, weights: dict[str, np.ndarray], info=None):
    """A model (eval mode, CPU) built from numpy weights, as the session's model lane expects it."""
    import torch

    from explorer.workers import LoadedModel
    from trainer.models import build_model

    torch.set_num_threads(THREADS)
    with torch_errors("Building the trained model"):
        model = build_model(model_config)
        model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()}, strict=True)
    if not all(bool(torch.isfinite(v).all()) for v in model.state_dict().values()):
        raise TrainerError("The trained weights hold NaN or Inf; the previous model is kept")
    from trainer.latent import for_inference

    return LoadedModel(for_inference(model), info, None, None)


def probe_devices() -> list[tuple[str, str]]:
    """(label, device) pairs, CPU first; the GPU, when there is one, last. Imports torch: call in a Task."""
    import torch

    found = [("CPU", "cpu")]
    if torch.cuda.is_available():
        found.append((f"GPU: {torch.cuda.get_device_name(0)}", "cuda"))
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append(("GPU: Apple (mps)", "mps"))
    return found


# ---- threads ---------------------------------------------------------------------------------------------

class _Thread(QThread):
    """A QThread that stays referenced while it runs, so it is never destroyed running."""

    failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.cancel = threading.Event()  # set by ``wait_all``; a job may check it and give up early

    def start(self) -> None:
        _THREADS.add(self)
        self.finished.connect(lambda: _THREADS.discard(self))
        super().start()

    def _report(self, error: Exception) -> None:
        if isinstance(error, TrainerError):
            self.failed.emit(str(error))
        else:  # a bug: say so, with the log file that holds its traceback
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(unexpected(error, type(self).__name__))


class Task(_Thread):
    """Run ``fn(*args)`` once in a thread: ``done(result)`` or ``failed(message)``."""

    done = Signal(object)

    def __init__(self, fn: Callable, *args):
        super().__init__()
        self._fn, self._args = fn, args

    def run(self) -> None:
        try:
            self.done.emit(self._fn(*self._args))
        except Exception as e:
            self._report(e)


class TrainThread(_Thread):
    snapshot = Signal(object)

    def __init__(self, request: TrainRequest):
        super().__init__()
        self.request = request

    def request_stop(self) -> None:
        self.cancel.set()

    def run(self) -> None:
        try:
            for snap in train(self.request, self.cancel.is_set):
                self.snapshot.emit(snap)
        except Exception as e:
            self._report(e)


def running_threads() -> list[QThread]:
    return [t for t in list(_THREADS) if t.isRunning()]


def wait_all() -> None:
    """Stop training, cancel loads, and wait for every thread of this module (before the app quits); a save
    in progress finishes writing."""
    for t in list(_THREADS):
        t.cancel.set()
        t.wait()
    _THREADS.clear()


# ---- the GUI side ------------------------------------------------------------------------------------

class TrainingController(QObject):
    """Starts and stops training for a session and applies what the worker sends (on the GUI thread).

    A new model trains on the data set it is given (the session's by default): the session closes the open
    model and shows the one in training (``Session.begin_training``, explorer/session_training.py), named
    "untitled (training, epoch 3/20)". ``history`` holds one ``trainer.cli.epoch_record`` per finished epoch
    (saved with the model as ``metrics["history"]``).

    Signals: ``started()``, ``snapshot(Snapshot)`` for the views (progress bar, loss curves), and
    ``ended(kind)`` with kind done | stopped | diverged | failed.
    """

    started = Signal()
    snapshot = Signal(object)
    ended = Signal(str)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.thread: TrainThread | None = None
        self.train_settings: dict = {}  # of the last run, saved with the model
        self._weights: dict | None = None
        self._previous: tuple = (None, None, None, None)  # model, info, path, data set before training
        self._closing = self._discarding = False
        self.history: list[dict] = []
        session.datasetChanged.connect(self._on_dataset_changed)

    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self, model_config, settings: dict, data=None) -> bool:
        """Train a new ``model_config`` model on ``data`` (default: the session's data set); False if busy,
        without data, or when the person keeps an unsaved model (``Session.confirm_replace``)."""
        s = self.session
        data = data if data is not None else s.dataset
        if self.is_running() or self._closing or data is None:
            return False
        if not s.confirm_replace("Training a new model"):
            return False
        self._previous = (s.model, s.info, s.model_path, s.dataset)
        self.train_settings, self._weights, self.history, self._discarding = dict(settings), None, [], False
        s.begin_training(data, label("untitled", 0, int(settings.get("epochs", 0))))
        self.thread = TrainThread(TrainRequest(model_config, dict(settings), data, data.images))
        self.thread.snapshot.connect(self._on_snapshot)
        self.thread.failed.connect(self._on_failed)
        self.thread.start()
        self.started.emit()
        return True

    def stop(self) -> None:
        """Stop between two steps; the model trained so far becomes current (``ended("stopped")``)."""
        if self.thread is not None:
            self.thread.request_stop()

    def abandon(self) -> None:
        """Stop and drop the model in training (the person chose Discard): nothing is adopted."""
        if self.is_running():
            self._discarding = True
            self.thread.request_stop()
            self.session.end_training()

    def shutdown(self) -> None:
        """Stop, wait for the thread, and ignore whatever it still sends (the window is closing)."""
        self._closing = True
        if self.thread is not None:
            self.thread.request_stop()
            self.thread.wait()

    def _on_snapshot(self, snap: Snapshot) -> None:
        if self._closing or self.sender() is not self.thread:
            return
        from trainer.cli import epoch_record

        s, request, p = self.session, self.thread.request, snap.progress
        if p is not None and not self._discarding:
            s.set_training_label(label("untitled", p.epoch, p.epochs))
        if snap.codes is not None and snap.weights is not None and s.dataset is request.data:
            s.show_training(snap.codes, snap.weights, request.model_config)
        if snap.weights is not None:
            self._weights = snap.weights
        if snap.kind == "epoch":
            self.history.append(epoch_record(p))
        self.snapshot.emit(snap)
        if snap.kind in ("done", "stopped", "diverged"):
            self._finish(snap)

    def _finish(self, snap: Snapshot) -> None:
        if snap.kind == "diverged":
            self.session.error.emit(f"Training diverged: {snap.message}. The last good weights are kept.")
        self._adopt(snap.kind)
        self.ended.emit(snap.kind)

    def _adopt(self, kind: str) -> None:
        request = self.thread.request
        self.session.end_training()
        if self._weights is None or self.session.dataset is not request.data or self._discarding:
            return
        self.session.adopt_weights(request.model_config, self._weights, None)
        what = "finished" if kind == "done" else kind
        self.session.status.emit(f"Training {what}: the new model is current")

    def _on_failed(self, message: str) -> None:
        if self._closing or self.sender() is not self.thread:
            return
        self.session.error.emit(message)
        self.session.restore(*self._previous)  # no model came of it: what was open before comes back
        self.ended.emit("failed")

    def _on_dataset_changed(self) -> None:
        if self.is_running():
            self.stop()


def label(name: str, epoch: int, epochs: int) -> str:
    """The name of a model in training: "untitled (training, epoch 3/20)"; epoch 0: starting."""
    where = f"epoch {epoch}/{epochs}" if epoch > 0 else "starting"
    return f"{name} (training, {where})"


class StopOnClose(QObject):
    """An event filter on the main window: its Close event stops training and waits for every thread of
    this module before the window (and then the session) shuts down, so no QThread is destroyed running."""

    def __init__(self, window, controller: TrainingController):
        super().__init__(window)
        self.controller = controller
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
            wait_all()
        return False
