"""Images to files: a strip or grid as one PNG, a sequence as an animated GIF (pillow), written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.errors import ConfigError
from trainer.files import atomic_file


def to_uint8(images: np.ndarray) -> np.ndarray:
    """uint8 as it is; float in [0, 1] scaled, rounded and clipped."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.clip(np.rint(images.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)


def tile(images: np.ndarray, cols: int | None = None, gap: int = 1, fill: int = 255) -> np.ndarray:
    """N×C×H×W -> one uint8 H'×W' (grey) or H'×W'×3 image, ``cols`` per row (default: all in one row)."""
    images = to_uint8(images)
    if images.ndim != 4 or len(images) == 0:
        raise ConfigError(f"need a non-empty N×C×H×W stack of images, got shape {images.shape}")
    n, c, h, w = images.shape
    cols = n if cols is None else max(1, min(int(cols), n))
    rows = -(-n // cols)
    padded = np.full((rows * cols, c, h, w), fill, np.uint8)
    padded[:n] = images
    grid = np.pad(padded.reshape(rows, cols, c, h, w), ((0, 0), (0, 0), (0, 0), (0, gap), (0, gap)),
                  constant_values=fill)
    out = grid.transpose(0, 3, 1, 4, 2).reshape(rows * (h + gap), cols * (w + gap), c)
    out = out[:rows * (h + gap) - gap, :cols * (w + gap) - gap]
    return np.ascontiguousarray(out[..., 0] if c == 1 else out[..., :3])


def _pil(pixels: np.ndarray, scale: int):
    from PIL import Image

    image = Image.fromarray(pixels, mode="L" if pixels.ndim == 2 else "RGB")
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    return image


def save_png(images: np.ndarray, path: str | Path, cols: int | None = None, scale: int = 4,
             gap: int = 1) -> Path:
    """The images as one PNG (a strip, or a grid of ``cols`` columns), each pixel ``scale``×``scale``."""
    image = _pil(tile(images, cols, gap), _scale(scale))
    with atomic_file(Path(path)) as f:
        image.save(f, format="PNG")
    return Path(path)


def save_gif(frames: np.ndarray, path: str | Path, duration_ms: int = 80, scale: int = 4,
             bounce: bool = True) -> Path:
    """An animated GIF that loops forever, one frame per image (N×C×H×W); ``bounce`` plays it forward then
    back (without repeating the end frames), so a morph returns smoothly to its start."""
    frames = to_uint8(frames)
    if frames.ndim != 4 or len(frames) == 0:
        raise ConfigError(f"need a non-empty N×C×H×W stack of frames, got shape {frames.shape}")
    order = list(range(len(frames)))
    if bounce and len(frames) > 2:
        order += order[-2:0:-1]
    images = [_pil(tile(frames[i:i + 1], gap=0), _scale(scale)) for i in order]
    with atomic_file(Path(path)) as f:
        images[0].save(f, format="GIF", save_all=True, append_images=images[1:], duration=int(duration_ms),
                       loop=0, disposal=1)
    return Path(path)


def _scale(scale: int) -> int:
    if not 1 <= int(scale) <= 64:
        raise ConfigError(f"scale must be 1…64, got {scale}")
    return int(scale)
