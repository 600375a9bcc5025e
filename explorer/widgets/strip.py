"""``ImageStrip``: a row (or grid) of small images shown as one crisp mosaic scaled to fit the widget.

The tools use it for the denoising triple, morph and interpolation strips and the sample grid. ``images``
keeps the array shown (tests read it); ``highlight`` draws a frame around one tile.

Every tile is always whole inside the widget: the mosaic is scaled down as far as it must be, and a row
too long for the widget's shape wraps onto more rows when that shows the tiles larger. The mosaic never
asks the layout for room (its size hints ignore the pixmap), so the panel can always shrink: a strip sized
for a larger window or presentation mode is drawn again for the smaller one, never cut off.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy

from explorer.widgets.images import to_qimage
from trainer.export import tile

GAP = 2
FILL = 110  # grey between tiles, as in the decoded grid
BACKGROUND = 0x2B  # the strip's own background (its style sheet): the rest of a wrapped strip's last row
MIN_WIDTH = 60  # pixels the strip asks for when it shows images (the layout gives it what there is)


class ImageStrip(QLabel):
    def __init__(self, placeholder: str = "", min_height: int = 72):
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #2b2b2b; color: #ddd;")  # = BACKGROUND
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

    def minimumSizeHint(self) -> QSize:
        """Without the pixmap: a QLabel asks for its whole pixmap, and then a panel could never shrink."""
        if self.images is None:
            return super().minimumSizeHint()
        return QSize(MIN_WIDTH, self.minimumHeight())

    def sizeHint(self) -> QSize:
        if self.images is None:
            return super().sizeHint()
        return QSize(MIN_WIDTH, self.minimumHeight())

    @property
    def shown_cols(self) -> int:
        """Tiles per row as drawn: ``cols``, or for a strip (``cols`` None) the wrapping that fits best."""
        if self.images is None:
            return 0
        n, _, h, w = self.images.shape
        if self.cols is not None:
            return max(1, min(self.cols, n))
        return best_cols(n, h, w, self.width() - 4, self.height() - 4)

    def tile_rects(self) -> list[QRect]:
        """Where each tile is drawn, in the widget's coordinates (pixels), in order."""
        if self.images is None or self.pixmap().isNull():
            return []
        n, _, h, w = self.images.shape
        cols, pixmap = self.shown_cols, self.pixmap()
        scale = pixmap.width() / (cols * (w + GAP) - GAP)
        left, top = (self.width() - pixmap.width()) // 2, (self.height() - pixmap.height()) // 2
        return [QRect(left + int(col * (w + GAP) * scale), top + int(row * (h + GAP) * scale),
                      max(1, int(w * scale)), max(1, int(h * scale)))
                for row, col in (divmod(k, cols) for k in range(n))]

    def _render(self) -> None:
        if self.images is None:
            return
        cols = self.shown_cols
        pixels = tile(self.images, cols, gap=GAP, fill=FILL)
        n, _, th, tw = self.images.shape
        if n % cols:  # the empty places after the last tile: the background, not a grey tile
            pixels[(n // cols) * (th + GAP):, (n % cols) * (tw + GAP) - GAP:] = BACKGROUND
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
        row, col = divmod(int(self.highlight), self.shown_cols)
        painter = QPainter(pixmap)
        painter.setPen(QPen(QColor("#EE7733"), max(2.0, scale)))
        x, y = col * (w + GAP) * scale, row * (h + GAP) * scale
        painter.drawRect(QRectF(x, y, w * scale - 1, h * scale - 1))
        painter.end()


def fit_scale(w: int, h: int, width: int, height: int) -> float:
    """The zoom that fits a w×h mosaic in width×height: a whole number when that is 2 or more (every source
    pixel the same size, crisp), else a fraction, so that a long strip still fits a narrow panel whole."""
    scale = max(min(width / w, height / h), 1e-3)
    return float(int(scale)) if scale >= 2 else scale


def best_cols(n: int, h: int, w: int, width: int, height: int) -> int:
    """Tiles per row for ``n`` tiles of h×w pixels in width×height: one row, unless more rows show each tile
    larger (a 32-step strip in a narrow panel: two rows of 16 at twice the size)."""
    def zoom(cols: int) -> float:
        rows = -(-n // cols)
        return min(width / (cols * (w + GAP) - GAP), height / (rows * (h + GAP) - GAP))

    best = n
    for cols in range(n - 1, 0, -1):
        if zoom(cols) > 1.05 * zoom(best):  # clearly larger: a wrapped strip reads less easily than one row
            best = cols
    return best
