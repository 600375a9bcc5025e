"""Every mark a person made survives the snapshots of a model in training and the trained model's adoption:
it is kept and refreshed for the newer weights, or cleared with everything that refers to it.

The training is played by hand (``FakeTraining``): the session gets the snapshots that the Training dock's
controller would give it (codes and weights of tiny seeded models), so the tests need no training thread."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer import workers
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS

WAIT_MS = LOAD_TIMEOUT_MS


class FakeTraining:
    """Snapshots of a 2-D VAE for the digits, one seeded model per snapshot (the weights move)."""

    def __init__(self, session, dataset, qtbot):
        from trainer.models import ModelConfig

        self.session, self.dataset, self.qtbot = session, dataset, qtbot
        self.config = ModelConfig(family="vae", arch="mlp", image_shape=dataset.image_shape, latent_dim=2,
                                  hidden=(16,))

    def weights(self, seed: int):
        import torch

        from explorer.training import encode_np, weights_np
        from trainer.models import build_model

        torch.manual_seed(seed)
        model = build_model(self.config)
        return encode_np(model, self.dataset.images), weights_np(model)

    def begin(self) -> None:
        self.session.begin_training(self.dataset, "untitled (training, starting)")

    def snapshot(self, seed: int, *also) -> None:
        """One epoch's snapshot; waits until the panels show it (and for ``also``: signals that follow)."""
        codes, weights = self.weights(seed)
        with self.qtbot.waitSignals([self.session.modelUpdated, *also], timeout=WAIT_MS, order="simple"):
            self.session.show_training(codes, weights, self.config)

    def adopt(self, seed: int, *also) -> None:
        """Training ends and the model of ``seed`` becomes current; waits for ``ready`` (and ``also``)."""
        _, weights = self.weights(seed)
        with self.qtbot.waitSignals([self.session.ready, *also], timeout=WAIT_MS, order="simple"):
            self.session.end_training()
            self.session.adopt_weights(self.config, weights)


@pytest.fixture
def fake(window, digits, qtbot):
    window.session.set_dataset(digits)
    training = FakeTraining(window.session, digits, qtbot)
    training.begin()
    return training


def cross_at(window) -> tuple[float, float] | None:
    lines = window.scatter.cross
    return (lines[0].value(), lines[1].value()) if all(line.isVisible() for line in lines) else None


def test_a_decoded_point_is_decoded_again_at_each_snapshot_and_by_the_trained_model(window, fake, qtbot):
    s = window.session
    fake.snapshot(1)
    x, y = empty_spot(window)  # noqa: F405
    with qtbot.waitSignal(s.decodedChanged, timeout=WAIT_MS):
        window.scatter.act_at(-1, x, y)
    first = s.decoded.image.copy()
    fake.snapshot(2, s.decodedChanged)  # the same place, decoded by the newer weights
    assert s.decoded is not None and s.decoded.xy == (x, y) and not np.allclose(s.decoded.image, first)
    fake.adopt(3, s.decodedChanged)
    assert s.training == "" and s.decoded is not None and s.decoded.xy == (x, y)
    expected = workers.decode_point(s.model, s.plane, (x, y))  # what the trained model decodes there
    np.testing.assert_allclose(s.decoded.image, expected.image, atol=1e-6)
    np.testing.assert_allclose(s.decoded.z, expected.z, atol=1e-6)
    assert cross_at(window) == pytest.approx((x, y))
    assert window.inspector.decoded is not None and "Decoded point" in window.inspector.details.text()


def test_a_selected_row_is_reconstructed_by_each_snapshot_and_by_the_trained_model(window, fake, qtbot):
    s = window.session
    fake.snapshot(1)
    with qtbot.waitSignal(s.reconstructionReady, timeout=WAIT_MS):
        s.select(7)
    first = s.reconstruction.image.copy()
    fake.snapshot(2, s.reconstructionReady)
    assert s.selected == 7 and not np.allclose(s.reconstruction.image, first)
    fake.adopt(3, s.reconstructionReady)
    assert s.selected == 7 and s.reconstruction.index == 7 and s.decoded is None
    assert cross_at(window) is None and window.inspector.reconstruction is not None


