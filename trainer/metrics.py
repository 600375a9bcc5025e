"""How good is a model: ELBO, importance-weighted NLL (Burda et al. 2015), PSNR, active units.

All figures are nats per image (or dB). ``evaluate`` draws its one ELBO sample per image and the IW samples
from a generator seeded with 0, so the same model and data give the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from trainer.data.dataset import Dataset
from trainer.errors import ConfigError, DataError
from trainer.limits import MAX_IW_SAMPLES
from trainer.models import Output

PSNR_CAP_DB = 100.0  # identical images
ACTIVE_THRESHOLD = 0.01  # Burda et al.: a unit is active when Cov_x(E_q[z_u]) > 0.01
LOG_2PI = math.log(2 * math.pi)


@dataclass
class Metrics:
    """``loss/recon/kl`` with z ~ q(z|x) (one sample); ``elbo = -(recon + kl)``; PSNR of decode(mu)."""

    loss_nats: float
    recon_nats: float
    kl_nats: float
    elbo_nats: float
    nll_iw_nats: float | None
    psnr_db: float
    psnr_per_image: np.ndarray
    active_units: int
    n: int
    iw_samples: int = 0

    def to_dict(self) -> dict:
        d = {k: v for k, v in vars(self).items() if k != "psnr_per_image"}
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def evaluate(model, data: Dataset, *, iw_samples: int = 0, batch_size: int = 512) -> Metrics:
    """Figures over all rows of ``data`` (pass ``ds.test``); ``iw_samples`` > 0 adds the IW-NLL (VAE only)."""
    if len(data.images) == 0:
        raise DataError(f"{data.source or data.spec}: no images to evaluate")
    if not 0 <= iw_samples <= MAX_IW_SAMPLES or batch_size < 1:
        raise ConfigError(f"iw_samples must be 0…{MAX_IW_SAMPLES:,} and batch_size ≥ 1")
    gen = torch.Generator(device=_device(model)).manual_seed(0)
    parts = [_batch(model, x, iw_samples, gen) for x in _batches(model, data.images, batch_size)]
    sums = {k: sum(p[k] for p in parts) for k in ("loss", "recon", "kl", "nll")}
    n = len(data.images)
    psnr_all = np.concatenate([p["psnr"] for p in parts])
    mu = np.concatenate([p["mu"] for p in parts])
    vae = parts[0]["vae"]
    return Metrics(sums["loss"] / n, sums["recon"] / n, sums["kl"] / n, -(sums["recon"] + sums["kl"]) / n,
                   sums["nll"] / n if iw_samples and vae else None, float(psnr_all.mean()), psnr_all,
                   active_units(mu), n, iw_samples if vae else 0)


def _device(model) -> torch.device:
    return next(model.parameters()).device


def _batches(model, images: np.ndarray, batch_size: int):
    device = _device(model)
    for i in range(0, len(images), batch_size):
        yield torch.tensor(images[i:i + batch_size], device=device).float().div_(255)


def _batch(model, x: torch.Tensor, k: int, gen: torch.Generator) -> dict:
    """Sums over the batch of one-sample loss terms (and IW-NLL), plus per-image PSNR and the means."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            mu, logvar = model.encode(x)
            z = mu if logvar is None else _sample(mu, logvar, gen)
            out = Output(model.decode(z), mu, logvar, z)
            losses = model.loss(x, out)
            clean = torch.sigmoid(out.logits if logvar is None else model.decode(mu))
            nll = iw_nll(model, x, k, generator=gen).sum().item() if k and logvar is not None else 0.0
    finally:
        model.train(was_training)
    m = len(x)
    return dict(loss=losses.total.item() * m, recon=losses.recon.item() * m, kl=losses.kl.item() * m, nll=nll,
                psnr=psnr(x.cpu().numpy(), clean.cpu().numpy()), mu=mu.cpu().numpy(), vae=logvar is not None)


def _sample(mu: torch.Tensor, logvar: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    eps = torch.randn(mu.shape, generator=gen, device=mu.device, dtype=mu.dtype)
    return mu + eps * torch.exp(0.5 * logvar)


def iw_nll(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Importance-weighted estimate of -log p(x) per image, with k samples z_k ~ q(z|x):
    -(logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log k). An upper bound on the NLL that
    tightens as k grows; k = 1 is the negative (one-sample) ELBO. ``x`` float in [0, 1]."""
    if k < 1:
        raise ConfigError(f"importance sampling needs k ≥ 1 samples, got {k}")
    with torch.inference_mode():
        mu, logvar = model.encode(x)
        if logvar is None:
            raise ConfigError("the importance-weighted NLL needs a VAE (this model has no posterior)")
        total = None  # a running logsumexp: memory stays one batch whatever k is
        for _ in range(k):
            log_w = _log_weight(model, x, mu, logvar, generator)
            total = log_w if total is None else torch.logaddexp(total, log_w)
        return -(total - math.log(k))


def _log_weight(model, x, mu, logvar, generator) -> torch.Tensor:
    """log p(x|z) + log p(z) - log q(z|x) per image for one z ~ q(z|x)."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    z = mu + eps * torch.exp(0.5 * logvar)
    log_px_z = -F.binary_cross_entropy_with_logits(model.decode(z), x, reduction="none").flatten(1).sum(1)
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(1)
    log_qz = -0.5 * (eps.pow(2) + logvar + LOG_2PI).sum(1)
    return log_px_z + log_pz - log_qz


def psnr(clean: np.ndarray, other: np.ndarray) -> np.ndarray:
    """PSNR in dB per image (N×…): 10·log10(peak² / MSE). The peak comes from the dtype: 1 for float images
    in [0, 1], the type's maximum for integer images (255 for uint8, the data sets' own type). Images of two
    different kinds (uint8 and float) are refused with ConfigError rather than compared on a wrong scale;
    identical images get PSNR_CAP_DB, non-finite pixels give NaN."""
    a, b = np.asarray(clean), np.asarray(other)
    if a.shape != b.shape:
        raise ConfigError(f"psnr needs images of equal shape, got {a.shape} and {b.shape}")
    peak = _peak(a.dtype, b.dtype)
    a, b = a.astype(np.float64), b.astype(np.float64)
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        db = 10 * np.log10(peak * peak / mse)
    return np.where(np.isnan(db), np.nan, np.minimum(db, PSNR_CAP_DB))


def _peak(a: np.dtype, b: np.dtype) -> float:
    """1.0 for floats (and bools), the integer type's maximum for integers; both must be of one kind."""
    kinds = {"f" if t.kind in "fb" else "i" for t in (a, b)}
    if len(kinds) > 1 or (kinds == {"i"} and a != b):
        raise ConfigError(f"psnr compares images of one type: got {a} and {b} (convert the integer images to "
                          "floats in [0, 1], or the floats to the integer type)")
    return 1.0 if kinds == {"f"} else float(np.iinfo(a).max)


def psnr_histogram(values: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of the finite values; an empty input gives zero counts over [0, PSNR_CAP_DB]."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return np.histogram(v, bins=bins, range=None if len(v) else (0.0, PSNR_CAP_DB))


def active_units(mu: np.ndarray, threshold: float = ACTIVE_THRESHOLD) -> int:
    """Code dimensions whose mean code varies across the data by more than ``threshold`` (variance)."""
    if len(mu) < 2:
        return 0
    return int((np.var(np.asarray(mu, dtype=np.float64), axis=0) > threshold).sum())
