"""Generated circles, squares, triangles and stars with known random factors (like Kaggle "Four Shapes").

Every image is drawn from six factors, so a latent space can be checked against the truth:

- ``label``: 0 circle, 1 square, 2 triangle, 3 star (balanced within each split);
- ``scale`` in [0, 1] (radius 17%..28% of the image side);
- ``rotation`` in degrees, within ± half the shape's symmetry period (90° square, 120° triangle, 72° star;
  90° for a circle, which the rotation only tilts when it is stretched into an ellipse);
- ``stretch``: aspect ratio in [1/1.4, 1.4], applied along the shape's own x axis before rotating;
- ``x``, ``y`` in [-1, 1]: position as a fraction of the room the shape leaves (negative = left / top);
- ``filled``: filled, or outlined with a stroke drawn inside the edge (so outlined ⊂ filled).

Rendering is a signed distance field evaluated at pixel centres, anti-aliased by clipping the distance to a
one-pixel ramp: exact for straight edges, vectorised with numpy, deterministic for a seed.
"""

from __future__ import annotations

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError

CLASS_NAMES = ["circle", "square", "triangle", "star"]
ATTRIBUTE_NAMES = ["large", "rotated", "left", "top", "filled", "stretched"]
PERIOD_DEG = np.array([90.0, 90.0, 120.0, 72.0])  # rotational symmetry per class (circle: an ellipse's tilt)
MAX_STRETCH = 1.4
_CHUNK = 2048  # images rendered at once: bounds memory to a few (chunk × size²) float32 arrays


def _star(points: int = 5, outer: float = 1.35, inner: float = 0.6) -> np.ndarray:
    angles = np.pi * np.arange(2 * points) / points - np.pi / 2
    radii = np.where(np.arange(2 * points) % 2 == 0, outer, inner * outer)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)


# Unit outlines (in radii, y down, pointing up, centred so rotating keeps them in place), sized so the four
# shapes look about equally big.
_POLYGONS = {
    1: np.array([[-0.9, -0.9], [0.9, -0.9], [0.9, 0.9], [-0.9, 0.9]]),
    2: 1.3 * np.array([[0.0, -1.0], [np.sqrt(0.75), 0.5], [-np.sqrt(0.75), 0.5]]),  # centroid at the origin
    3: _star(),
}


def _balanced(rng: np.random.Generator, start: int, stop: int) -> np.ndarray:
    """Rows start..stop cycle through the classes, shuffled: each split and the whole set are balanced."""
    return rng.permutation(np.arange(start, stop) % len(CLASS_NAMES)).astype(np.int64)


def n_test_for(n: int, test_fraction: float) -> int:
    """How many of ``n`` generated images form the test split."""
    if not 0.0 <= test_fraction < 1.0:
        raise DataError(f"shapes: test_fraction must be in [0, 1), got {test_fraction}")
    return int(round(n * test_fraction))


