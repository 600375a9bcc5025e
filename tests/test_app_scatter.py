"""The scatter and the inspector: clicking a point shows its image and reconstruction; clicking empty space
decodes exactly that latent point; hover shows a thumbnail; other projections for codes of more than 2-D."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, empty_spot, isolated_point, view_to_widget

from trainer.latent import decode


def test_scatter_shows_every_image(loaded, digits):
    s = loaded.session
    assert s.is_ready and s.n_encoded == len(digits.images)
    from explorer.widgets.scatter import PALETTE

    assert len(loaded.scatter.shown_points()) == len(digits.images)
    colour = digits.labels % len(PALETTE)
    for k, layer in enumerate(loaded.scatter.layers):  # one layer per class colour, one brush each
        x, y = layer.getData()
        np.testing.assert_allclose(np.c_[x, y], s.xy[colour == k])
        assert layer.opts["brush"].color().name() == PALETTE[k].lower()
    assert [item[1].text for item in loaded.scatter.legend.items] == digits.class_names


def test_click_point_shows_image_and_reconstruction(loaded, digits, qtbot):
    s, inspector = loaded.session, loaded.inspector
    i = isolated_point(loaded)
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, loaded, *s.xy[i])
    assert s.selected == i
    np.testing.assert_array_equal(inspector.original, digits.images[i])
    expected = decode(s.model, s.codes[i:i + 1])[0]
    np.testing.assert_allclose(inspector.reconstruction, expected, atol=1e-6)
    assert digits.class_names[digits.labels[i]] in inspector.details.text()
    assert "PSNR" in inspector.details.text() and "dB" in inspector.details.text()
    highlight = loaded.scatter.highlight.getData()
    assert (highlight[0][0], highlight[1][0]) == pytest.approx(tuple(s.xy[i]))


def test_click_empty_space_decodes_that_point(loaded, qtbot):
    s, inspector = loaded.session, loaded.inspector
    x, y = empty_spot(loaded)
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, loaded, x, y)
    point = s.decoded
    vx, vy = loaded.scatter.view.viewPixelSize()
    assert abs(point.xy[0] - x) <= 2 * vx and abs(point.xy[1] - y) <= 2 * vy
    np.testing.assert_allclose(point.z, point.xy, atol=1e-5)  # 2-D code: the axes are the code
    np.testing.assert_allclose(inspector.decoded, decode(s.model, point.z[None])[0], atol=1e-6)
    assert inspector.original is None and s.selected == -1
    cross = loaded.scatter.cross
    assert cross[0].isVisible() and cross[0].value() == pytest.approx(point.xy[0])


def test_hover_shows_thumbnail(loaded, digits, qtbot):
    i = isolated_point(loaded)
    qtbot.mouseMove(loaded.scatter.plot.viewport(), pos=view_to_widget(loaded, *loaded.session.xy[i]))
    qtbot.waitUntil(lambda: loaded.scatter.tip.isVisible())
    assert loaded.scatter.tip.index == i
    assert digits.class_names[digits.labels[i]] in loaded.scatter.tip.caption.text()


def test_manifold_drawn_behind_points_in_latent_coordinates(loaded, qtbot):
    scatter = loaded.scatter
    scatter.manifold_box.setChecked(True)
    grid = loaded.session.grid
    assert scatter.manifold.isVisible()
    assert all(scatter.manifold.zValue() < layer.zValue() for layer in scatter.layers)
    rect = scatter.manifold.mapRectToParent(scatter.manifold.boundingRect())
    (x0, x1), (y0, y1) = grid.x_range, grid.y_range
    half = (x1 - x0) / (grid.n - 1) / 2
    assert rect.left() == pytest.approx(x0 - half) and rect.right() == pytest.approx(x1 + half)
    assert rect.top() < y0 < y1 < rect.bottom()
    scatter.manifold_box.setChecked(False)
    assert not scatter.manifold.isVisible()


def test_higher_dimensional_codes_choose_a_plane(window, model_file_3d, qtbot):
    from explorer.state import Projection

    s = window.session
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        s.open_model(model_file_3d)
    labels = [window.scatter.projection_box.itemText(k) for k in range(window.scatter.projection_box.count())]
    assert labels[0] == "PCA plane" and "latent axes z0, z2" in labels and s.projection.kind == "pca"
    window.scatter.projection_box.setCurrentIndex(labels.index("latent axes z0, z2"))
    window.scatter.projection_box.activated.emit(labels.index("latent axes z0, z2"))
    assert s.projection == Projection("axes", 0, 2)
    np.testing.assert_allclose(s.xy, s.codes[:, [0, 2]], atol=1e-5)
    x, y = empty_spot(window)
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, window, x, y)
    z = s.decoded.z
    assert z[1] == pytest.approx(s.codes[:, 1].mean(), abs=1e-5)  # the unseen axis sits at its mean
    np.testing.assert_allclose(z[[0, 2]], s.decoded.xy, atol=1e-5)
    np.testing.assert_allclose(window.inspector.decoded, decode(s.model, z[None])[0], atol=1e-6)


def test_picker_uses_screen_pixels():
    from explorer.widgets.scatter import Picker

    picker = Picker()
    picker.set_points(np.array([[0.0, 0.0], [1.0, 100.0]], dtype=np.float32))
    # one pixel = 0.1 x-units = 10 y-units: the second point is 10 px right and 10 px up of (0, 0)
    assert picker.nearest(0.2, 0.0, (0.1, 10.0)) == 0
    assert picker.nearest(0.9, 95.0, (0.1, 10.0)) == 1
    assert picker.nearest(0.5, 50.0, (0.1, 10.0)) == -1  # 5 px from both, 6 px radius: nearest of the two
    assert picker.nearest(0.5, 50.0, (0.1, 10.0), radius=4) == -1
    assert picker.nearest(0.0, 0.0, (1.0, 1.0)) == 0  # aspect changed: the tree is rebuilt


def test_decoding_after_a_selection_clears_the_old_reconstruction(loaded, qtbot):
    s, inspector = loaded.session, loaded.inspector
    i = isolated_point(loaded)
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, loaded, *s.xy[i])
    assert not inspector.right.pixmap().isNull()
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, loaded, *empty_spot(loaded))
    assert not inspector.left.pixmap().isNull()
    assert inspector.right.pixmap().isNull()  # no stale reconstruction beside the decoded image


def test_training_snapshots_refit_the_view_only_when_the_points_leave_it_or_shrink_in_it(scene):
    """``modelUpdated`` (a training's snapshot): a view that still holds the points, filled well, stays as
    it is; points outside it, or filling less than FOLLOW_FILL of it, fit it again; a zoom is kept."""
    from explorer.widgets.scatter import FOLLOW_FILL

    s, view = scene.session, scene.scatter.view
    scene.scatter._fit()
    start = np.array(view.viewRange())
    base = s.xy.copy()

    def snapshot():  # as a training's snapshot does: new codes drawn, then the newer weights announced
        s.codesChanged.emit()
        s.modelUpdated.emit()
    centre = (base.min(axis=0) + base.max(axis=0)) / 2
    s.xy = centre + (base - centre) * 1.02  # a little wider, still inside the padded view
    snapshot()
    np.testing.assert_array_equal(np.array(view.viewRange()), start)
    s.xy = centre + (base - centre) * 3.0  # spread past the view: fitted again around them
    snapshot()
    grown = np.array(view.viewRange())
    assert (grown[:, 0] <= s.xy.min(axis=0)).all() and (grown[:, 1] >= s.xy.max(axis=0)).all()
    s.xy = centre + (base - centre) * 3.0 * (FOLLOW_FILL - 0.2)  # shrunk within it: fitted again
    snapshot()
    shrunk = np.array(view.viewRange())
    assert ((shrunk[:, 1] - shrunk[:, 0]) < 0.8 * (grown[:, 1] - grown[:, 0])).all()
    view.setRange(xRange=(0, 0.1), yRange=(0, 0.1))  # the person zooms in: snapshots keep the zoom
    scene.scatter._on_zoomed()
    s.xy = base
    snapshot()
    np.testing.assert_allclose(np.array(view.viewRange()), [[0, 0.1], [0, 0.1]], atol=0.02)