class GatedEmbedding:
    """A stand-in for t-SNE whose runs end one by one when the test says (``finish_one``); each run's result
    is a known function of the codes it was given (``expected``)."""

    def __init__(self):
        import threading

        self.gate, self.given = threading.Semaphore(0), []

    @staticmethod
    def expected(data: np.ndarray) -> np.ndarray:
        first_two = data.reshape(len(data), -1)[:, :2].astype(np.float32)  # codes N×D or images N×C×H×W
        return first_two[:, ::-1] * 3.0 + 1.0

    def steps(self, data: np.ndarray):
        from trainer.embed import EmbedStep

        self.given.append(data.copy())
        yield EmbedStep(0.0, "t-SNE: preparing the data")
        self.gate.acquire(timeout=30)
        yield EmbedStep(1.0, "t-SNE: done", self.expected(data))

    def finish_one(self) -> None:
        self.gate.release()


@pytest.fixture
def gated(monkeypatch):
    from explorer import state

    gated = GatedEmbedding()
    monkeypatch.setattr(state, "embedding_steps", lambda kind: gated.steps)
    yield gated
    for _ in range(10):  # a run still waiting ends (the lane is stopped when the window closes)
        gated.finish_one()


def test_a_tsne_asked_for_during_training_is_shown_and_follows_the_newest_codes(window, fake, gated, qtbot):
    from explorer.state import Projection

    s, box = window.session, window.scatter.projection_box
    tsne = Projection("tsne")
    fake.snapshot(1)
    first = s.codes.copy()
    s.set_projection(tsne)
    assert s.computing == tsne
    fake.snapshot(2)  # a snapshot while it runs: it goes on (it was cancelled at each snapshot)
    assert s.computing == tsne and box.currentText() == "t-SNE of the codes"
    with qtbot.waitSignal(s.projectionChanged, timeout=WAIT_MS):
        gated.finish_one()
    assert s.projection == tsne  # the t-SNE of the codes it started on, shown
    np.testing.assert_allclose(s.xy, gated.expected(first))
    assert s.computing == tsne  # and computed again for the newest codes
    qtbot.waitUntil(lambda: len(gated.given) == 2, timeout=WAIT_MS)  # its worker has started on them
    np.testing.assert_array_equal(gated.given[-1], s.codes)
    with qtbot.waitSignal(s.projectionComputing, timeout=WAIT_MS):
        gated.finish_one()
    np.testing.assert_allclose(s.xy, gated.expected(s.codes))
    assert s.projection == tsne and s.computing is None and box.currentText() == "t-SNE of the codes"
    fake.snapshot(3)  # the t-SNE shown stays shown, and is computed for the newer codes
    assert s.projection == tsne and s.computing == tsne
    with qtbot.waitSignal(s.projectionComputing, timeout=WAIT_MS):
        gated.finish_one()
    np.testing.assert_allclose(s.xy, gated.expected(s.codes))
    fake.adopt(4, s.projectionComputing)  # the trained model: its t-SNE is computed once it is encoded
    assert s.computing == tsne and box.currentText() == "t-SNE of the codes"
    with qtbot.waitSignal(s.projectionChanged, timeout=WAIT_MS):
        gated.finish_one()
    assert s.projection == tsne and s.computing is None
    np.testing.assert_allclose(s.xy, gated.expected(s.codes))


def test_interpolation_ends_are_kept_and_decoded_again_by_the_trained_model(window, fake, qtbot):
    s, tool = window.session, window.docks["interpolate"].panel.tool
    fake.snapshot(1)
    x, y = empty_spot(window)  # noqa: F405
    tool.set_end("a", s.codes[3], "#3", row=3)
    with qtbot.waitSignal(tool.stripChanged, timeout=WAIT_MS):
        tool.shift_click(-1, x, y)  # B: a latent point of empty space
    point = tool.b.code.copy()
    fake.snapshot(2, tool.stripChanged)  # the ends and the strip, with the newer weights
    np.testing.assert_array_equal(tool.a.code, s.codes[3])
    fake.adopt(3, tool.stripChanged)  # the latent point was dropped here
    assert tool.b is not None and tool.b.row == -1 and tool.strip is not None
    np.testing.assert_array_equal(tool.b.code, point)
    np.testing.assert_array_equal(tool.a.code, s.codes[3])


