"""``ImageStrip``: a row (or grid) of small images shown as one crisp mosaic scaled to fit the widget.

The tools use it for the denoising triple, morph and interpolation strips and the sample grid. ``images``
keeps the array shown (tests read it); ``highlight`` draws a frame around one tile.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from explorer.widgets.images import to_qimage
from trainer.export import tile

GAP = 2
FILL = 110  # grey between tiles, as in the decoded grid


class ImageStrip(QLabel):
    def __init__(self, placeholder: str = "", min_height: int = 72):
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #2b2b2b; color: #ddd;")
        self.setWordWrap(True)
        self.placeholder = placeholder
        self.images: np.ndarray | None = None
        self.cols: int | None = None
        self.highlight: int | None = None
        self.show_images(None)

    def show_images(self, images: np.ndarray | None, cols: int | None = None, highlight: int | None = None,
                    placeholder: str | None = None) -> None:
        """N×C×H×W images in rows of ``cols`` (default one row); None shows the placeholder text."""
        self.images, self.cols, self.highlight = images, cols, highlight
        self.clear()
        if images is None or not len(images):
            self.images = None
            self.setText(self.placeholder if placeholder is None else placeholder)
            return
        self._render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._render()

    def _render(self) -> None:
        if self.images is None:
            return
        pixels = tile(self.images, self.cols, gap=GAP, fill=FILL)
        h, w = pixels.shape[:2]
        scale = fit_scale(w, h, self.width() - 4, self.height() - 4)
        chw = pixels[None] if pixels.ndim == 2 else np.moveaxis(pixels, -1, 0)
        pixmap = QPixmap.fromImage(to_qimage(chw))
        pixmap = pixmap.scaled(round(w * scale), round(h * scale), Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.FastTransformation)
        if self.highlight is not None:
            self._frame(pixmap, scale)
        self.setPixmap(pixmap)

    def _frame(self, pixmap: QPixmap, scale: float) -> None:
        n, _, h, w = self.images.shape
        cols = n if self.cols is None else max(1, min(self.cols, n))
        row, col = divmod(int(self.highlight), cols)
        painter = QPainter(pixmap)
        painter.setPen(QPen(QColor("#EE7733"), max(2.0, scale)))
        x, y = col * (w + GAP) * scale, row * (h + GAP) * scale
        painter.drawRect(QRectF(x, y, w * scale - 1, h * scale - 1))
        painter.end()


def fit_scale(w: int, h: int, width: int, height: int) -> float:
    """The zoom that fits a w×h mosaic in width×height: a whole number when that is 2 or more (every source
    pixel the same size, crisp), else a fraction, so that a long strip still fills a narrow panel."""
    scale = max(0.25, min(width / w, height / h))
    return float(int(scale)) if scale >= 2 else scale
