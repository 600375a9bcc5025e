"""The 2-D views of a latent space that numpy alone computes (no torch: the app projects bundled codes while
torch is still importing): a ``Plane`` (two latent axes, or the codes' PCA plane), a ``Line`` for a 1-D code,
and ``code_against_class``. ``trainer.latent`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError


@dataclass(frozen=True, eq=False)
class Plane:
    """The 2-D plane ``origin + x·axis_x + y·axis_y`` in a D-dimensional latent space."""

    origin: np.ndarray
    axis_x: np.ndarray
    axis_y: np.ndarray

    def __post_init__(self) -> None:
        vecs = [np.asarray(v, dtype=np.float64).ravel() for v in (self.origin, self.axis_x, self.axis_y)]
        if len({len(v) for v in vecs}) != 1:
            raise ConfigError(f"plane vectors differ in length: {[len(v) for v in vecs]}")
        if np.linalg.matrix_rank(np.stack(vecs[1:])) < 2:
            raise ConfigError("the plane's two axes must be independent")
        for name, v in zip(("origin", "axis_x", "axis_y"), vecs, strict=True):
            object.__setattr__(self, name, v)
        object.__setattr__(self, "_columns", _raw_axes(*vecs))

    @property
    def dim(self) -> int:
        return len(self.origin)

    @classmethod
    def axes(cls, i: int, j: int, center: np.ndarray | None = None, dim: int | None = None) -> Plane:
        """Raw latent axes i (x) and j (y); the other coordinates stay at ``center`` (default zeros)."""
        if center is None and dim is None:
            raise ConfigError("Plane.axes needs the center code or the number of dimensions")
        origin = np.zeros(dim) if center is None else np.array(center, dtype=np.float64).ravel()
        d = len(origin)
        if not (0 <= i < d and 0 <= j < d) or i == j:
            raise ConfigError(f"axes {i} and {j} must be two different dimensions of 0..{d - 1}")
        origin[[i, j]] = 0.0
        return cls(origin, np.eye(d)[i], np.eye(d)[j])

    @classmethod
    def pca(cls, codes: np.ndarray) -> Plane:
        """The plane of the first two principal components through the codes' mean (unit axes)."""
        codes = np.asarray(codes, dtype=np.float64)
        if codes.ndim != 2 or codes.shape[1] < 2 or len(codes) < 3:
            raise ConfigError(f"a PCA plane needs 3 or more codes of 2 or more dimensions, got {codes.shape}")
        from sklearn.decomposition import PCA  # sklearn is slow to import; only this needs it

        pca = PCA(n_components=2).fit(codes)
        return cls(pca.mean_, pca.components_[0], pca.components_[1])

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """Codes M×D for plane coordinates M×2."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return (self.origin + xy[:, :1] * self.axis_x + xy[:, 1:] * self.axis_y).astype(np.float32)

    def from_latent(self, z: np.ndarray) -> np.ndarray:
        """Plane coordinates M×2 of the orthogonal projection of codes M×D onto the plane. On two raw
        latent axes (``Plane.axes``) that is two columns of the codes, picked without arithmetic (0.3 ms
        instead of 10 ms of GUI time at 70k codes, at every epoch of a training)."""
        if self._columns is not None:
            z = np.asarray(z).reshape(-1, self.dim)
            return np.ascontiguousarray(z[:, self._columns], dtype=np.float32)
        z = np.asarray(z, dtype=np.float64).reshape(-1, self.dim)
        basis = np.stack([self.axis_x, self.axis_y], axis=1)  # D×2, rank 2 (checked in __post_init__)
        # the least-squares solution through the 2×D pseudo-inverse (lstsq with N right-hand sides took 0.2 s
        # of GUI time at 70k codes, 2.6 s at 1M); einsum without BLAS: no thread team to wait for when busy
        pinv = np.linalg.pinv(basis)  # 2×D
        return np.einsum("nd,kd->nk", z - self.origin, pinv, optimize=False).astype(np.float32)


def _raw_axes(origin: np.ndarray, axis_x: np.ndarray, axis_y: np.ndarray) -> list[int] | None:
    """[i, j] when the plane is raw latent axes i and j through an origin that is 0 on both (so that its
    coordinates are codes[:, [i, j]] exactly), else None."""
    picks = []
    for axis in (axis_x, axis_y):
        nonzero = np.flatnonzero(axis)
        if len(nonzero) != 1 or axis[nonzero[0]] != 1.0 or origin[nonzero[0]] != 0.0:
            return None
        picks.append(int(nonzero[0]))
    return picks


@dataclass(frozen=True, eq=False)
class Line:
    """A 1-D latent space drawn on a plane: x is the code (``origin + x·axis``), y carries no latent meaning
    (the app spreads the images over it, by class). It decodes like a Plane: ``to_latent`` uses x only, and
    ``from_latent`` puts every code at y = ``rest_y``."""

    origin: np.ndarray
    axis: np.ndarray
    rest_y: float = -1.0

    @classmethod
    def of(cls, dim: int = 1, i: int = 0, rest_y: float = -1.0) -> Line:
        """The raw axis ``i`` of a ``dim``-dimensional space (the rest at zero)."""
        if not 0 <= i < dim:
            raise ConfigError(f"axis {i} is not one of 0..{dim - 1}")
        return cls(np.zeros(dim), np.eye(dim)[i], rest_y)

    @property
    def dim(self) -> int:
        return len(self.origin)

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """Codes M×D for view coordinates M×2 (y ignored)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return (self.origin + xy[:, :1] * self.axis).astype(np.float32)

    def from_latent(self, z: np.ndarray) -> np.ndarray:
        """View coordinates M×2: the code along the axis, and ``rest_y``."""
        z = np.asarray(z, dtype=np.float64).reshape(-1, self.dim)
        x = (z - self.origin) @ self.axis / float(self.axis @ self.axis)
        return np.stack([x, np.full(len(z), self.rest_y)], axis=1).astype(np.float32)


def code_against_class(codes: np.ndarray, labels: np.ndarray, spread: float = 0.6) -> np.ndarray:
    """View coordinates N×2 of a 1-D code: x = the code, y = the class index plus a fixed jitter within
    ±spread/2 (a low-discrepancy sequence, the same every time), so each class is a band whose density shows
    how its codes are spread along the line."""
    codes = np.asarray(codes, dtype=np.float64).reshape(len(labels), -1)
    jitter = (np.arange(len(labels)) * 0.6180339887498949) % 1.0 - 0.5
    y = np.asarray(labels, np.float64) + spread * jitter
    return np.stack([codes[:, 0], y], axis=1).astype(np.float32)
