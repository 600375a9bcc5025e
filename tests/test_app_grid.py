"""The decoded grid follows the scatter's visible region (debounced, in a worker, latest request wins)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS

from explorer.workers import GRID_LINE
from trainer.latent import decode_grid


def test_first_grid_covers_the_visible_region(loaded):
    grid, (xr, yr) = loaded.grid.result, loaded.scatter.view.viewRange()
    assert grid.n == 15 and grid.images.shape == (15, 15, 1, 8, 8)
    assert grid.x_range == pytest.approx(tuple(xr)) and grid.y_range == pytest.approx(tuple(yr))
    assert grid.mosaic.shape == (15 * 9 - 1, 15 * 9 - 1) and grid.mosaic.dtype == np.uint8
    assert (grid.mosaic[8::9] == GRID_LINE).all() and (grid.mosaic[:, 8::9] == GRID_LINE).all()
    assert loaded.grid.image.image.shape == (15 * 9 - 1, 15 * 9 - 1)  # 8×8 tiles, 1-pixel gaps


def test_zooming_the_scatter_changes_the_grid_range(loaded, qtbot):
    (x0, x1), (y0, y1) = loaded.scatter.view.viewRange()
    target = ((x0 + x1) / 2, x1), ((y0 + y1) / 2, y1)
    with qtbot.waitSignal(loaded.grid.updated, timeout=LOAD_TIMEOUT_MS,
                          check_params_cb=lambda g: g.x_range[0] > x0 + (x1 - x0) / 4):
        loaded.scatter.view.setRange(xRange=target[0], yRange=target[1], padding=0)
    grid = loaded.grid.result
    xr, yr = loaded.scatter.view.viewRange()
    assert grid.x_range == pytest.approx(tuple(xr)) and grid.y_range == pytest.approx(tuple(yr))
    assert grid.x_range[0] == pytest.approx(target[0][0], rel=1e-3, abs=1e-6)
    s = loaded.session
    expected = decode_grid(s.model, grid.x_range, grid.y_range, grid.n, plane=s.plane)
    np.testing.assert_allclose(grid.images, expected, atol=1e-6)
    assert "15×15" in loaded.grid.caption.text()


def test_only_the_latest_of_many_ranges_is_drawn(loaded, qtbot):
    view = loaded.scatter.view
    (x0, x1), (y0, y1) = view.viewRange()
    shown = []
    loaded.grid.updated.connect(shown.append)
    for k in range(1, 8):
        view.setRange(xRange=(x0, x0 + (x1 - x0) / (1 + k)), yRange=(y0, y1), padding=0)
    final = tuple(view.viewRange()[0])
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].x_range == pytest.approx(final),
                    timeout=LOAD_TIMEOUT_MS)
    assert len(shown) <= 2  # debounced: not one grid per range change


def test_grid_size_spin_box(loaded, qtbot):
    with qtbot.waitSignal(loaded.grid.updated, timeout=LOAD_TIMEOUT_MS, check_params_cb=lambda g: g.n == 5):
        loaded.grid.size_box.setValue(5)
    assert loaded.grid.result.images.shape[:2] == (5, 5)
