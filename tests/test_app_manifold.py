"""The decoded manifold reads tile by tile (lesson 1 step 1, lesson 6 step 2): a line between tiles, so the
5×7 glyphs do not run together, and ink that stands out from its paper behind the points (WCAG's 4.5:1)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403

from explorer.widgets.manifold import GAP, LINE, OPACITY, manifold_image, shown


def luminance(grey: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of grey levels 0–255."""
    c = np.asarray(grey, dtype=np.float64) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a, b) -> float:
    hi, lo = sorted([float(luminance(a)), float(luminance(b))], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_scatters_manifold_has_a_line_between_tiles_and_readable_ink(loaded):
    scatter, grid = loaded.scatter, loaded.session.grid
    scatter.manifold_box.setChecked(True)
    image = np.flipud(scatter.manifold.image)  # row 0 = top again
    n, (h, w) = grid.n, grid.images.shape[-2:]
    assert image.shape[:2] == (n * (h + GAP), n * (w + GAP))  # each tile fills its grid cell exactly
    assert (image[h::h + GAP] == LINE).all() and (image[:, w::w + GAP] == LINE).all()  # tiles never touch
    from explorer.widgets.images import to_uint8

    first = to_uint8(grid.images[0, 0])[0]
    assert np.array_equal(image[:h, :w], 255 - first)  # dark ink (1.0) on light paper (0.0): see below
    assert scatter.manifold.opacity() == pytest.approx(OPACITY)


def test_glyphs_are_dark_ink_on_light_paper():
    from trainer.data.builtin import make_glyphs

    glyphs = make_glyphs().images[:9].astype(np.float32) / 255
    image = manifold_image(glyphs.reshape(3, 3, 1, 7, 5))
    first = image[:7, :5]
    assert np.array_equal(first, 255 - make_glyphs().images[0, 0])  # the space: all paper (255)
    # full ink against paper at the manifold's opacity over the white plot: readable text's 4.5:1
    assert contrast(shown(0), shown(255)) >= 4.5 and contrast(shown(LINE), shown(0)) >= 3
