"""Background work: a ``Lane`` is one thread that runs the latest job it was given; the jobs are below.

Only numpy arrays and dataclasses cross threads, and every array a job hands over is a fresh copy. torch is
imported inside the jobs (never on the GUI thread), and each job sets torch's thread count in its own thread
so that the GUI keeps a core. torch's ``RuntimeError`` becomes ``TrainerError`` with a readable message.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import os
import sys
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, Signal

from explorer.widgets.images import mosaic
from trainer.errors import TrainerError

THREADS = max(1, (os.cpu_count() or 2) - 1)
PREVIEW_WAIT_S = 2.0  # the longest the model lane waits for the GUI to draw a preview before importing torch
_LANES: weakref.WeakSet[Lane] = weakref.WeakSet()


class Lane(QThread):
    """One worker thread; ``submit`` replaces any job not yet started, and a running generator job stops at
    its next ``yield`` once a newer job is submitted. Results carry the job's number: apply them only while
    ``is_current(number)``."""

    yielded = Signal(int, object)  # job number, an item the generator yielded
    done = Signal(int, object)  # job number, the return value (None for generators)
    failed = Signal(int, str)  # job number, a message for the person

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self._cv = threading.Condition()
        self._pending: tuple | None = None
        self._number = 0
        self._stopping = False
        _LANES.add(self)

    def submit(self, fn: Callable, *args) -> int:
        with self._cv:
            self._number += 1
            self._pending = (self._number, fn, args)
            self._cv.notify()
        if not self.isRunning() and not self._stopping:
            self.start()
        return self._number

    def cancel(self) -> None:
        """Forget the pending job and make the running one stale."""
        with self._cv:
            self._number += 1
            self._pending = None

    def is_current(self, number: int) -> bool:
        return number == self._number

    def stop(self) -> None:
        """Cancel everything and wait for the thread to end (a running torch call finishes first)."""
        with self._cv:
            self._stopping = True
            self._number += 1
            self._pending = None
            self._cv.notify()
        self.wait()

    def run(self) -> None:
        while (job := self._next()) is not None:
            self._execute(*job)

    def _next(self) -> tuple | None:
        with self._cv:
            while self._pending is None and not self._stopping:
                self._cv.wait()
            job, self._pending = self._pending, None
            return None if self._stopping else job

    def _execute(self, number: int, fn: Callable, args: tuple) -> None:
        try:
            result = fn(*args)
            if inspect.isgenerator(result):
                result = self._drain(number, result)
            self.done.emit(number, result)
        except TrainerError as e:
            self.failed.emit(number, str(e))
        except Exception as e:  # a bug: say so, log it, and keep the thread alive for the next job
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(number, unexpected(e, self.objectName()))

    def _drain(self, number: int, gen: Iterator) -> None:
        with contextlib.closing(gen):
            for item in gen:
                if not self.is_current(number):
                    return None
                self.yielded.emit(number, item)
        return None


def unexpected(error: Exception, where: str) -> str:
    """The message for an error no one expected: what it was, and the log file with its traceback."""
    from trainer import logs

    log = logs.write_report(error, where=f"in {where}")
    details = f" The details are in the log file {log}." if log is not None else ""
    kind = "out of memory" if isinstance(error, MemoryError) else f"{type(error).__name__}: {error}"
    return f"Unexpected error ({kind}).{details}"


def running_lanes() -> list[Lane]:
    """Lanes whose thread is still running (tests assert there are none after each test)."""
    return [lane for lane in list(_LANES) if lane.isRunning()]


# ---- results -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadedModel:
    model: object  # Autoencoder
    info: object  # CheckpointInfo
    path: Path
    dataset: object | None  # a Dataset loaded with it, or None to keep the current one


@dataclass(frozen=True)
class Preview:
    """What can be shown before torch has loaded: the model's data set and its bundled codes (None when
    there are none, or their checksums do not match: ``trainer/bundled_codes.py``)."""

    path: Path
    dataset: object  # Dataset
    codes: np.ndarray | None  # float32 N×D
    shown: threading.Event = field(default_factory=threading.Event)  # set by the GUI once drawn (or ignored)


@dataclass(frozen=True)
class EncodedChunk:
    start: int
    codes: np.ndarray  # float32 rows start..start+len of the codes
    total: int
    from_cache: bool = False


@dataclass(frozen=True)
class Reconstruction:
    index: int
    image: np.ndarray  # float32 C×H×W in [0, 1]
    psnr: float  # dB against the data image


@dataclass(frozen=True)
class DecodedPoint:
    xy: tuple[float, float]  # view coordinates
    z: np.ndarray  # float32 D, the latent point
    image: np.ndarray  # float32 C×H×W in [0, 1]


GRID_GAP, GRID_LINE = 1, 110  # the decoded grid: a grey line of 1 image pixel keeps small images apart


@dataclass(frozen=True)
class GridResult:
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    n: int
    images: np.ndarray  # float32 n×n×C×H×W, row 0 = top = highest y
    mosaic: np.ndarray  # uint8 (n·(H+1)−1)×(n·(W+1)−1)[×3], row 0 = top, GRID_GAP lines of GRID_LINE between


# ---- jobs (run in a lane's thread) -------------------------------------------------------------------------

@contextlib.contextmanager
def torch_errors(what: str):
    """torch reports most failures as RuntimeError: turn them into TrainerError that names the job."""
    try:
        yield
    except RuntimeError as e:
        raise TrainerError(f"{what} failed: {e}") from None
    except MemoryError:
        raise TrainerError(f"{what} failed: out of memory") from None


GIL_SWITCH_S = 0.001  # see ``share_the_gil``


def share_the_gil() -> None:
    """Let the GUI thread have the GIL back within 1 ms instead of Python's default 5 ms
    (``sys.setswitchinterval``). While a training, an encoding and the warm-up run Python code in their
    threads, a GUI thread that gave up the GIL (in a numpy call, in Qt's painting) waited up to 5 ms per turn
    to get it back, often several times in one event: event-loop gaps of 65-80 ms at a training's start and
    at its snapshots, against 49-51 ms with 1 ms (``benchmarks/gui_latency.py``). A thread alone never waits,
    so a lone computation loses nothing. Not before the first model is on screen: during start-up the torch
    import and the GUI thread passed the GIL back and forth five times as often, and a start took 0.5 s
    longer (``benchmarks/startup.py``)."""
    sys.setswitchinterval(GIL_SWITCH_S)


def _torch():
    import torch

    torch.set_num_threads(THREADS)
    return torch


def open_model(path: Path, data_spec: str | None, current_shape: tuple | None) -> Iterator:
    """A ``Preview`` first (no torch: the data set and the bundled codes), then the ``LoadedModel`` (see
    ``load_model``). torch is imported once the GUI has drawn the preview (``Preview.shown``, at most
    PREVIEW_WAIT_S): its import holds the GIL for long stretches (loading its libraries), and the GUI
    thread needs the GIL to draw."""
    early = preview(Path(path), data_spec, current_shape)
    if early is not None:
        yield early
        if early.codes is not None:
            early.shown.wait(PREVIEW_WAIT_S)
    yield load_model(path, data_spec, current_shape, early.dataset if early is not None else None)


def preview(path: Path, data_spec: str | None, current_shape: tuple | None) -> Preview | None:
    """The data set ``load_model`` would open with this model, and its bundled codes; None when that cannot
    be known without torch (an ONNX model, an unreadable header) or the data set does not load (the model
    job reports why)."""
    from trainer import bundled_codes

    head = bundled_codes.summary(path)
    if head is None:
        return None
    spec = data_spec or (head.dataset_spec if current_shape != head.image_shape else None)
    if not spec:
        return None
    try:
        dataset = load_data(spec)
    except TrainerError:
        return None
    if dataset.image_shape != head.image_shape:
        return None
    codes = bundled_codes.lookup(path, dataset.images)
    if codes is not None and codes.shape[1] != head.latent_dim:
        codes = None
    if codes is not None and head.latent_dim > 2:
        import sklearn.decomposition  # noqa: F401  (the PCA plane of the codes: not on the GUI thread)
    return Preview(path, dataset, codes)


def load_model(path: Path, data_spec: str | None, current_shape: tuple | None,
               loaded=None) -> LoadedModel:
    """The model (a checkpoint or an ONNX model folder or zip), plus a data set if one is asked for or the
    current one does not fit the model; ``loaded``: that data set if a ``Preview`` has loaded it already."""
    _torch()
    from trainer.latent import for_inference
    from trainer.model_files import load_model as open_model

    with torch_errors(f"Loading {path}"):
        model, info = open_model(path, threads=THREADS)
        for_inference(model)
    shape = tuple(info.model_config.image_shape)
    spec = data_spec or (info.dataset_spec if current_shape != shape else None)
    spec = offline_spec(spec) if spec else None  # the bundled Fashion-MNIST split, not a silent download
    if loaded is not None and spec and loaded.spec == spec:
        dataset = loaded
    else:
        dataset = load_data(spec) if spec else None
    if dataset is not None and dataset.image_shape != shape:
        raise TrainerError(f"{path.name} expects {_shape(shape)} images, but the data set {spec} has "
                           f"{_shape(dataset.image_shape)} images. {new_model_hint(spec)}")
    if dataset is None and current_shape is not None and current_shape != shape:
        raise TrainerError(f"{path.name} expects {_shape(shape)} images, but the open data set has "
                           f"{_shape(current_shape)} images, and the model names no data set of its own. "
                           f"Open a data set of {_shape(shape)} images first (File → Open data set…), then "
                           f"open {path.name} again.")
    return LoadedModel(model, info, Path(info.path), dataset)


def new_model_hint(spec: str) -> str:
    """What to do with a data set whose images a model cannot take: train a new model on it."""
    return f"To train a new model on {spec}, choose File → New model…, pick {spec} and press Start."


def _shape(shape: tuple) -> str:
    return "×".join(str(s) for s in shape)


def load_data(spec: str):
    """The data set ``spec`` names; a full set that is not here (Fashion-MNIST) opens as its bundled split.
    Read ahead at start-up already (``explorer.read_ahead``): that copy, once."""
    from explorer import read_ahead
    from trainer.data import load_dataset

    spec = offline_spec(spec)
    early = read_ahead.take(spec)
    return early if early is not None else load_dataset(spec)


def offline_spec(spec: str) -> str:
    from trainer.data.bundled import offline_spec as stand_in

    return stand_in(spec)


def encode(model, images: np.ndarray, cache: Path | None, known: np.ndarray | None = None
           ) -> Iterator[EncodedChunk]:
    """Latent means of all images in growing chunks (the scatter fills in); read from / saved to ``cache``.
    ``known``: codes shown already (a model's bundled codes): when the encoder gives the same codes for a
    sample of the images, they come back as one chunk, else every image is encoded."""
    _torch()
    if model.config.latent_dim > 2:  # the PCA plane is the first view: Plane.pca imports sklearn
        import sklearn.decomposition  # noqa: F401  (load it here, not on the GUI thread)
    from trainer.latent import encode as encode_all

    if known is not None and confirms(model, images, known):
        yield EncodedChunk(0, known, len(images), from_cache=True)
        return
    if cache is not None and (codes := _read_cache(cache, len(images))) is not None:
        yield EncodedChunk(0, codes, len(images), from_cache=True)
        return

    parts, start, size = [], 0, 2048
    while start < len(images):
        with torch_errors("Encoding the data set"):
            mu, _ = encode_all(model, images[start:start + size])
        parts.append(np.array(mu, dtype=np.float32, copy=True))
        yield EncodedChunk(start, parts[-1], len(images))
        start, size = start + size, min(size * 2, 16384)
    if cache is not None and parts:
        _write_cache(cache, np.concatenate(parts))


def confirms(model, images: np.ndarray, codes: np.ndarray, sample: int = 256) -> bool:
    """Does the model encode ``sample`` images spread over the data set to ``codes`` (up to float rounding:
    1e-3 of the codes' scale)? The check that bundled codes are this model's."""
    from trainer.latent import encode as encode_all

    if codes.shape != (len(images), model.config.latent_dim):
        return False
    rows = np.unique(np.linspace(0, len(images) - 1, min(sample, len(images))).astype(np.int64))
    with torch_errors("Encoding the data set"):
        mu, _ = encode_all(model, images[rows])
    scale = 1.0 + float(np.abs(codes[rows]).max(initial=0.0))
    return bool(np.abs(np.asarray(mu, np.float32) - codes[rows]).max(initial=0.0) <= 1e-3 * scale)


def cache_path(model_path: Path | None, dataset) -> Path | None:
    """Where the codes of this model file on this data set are kept; None for a model without a file."""
    if model_path is None:
        return None
    try:
        from trainer.data import user_data_dir
        from trainer.model_files import fingerprint

        model_key = fingerprint(model_path)  # path, sizes and times of its file(s)
    except (OSError, ImportError, TrainerError):
        return None
    key = f"{model_key}|{dataset.spec}|{dataset.images.shape}"
    return user_data_dir() / "cache" / f"codes-{hashlib.sha1(key.encode()).hexdigest()[:20]}.npy"


def _read_cache(path: Path, n: int) -> np.ndarray | None:
    try:
        codes = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    ok = codes.ndim == 2 and len(codes) == n and codes.dtype == np.float32 and np.isfinite(codes).all()
    return codes if ok else None


def _write_cache(path: Path, codes: np.ndarray) -> None:
    """Atomic: temp file in the same folder, fsync, os.replace. A cache that cannot be written is skipped."""
    from trainer.files import atomic_file

    with contextlib.suppress(OSError), atomic_file(path) as f:
        np.save(f, codes)


def warm_up() -> None:
    """Imports the GUI thread would otherwise do at a person's first action, each a stall of 0.3-1 s (imports
    hold the GIL): scikit-learn's PCA (the PCA view), scipy's KD-tree (the first hover), the training loop
    (the first second of training). Run once everything is shown: not on a first start's critical path."""
    import scipy.spatial  # noqa: F401
    import sklearn.decomposition  # noqa: F401

    import trainer.train  # noqa: F401

    torch = _torch()  # the first backward pass and optimizer step import more of torch (a 0.2-0.8 s GIL
    w = torch.zeros(3, requires_grad=True)  # stall at a training's start): once here, on a tiny tensor
    optimizer = torch.optim.Adam([w], lr=1e-3)
    torch.nn.functional.binary_cross_entropy_with_logits(w, torch.ones(3)).backward()
    optimizer.step()


def reconstruct(model, index: int, code: np.ndarray, image: np.ndarray) -> Reconstruction:
    """decode(mu) of one data row, and its PSNR against the data image."""
    _torch()
    from trainer.latent import decode

    with torch_errors("Reconstructing"):
        recon = np.array(decode(model, code[None])[0], dtype=np.float32, copy=True)
    mse = float(np.mean((image.astype(np.float32) / 255.0 - recon) ** 2))
    return Reconstruction(index, recon, 10 * np.log10(1.0 / max(mse, 1e-10)))


def decode_point(model, plane, xy: tuple[float, float]) -> DecodedPoint:
    _torch()
    from trainer.latent import decode

    z = np.asarray(plane.to_latent(np.array([xy], dtype=np.float32)), dtype=np.float32).reshape(1, -1)
    with torch_errors("Decoding"):
        image = np.array(decode(model, z)[0], dtype=np.float32, copy=True)
    return DecodedPoint((float(xy[0]), float(xy[1])), z[0].copy(), image)


def decode_grid(model, plane, x_range, y_range, n: int) -> GridResult:
    _torch()
    from trainer.latent import decode_grid as grid

    with torch_errors("Decoding the grid"):
        images = np.array(grid(model, x_range, y_range, n, plane=plane), dtype=np.float32, copy=True)
    # the picture is made here, not on the GUI thread (3-10 ms there at every epoch of a training)
    return GridResult(tuple(x_range), tuple(y_range), n, images, mosaic(images, gap=GRID_GAP, fill=GRID_LINE))
