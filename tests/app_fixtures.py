
"""Fixtures for the app tests: a tiny model file and data set made on the spot, a window, a thread check.

Import them in a test module: ``from app_fixtures import *  # noqa: F403`` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from explorer import workers

__all__ = ["collect_garbage", "digits", "loaded", "model_file", "model_file_3d", "no_threads_left", "window",
           "click_view", "view_to_widget", "scene", "open_scene", "isolated_point", "empty_spot",
           "tiny_model_file", "same_look_after"]

LOAD_TIMEOUT_MS = 60_000


def tiny_model_file(path, data_spec: str | None = "digits", family: str = "vae", latent_dim: int = 2,
                    hidden: tuple[int, ...] = (16,), seed: int | None = None, image_shape=None):
    """An untrained MLP model saved at ``path`` with the data set ``data_spec`` (its image shape), or with
    none (then ``image_shape`` is needed). Seeded: ``seed`` or the latent size."""
    import torch

    from trainer.checkpoint import save_checkpoint
    from trainer.data import load_dataset
    from trainer.models import ModelConfig, build_model

    data = load_dataset(data_spec) if data_spec else None
    torch.manual_seed(latent_dim if seed is None else seed)
    shape = data.image_shape if data is not None else tuple(image_shape)
    cfg = ModelConfig(family=family, arch="mlp", image_shape=shape, latent_dim=latent_dim,
                      hidden=tuple(hidden))
    return save_checkpoint(path, build_model(cfg).eval(), dataset=data)


def _model_file(folder, latent_dim: int):
    return tiny_model_file(folder / f"digits-{latent_dim}d.safetensors", latent_dim=latent_dim)


@pytest.fixture(scope="session")
def model_file(tmp_path_factory):
    """An untrained 2-D VAE for scikit-learn's 8×8 digits (1,797 images), saved as a checkpoint."""
    return _model_file(tmp_path_factory.mktemp("models"), 2)


@pytest.fixture(scope="session")
def model_file_3d(tmp_path_factory):
    return _model_file(tmp_path_factory.mktemp("models3"), 3)


@pytest.fixture(scope="session")
def digits():
    from trainer.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(autouse=True)
def no_threads_left():
    """Like napari's conftest: a test must not leave a worker thread running."""
    yield
    running = [lane.objectName() for lane in workers.running_lanes()]
    assert not running, f"worker threads still running after the test: {running}"


@pytest.fixture
def window(qtbot):
    from explorer.main_window import MainWindow
    from explorer.state import Session

    win = MainWindow(Session())
    win.unsaved.ask = lambda _parent, _question: "discard"  # a test that cares answers itself (no dialog)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture
def loaded(window, model_file, qtbot):
    """The window with the 2-D model and its digits loaded, encoded, and the first grid drawn."""
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(model_file)
    return window


class Scene:
    """A session and its scatter without the main window (for a tool panel's tests): ``session``, ``scatter``
    (``window.scatter`` works with the helpers below too, via ``scene.scatter``)."""

    def __init__(self, session, scatter):
        self.session, self.scatter = session, scatter


def open_scene(qtbot, path) -> Scene:
    from explorer.state import Session
    from explorer.widgets.scatter import ScatterView

    session = Session()
    scatter = ScatterView(session)
    qtbot.addWidget(scatter)
    scatter.resize(700, 600)
    scatter.show()
    qtbot.waitExposed(scatter)
    with qtbot.waitSignal(session.ready, timeout=LOAD_TIMEOUT_MS):
        session.open_model(path)
    return Scene(session, scatter)


@pytest.fixture
def scene(qtbot, model_file):
    """A Session + ScatterView with the 2-D digits model loaded and encoded; shut down at the end."""
    scene = open_scene(qtbot, model_file)
    yield scene
    scene.session.shutdown()


def view_to_widget(window, x: float, y: float):
    pw = window.scatter.plot
    return pw.mapFromScene(pw.plotItem.vb.mapViewToScene(QPointF(x, y)))


def click_view(qtbot, window, x: float, y: float) -> None:
    """Left-click the scatter at view coordinates (x, y)."""
    qtbot.mouseClick(window.scatter.plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=view_to_widget(window, x, y))


def pixel_xy(window) -> np.ndarray:
    """The scatter's points in widget pixels."""
    vb = window.scatter.view
    (x0, x1), (y0, y1) = vb.viewRange()
    rect = vb.sceneBoundingRect()
    xy = window.session.xy
    px = (xy[:, 0] - x0) / (x1 - x0) * rect.width()
    py = (y1 - xy[:, 1]) / (y1 - y0) * rect.height()
    return np.stack([px, py], axis=1)


@pytest.fixture(autouse=True)
def collect_garbage():
    """Collect each test's garbage at its end, when no worker runs, so that an earlier test's Qt objects are
    never destroyed by a collection that happens to run during a later test's load. (Defensive: the segfault
    that prompted it came from a waitSignal blocker on a signal emitted in a worker thread, since removed.)"""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def isolated_point(window) -> int:
    """The row whose nearest neighbour is farthest away on screen (a click on it cannot hit another);
    ``window``: anything with ``.scatter`` and ``.session`` (the main window, a ``scene``)."""
    from scipy.spatial import cKDTree

    px = pixel_xy(window)
    inside = np.flatnonzero((px[:, 0] > 20) & (px[:, 1] > 20))
    dist, _ = cKDTree(px).query(px[inside], k=2)
    return int(inside[np.argmax(dist[:, 1])])


def empty_spot(window) -> tuple[float, float]:
    """View coordinates of the grid point farthest (on screen, at least 25 px) from every data point."""
    from scipy.spatial import cKDTree

    vb = window.scatter.view
    (x0, x1), (y0, y1) = vb.viewRange()
    xs, ys = np.meshgrid(np.linspace(x0, x1, 23)[2:-2], np.linspace(y0, y1, 23)[2:-2])
    candidates = np.stack([xs.ravel(), ys.ravel()], axis=1)
    rect = vb.sceneBoundingRect()
    scale = np.array([rect.width() / (x1 - x0), rect.height() / (y1 - y0)])
    dist, _ = cKDTree(window.session.xy * scale).query(candidates * scale)
    assert dist.max() > 25, "the test needs an empty spot in the scatter"
    return tuple(candidates[np.argmax(dist)])


@pytest.fixture
def same_look_after(qapp):
    """Presentation mode and the themes change the application's font, style and palette: put them back for
    the next tests (``pytestmark = pytest.mark.usefixtures("same_look_after")`` in a module that does)."""
    from PySide6.QtGui import QFont, QPalette

    font, style, palette = QFont(qapp.font()), qapp.style().name(), QPalette(qapp.palette())
    yield
    qapp.setFont(font)
    qapp.setStyle(style)
    qapp.setPalette(palette)
