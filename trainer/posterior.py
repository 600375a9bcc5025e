"""A VAE maps an image to a distribution, not a point: its posterior q(z|x) = N(mu, diag(sigma²)), seen in a
2-D view, sampled, and taken apart dimension by dimension.

Numpy in, numpy out (the encoder runs through ``trainer.latent.encode``). Sources:
  - reparameterisation z = mu + sigma·eps, eps ~ N(0, I): Kingma & Welling 2014, "Auto-Encoding Variational
    Bayes", section 2.4;
  - KL(N(mu, sigma²) || N(0, 1)) = ½(mu² + sigma² − 1 − log sigma²) per dimension: the same paper, appendix B;
  - active units, Var_x(E_q[z_u]) > 0.01: Burda, Grosse & Salakhutdinov 2015, "Importance Weighted
    Autoencoders", section 5.2 (``trainer.metrics.ACTIVE_THRESHOLD``);
  - latent traversals (one row per dimension, swept over ±3): Higgins et al. 2017, "beta-VAE", figure 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError

ACTIVE_THRESHOLD = 0.01  # = trainer.metrics.ACTIVE_THRESHOLD (Burda et al.), here without importing torch


@dataclass(frozen=True)
class Posterior:
    """q(z|x) for one image: ``mu`` and ``sigma`` float64 vectors of D (sigma = exp(logvar / 2))."""

    mu: np.ndarray
    sigma: np.ndarray

    @classmethod
    def of(cls, mu: np.ndarray, logvar: np.ndarray) -> Posterior:
        mu = np.asarray(mu, np.float64).ravel()
        logvar = np.asarray(logvar, np.float64).ravel()
        if mu.shape != logvar.shape:
            raise ConfigError(f"mu has {mu.size} dimensions but logvar {logvar.size}")
        return cls(mu, np.exp(0.5 * logvar))

    def samples(self, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(eps, z), both float32 n×D: eps ~ N(0, I) from a seeded generator and z = mu + sigma·eps (the
        reparameterisation trick: the randomness is outside the network, so gradients reach mu and sigma)."""
        if n < 0:
            raise ConfigError(f"the number of samples must be ≥ 0, got {n}")
        eps = np.random.default_rng(seed).standard_normal((n, len(self.mu)))
        return eps.astype(np.float32), (self.mu + self.sigma * eps).astype(np.float32)

    def kl(self) -> np.ndarray:
        """KL(q(z|x) || N(0, I)) per dimension, nats (float64 D); their sum is the ELBO's KL term."""
        return kl_terms(self.mu[None], 2 * np.log(self.sigma)[None])[0]


def projection_matrix(plane) -> np.ndarray:
    """A 2×D such that view coordinates = A·(z − origin) for ``plane`` (a ``trainer.latent.Plane``): the
    least-squares inverse of its axes, as ``Plane.from_latent`` uses."""
    basis = np.stack([plane.axis_x, plane.axis_y], axis=1)  # D×2
    return np.linalg.pinv(basis)


def in_view(posterior: Posterior, plane) -> tuple[np.ndarray, np.ndarray]:
    """(centre 2, covariance 2×2) of q(z|x) seen in ``plane``'s view: the distribution of the view
    coordinates of z ~ q(z|x), N(A(mu − origin), A·diag(sigma²)·Aᵀ), its marginal on the plane. For a view of
    two latent axes i, j it is simply N((mu_i, mu_j), diag(sigma_i², sigma_j²))."""
    a = projection_matrix(plane)
    centre = a @ (posterior.mu - plane.origin)
    cov = (a * posterior.sigma**2) @ a.T
    return centre, cov


def ellipse(centre: np.ndarray, cov: np.ndarray, k: float = 1.0, n: int = 65) -> np.ndarray:
    """n×2 points (closed: first = last) of the k-sigma contour {x : (x − c)ᵀ cov⁻¹ (x − c) = k²} of a 2-D
    Gaussian. A singular ``cov`` gives a line segment (or a point)."""
    if n < 3:
        raise ConfigError(f"an ellipse needs n ≥ 3 points, got {n}")
    values, vectors = np.linalg.eigh(np.asarray(cov, np.float64).reshape(2, 2))
    radii = k * np.sqrt(np.clip(values, 0.0, None))
    t = np.linspace(0.0, 2 * np.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    return np.asarray(centre, np.float64).reshape(1, 2) + (circle * radii) @ vectors.T


def kl_terms(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """KL(N(mu, exp(logvar)) || N(0, 1)) of every image and dimension, nats (float64 N×D)."""
    mu, logvar = np.asarray(mu, np.float64), np.asarray(logvar, np.float64)
    return 0.5 * (mu**2 + np.exp(logvar) - 1.0 - logvar)


@dataclass(frozen=True)
class Dimensions:
    """Per latent dimension over a data set (float64 vectors of D): ``kl`` mean KL per image (nats; zeros
    for a plain autoencoder), ``activity`` the variance over the data of the mean code (Burda et al.),
    ``active`` activity > ``threshold``, ``spread`` the standard deviation of the mean codes."""

    kl: np.ndarray
    activity: np.ndarray
    active: np.ndarray
    spread: np.ndarray
    threshold: float = ACTIVE_THRESHOLD

    @property
    def n_active(self) -> int:
        return int(self.active.sum())


def dimensions(mu: np.ndarray, logvar: np.ndarray | None, threshold: float = ACTIVE_THRESHOLD) -> Dimensions:
    """KL per dimension and active units for latent means ``mu`` N×D (and ``logvar`` N×D, None for a plain
    autoencoder). Fewer than 2 codes: no activity (nothing varies)."""
    mu = np.asarray(mu, np.float64)
    if mu.ndim != 2:
        raise ConfigError(f"codes must be N×D, got shape {mu.shape}")
    d = mu.shape[1]
    kl = kl_terms(mu, logvar).mean(0) if logvar is not None and len(mu) else np.zeros(d)
    activity = mu.var(0) if len(mu) > 1 else np.zeros(d)
    return Dimensions(kl, activity, activity > threshold, np.sqrt(activity), threshold)


def traversal_codes(z: np.ndarray, scale: np.ndarray | float = 1.0, steps: int = 7,
                    span: float = 3.0) -> np.ndarray:
    """Codes float32 D×steps×D: row d is ``z`` with dimension d swept evenly from −span·scale_d to
    +span·scale_d (absolute values: the sweep replaces z_d, the other dimensions stay). ``scale`` is one
    standard deviation per dimension: 1 for a VAE's prior N(0, I), the codes' spread for an autoencoder."""
    z = np.asarray(z, np.float64).ravel()
    if steps < 2:
        raise ConfigError(f"a traversal needs 2 or more steps, got {steps}")
    scale = np.broadcast_to(np.asarray(scale, np.float64), z.shape)
    d = len(z)
    codes = np.repeat(np.repeat(z[None, None], d, 0), steps, 1)
    t = np.linspace(-span, span, steps)
    for k in range(d):
        codes[k, :, k] = t * scale[k]
    return codes.astype(np.float32)


def encode_posterior(model, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(mu, logvar | None) float32 N×D of uint8 images N×C×H×W: ``trainer.latent.encode`` (torch)."""
    from trainer.latent import encode

    return encode(model, images)
