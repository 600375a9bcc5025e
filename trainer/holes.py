"""Where the holes are: the density of the encoded data (the aggregate posterior) against the prior N(0, I),
a Gaussian mixture fitted to the codes, and how far "off the map" any latent point lies.

A plain autoencoder only has to get its training codes right; between them the decoder was never trained and
makes garbage. A VAE's KL term pulls the codes towards N(0, I) and fills the space, but the aggregate
posterior q(z) = mean over x of q(z|x) never matches the prior exactly: samples from N(0, I) land in holes
too. Sampling from a mixture fitted to the codes instead is the ex-post density estimation of Ghosh et al.
2020 ("From Variational to Deterministic Autoencoders", section 4) and pythae's ``GaussianMixtureSampler``.
Numpy in, numpy out; the mixture is fitted with sklearn's ``GaussianMixture``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from trainer.errors import ConfigError

LOG_2PI = float(np.log(2 * np.pi))
MAX_ITER = 50  # EM steps at most (one thread: about 5 s for 5,000 codes of 32 dimensions, 10 components)
MAX_FIT_CODES = 5000  # the mixture is fitted on at most this many codes (a seeded subsample): a few seconds


@dataclass(frozen=True)
class Mixture:
    """A Gaussian mixture with full covariances: ``weights`` K, ``means`` K×D, ``covariances`` K×D×D
    (float64), and ``reference`` the sorted log densities of the codes it was fitted to (for percentiles)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    reference: np.ndarray

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def log_density(self, z: np.ndarray) -> np.ndarray:
        """log q(z) in nats (float64 M) of codes M×D under the mixture."""
        z = np.asarray(z, np.float64).reshape(-1, self.dim)
        parts = [np.log(w) + _log_normal(z, m, c)
                 for w, m, c in zip(self.weights, self.means, self.covariances, strict=True)]
        return logsumexp(np.stack(parts, axis=1), axis=1)

    def percentile(self, z: np.ndarray) -> np.ndarray:
        """For each code, the percentage (0-100) of the fitted codes whose log density is lower: near 0 the
        point is "off the map", where almost no data lives; around 50 it is typical."""
        return 100.0 * np.searchsorted(self.reference, self.log_density(z)) / max(len(self.reference), 1)

    def sample(self, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
        """float32 n×D codes drawn from the mixture (component by weight, then its Gaussian, its spread
        scaled by ``temperature``), with a seeded generator."""
        rng = np.random.default_rng(seed)
        which = rng.choice(len(self.weights), size=n, p=self.weights / self.weights.sum())
        eps = rng.standard_normal((n, self.dim)) * temperature
        chol = np.linalg.cholesky(self.covariances)
        return (self.means[which] + np.einsum("nij,nj->ni", chol[which], eps)).astype(np.float32)


def _log_normal(z: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(cov)
    solved = np.linalg.solve(chol, (z - mean).T)
    return -0.5 * ((solved**2).sum(0) + len(mean) * LOG_2PI) - np.log(np.diag(chol)).sum()


def fit_mixture(codes: np.ndarray, components: int = 10, seed: int = 0) -> Mixture:
    """Fit a K-component full-covariance Gaussian mixture to codes N×D (at most MAX_FIT_CODES of them, a
    seeded subsample). Raises ConfigError for fewer codes than components or non-finite codes."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture
    from threadpoolctl import threadpool_limits

    codes = np.asarray(codes, np.float64)
    if codes.ndim != 2 or not np.isfinite(codes).all():
        raise ConfigError("the mixture needs finite codes N×D")
    if components < 1 or len(codes) < max(components, 2):
        raise ConfigError(f"{len(codes)} codes cannot fit a mixture of {components} components")
    if len(codes) > MAX_FIT_CODES:
        codes = codes[np.random.default_rng(seed).choice(len(codes), MAX_FIT_CODES, replace=False)]
    gmm = GaussianMixture(components, covariance_type="full", random_state=seed, reg_covar=1e-5,
                          init_params="k-means++", max_iter=MAX_ITER)
    with threadpool_limits(1), warnings.catch_warnings():  # BLAS threads beside torch's: ten times slower
        warnings.simplefilter("ignore", ConvergenceWarning)  # a density for a meter, not a clustering
        gmm.fit(codes)
    mixture = Mixture(gmm.weights_.copy(), gmm.means_.copy(), gmm.covariances_.copy(), np.zeros(0))
    return Mixture(mixture.weights, mixture.means, mixture.covariances, np.sort(mixture.log_density(codes)))


def prior_log_density(z: np.ndarray) -> np.ndarray:
    """log N(z; 0, I) in nats (float64 M) of codes M×D."""
    z = np.asarray(z, np.float64)
    z = z.reshape(len(z), -1)
    return -0.5 * ((z**2).sum(1) + z.shape[1] * LOG_2PI)


@dataclass(frozen=True)
class HolesMap:
    """The holes map over the view rectangle ``x_range`` × ``y_range`` (n×n cells, row 0 = the TOP, highest
    y, as ``trainer.latent.grid_codes``): ``data`` the density of the encoded data per unit of view area
    (a smoothed 2-D histogram of the codes' view coordinates, integrating to 1 over the plane); ``prior``
    the density of N(0, I) seen in the view (its marginal on the plane); ``holes`` True where the prior puts
    mass (within its 2-sigma ellipse) but the data leave the cell nearly empty (density below
    ``hole_fraction`` of the prior's); ``inside`` the cells within that ellipse. All float64 / bool n×n."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    data: np.ndarray
    prior: np.ndarray
    holes: np.ndarray
    inside: np.ndarray

    @property
    def hole_share(self) -> float:
        """The fraction of the prior's 2-sigma region (of its cells in view) that is a hole (0…1)."""
        return float(self.holes[self.inside].mean()) if self.inside.any() else 0.0


def holes_map(xy: np.ndarray, x_range, y_range, n: int, prior_centre: np.ndarray, prior_cov: np.ndarray,
              smooth_cells: float = 1.0, hole_fraction: float = 0.1) -> HolesMap:
    """The HolesMap of codes at view coordinates ``xy`` N×2 over the rectangle, with the prior seen in the
    view as N(prior_centre, prior_cov) (``trainer.posterior.in_view`` of N(0, I)). ``smooth_cells``: the
    Gaussian blur of the histogram, in cells."""
    from scipy.ndimage import gaussian_filter

    if n < 2:
        raise ConfigError(f"a holes map needs n ≥ 2 cells a side, got {n}")
    (x0, x1), (y0, y1) = (tuple(map(float, r)) for r in (x_range, y_range))
    if not (x1 > x0 and y1 > y0):
        raise ConfigError(f"empty view rectangle {x_range} × {y_range}")
    xy = np.asarray(xy, np.float64).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(1)]
    counts, _, _ = np.histogram2d(xy[:, 1], xy[:, 0], bins=n, range=((y0, y1), (x0, x1)))
    counts = gaussian_filter(counts[::-1], smooth_cells, mode="constant")  # row 0 = top
    cell = (x1 - x0) / n * (y1 - y0) / n
    data = counts / max(len(xy), 1) / cell
    xs, ys = (x0 + (np.arange(n) + 0.5) * (x1 - x0) / n), (y1 - (np.arange(n) + 0.5) * (y1 - y0) / n)
    gx, gy = np.meshgrid(xs, ys)
    prior = np.exp(_log_normal(np.stack([gx.ravel(), gy.ravel()], 1), np.asarray(prior_centre, np.float64),
                               np.asarray(prior_cov, np.float64) + 1e-12 * np.eye(2))).reshape(n, n)
    inside = prior >= _peak(prior_cov) * np.exp(-2.0)  # within the 2-sigma ellipse: Mahalanobis² ≤ 4
    holes = inside & (data < hole_fraction * prior)
    return HolesMap((x0, x1), (y0, y1), data, prior, holes, inside)


def _peak(cov: np.ndarray) -> float:
    """The density of a 2-D Gaussian at its centre."""
    return float(1.0 / (2 * np.pi * np.sqrt(max(np.linalg.det(np.asarray(cov, np.float64)), 1e-300))))
