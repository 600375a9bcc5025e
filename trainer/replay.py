"""Latent formation replay: the codes of every epoch of a run, aligned from epoch to epoch, and a GIF.

Training moves the codes each epoch, and often also spins or mirrors the whole cloud: the loss does not care
about a rotation of a plain autoencoder's code, nor (up to the axis-aligned posterior) much of a VAE's. To
see the structure form rather than the cloud tumble, each epoch's codes are rotated onto the next epoch's
(orthogonal Procrustes, Schönemann 1966; ``scipy.linalg.orthogonal_procrustes``), back from the last epoch,
so the last frame is exactly what the scatter shows. Only a rotation (or reflection) and a shift are
removed: a change of scale is real and stays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.errors import ConfigError

MAX_EPOCHS = 500  # a replay keeps at most this many frames (the first ones are thinned beyond)


def align(frames: list[np.ndarray]) -> list[np.ndarray]:
    """Each of the codes ``frames`` (float N×D each, the same N and D) rotated and shifted onto the aligned
    frame after it; the last frame stays as it is. Returns float32 copies. Non-finite rows are left out of
    the fitting (and come back unchanged)."""
    if not frames:
        return []
    shapes = {np.shape(f) for f in frames}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ConfigError(f"replay frames must all be N×D of one shape, got {sorted(shapes)}")
    from scipy.linalg import orthogonal_procrustes

    out = [np.asarray(frames[-1], np.float64)]
    for frame in reversed(frames[:-1]):
        source, target = np.asarray(frame, np.float64), out[0]
        ok = np.isfinite(source).all(1) & np.isfinite(target).all(1)
        if ok.sum() < 2:
            out.insert(0, source)
            continue
        s_mean, t_mean = source[ok].mean(0), target[ok].mean(0)
        rotation, _ = orthogonal_procrustes(source[ok] - s_mean, target[ok] - t_mean)
        out.insert(0, (source - s_mean) @ rotation + t_mean)
    return [f.astype(np.float32) for f in out]


def render(xy: np.ndarray, labels: np.ndarray, colours: list[str], x_range, y_range, size: int = 360,
           dot: int = 2) -> np.ndarray:
    """An RGB uint8 size×size×3 picture of points ``xy`` N×2 (view coordinates) on white, each a square dot
    of side 2·dot+1 pixels in ``colours[label % len(colours)]`` ("#RRGGBB"); y grows upwards."""
    image = np.full((size, size, 3), 255, np.uint8)
    (x0, x1), (y0, y1) = x_range, y_range
    xy = np.asarray(xy, np.float64)
    ok = np.isfinite(xy).all(1)
    px = np.round((xy[ok, 0] - x0) / (x1 - x0) * (size - 1)).astype(np.int64)
    py = np.round((y1 - xy[ok, 1]) / (y1 - y0) * (size - 1)).astype(np.int64)
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colours], np.uint8)
    lab = np.asarray(labels)[ok] % len(colours)
    for dx in range(-dot, dot + 1):
        for dy in range(-dot, dot + 1):
            x, y = px + dx, py + dy
            keep = (x >= 0) & (x < size) & (y >= 0) & (y < size)
            image[y[keep], x[keep]] = rgb[lab[keep]]
    return image


def frame_range(frames: list[np.ndarray], margin: float = 0.05) -> tuple[tuple[float, float], ...]:
    """One (x_range, y_range) that holds every finite point of every frame of view coordinates N×2, with a
    ``margin`` (fraction of the span) each side; square cells are not forced."""
    points = np.concatenate([np.asarray(f, np.float64).reshape(-1, 2) for f in frames]) if frames else None
    if points is None or not np.isfinite(points).all(1).any():
        return (-1.0, 1.0), (-1.0, 1.0)
    points = points[np.isfinite(points).all(1)]
    lo, hi = points.min(0), points.max(0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def save_gif(pictures: list[np.ndarray], path: str | Path, ms_per_frame: int = 300) -> Path:
    """Write RGB uint8 H×W×3 pictures as a looping GIF (Pillow), atomically (a temporary file renamed);
    the last frame is held three times as long. Raises ConfigError for no pictures."""
    from PIL import Image

    if not pictures:
        raise ConfigError("there is nothing to replay: train a model in this window first")
    path = Path(path)
    images = [Image.fromarray(np.asarray(p, np.uint8)) for p in pictures]
    durations = [int(ms_per_frame)] * (len(images) - 1) + [3 * int(ms_per_frame)]
    temporary = path.with_name(path.name + ".part")
    images[0].save(temporary, format="GIF", save_all=True, append_images=images[1:], duration=durations,
                   loop=0)
    temporary.replace(path)
    return path
