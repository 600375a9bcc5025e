"""UMAP views in the window: of the codes and of the pixels, computed in the projection lane with progress in
the banner and Cancel, kept (cached) until the codes or the data set change, ``--view umap`` from the
command line; not invertible, so a click selects the nearest point."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS

from explorer.state import Projection
from trainer import embed_umap

UMAP, PIXELS_UMAP = Projection("umap"), Projection("pixels-umap")
UMAP_TIMEOUT_MS = 240_000  # the first UMAP in a process compiles umap-learn's numba code


@pytest.fixture(autouse=True)
def short_umap(monkeypatch):
    """Fewer layout epochs (the same code path; the compile of umap-learn's numba code dominates anyway)."""
    monkeypatch.setattr(embed_umap, "N_EPOCHS", 60)


def test_umap_of_the_codes_is_computed_with_progress_and_then_cached(scene, qtbot):
    s, scatter = scene.session, scene.scatter
    progress = []
    s.projectionProgress.connect(lambda fraction, text: progress.append((fraction, text)))
    s.set_projection(UMAP)
    assert s.computing == UMAP and scatter.banner.cancel_button.isVisible()
    qtbot.waitUntil(lambda: s.projection == UMAP, timeout=UMAP_TIMEOUT_MS)
    assert s.plane is None and s.xy.shape == (len(s.dataset.images), 2) and np.isfinite(s.xy).all()
    assert any("epoch" in text for _, text in progress)
    assert scatter.plot.getAxis("bottom").labelText == "UMAP 1"
    assert "not invertible" in scatter.note.text()
    assert not scatter.banner.cancel_button.isVisible()
    shown = s.xy.copy()
    s.set_projection(Projection("pca"))
    s.set_projection(UMAP)  # cached: shown at once, nothing computed
    assert s.projection == UMAP and s.computing is None
    np.testing.assert_array_equal(s.xy, shown)
    expected = list(embed_umap.umap_steps(s.codes))[-1].xy  # the same seeded computation
    np.testing.assert_allclose(s.xy, expected, atol=1e-5)


def test_umap_of_the_pixels_can_be_cancelled_and_the_view_shown_stays(scene, qtbot):
    s = scene.session
    before = s.projection
    s.set_projection(PIXELS_UMAP)
    qtbot.waitUntil(lambda: any(w.isVisible() for w in [scene.scatter.banner.progress]), timeout=5000)
    s.cancel_projection()
    assert s.computing is None and s.projection == before
    assert not scene.scatter.banner.cancel_button.isVisible()
    s.set_projection(PIXELS_UMAP)  # and it can be started again, to the end
    qtbot.waitUntil(lambda: s.projection == PIXELS_UMAP, timeout=UMAP_TIMEOUT_MS)
    assert scene.scatter.plot.getAxis("bottom").labelText == "UMAP 1"
    assert len(scene.scatter.shown_points()) == len(s.dataset.images)


def test_new_codes_forget_the_umap_of_the_codes(scene, qtbot):
    s = scene.session
    s.set_projection(UMAP)
    qtbot.waitUntil(lambda: s.projection == UMAP, timeout=UMAP_TIMEOUT_MS)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.reencode()
    assert s.projection.invertible and "umap" not in s._embeddings


@pytest.mark.parametrize("view", ["umap"])
def test_view_umap_on_the_command_line(view):
    from explorer.app import parse_args

    assert parse_args(["--view", view]).view == view
    assert parse_args(["--view", "pixels-umap"]).view == "pixels-umap"
