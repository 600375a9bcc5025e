"""2-D embeddings of any point set (latent codes, raw pixels) for the scatter: PCA and t-SNE.

Numpy in, numpy out, no Qt. Images (uint8 N×C×H×W) are taken as pixel values in [0, 1], flattened; any other
array as N×F floats. The long computation is a generator, as ``trainer.train.fit`` is: ``tsne_steps`` yields
``EmbedStep`` progress records and, last, one carrying the N×2 result, so a worker can report progress and
drop a run between two steps. ``tsne_2d`` drives it with a progress callback and a stop flag.

t-SNE (openTSNE, one thread):
- more than ``PCA_DIMS`` (50) features (raw pixels) are first reduced to 50 principal components, the usual
  practice (t-SNE's neighbours are then found in that space);
- neighbours are exact (scikit-learn): 0.4-0.6 s for 10,000 points of 2 or 50 dimensions, where openTSNE's
  default approximate search (Annoy) took 3-6 s;
- more than ``TSNE_CAP`` (10,000) points: t-SNE is fitted on a fixed random subset of that size (seeded) and
  every other point is put at the coordinate-wise median of the positions of its ``PLACE_K`` (5) nearest
  fitted points in the input space. Measured on Fashion-MNIST (70,000, one core): fitting 10,000 points takes
  35-45 s; placing the other 60,000 this way 0.2 s (2-D codes) to 2.5 s (50 PCs), where openTSNE's
  ``TSNEEmbedding.transform`` (which optimises each new point against the fitted ones) would take ~80 s;
- the optimisation is run in chunks of ``every`` iterations (openTSNE keeps its gains and momentum between
  them; the result is identical, ~3% slower), with a step yielded after each: a run stops within one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError, TrainerError

__all__ = ["EmbedStep", "EmbeddingStopped", "features", "pca_2d", "pca_steps", "reduce", "tsne_2d",
           "tsne_steps"]

PCA_DIMS = 50
TSNE_CAP = 10_000
PLACE_K = 5
EXAGGERATION_ITERS, ITERS = 250, 500  # openTSNE's defaults: early exaggeration 12, then plain t-SNE
FIT_BUDGET = 64_000_000  # floats converted at once for a PCA fit (256 MB); more rows: fit on a subset
CHUNK_ROWS = 4096

# share of the progress bar per phase (measured on 10,000 points: neighbours ~2%, optimisation ~95%)
_REDUCED, _NEIGHBOURS, _OPTIMISED = 0.03, 0.06, 0.96
# an early-exaggeration iteration took 1/5 of the time of a later one on 10,000 points (compact clusters, a
# small FFT grid): weigh them so in the progress bar
EXAGGERATED_COST = 0.2


class EmbeddingStopped(TrainerError):
    """``tsne_2d`` was stopped by its ``should_stop`` flag before it finished."""


@dataclass(frozen=True)
class EmbedStep:
    fraction: float  # of the whole run, 0 … 1
    text: str  # what it is doing, for a status line
    xy: np.ndarray | None = None  # float32 N×2: the result, in the last step only (a fresh array)


def features(data: np.ndarray) -> np.ndarray:
    """float32 N×F: images flattened (uint8 scaled to [0, 1]), any other array reshaped to N rows."""
    data = np.asarray(data)
    rows = data.reshape(len(data), -1)
    return rows.astype(np.float32) / 255 if rows.dtype == np.uint8 else rows.astype(np.float32)


def reduce(data: np.ndarray, n_components: int, seed: int = 0) -> np.ndarray:
    """float32 N×k: the data's first ``n_components`` principal components (scikit-learn's PCA, signs as it
    fixes them). Rows are converted in chunks; above ``FIT_BUDGET`` floats the PCA is fitted on a seeded
    random subset of rows, and then applied to all."""
    data = np.asarray(data)
    n, f = len(data), int(np.prod(data.shape[1:], dtype=np.int64)) if data.ndim > 1 else 1
    if n < 2 or min(n, f) < n_components:
        raise ConfigError(f"PCA to {n_components} dimensions needs at least {n_components} points and "
                          f"features, got {n} points of {f}")
    from sklearn.decomposition import PCA  # slow to import: only here, in the caller's (worker) thread

    rows = data.reshape(n, -1)
    fit = rows if n * f <= FIT_BUDGET else rows[_subset(n, max(FIT_BUDGET // f, n_components + 1), seed)]
    pca = PCA(n_components=n_components, random_state=seed).fit(features(fit))
    out = np.empty((n, n_components), np.float32)
    for start in range(0, n, CHUNK_ROWS):
        out[start:start + CHUNK_ROWS] = pca.transform(features(rows[start:start + CHUNK_ROWS]))
    return out


def pca_2d(data: np.ndarray, seed: int = 0) -> np.ndarray:
    """float32 N×2: the first two principal components of the data (see ``reduce``)."""
    return reduce(data, 2, seed)


def pca_steps(data: np.ndarray, seed: int = 0) -> Iterator[EmbedStep]:
    """``pca_2d`` as steps (the same shape of job as ``tsne_steps``)."""
    yield EmbedStep(0.0, "PCA: computing the principal components")
    yield EmbedStep(1.0, "PCA: done", pca_2d(data, seed))


def tsne_steps(data: np.ndarray, *, perplexity: float = 30.0, cap: int = TSNE_CAP, seed: int = 0,
               n_jobs: int = 1, every: int = 25, place_k: int = PLACE_K) -> Iterator[EmbedStep]:
    """t-SNE of the rows of ``data`` to 2-D, as progress steps; the last one carries ``xy`` (N×2 float32).
    Seeded: the same data and options give the same result. ConfigError for fewer than 8 points."""
    x = np.asarray(data)
    x = x.reshape(len(x), -1)
    if len(x) < 8:
        raise ConfigError(f"t-SNE needs at least 8 points, got {len(x)}")
    yield EmbedStep(0.0, "t-SNE: preparing the data")
    if x.shape[1] > PCA_DIMS:
        x = reduce(x, min(PCA_DIMS, len(x)), seed)
        yield EmbedStep(_REDUCED, f"t-SNE: reduced to {x.shape[1]} principal components")
    x = features(x).astype(np.float64)
    if not np.isfinite(x).all() or np.ptp(x, axis=0).max() == 0:
        raise ConfigError("t-SNE needs finite points that are not all the same")
    fitted = _subset(len(x), cap, seed) if len(x) > cap else np.arange(len(x))
    embedding = yield from _fit(x[fitted], perplexity, seed, n_jobs, every)
    xy = np.empty((len(x), 2), np.float32)
    xy[fitted] = embedding
    if len(fitted) < len(x):
        rest = np.setdiff1d(np.arange(len(x)), fitted, assume_unique=True)
        yield EmbedStep(_OPTIMISED, f"t-SNE: placing the other {len(rest):,} points")
        xy[rest] = _place(x[fitted], embedding, x[rest], place_k)
    yield EmbedStep(1.0, "t-SNE: done", xy)


def _fit(x: np.ndarray, perplexity: float, seed: int, n_jobs: int, every: int):
    """Generator: steps while openTSNE optimises; returns the embedding (float32 N×2)."""
    from openTSNE import TSNE, affinity  # slow to import: only here, in the worker

    yield EmbedStep(_REDUCED, f"t-SNE: finding the neighbours of {len(x):,} points")
    perplexity = float(min(perplexity, (len(x) - 1) / 3))
    try:
        neighbours = affinity.PerplexityBasedNN(x, perplexity=perplexity, method="exact", n_jobs=n_jobs,
                                                random_state=seed)
        embedding = TSNE(n_jobs=n_jobs, random_state=seed).prepare_initial(x, affinities=neighbours)
    except (ValueError, MemoryError) as e:
        raise TrainerError(f"t-SNE failed: {e}") from None
    yield from _optimise(embedding, max(1, every))
    return np.array(embedding, dtype=np.float32)


def _optimise(embedding, every: int):
    """Generator: openTSNE's two phases (early exaggeration 12, then none) in chunks of ``every``
    iterations, a step after each; openTSNE keeps its gains and momentum between the chunks."""
    phases = ((EXAGGERATION_ITERS, 12.0, EXAGGERATED_COST), (ITERS, None, 1.0))
    total, total_cost = sum(p[0] for p in phases), sum(p[0] * p[2] for p in phases)
    done, cost = 0, 0.0
    for iters, exaggeration, weight in phases:
        for start in range(0, iters, every):
            n = min(every, iters - start)
            embedding.optimize(n_iter=n, exaggeration=exaggeration, momentum=0.8, inplace=True)
            done, cost = done + n, cost + weight * n
            fraction = _NEIGHBOURS + (_OPTIMISED - _NEIGHBOURS) * cost / total_cost
            yield EmbedStep(fraction, f"t-SNE: iteration {done} of {total}")


def _place(fitted_x: np.ndarray, fitted_xy: np.ndarray, rest_x: np.ndarray, k: int) -> np.ndarray:
    """Each row of ``rest_x`` at the coordinate-wise median of its k nearest fitted rows' positions."""
    from sklearn.neighbors import NearestNeighbors

    k = max(1, min(k, len(fitted_x)))
    _, nearest = NearestNeighbors(n_neighbors=k).fit(fitted_x).kneighbors(rest_x)
    return np.median(fitted_xy[nearest], axis=1).astype(np.float32)


def _subset(n: int, size: int, seed: int) -> np.ndarray:
    """A fixed (seeded) random choice of ``size`` of ``n`` rows, in order."""
    return np.sort(np.random.default_rng(seed).choice(n, size=min(size, n), replace=False))


def tsne_2d(data: np.ndarray, *, progress: Callable[[float, str], None] | None = None,
            should_stop: Callable[[], bool] | None = None, **options) -> np.ndarray:
    """float32 N×2: t-SNE of the rows of ``data`` (options as ``tsne_steps``). ``progress(fraction, text)`` is
    called at each step; ``should_stop()`` is asked between steps (every 25 iterations), and when it says
    True the run ends with ``EmbeddingStopped``."""
    for step in tsne_steps(data, **options):
        if progress is not None:
            progress(step.fraction, step.text)
        if step.xy is not None:
            return step.xy
        if should_stop is not None and should_stop():
            raise EmbeddingStopped("t-SNE was stopped")
    raise AssertionError("tsne_steps ended without a result")  # pragma: no cover
