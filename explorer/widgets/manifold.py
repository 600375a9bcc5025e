"""The decoded manifold behind the scatter's points, drawn so that each tile reads on its own.

Tiles that touch run together (a 5×7 glyph's strokes join its neighbours'), and white ink at the manifold's
opacity over a white plot is white on mid-grey. So: a grey line after every tile (each tile then fills its
grid cell exactly, the line on its right and bottom), and single-channel images as dark ink on light paper
(255 − v: the plot and the points stay on a mostly light ground). Colour images keep their colours.
"""

from __future__ import annotations

import numpy as np

from explorer.widgets.images import mosaic

GAP = 1  # pixels of the images' own size between tiles
LINE = 190  # the line's grey, on the inverted (light) ground: a quiet separator
OPACITY = 0.75  # over the plot's background: the points stay readable on top


def manifold_image(images: np.ndarray) -> np.ndarray:
    """rows×cols×C×H×W in [0, 1] -> uint8 (rows·(H+GAP))×(cols·(W+GAP))[×3], row 0 = top; each tile fills
    its cell's top-left H×W, the cell's last row and column are the line."""
    grey = images.shape[2] == 1
    tiles = mosaic(1.0 - images if grey else images, gap=GAP, fill=LINE)
    pad = ((0, GAP), (0, GAP)) + (((0, 0),) if tiles.ndim == 3 else ())
    return np.pad(tiles, pad, constant_values=LINE)


def shown(pixel: np.ndarray | float, background: float = 255.0) -> np.ndarray:
    """What a pixel value looks like at OPACITY over a plot ``background`` (grey levels 0–255)."""
    return OPACITY * np.asarray(pixel, dtype=np.float64) + (1 - OPACITY) * background
