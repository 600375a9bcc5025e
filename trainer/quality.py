"""Reconstruction quality per image, and the images a model reconstructs worst (anomaly ranking).

The reconstruction is the deterministic one, ``sigmoid(decode(mu))``, as in ``trainer.metrics`` and the
Inspector; the same model and images always give the same numbers. An image the model reconstructs badly
is one unlike what it was trained on: ranking by PSNR is a simple anomaly detector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from trainer.errors import ConfigError
from trainer.latent import _evaluating
from trainer.metrics import psnr


@dataclass(frozen=True)
class ReconErrors:
    """Per image: ``psnr_db`` (peak 1, capped at metrics.PSNR_CAP_DB), ``bce_nats`` (binary cross-entropy
    of the logits against the pixels, summed over pixels: the training loss's reconstruction term) and
    ``mse`` (mean squared error of the pixel values in [0, 1]). All float64 arrays of length N."""

    psnr_db: np.ndarray
    bce_nats: np.ndarray
    mse: np.ndarray

    def __len__(self) -> int:
        return len(self.psnr_db)


def reconstruction_errors(model, images: np.ndarray, batch_size: int = 512,
                          codes: np.ndarray | None = None) -> ReconErrors:
    """Errors of the reconstructions of uint8 ``images`` N×C×H×W, in batches. ``codes`` (N×D latent means,
    e.g. the codes the app has already) skips the encoder; without them the images are encoded first."""
    images = np.asarray(images)
    if batch_size < 1:
        raise ConfigError(f"batch_size must be ≥ 1, got {batch_size}")
    if codes is not None and len(codes) != len(images):
        raise ConfigError(f"{len(codes)} codes for {len(images)} images")
    parts = [_batch(model, images[i:i + batch_size], None if codes is None else codes[i:i + batch_size])
             for i in range(0, len(images), batch_size)]
    if not parts:
        return ReconErrors(*(np.zeros(0) for _ in range(3)))
    return ReconErrors(*(np.concatenate([p[k] for p in parts]) for k in range(3)))


def _batch(model, images: np.ndarray, codes: np.ndarray | None) -> tuple[np.ndarray, ...]:
    with _evaluating(model) as device:
        x = torch.tensor(images, device=device).float()
        x = x / 255 if images.dtype == np.uint8 else x
        mu = model.encode(x)[0] if codes is None else torch.tensor(codes, device=device, dtype=x.dtype)
        logits = model.decode(mu).float()
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
        clean, recon = x.double().cpu().numpy(), torch.sigmoid(logits).double().cpu().numpy()
    mse = ((clean - recon) ** 2).reshape(len(clean), -1).mean(1)
    return psnr(clean, recon), bce.double().cpu().numpy(), mse


def worst(errors: ReconErrors | np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` worst reconstructions, worst (lowest PSNR) first; ties in row order. ``errors``:
    a ReconErrors or per-image PSNR values."""
    values = errors.psnr_db if isinstance(errors, ReconErrors) else np.asarray(errors, dtype=np.float64)
    if k < 0:
        raise ConfigError(f"k must be ≥ 0, got {k}")
    return np.argsort(values, kind="stable")[:k]


def summary(psnr_db: np.ndarray) -> tuple[float, float]:
    """(mean, median) PSNR in dB; NaN for no images."""
    v = np.asarray(psnr_db, dtype=np.float64)
    return (float(v.mean()), float(np.median(v))) if len(v) else (float("nan"), float("nan"))


def rms_error(psnr_db: float, levels: int = 255) -> tuple[float, float]:
    """What a PSNR means in pixels: (root-mean-square error as a fraction of the range, the same in grey
    levels of ``levels``). PSNR = 10·log10(peak² / MSE) = 20·log10(peak / RMS), so RMS = peak·10^(-PSNR/20):
    60 dB is 0.1 % of the range, 0.26 of 255 grey levels (less than the 0.29 levels of merely rounding to
    8 bits, 1/√12: 58.9 dB); 20 dB is 10 %."""
    fraction = 10.0 ** (-float(psnr_db) / 20.0)
    return fraction, fraction * levels


def class_counts(labels: np.ndarray, rows: np.ndarray, n_classes: int) -> np.ndarray:
    """How many of ``rows`` fall in each class (e.g. which classes the worst reconstructions come from)."""
    return np.bincount(np.asarray(labels)[np.asarray(rows, dtype=np.int64)], minlength=n_classes)