def test_analogy_picks_and_the_own_group_follow_the_snapshots_and_the_trained_model(window, fake, qtbot):
    s, tool = window.session, window.docks["attributes"].panel.tool
    rows = [1, 2, 3]

    def analogy_of_current_codes() -> bool:
        return tool.analogy is not None and np.array_equal(tool.analogy.codes[:3], s.codes[rows])

    fake.snapshot(1)
    tool.start_analogy()
    for r in rows:
        tool.pick(r, 0.0, 0.0)
    qtbot.waitUntil(analogy_of_current_codes, timeout=WAIT_MS)
    group = s.dataset.labels == 0
    tool.set_mask(group)
    fake.snapshot(2)
    qtbot.waitUntil(analogy_of_current_codes, timeout=WAIT_MS)  # A, B, C: the rows' newer codes, decoded
    fake.adopt(3)
    qtbot.waitUntil(analogy_of_current_codes, timeout=WAIT_MS)
    assert [p.index for p in tool.picks] == rows
    assert tool.source == "selection" and np.array_equal(tool.mask, group) and tool.direction is not None


def test_samples_from_the_mixture_are_fitted_to_each_snapshots_codes(window, fake, qtbot):
    tool = window.docks["sample"].panel.tool
    tool.set_source("mixture")
    fake.snapshot(1)
    qtbot.waitUntil(lambda: tool.samples is not None and tool.samples.mixture is not None, timeout=WAIT_MS)
    first = tool.samples.mixture
    fake.snapshot(2)  # the mixture of the older codes was reused
    qtbot.waitUntil(lambda: tool.samples.mixture is not first, timeout=WAIT_MS)


def test_a_drawing_is_encoded_again_and_its_neighbours_found_in_each_snapshots_codes(window, fake, qtbot):
    from scipy.spatial import cKDTree

    s, tool = window.session, window.docks["draw"].panel.tool
    fake.snapshot(1)
    tool.set_bitmap(s.dataset.images[5])
    qtbot.waitUntil(lambda: tool.result is not None and tool.result.rows is not None, timeout=WAIT_MS)
    first = tool.result.code.copy()
    fake.snapshot(2)
    qtbot.waitUntil(lambda: not np.array_equal(tool.result.code, first), timeout=WAIT_MS)
    assert tool.result.rows is not None and tool.trail == []
    _, nearest = cKDTree(s.codes).query(tool.result.code, k=len(tool.result.rows))
    np.testing.assert_array_equal(tool.result.rows, nearest)  # among the newer codes, not the older ones


def test_the_selected_rows_neighbours_are_found_again_in_each_snapshots_codes(window, fake, qtbot):
    from trainer.neighbours import neighbours

    s, dock = window.session, window.extras.neighbours
    dock.raise_()
    qtbot.waitUntil(lambda: dock.panel.active, timeout=5000)
    panel = dock.panel
    fake.snapshot(1)
    s.select(40)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.row == 40, timeout=WAIT_MS)
    fake.snapshot(2)  # the neighbours of the older codes stayed

    def found_in_newest_codes() -> bool:
        expected = neighbours(s.codes, s.dataset.images, 40, 8).latent_rows
        return panel.result is not None and np.array_equal(panel.result.latent_rows, expected)

    qtbot.waitUntil(found_in_newest_codes, timeout=WAIT_MS)
    assert panel.shown_rows("latent") == panel.result.latent_rows.tolist()


@pytest.mark.parametrize("then", ["select a row", "another view", "escape"])
def test_a_click_still_being_decoded_leaves_no_crosshair_when_something_else_replaces_it(loaded, qtbot, then):
    from explorer.state import Projection

    s = loaded.session
    x, y = empty_spot(loaded)  # noqa: F405
    loaded.scatter.act_at(-1, x, y)  # the cross-hair is drawn at once; the image comes from a worker
    assert cross_at(loaded) == pytest.approx((x, y)) and s.decoded is None
    if then == "select a row":
        s.select(3)
    elif then == "another view":
        s.set_projection(Projection("pca"))
    else:
        s.clear_points()
    qtbot.wait(300)  # the decoded image would have come by now
    assert s.decoded is None and cross_at(loaded) is None
    assert loaded.inspector.decoded is None


