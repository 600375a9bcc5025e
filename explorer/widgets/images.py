"""numpy images (C×H×W, float in [0, 1] or uint8) to uint8 pixels, QImage and QPixmap; grids to one mosaic."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from trainer.export import tile, to_uint8

__all__ = ["hwc", "mosaic", "to_pixmap", "to_qimage", "to_uint8"]


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
    rows, cols = images.shape[:2]
    return tile(images.reshape(rows * cols, *images.shape[2:]), cols, gap, fill)
