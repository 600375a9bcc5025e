"""One number per data row, to colour the scatter by: how well each image is reconstructed, and how far its
posterior lies from the prior.

- ``recon``: the reconstruction term of the loss, -log p(x|z=mu) = BCE of decode(mu) against the pixels,
  summed over pixels (nats per image; ``trainer.quality``);
- ``psnr``: the PSNR of decode(mu) against the image (dB, peak 1);
- ``kl``: KL(q(z|x) || N(0, I)) of the image's posterior (nats; Kingma & Welling 2014, eq. 10), VAE only.

``point_value_steps`` yields ``PointValues`` progress records as chunks are done and, last, one with all the
values, so that a worker can show progress and drop a stale run between chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError

KINDS = {"recon": "reconstruction error (nats)", "psnr": "reconstruction PSNR (dB)",
         "kl": "KL per point (nats)"}
CHUNK = 2048

__all__ = ["KINDS", "PointValues", "kl_per_point", "point_value_steps"]


@dataclass(frozen=True)
class PointValues:
    kind: str
    done: int  # rows computed so far
    total: int
    values: np.ndarray | None = None  # float64 N, in the last record only


def kl_per_point(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """KL(N(mu, exp(logvar)) || N(0, I)) per row, summed over latent units (nats), float64."""
    mu, logvar = np.asarray(mu, np.float64), np.asarray(logvar, np.float64)
    return 0.5 * (mu ** 2 + np.exp(logvar) - 1.0 - logvar).sum(axis=1)


def point_value_steps(model, images: np.ndarray, codes: np.ndarray, kind: str,
                      chunk: int = CHUNK) -> Iterator[PointValues]:
    """``kind`` (a key of KINDS) for every row of uint8 ``images`` N×C×H×W; ``codes`` are their latent means
    (N×D, as the app has them: the decoder starts from them). ConfigError for an unknown kind, or ``kl`` of a
    model without a posterior variance."""
    if kind not in KINDS:
        raise ConfigError(f"unknown value {kind!r}: choose one of {', '.join(KINDS)}")
    if kind == "kl" and not getattr(model, "is_vae", False):
        raise ConfigError("KL per point needs a VAE: this model gives no posterior variance")
    if len(codes) != len(images):
        raise ConfigError(f"{len(codes)} codes for {len(images)} images")
    n, parts = len(images), []
    yield PointValues(kind, 0, n)
    for start in range(0, n, chunk):
        parts.append(_chunk(model, images[start:start + chunk], codes[start:start + chunk], kind))
        yield PointValues(kind, min(start + chunk, n), n)
    values = np.concatenate(parts) if parts else np.zeros(0)
    yield PointValues(kind, n, n, values)


def _chunk(model, images: np.ndarray, codes: np.ndarray, kind: str) -> np.ndarray:
    if kind == "kl":
        from trainer.latent import encode

        mu, logvar = encode(model, images)
        return kl_per_point(mu, logvar)
    from trainer.quality import reconstruction_errors

    errors = reconstruction_errors(model, images, codes=codes)
    return errors.bce_nats if kind == "recon" else errors.psnr_db