def shape_factors(n: int, seed: int = 0, test_fraction: float = 1 / 6) -> dict[str, np.ndarray]:
    """The random factors of ``n`` images (train rows first), as a dict of arrays of length ``n``."""
    if n < 1:
        raise DataError(f"shapes: n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    n_test = n_test_for(n, test_fraction)
    label = np.concatenate([_balanced(rng, 0, n - n_test), _balanced(rng, n - n_test, n)])
    return {
        "label": label,
        "scale": rng.uniform(0.0, 1.0, n),
        "rotation": rng.uniform(-0.5, 0.5, n) * PERIOD_DEG[label],
        "stretch": MAX_STRETCH ** rng.uniform(-1.0, 1.0, n),
        "x": rng.uniform(-1.0, 1.0, n),
        "y": rng.uniform(-1.0, 1.0, n),
        "filled": rng.random(n) < 0.5,
    }


def shape_attributes(factors: dict[str, np.ndarray]) -> np.ndarray:
    """Binary attributes (N × 6, in ``ATTRIBUTE_NAMES`` order) derived from the factors.

    "rotated" means more than a quarter period away from upright; a circle counts as rotated only when it is
    stretched (a tilted ellipse). "stretched" means an aspect ratio beyond √1.4 either way.
    """
    stretched = np.abs(np.log(factors["stretch"])) > 0.5 * np.log(MAX_STRETCH)
    tilted = np.abs(factors["rotation"]) > PERIOD_DEG[factors["label"]] / 4
    rotated = tilted & ((factors["label"] != 0) | stretched)
    large, left, top = factors["scale"] > 0.5, factors["x"] < 0, factors["y"] < 0
    columns = [large, rotated, left, top, factors["filled"], stretched]
    return np.stack(columns, axis=1).astype(bool)


def _geometry(f: dict[str, np.ndarray], size: int) -> tuple[np.ndarray, ...]:
    """Radius, cos/sin of the rotation, and the x/y scale of each image, in pixels."""
    radius = size * (0.17 + 0.11 * f["scale"])
    theta = np.deg2rad(f["rotation"])
    root = np.sqrt(f["stretch"])
    return radius, np.cos(theta), np.sin(theta), radius * root, radius / root


def _centres(f: dict[str, np.ndarray], size: int, half_x: np.ndarray, half_y: np.ndarray) -> tuple:
    """Place each shape so its bounding box stays one pixel inside the image."""
    room_x = np.maximum(size / 2 - half_x - 1.0, 0.0)
    room_y = np.maximum(size / 2 - half_y - 1.0, 0.0)
    return size / 2 + f["x"] * room_x, size / 2 + f["y"] * room_y


def _polygon_sdf(px: np.ndarray, py: np.ndarray, vx: np.ndarray, vy: np.ndarray) -> np.ndarray:
    """Signed distance (negative inside) from points (P,) to polygons (M × K vertices): M × P."""
    d2 = (px - vx[:, :1]) ** 2 + (py - vy[:, :1]) ** 2
    inside = np.zeros(d2.shape, dtype=bool)
    for i in range(vx.shape[1]):
        ax, ay, bx, by = vx[:, i, None], vy[:, i, None], vx[:, i - 1, None], vy[:, i - 1, None]
        ex, ey, wx, wy = bx - ax, by - ay, px - ax, py - ay
        t = np.clip((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        d2 = np.minimum(d2, (wx - ex * t) ** 2 + (wy - ey * t) ** 2)
        above, below, left = py >= ay, py < by, ex * wy > ey * wx
        inside ^= (above & below & left) | ~(above | below | left)
    return np.where(inside, -1.0, 1.0).astype(np.float32) * np.sqrt(d2)


def _polygon_distances(f: dict[str, np.ndarray], size: int, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    radius, cos, sin, sx, sy = _geometry(f, size)
    unit = _POLYGONS[int(f["label"][0])]
    ux, uy = unit[:, 0] * sx[:, None], unit[:, 1] * sy[:, None]
    rx, ry = cos[:, None] * ux - sin[:, None] * uy, sin[:, None] * ux + cos[:, None] * uy
    cx, cy = _centres(f, size, np.abs(rx).max(axis=1), np.abs(ry).max(axis=1))
    vx, vy = (rx + cx[:, None]).astype(np.float32), (ry + cy[:, None]).astype(np.float32)
    return _polygon_sdf(px, py, vx, vy)


def _ellipse_distances(f: dict[str, np.ndarray], size: int, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """First-order signed distance to ellipses (exact for circles; close enough near the edge)."""
    _, cos, sin, a, b = _geometry(f, size)
    half_x, half_y = np.hypot(a * cos, b * sin), np.hypot(a * sin, b * cos)
    cx, cy = _centres(f, size, half_x, half_y)
    dx, dy = px - cx[:, None].astype(np.float32), py - cy[:, None].astype(np.float32)
    c, s = cos[:, None].astype(np.float32), sin[:, None].astype(np.float32)
    a32, b32 = a[:, None].astype(np.float32), b[:, None].astype(np.float32)
    u, v = (c * dx + s * dy) / a32, (c * dy - s * dx) / b32
    q = np.sqrt(u * u + v * v)
    grad = np.hypot(u / a[:, None], v / b[:, None]).astype(np.float32)
    safe = np.where(grad > 1e-6, q / np.maximum(grad, 1e-6), np.minimum(a, b)[:, None])
    return ((q - 1.0) * safe).astype(np.float32)


def _coverage(d: np.ndarray, filled: np.ndarray, stroke: float) -> np.ndarray:
    """Pixel coverage from signed distance: a one-pixel ramp at the edge; outlines keep a band inside it."""
    fill = np.clip(0.5 - d, 0.0, 1.0)
    hole = np.clip(0.5 - d - stroke, 0.0, 1.0)
    return np.where(filled[:, None], fill, fill - hole)


def render_shapes(factors: dict[str, np.ndarray], size: int = 28) -> np.ndarray:
    """Draw the images the factors describe: uint8 N × 1 × size × size, white shapes on black."""
    if size < 8:
        raise DataError(f"shapes: image size must be at least 8 pixels, got {size}")
    n = len(factors["label"])
    centres = np.arange(size, dtype=np.float32) + 0.5
    px, py = np.tile(centres, size), np.repeat(centres, size)
    out = np.zeros((n, size * size), dtype=np.float32)
    for label in range(len(CLASS_NAMES)):
        rows = np.flatnonzero(factors["label"] == label)
        for start in range(0, len(rows), _CHUNK):
            idx = rows[start:start + _CHUNK]
            part = {key: value[idx] for key, value in factors.items()}
            draw = _ellipse_distances if label == 0 else _polygon_distances
            out[idx] = _coverage(draw(part, size, px, py), part["filled"], 1.5 * size / 28)
    return np.rint(out * 255.0).astype(np.uint8).reshape(n, 1, size, size)


def _spec(n: int, seed: int, size: int, test_fraction: float) -> str:
    options = {"n": (n, 20000), "seed": (seed, 0), "size": (size, 28),
               "test_fraction": (test_fraction, 1 / 6)}
    changed = [f"{key}={value}" for key, (value, default) in options.items() if value != default]
    return "shapes" + ("?" + "&".join(changed) if changed else "")


def make_shapes(n: int = 20000, seed: int = 0, size: int = 28, test_fraction: float = 1 / 6) -> Dataset:
    """``n`` generated shape images (train first, the last ``round(n·test_fraction)`` are the test split)."""
    factors = shape_factors(n, seed, test_fraction)
    return Dataset(
        spec=_spec(n, seed, size, test_fraction),
        images=render_shapes(factors, size),
        labels=factors["label"],
        class_names=list(CLASS_NAMES),
        n_train=n - n_test_for(n, test_fraction),
        attributes=shape_attributes(factors),
        attribute_names=list(ATTRIBUTE_NAMES),
        source="generated",
    )
