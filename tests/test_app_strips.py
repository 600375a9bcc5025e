"""Every tile of the interpolation and morph strips lies whole inside the strip's visible area, in the real
window at 1280×720 and 1920×1080, normal and in presentation mode (a 32-step strip of 64×64 faces was cut
off at its end, and a strip drawn for a larger window kept the panel wide after the window shrank: the
Attributes strip at 1280×720 in presentation mode after 1920×1080)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QRegion

from explorer.widgets.strip import ImageStrip, best_cols
from tests.app_fixtures import *  # noqa: F403

SIZES = ((1920, 1080), (1280, 720))  # the larger first: the strip must shrink with the window
SHAPES = ((1, 28, 28), (1, 8, 8), (3, 64, 64))  # Fashion-MNIST, the digits, faces
LONGEST = 32  # the most steps the Interpolate tool offers (STEPS_RANGE); Attributes offers 25


def cut_tiles(strip: ImageStrip) -> list[int]:
    """The tiles not whole inside the part of the strip that is on screen (its visible region)."""
    visible = strip.visibleRegion()
    rects = strip.tile_rects()
    assert len(rects) == len(strip.images)
    return [k for k, r in enumerate(rects) if not QRegion(r).subtracted(visible).isEmpty()]


@pytest.mark.parametrize("tool", ["interpolate", "attributes"])
def test_every_tile_of_a_strip_is_inside_its_visible_area(window, qtbot, tool):
    window.docks[tool].raise_()
    panel = window.docks[tool].panel
    strips = [panel.strip, *([panel.analogy_strip] if tool == "attributes" else [])]
    rng = np.random.default_rng(0)
    for presenting in (False, True):
        for size in SIZES:
            window.resize(*size)
            if presenting:
                window.presentation.enter(full_screen=False)
            for shape in SHAPES:
                for n in (LONGEST, 2, 9):  # wide strips first and last: drawn before and after a shrink
                    for strip in strips:
                        strip.show_images(rng.random((n, *shape), dtype=np.float32), highlight=n - 1)
                    qtbot.wait(20)  # the layout settles
                    for strip in strips:
                        where = f"{tool} {size} presentation={presenting} {n}×{shape}"
                        assert strip.isVisible(), where
                        assert cut_tiles(strip) == [], where
                        assert min(r.width() for r in strip.tile_rects()) >= 6, where  # still images
            if presenting:
                window.presentation.leave()


def test_a_long_strip_wraps_only_when_that_shows_its_tiles_larger():
    assert best_cols(9, 28, 28, 420, 76) == 9  # nine steps: one row
    assert best_cols(3, 28, 28, 420, 150) == 3  # the denoising triple
    assert best_cols(32, 28, 28, 420, 76) == 16  # two rows of 16, each tile twice as large
    assert best_cols(32, 28, 28, 2000, 76) == 32  # room enough: one row



def test_the_rest_of_a_wrapped_strips_last_row_is_background_not_a_grey_tile(qtbot):
    from explorer.widgets.strip import BACKGROUND

    strip = ImageStrip(min_height=80)
    qtbot.addWidget(strip)
    strip.resize(420, 80)
    strip.show()
    strip.show_images(np.ones((25, 1, 28, 28), dtype=np.float32))  # white tiles
    cols = strip.shown_cols
    assert 1 < cols < 25 and 25 % cols  # wrapped, the last row short
    image = strip.pixmap().toImage()
    last = strip.tile_rects()[-1]
    left = strip.tile_rects()[0].left()
    corner = image.pixelColor(image.width() - 2, image.height() - 2)  # where a 26th tile would be
    assert (corner.red(), corner.green(), corner.blue()) == (BACKGROUND,) * 3
    inside = image.pixelColor(last.center().x() - left, image.height() - 4)
    assert inside.red() == 255  # the last tile itself