def test_a_cancelled_tsne_stays_as_it_is_until_it_is_chosen_again(window, fake, gated, qtbot):
    from explorer.state import Projection

    s, tsne = window.session, Projection("tsne")
    fake.snapshot(1)
    s.set_projection(tsne)
    with qtbot.waitSignal(s.projectionChanged, timeout=WAIT_MS):
        gated.finish_one()
    shown = s.xy.copy()
    fake.snapshot(2)
    assert s.computing == tsne  # for the newer codes
    qtbot.mouseClick(window.scatter.banner.cancel_button, Qt.MouseButton.LeftButton)
    gated.finish_one()  # the cancelled run ends (unused)
    fake.snapshot(3)  # the person said stop: not started again
    assert s.computing is None and s.projection == tsne
    np.testing.assert_array_equal(s.xy, shown)
    s.set_projection(Projection("pca"))
    s.set_projection(tsne)  # chosen again: the last one at once, and the newest codes' computed
    assert s.projection == tsne and s.computing == tsne
    np.testing.assert_array_equal(s.xy, shown)
    with qtbot.waitSignal(s.projectionComputing, timeout=WAIT_MS):
        gated.finish_one()
    np.testing.assert_allclose(s.xy, gated.expected(s.codes))


def test_a_view_of_the_pixels_is_kept_through_the_snapshots(window, fake, gated, qtbot):
    from explorer.state import Projection

    s, view = window.session, Projection("pixels-pca")
    fake.snapshot(1)
    s.set_projection(view)
    fake.snapshot(2)  # computing goes on (it was cancelled)
    assert s.computing == view
    with qtbot.waitSignal(s.projectionChanged, timeout=WAIT_MS):
        gated.finish_one()
    fake.snapshot(3)  # and the view stays (it went back to the latent axes)
    assert s.projection == view and s.computing is None and len(gated.given) == 1


@pytest.fixture
def gated_fit(monkeypatch):
    """The Holes tool's mixture fit, ending one run at a time when the test says (``release``); ``given``
    holds the codes each run was given."""
    import threading

    from explorer.tools import holes

    gate, given, real = threading.Semaphore(0), [], holes.fit_job

    def fit(codes, components):
        given.append(codes.copy())
        gate.acquire(timeout=30)
        return real(codes, components)

    monkeypatch.setattr(holes, "fit_job", fit)
    yield gate, given
    for _ in range(10):  # a run still waiting ends (the lane is stopped when the window closes)
        gate.release()


def test_the_holes_mixture_is_fitted_to_the_end_then_to_the_newest_codes(window, fake, gated_fit, qtbot):
    gate, given = gated_fit
    s, dock = window.session, window.docks["holes"]
    panel, tool = dock.panel, dock.panel.tool
    fake.snapshot(1)
    first = s.codes.copy()
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: tool.active and tool.fit_jobs.busy, timeout=WAIT_MS)
    assert panel.summary.text() == "Fitting a mixture to the codes…"
    qtbot.waitUntil(lambda: len(given) == 1, timeout=WAIT_MS)
    fake.snapshot(2)  # a snapshot while it fits: it goes on (it was restarted at each snapshot, never ending)
    assert tool.fit_jobs.busy and len(given) == 1
    with qtbot.waitSignal(tool.mixtureChanged, timeout=WAIT_MS):
        gate.release()
    assert tool.mixture is not None and "A mixture of" in panel.summary.text()  # the result, shown
    np.testing.assert_array_equal(given[0], first)  # of the codes it started with
    qtbot.waitUntil(lambda: len(given) == 2, timeout=WAIT_MS)  # then fitted again, to the newest codes
    np.testing.assert_array_equal(given[1], s.codes)
    shown = tool.mixture
    with qtbot.waitSignal(tool.mixtureChanged, timeout=WAIT_MS):
        gate.release()
    assert tool.mixture is not shown and not tool.fit_jobs.busy and len(given) == 2  # up to date: it rests
    qtbot.waitUntil(lambda: tool.samples is not None, timeout=WAIT_MS)  # and the samples follow
