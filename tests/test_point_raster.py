"""The scatter's points drawn as one image (explorer/widgets/point_raster.py): the right pixels, the right
layer on top, a density image above a threshold; picking and hover stay exact in density mode."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, isolated_point, view_to_widget
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QTransform

from explorer.widgets.point_raster import PointLayer, PointRaster, disk_offsets

# data 0…10 on both axes -> 100×100 device pixels, y up (as in a plot)
TRANSFORM, RECT = QTransform(10, 0, 0, -10, 0, 100), QRectF(0, 0, 10, 10)


def pixel(image, x: float, y: float) -> tuple[int, int, int, int]:
    c = QColor(image.pixelColor(round(10 * x), round(100 - 10 * y)))
    return c.red(), c.green(), c.blue(), c.alpha()


@pytest.fixture
def raster(qapp):
    raster = PointRaster()
    red, blue = PointLayer(raster, "#ff0000"), PointLayer(raster, "#0000ff")
    red.setData(x=[5.0, 8.0], y=[5.0, 2.0])
    blue.setData(x=[5.0, 2.0], y=[5.0, 2.0])
    return raster


def test_each_point_is_a_disk_of_its_colour_and_later_layers_cover_earlier(raster):
    image, origin = raster.render(TRANSFORM, RECT)
    assert origin == (0.0, 0.0) and (image.width(), image.height()) == (100, 100)
    assert pixel(image, 5, 5) == (0, 0, 255, 255)  # both layers there: blue was made later
    assert pixel(image, 8, 2) == (255, 0, 0, 255) and pixel(image, 2, 2) == (0, 0, 255, 255)
    assert pixel(image, 8.2, 2) == (255, 0, 0, 255)  # 2 px from the centre: inside the 5 px disk
    assert pixel(image, 8.3, 2)[3] == 0 and pixel(image, 7, 7)[3] == 0  # 3 px away, and empty space
    red = raster.layers[0]
    red.setZValue(1)  # raised: red covers blue
    assert pixel(raster.render(TRANSFORM, RECT)[0], 5, 5) == (255, 0, 0, 255)
    red.setOpacity(0.2)  # faded (Find): see-through
    assert pixel(raster.render(TRANSFORM, RECT)[0], 8, 2)[3] == 51


def test_set_data_keeps_exactly_the_points_given_and_their_bounds(raster):
    layer = raster.layers[0]
    xy = np.random.default_rng(0).normal(size=(1000, 2))
    layer.setData(x=xy[:, 0], y=xy[:, 1])
    np.testing.assert_allclose(np.c_[layer.getData()], xy, rtol=1e-6)
    assert layer.dataBounds(0) == pytest.approx((xy[:, 0].min(), xy[:, 0].max()), rel=1e-6)
    layer.clear()
    assert len(layer.data) == 0 and layer.dataBounds(1) == (None, None)


def test_many_points_in_view_make_a_density_image_and_few_make_points(raster):
    raster.density_threshold = 3
    image, _ = raster.render(TRANSFORM, RECT)
    assert raster.dense
    assert pixel(image, 5, 5)[:3] == (0, 0, 255) and pixel(image, 5, 5)[3] == 255  # the densest pixel
    assert 0 < pixel(image, 8, 2)[3] < 255  # one point: paler
    assert pixel(image, 8.2, 2)[3] == 0  # one pixel per point, no disk
    zoomed = QTransform(40, 0, 0, -40, -320, 200)  # x 8…10.5, y 0…5 -> only the red point at (8, 2)
    raster.render(zoomed, QRectF(8, 0, 2.5, 5))
    assert not raster.dense


def test_disk_offsets_are_a_filled_disk():
    assert len(disk_offsets(1)) == 1 and len(disk_offsets(5)) == 21
    assert {tuple(o) for o in disk_offsets(3)} == {(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1),
                                                   (1, 1), (1, -1), (-1, 1), (-1, -1)}


def test_density_mode_picks_and_hovers_the_exact_point(loaded, qtbot):
    s, scatter = loaded.session, loaded.scatter
    scatter.raster.density_threshold = 100  # 1,797 points count as "a million"
    scatter.plot.viewport().repaint()
    assert scatter.raster.dense
    i = isolated_point(loaded)
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, loaded, *s.xy[i])
    assert s.selected == i
    scatter._on_hover(scatter.plot.mapToScene(view_to_widget(loaded, *s.xy[i])))
    assert scatter.tip.index == i


def test_picking_without_the_tree_is_exact(qapp):
    from explorer.widgets.scatter import Picker

    xy = np.random.default_rng(2).uniform(0, 100, (3000, 2)).astype(np.float32)
    big, small = Picker(), Picker()
    big.TREE_IN_THREAD = 10  # the tree is built in a thread: brute force answers until it is there
    big.set_points(xy)
    small.set_points(xy)
    for x, y in np.random.default_rng(3).uniform(0, 100, (50, 2)):
        assert big.nearest(x, y, (0.5, 0.25)) == small.nearest(x, y, (0.5, 0.25))


def test_new_codes_end_in_exactly_the_right_layers_in_row_order():
    from explorer.widgets.scatter import split_by_layer

    rng = np.random.default_rng(4)
    xy = rng.normal(size=(5000, 2)).astype(np.float32)
    layer = rng.integers(0, 10, 5000)
    keep = rng.random(5000) > 0.1  # the rows with NaN codes are left out
    parts = split_by_layer(xy, layer, keep, 10)
    for k, part in enumerate(parts):
        np.testing.assert_array_equal(part, xy[(layer == k) & keep])
    assert sum(len(p) for p in parts) == keep.sum()
