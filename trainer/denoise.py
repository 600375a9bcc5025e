"""Denoising: corrupt an image at a level, encode it, decode the code; and the noise sweep over a test batch.

``denoise_one`` is the slider preview: the image corrupted at the chosen level (``trainer.train.corrupt_np``),
its reconstruction decode(mu), both PSNRs against the clean image, and the latent means of the image corrupted
at levels 0, 0.05, … up to the chosen level (the trail on the scatter). With a fixed seed the corruption is
monotone in the level (the same noise pattern, more of it), so the trail moves smoothly as the level grows.

``noise_sweep`` is the classic denoising study: mean PSNR of the noisy input and of the reconstruction against
the level, over a fixed batch of test images, one level at a time (a generator, so a GUI can show progress).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError
from trainer.latent import decode, encode
from trainer.metrics import PSNR_CAP_DB, psnr
from trainer.train import corrupt_np

__all__ = ["KINDS", "PSNR_CAP_DB", "SWEEP_LEVELS", "TRAIL_STEP", "DenoiseResult", "Sweep", "SweepProgress",
           "denoise_one", "noise_sweep", "sweep_batch", "trail_levels"]

KINDS = ("gaussian", "salt-pepper", "mask")
TRAIL_STEP = 0.05
SWEEP_LEVELS = tuple(round(0.1 * i, 1) for i in range(11))


@dataclass(frozen=True, eq=False)
class DenoiseResult:
    """One image at one level. Images float32 C×H×W in [0, 1]; PSNRs in dB against ``clean`` (identical
    images get ``PSNR_CAP_DB``); ``trail_codes[i]`` is the latent mean of the image at ``trail_levels[i]``,
    the last row being the chosen level."""

    kind: str
    level: float
    seed: int
    clean: np.ndarray
    noisy: np.ndarray
    reconstruction: np.ndarray
    psnr_noisy: float
    psnr_recon: float
    trail_levels: np.ndarray  # float64 M, ascending, last = level
    trail_codes: np.ndarray  # float32 M×D


@dataclass(frozen=True)
class SweepProgress:
    done: int  # levels finished
    total: int


@dataclass(frozen=True, eq=False)
class Sweep:
    """Mean PSNR (dB, mean over images of the per-image PSNR) of the noisy input and of the reconstruction
    at each level; ``n_images`` images, corrupted with ``seed``."""

    kind: str
    levels: np.ndarray  # float64 L
    psnr_noisy: np.ndarray  # float64 L
    psnr_recon: np.ndarray  # float64 L
    n_images: int
    seed: int


def _check(kind: str, level: float) -> float:
    level = float(level)
    if kind not in KINDS:
        raise ConfigError(f"unknown corruption {kind!r}: use one of {', '.join(KINDS)}")
    if not (math.isfinite(level) and 0.0 <= level <= 1.0):
        raise ConfigError(f"the noise level must be between 0 and 1, got {level}")
    return level


def _as_float(images: np.ndarray) -> np.ndarray:
    """uint8 -> float32 / 255; float images are taken as [0, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return images.astype(np.float32, copy=True)


def trail_levels(level: float, step: float = TRAIL_STEP) -> np.ndarray:
    """0, step, 2·step, … up to ``level``, and ``level`` itself at the end (at most 1/step + 2 levels)."""
    level = float(level)
    n = int(math.floor(level / step + 1e-6))
    levels = [round(i * step, 6) for i in range(n + 1)]
    if level - levels[-1] > 1e-6:
        levels.append(level)
    else:
        levels[-1] = level
    return np.asarray(levels, dtype=np.float64)


def denoise_one(model, image: np.ndarray, kind: str, level: float, seed: int = 0,
                trail: np.ndarray | None = None) -> DenoiseResult:
    """``image`` (C×H×W, uint8 or float in [0, 1]) corrupted by ``kind`` at ``level`` with ``seed``, and its
    reconstruction decode(mu(noisy)). ``trail`` overrides the trail levels (the chosen level is added)."""
    level = _check(kind, level)
    clean = _as_float(image)
    levels = trail_levels(level) if trail is None else np.asarray(trail, dtype=np.float64)
    if not len(levels) or levels[-1] != level:
        levels = np.append(levels, level)
    noisy = np.stack([corrupt_np(clean, kind, float(t), seed) for t in levels])
    mu, _ = encode(model, noisy)
    recon = decode(model, mu[-1:])[0]
    return DenoiseResult(kind, level, int(seed), clean, noisy[-1].copy(), recon,
                         float(psnr(clean[None], noisy[-1:])[0]), float(psnr(clean[None], recon[None])[0]),
                         levels, np.asarray(mu, dtype=np.float32))


def sweep_batch(images: np.ndarray, n_train: int, n: int = 256, seed: int = 0) -> np.ndarray:
    """A fixed batch of ``n`` test images (rows after ``n_train``; all rows when there is no test split),
    drawn with ``seed`` and kept in data order, so every model is measured on the same images."""
    first = n_train if n_train < len(images) else 0
    rows = np.arange(first, len(images))
    if len(rows) > n:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=n, replace=False))
    return np.array(images[rows], copy=True)


def noise_sweep(model, images: np.ndarray, kind: str, levels=SWEEP_LEVELS, seed: int = 0,
                batch: int = 256) -> Iterator[SweepProgress | Sweep]:
    """For each level: corrupt all ``images`` (the same pattern at every level), reconstruct, and average the
    per-image PSNRs. Yields SweepProgress after each level, then the Sweep. ``batch``: encode/decode batch."""
    levels = np.asarray([_check(kind, t) for t in levels], dtype=np.float64)
    clean = _as_float(images)
    if not len(clean):
        raise ConfigError("the noise sweep needs at least one image")
    noisy_db, recon_db = np.zeros(len(levels)), np.zeros(len(levels))
    for i, level in enumerate(levels):
        noisy = corrupt_np(clean, kind, float(level), seed)
        mu, _ = encode(model, noisy, batch_size=batch)
        recon = decode(model, mu, batch_size=batch)
        noisy_db[i], recon_db[i] = psnr(clean, noisy).mean(), psnr(clean, recon).mean()
        yield SweepProgress(i + 1, len(levels))
    yield Sweep(kind, levels, noisy_db, recon_db, len(clean), int(seed))
