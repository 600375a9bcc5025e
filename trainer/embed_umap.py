"""UMAP (McInnes, Healy & Melville 2018; the ``umap-learn`` package) as progress steps, like
``embed.tsne_steps``.

``umap_steps(data)`` yields ``EmbedStep`` records and, last, one carrying the N×2 result. The same rules as
t-SNE: more than ``embed.PCA_DIMS`` features (raw pixels) are reduced to 50 principal components first;
more than ``cap`` (``embed.TSNE_CAP``, 10,000) points are fitted on a seeded random subset and every other
point is placed at the median of its ``PLACE_K`` nearest fitted points' positions (umap-learn's own
``transform`` re-optimises each new point: much slower). Seeded, hence single-threaded and repeatable.

umap-learn fits in one call without a stop flag; here it runs in a (daemon) helper thread and reports its
layout epochs through its tqdm progress bar (``tqdm_kwds``), written to an object that only records them.
Closing the generator (a newer request, Cancel) returns at once; the fit cannot be interrupted and finishes
in the background, unused (under a minute at 10,000 points). Raising from the bar's file to stop it is not
safe: tqdm's ``refresh`` holds its global lock without a ``with``, and an exception there leaves it held,
so every later progress bar in the process waits forever.

``import umap`` loads numba (3-8 s) and the first fit in a process compiles umap-learn's numba functions
(10-40 s measured on 2 busy cores): both happen here, in the caller's (worker) thread, never at start-up.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator

import numpy as np

from trainer.embed import PCA_DIMS, PLACE_K, TSNE_CAP, EmbedStep, _place, _subset, features, reduce
from trainer.errors import ConfigError, TrainerError

N_NEIGHBORS, MIN_DIST = 15, 0.1  # umap-learn's defaults
N_EPOCHS = None  # umap-learn's default: 500 epochs up to 10,000 points, 200 above
_PREPARED, _NEIGHBOURS, _OPTIMISED = 0.03, 0.30, 0.96  # progress bar share at the end of each phase
POLL_S = 0.1

__all__ = ["UmapStopped", "umap_steps"]


class UmapStopped(TrainerError):
    """The fit was stopped before it finished (the generator was closed)."""


def umap_steps(data: np.ndarray, *, cap: int = TSNE_CAP, seed: int = 0, n_neighbors: int = N_NEIGHBORS,
               min_dist: float = MIN_DIST, place_k: int = PLACE_K) -> Iterator[EmbedStep]:
    """UMAP of the rows of ``data`` to 2-D as progress steps; the last carries ``xy`` (float32 N×2).
    ConfigError for fewer than 8 points or points that are all the same."""
    x = np.asarray(data)
    x = x.reshape(len(x), -1)
    if len(x) < 8:
        raise ConfigError(f"UMAP needs at least 8 points, got {len(x)}")
    yield EmbedStep(0.0, "UMAP: preparing the data")
    if x.shape[1] > PCA_DIMS:
        x = reduce(x, min(PCA_DIMS, len(x)), seed)
    x = features(x)
    if not np.isfinite(x).all() or np.ptp(x, axis=0).max() == 0:
        raise ConfigError("UMAP needs finite points that are not all the same")
    fitted = _subset(len(x), cap, seed) if len(x) > cap else np.arange(len(x))
    yield EmbedStep(_PREPARED, f"UMAP: loading umap-learn, finding the neighbours of {len(fitted):,} points")
    embedding = yield from _fit(x[fitted], seed, min(n_neighbors, len(fitted) - 1), min_dist)
    xy = np.empty((len(x), 2), np.float32)
    xy[fitted] = embedding
    if len(fitted) < len(x):
        rest = np.setdiff1d(np.arange(len(x)), fitted, assume_unique=True)
        yield EmbedStep(_OPTIMISED, f"UMAP: placing the other {len(rest):,} points")
        xy[rest] = _place(x[fitted], embedding, x[rest], place_k)
    yield EmbedStep(1.0, "UMAP: done", xy)


def _fit(x: np.ndarray, seed: int, n_neighbors: int, min_dist: float):
    """Generator: steps while a helper thread fits; returns the embedding (float32 N×2)."""
    run = _Run(x, seed, n_neighbors, min_dist)
    shown = None
    try:
        while not run.finished.wait(POLL_S):
            step = run.step()
            if step != shown:
                shown = step
                yield EmbedStep(*step)
    finally:
        run.stop()
    return run.result()


class _Progress(io.TextIOBase):
    """The ``file`` of umap-learn's tqdm bar: reads "n/total" from each refresh (it never raises)."""

    def __init__(self):
        super().__init__()
        self.done, self.total, self.stopped = 0, 0, False

    def write(self, text: str) -> int:
        if found := re.findall(r"(\d+)/(\d+)", text):
            self.done, self.total = (int(v) for v in found[-1])
        return len(text)

    def flush(self) -> None:
        pass


class _Run:
    """umap-learn's fit in a thread of its own."""

    def __init__(self, x: np.ndarray, seed: int, n_neighbors: int, min_dist: float):
        self.progress = _Progress()
        self.finished = threading.Event()
        self._result: np.ndarray | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(x, seed, n_neighbors, min_dist),
                                        name="umap-fit", daemon=True)
        self._thread.start()

    def _work(self, x, seed, n_neighbors, min_dist) -> None:
        try:
            import umap  # slow (numba): here, in a worker, never at start-up

            bar = {"disable": False, "file": self.progress, "mininterval": 0.0, "bar_format": "{n}/{total}"}
            model = umap.UMAP(n_components=2, n_neighbors=n_neighbors, min_dist=min_dist, random_state=seed,
                              n_jobs=1, n_epochs=N_EPOCHS, tqdm_kwds=bar)
            self._result = np.asarray(model.fit_transform(x), dtype=np.float32)
        except BaseException as e:  # handed to the generator's thread by ``result``
            self._error = e
        finally:
            self.finished.set()

    def step(self) -> tuple[float, str]:
        p = self.progress
        if not p.total:
            return _PREPARED, "UMAP: finding the neighbours (the first UMAP in a session also compiles it)"
        fraction = _NEIGHBOURS + (_OPTIMISED - _NEIGHBOURS) * p.done / p.total
        return round(fraction, 3), f"UMAP: epoch {p.done} of {p.total}"

    def stop(self) -> None:
        """Leave the fit: it ends in the background, unused (see the module docstring)."""
        self.progress.stopped = True

    def result(self) -> np.ndarray:
        if isinstance(self._error, TrainerError):
            raise self._error
        if self._error is not None:
            raise TrainerError(f"UMAP failed: {type(self._error).__name__}: {self._error}") from None
        if self._result is None or not np.isfinite(self._result).all():
            raise TrainerError("UMAP failed: it gave no finite layout")
        return self._result
