"""Nearest neighbours of one data row, in latent space and in pixel space (the TensorBoard Projector's
"nearest points", and the check embedding users ask for: are the latent neighbours also neighbours in
the original space?).

Distances are Euclidean: between latent means (code units), and between images as pixel values in [0, 1]
(the L2 norm over all C·H·W values; sqrt(C·H·W) at most). Exact (brute force) in chunks, so a query over
70,000 Fashion-MNIST images reads each image once and never holds more than ``CHUNK`` rows as floats. The
row itself is left out; ties are broken by row number, so results are repeatable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError

CHUNK = 8192  # rows converted at once (8192 × 784 int16 = 13 MB; float32: 26 MB)
MAX_K = 100

__all__ = ["Neighbours", "nearest", "neighbours"]


@dataclass(frozen=True)
class Neighbours:
    """The ``k`` nearest rows of ``row``: in latent space and in pixel space, nearest first."""

    row: int
    latent_rows: np.ndarray  # int64 k
    latent_dist: np.ndarray  # float64 k, code units
    pixel_rows: np.ndarray  # int64 k
    pixel_dist: np.ndarray  # float64 k, L2 of pixel values in [0, 1]

    @property
    def shared(self) -> np.ndarray:
        """Rows that are among the nearest in both spaces."""
        return np.intersect1d(self.latent_rows, self.pixel_rows)


def nearest(points: np.ndarray, row: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, distances) of the ``k`` rows of ``points`` (N×…; uint8 images are scaled to [0, 1]) nearest to
    ``points[row]`` by Euclidean distance, nearest first, ``row`` itself left out."""
    points = np.asarray(points)
    n = len(points)
    if not 0 <= row < n:
        raise ConfigError(f"row {row} is outside 0…{n - 1}")
    if not 1 <= k <= MAX_K:
        raise ConfigError(f"k must be 1…{MAX_K}, got {k}")
    squared = _squared_distances(points, row)
    squared[row] = np.inf
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0)
    kth = np.partition(squared, k - 1)[k - 1]
    candidates = np.flatnonzero(squared <= kth)  # every row tied at the k-th distance too
    order = np.lexsort((candidates, squared[candidates]))[:k]  # by distance, then by row
    rows = candidates[order].astype(np.int64)
    return rows, np.sqrt(squared[rows])


def neighbours(codes: np.ndarray, images: np.ndarray, row: int, k: int = 8) -> Neighbours:
    """The ``k`` nearest rows of ``row`` by latent code (N×D) and by image (uint8 N×C×H×W)."""
    if len(codes) != len(images):
        raise ConfigError(f"{len(codes)} codes for {len(images)} images")
    latent_rows, latent_dist = nearest(codes, row, k)
    pixel_rows, pixel_dist = nearest(images, row, k)
    return Neighbours(int(row), latent_rows, latent_dist, pixel_rows, pixel_dist)


def _squared_distances(points: np.ndarray, row: int) -> np.ndarray:
    """float64 N: squared Euclidean distance of every row to ``points[row]``, chunk by chunk. uint8 images
    are compared exactly in integers (3× faster than in floats), then scaled to pixel values in [0, 1]."""
    n = len(points)
    squared = np.empty(n, np.float64)
    if points.dtype == np.uint8:
        query = points[row].reshape(1, -1).astype(np.int16)
        for start in range(0, n, CHUNK):
            diff = points[start:start + CHUNK].reshape(-1, query.shape[1]).astype(np.int16) - query
            squared[start:start + len(diff)] = np.einsum("ij,ij->i", diff, diff, dtype=np.int64)
        return squared / 255.0 ** 2
    query = _floats(points[row:row + 1])
    for start in range(0, n, CHUNK):
        block = _floats(points[start:start + CHUNK])
        squared[start:start + len(block)] = ((block - query) ** 2).sum(axis=1, dtype=np.float64)
    return squared


def _floats(block: np.ndarray) -> np.ndarray:
    rows = block.reshape(len(block), -1)
    return rows.astype(np.float32) / 255 if rows.dtype == np.uint8 else rows.astype(np.float32)
