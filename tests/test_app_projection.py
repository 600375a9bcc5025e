"""The scatter's projections beyond the latent axes: t-SNE of the codes, PCA and t-SNE of the raw pixels.
They are computed in a lane with progress and can be cancelled; they are not invertible, so clicks select the
nearest point and nothing decodes; switching keeps the selection. t-SNE runs with fewer iterations here
(the same code path, ~1 s on the 1,797 digits instead of ~7 s)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, empty_spot, isolated_point
from PySide6.QtCore import Qt

from explorer import workers
from explorer.state import Projection
from trainer import embed

TSNE = Projection("tsne")
PIXELS_PCA = Projection("pixels-pca")
PIXELS_TSNE = Projection("pixels-tsne")
AXES = Projection("axes", 0, 1)


@pytest.fixture(autouse=True)
def short_tsne(monkeypatch):
    monkeypatch.setattr(embed, "EXAGGERATION_ITERS", 50)
    monkeypatch.setattr(embed, "ITERS", 50)


def show(qtbot, session, projection: Projection) -> None:
    session.set_projection(projection)
    qtbot.waitUntil(lambda: session.projection == projection, timeout=LOAD_TIMEOUT_MS)




def test_view_box_lists_the_projections_after_the_invertible_ones(scene):
    box = scene.scatter.projection_box
    labels = [box.itemText(k) for k in range(box.count())]
    assert labels == ["latent axes z0, z1", "PCA plane", "t-SNE of the codes", "UMAP of the codes",
                      "PCA of the pixels", "t-SNE of the pixels", "UMAP of the pixels"]
    assert scene.session.projection == AXES  # a 2-D code: the raw axes by default
    assert [p.invertible for p in scene.scatter._choices] == [True, True] + [False] * 5
    assert TSNE.axis_labels == ("t-SNE 1", "t-SNE 2")


def test_pca_of_pixels_equals_sklearn_up_to_sign(scene, digits, qtbot):
    from sklearn.decomposition import PCA

    s, scatter = scene.session, scene.scatter
    show(qtbot, s, PIXELS_PCA)
    flat = digits.images.reshape(len(digits.images), -1).astype(np.float64) / 255
    expected = PCA(n_components=2, svd_solver="full").fit_transform(flat)
    for k in range(2):
        sign = np.sign(np.dot(s.xy[:, k], expected[:, k]))
        np.testing.assert_allclose(sign * s.xy[:, k], expected[:, k], atol=1e-4)
    assert len(scatter.shown_points()) == len(flat)
    np.testing.assert_allclose(np.sort(scatter.shown_points(), axis=0), np.sort(s.xy, axis=0))
    assert scatter.plot.getAxis("bottom").labelText == "pixel PC 1"
    assert s.plane is None and "not invertible" in scatter.note.text()
    assert not scatter.manifold_box.isEnabled()


def test_switching_projection_keeps_the_selection(scene, qtbot):
    s, scatter = scene.session, scene.scatter
    i = 7
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        s.select(i)
    for projection in (Projection("pca"), PIXELS_PCA, AXES):
        show(qtbot, s, projection)
        assert s.selected == i and s.reconstruction is not None and s.reconstruction.index == i
        x, y = scatter.highlight.getData()
        assert (x[0], y[0]) == pytest.approx(tuple(s.xy[i]))


def test_switching_projection_clears_a_decoded_point(scene, qtbot):
    s = scene.session
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        s.decode_at(0.1, 0.2)
    assert s.decoded is not None
    show(qtbot, s, Projection("pca"))
    assert s.decoded is None and not scene.scatter.cross[0].isVisible()


def test_tsne_of_the_codes_computes_with_progress(scene, qtbot):
    s, scatter = scene.session, scene.scatter
    progress, computing = [], []
    s.projectionProgress.connect(lambda f, t: progress.append((f, t)))
    s.projectionComputing.connect(computing.append)
    s.set_projection(TSNE)
    assert s.computing == TSNE and s.projection == AXES  # the old view stays until the new one is ready
    assert scatter.banner.progress.isVisibleTo(scatter) and scatter.banner.cancel_button.isVisibleTo(scatter)
    assert scatter.projection_box.currentText() == "t-SNE of the codes"
    qtbot.waitUntil(lambda: s.projection == TSNE, timeout=LOAD_TIMEOUT_MS)
    assert computing == [TSNE, None] and s.computing is None and s.busy == ""
    assert not scatter.banner.progress.isVisibleTo(scatter)
    fractions = [f for f, _ in progress]
    assert fractions == sorted(fractions) and any("iteration" in t for _, t in progress)
    np.testing.assert_allclose(s.xy, embed.tsne_2d(s.codes), atol=1e-4)  # what the engine computes
    assert s.plane is None
    assert scatter.plot.getAxis("bottom").labelText == "t-SNE 1"


def test_click_in_tsne_view_selects_nearest_point_and_never_decodes(scene, qtbot):
    s, scatter = scene.session, scene.scatter
    show(qtbot, s, TSNE)
    scatter.view.autoRange(padding=0.04)
    qtbot.wait(10)
    i = isolated_point(scene)
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, scene, *s.xy[i])
    assert s.selected == i
    messages = []
    s.status.connect(messages.append)
    click_view(qtbot, scene, *empty_spot(scene))
    assert s.selected == i and s.decoded is None  # nothing decoded, the selection stays
    assert not scatter.cross[0].isVisible()
    assert messages and "not invertible" in messages[-1]
    s.decode_at(0.0, 0.0)  # the session refuses too: there is no plane
    s.request_grid((0, 1), (0, 1), 3)
    qtbot.wait(50)
    assert s.decoded is None and s.grid is None


def test_tools_draw_at_the_nearest_code_in_tsne_view(scene, qtbot):
    s, scatter = scene.session, scene.scatter
    show(qtbot, s, TSNE)
    rows = np.array([3, 500, 1200])
    np.testing.assert_allclose(s.to_view(s.codes[rows]), s.xy[rows])
    nudged = s.codes[rows] + 1e-4  # not a data code: drawn where its nearest code is
    np.testing.assert_allclose(s.to_view(nudged), s.xy[rows])
    scatter.overlay("test").points("p", s.codes[rows])
    x, y = scatter.overlay("test").marks["p"].items[0].getData()
    np.testing.assert_allclose(np.c_[x, y], s.xy[rows], atol=1e-5)


def test_a_computed_view_is_cached_until_the_codes_change(scene, qtbot):
    s = scene.session
    show(qtbot, s, TSNE)
    first = s.xy.copy()
    computing = []
    s.projectionComputing.connect(computing.append)
    s.set_projection(AXES)
    s.set_projection(TSNE)  # at once, from the cache
    assert s.projection == TSNE and computing == []
    np.testing.assert_array_equal(s.xy, first)
    show(qtbot, s, PIXELS_PCA)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.reencode()  # new codes: back to the last invertible view
        assert s.projection == AXES and s.plane is None and s.xy is None
    assert s.projection == AXES and s.plane is not None
    computing.clear()
    s.set_projection(PIXELS_PCA)  # the pixels did not change: still cached
    assert s.projection == PIXELS_PCA and computing == []
    s.set_projection(TSNE)  # the codes did: computed again
    assert computing == [TSNE]
    s.cancel_projection()


def test_a_tsne_run_can_be_cancelled(scene, qtbot, monkeypatch):
    s, scatter = scene.session, scene.scatter
    run = {"steps": 0, "closed": False, "finished": False}

    def watched(*args, **kwargs):
        try:
            for step in embed.tsne_steps.__wrapped__(*args, **kwargs):
                run["steps"] += 1
                run["finished"] = step.xy is not None
                yield step
        finally:
            run["closed"] = True

    watched.__wrapped__ = embed.tsne_steps
    monkeypatch.setattr(embed, "tsne_steps", watched)
    before = s.xy.copy()
    progress = []
    s.projectionProgress.connect(lambda f, t: progress.append(f))
    s.set_projection(PIXELS_TSNE)
    qtbot.waitUntil(lambda: len(progress) >= 2, timeout=LOAD_TIMEOUT_MS)  # it runs
    qtbot.mouseClick(scatter.banner.cancel_button, Qt.MouseButton.LeftButton)
    assert s.computing is None and s.projection == AXES and s.busy == ""
    np.testing.assert_array_equal(s.xy, before)  # the view shown before stays
    assert scatter.projection_box.currentText() == "latent axes z0, z1"
    assert not scatter.banner.isVisibleTo(scatter)
    s.shutdown()  # waits for the lane: the run ends at its next step, without a result
    assert run["closed"] and not run["finished"]
    assert not workers.running_lanes()
    qtbot.wait(20)
    assert s.projection == AXES


def test_choosing_an_invertible_view_cancels_a_run(scene, qtbot):
    s = scene.session
    s.set_projection(TSNE)
    assert s.computing == TSNE
    s.set_projection(Projection("pca"))
    assert s.computing is None and s.projection == Projection("pca") and s.plane is not None
    qtbot.wait(200)
    assert s.projection == Projection("pca")


def test_grid_says_it_needs_an_invertible_view(loaded, qtbot):
    s, grid = loaded.session, loaded.grid
    assert grid.result is not None
    show(qtbot, s, PIXELS_PCA)
    assert grid.result is None and "invertible" in grid.caption.text()
    assert grid.image.image is None
    with qtbot.waitSignal(grid.updated, timeout=LOAD_TIMEOUT_MS):
        s.set_projection(AXES)
    assert grid.result is not None and "decoded over z0" in grid.caption.text()
