"""Latent-space operations as pure functions: numpy in, numpy out.

Torch runs under ``inference_mode`` with the model in eval mode (its mode is restored afterwards), in
batches, on whatever device the model lives on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from trainer.errors import ConfigError
from trainer.planes import Line, Plane, code_against_class  # noqa: F401  (re-exported)


@contextmanager
def _evaluating(model) -> Iterator[torch.device]:
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            yield next(model.parameters()).device
    finally:
        model.train(was_training)


def for_inference(model):
    """Eval mode, and channels_last weights for conv models on the CPU: decoding a 15×15 keras-conv grid takes
    about half the time (same results up to float rounding). Returns the model."""
    model.eval()
    conv = any(p.dim() == 4 for p in model.parameters())
    if conv and next(model.parameters()).device.type == "cpu":
        model.to(memory_format=torch.channels_last)
    return model


def encode(model, images: np.ndarray, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray | None]:
    """(mu, logvar | None) float32 N×D for uint8 images N×C×H×W (float images are taken as [0, 1])."""
    images = np.asarray(images)
    mus, logvars = [], []
    with _evaluating(model) as device:
        for i in range(0, len(images), batch_size):
            x = torch.tensor(images[i:i + batch_size], device=device).float()
            mu, logvar = model.encode(x / 255 if images.dtype == np.uint8 else x)
            mus.append(mu.float().cpu().numpy())
            logvars.append(None if logvar is None else logvar.float().cpu().numpy())
    d = model.config.latent_dim
    mu = np.concatenate(mus) if mus else np.zeros((0, d), np.float32)
    if not logvars:
        return mu, (np.zeros((0, d), np.float32) if model.config.family == "vae" else None)
    return mu, (None if logvars[0] is None else np.concatenate(logvars))


def decode(model, z: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Pixel values float32 N×C×H×W in [0, 1] (sigmoid of the logits) for codes N×D."""
    z = np.asarray(z, dtype=np.float32).reshape(-1, model.config.latent_dim)
    out = [np.zeros((0, *model.config.image_shape), np.float32)]
    with _evaluating(model) as device:
        for i in range(0, len(z), batch_size):
            logits = model.decode(torch.from_numpy(z[i:i + batch_size]).to(device))
            out.append(torch.sigmoid(logits).float().cpu().numpy())
    return np.concatenate(out)


def grid_codes(x_range: tuple[float, float], y_range: tuple[float, float], n: int,
               plane: Plane | Line | None = None) -> np.ndarray:
    """(n·n)×D codes, row by row: row 0 is the top (highest y), columns go from low to high x.
    Without a plane the codes are the (x, y) points themselves (a 2-D latent space)."""
    if n < 1:
        raise ConfigError(f"a grid needs n ≥ 1, got {n}")
    xs = np.linspace(x_range[0], x_range[1], n)
    ys = np.linspace(y_range[1], y_range[0], n)
    gx, gy = np.meshgrid(xs, ys)
    xy = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return xy.astype(np.float32) if plane is None else plane.to_latent(xy)


def decode_grid(model, x_range: tuple[float, float], y_range: tuple[float, float], n: int,
                plane: Plane | Line | None = None) -> np.ndarray:
    """n×n×C×H×W images of ``grid_codes`` (row 0 = top = highest y)."""
    d = model.config.latent_dim
    if plane is None and d != 2:
        raise ConfigError(f"the latent space has {d} dimensions: choose a plane (two axes or PCA)")
    if plane is not None and plane.dim != d:
        raise ConfigError(f"the plane lies in {plane.dim} dimensions but the model's codes have {d}")
    images = decode(model, grid_codes(x_range, y_range, n, plane))
    return images.reshape(n, n, *images.shape[1:])


def lerp(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """n codes on the straight line from a to b, both ends included."""
    a, b = _pair(a, b, n)
    t = np.linspace(0.0, 1.0, n)[:, None]
    return ((1 - t) * a + t * b).astype(np.float32)


def slerp(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """n codes along the great circle from a to b (White 2016); lerp when a and b are (anti)parallel or 0."""
    a, b = _pair(a, b, n)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return lerp(a, b, n)
    omega = np.arccos(np.clip(np.dot(a / na, b / nb), -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, n)
    t = np.linspace(0.0, 1.0, n)[:, None]
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(np.float32)


def _pair(a, b, n: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ConfigError(f"cannot interpolate between codes of {a.size} and {b.size} dimensions")
    if n < 1:
        raise ConfigError(f"interpolation needs n ≥ 1 steps, got {n}")
    return a, b


def direction_from_mask(codes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean code of the rows in ``mask`` minus the mean of the rest (an attribute vector)."""
    codes = np.asarray(codes, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (len(codes),):
        raise ConfigError(f"mask of shape {mask.shape} does not match {len(codes)} codes")
    if mask.all() or not mask.any():
        raise ConfigError(f"both groups need codes: {int(mask.sum())} with, {int((~mask).sum())} without")
    return (codes[mask].mean(0) - codes[~mask].mean(0)).astype(np.float32)


def direction_from_labels(codes: np.ndarray, labels: np.ndarray, a: int, b: int | None = None) -> np.ndarray:
    """From class a toward class b: mean(b) − mean(a). With b None: mean(a) − mean(every other class)."""
    labels = np.asarray(labels)
    if b is None:
        return direction_from_mask(codes, labels == a)
    codes = np.asarray(codes)
    keep = (labels == a) | (labels == b)
    return direction_from_mask(codes[keep], labels[keep] == b)


def direction_from_attribute(codes: np.ndarray, attributes: np.ndarray | None, j: int) -> np.ndarray:
    """Mean code with attribute j minus mean code without it."""
    if attributes is None:
        raise ConfigError("this data set has no attributes")
    attributes = np.asarray(attributes)
    if attributes.ndim != 2 or not 0 <= j < attributes.shape[1]:
        raise ConfigError(f"no attribute {j}: the data set has {attributes.shape[-1]}")
    return direction_from_mask(codes, attributes[:, j].astype(bool))


def sample_prior(model, n: int, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
    """n images decoded from z ~ N(0, T²·I), float32 N×C×H×W in [0, 1]; a seed always gives the same."""
    if n < 0 or temperature < 0:
        raise ConfigError("sample_prior needs n ≥ 0 and temperature ≥ 0")
    gen = torch.Generator().manual_seed(int(seed))
    z = torch.randn(n, model.config.latent_dim, generator=gen) * temperature
    return decode(model, z.numpy())
