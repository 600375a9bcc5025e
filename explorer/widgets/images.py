"""numpy images (C×H×W, float in [0, 1] or uint8) to uint8 pixels, QImage and QPixmap; grids to one mosaic."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_uint8(image: np.ndarray) -> np.ndarray:
    """uint8 as it is; float in [0, 1] scaled, rounded and clipped."""
    if image.dtype == np.uint8:
        return image
    return np.clip(np.rint(np.asarray(image, dtype=np.float32) * 255.0), 0, 255).astype(np.uint8)


def hwc(image: np.ndarray) -> np.ndarray:
    """C×H×W -> H×W (one channel) or H×W×3, uint8, C-contiguous."""
    pixels = to_uint8(image)
    if pixels.shape[0] == 1:
        return np.ascontiguousarray(pixels[0])
    return np.ascontiguousarray(np.moveaxis(pixels[:3], 0, -1))


def to_qimage(image: np.ndarray) -> QImage:
    """A QImage that owns a copy of the pixels (safe after ``image`` is gone)."""
    pixels = hwc(image)
    h, w = pixels.shape[:2]
    if pixels.ndim == 2:
        return QImage(pixels.data, w, h, pixels.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(pixels.data, w, h, pixels.strides[0], QImage.Format.Format_RGB888).copy()


def to_pixmap(image: np.ndarray, size: int | None = None) -> QPixmap:
    """Scaled to fit ``size`` pixels (nearest neighbour keeps the pixels of small images crisp)."""
    pixmap = QPixmap.fromImage(to_qimage(image))
    if size:
        pixmap = pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.FastTransformation)
    return pixmap


def mosaic(images: np.ndarray, gap: int = 0, fill: int = 0) -> np.ndarray:
    """rows×cols×C×H×W -> one uint8 image (rows·H)×(cols·W) (×3 for colour); gaps of ``fill`` between."""
    rows, cols, c, h, w = images.shape
    pixels = np.pad(to_uint8(images), ((0, 0), (0, 0), (0, 0), (0, gap), (0, gap)), constant_values=fill)
    out = pixels.transpose(0, 3, 1, 4, 2).reshape(rows * (h + gap), cols * (w + gap), c)
    out = out[:rows * (h + gap) - gap, :cols * (w + gap) - gap]
    return np.ascontiguousarray(out[..., 0] if c == 1 else out[..., :3])
