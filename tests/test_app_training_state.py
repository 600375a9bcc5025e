"""While a model trains every panel shows that model (named "untitled (training, epoch 3/20)"), or says it
waits; a zoom and a selection survive each epoch's snapshot."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from explorer import training
from explorer.widgets.grid import WAITING
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS

TRAIN_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def no_training_threads_left():
    yield
    assert training.running_threads() == [], "a training, saving or loading thread is still running"


def start_long_training(window) -> None:
    dock = window.training_dock
    dock.arch.setCurrentText("mlp-512")
    dock.epochs.setValue(100_000)  # stopped by the test
    dock.batch.setValue(256)
    dock.device.setCurrentIndex(0)
    assert dock.start()


def stop(window, qtbot) -> None:
    with qtbot.waitSignal(window.session.ready, timeout=TRAIN_TIMEOUT_MS):
        window.training_dock.controller.stop()


def wheel(window, steps: int = 3) -> None:
    """Zoom in with the mouse wheel over the middle of the scatter, as a person does."""
    viewport = window.scatter.plot.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def test_title_status_and_panels_name_the_model_in_training(loaded, qtbot, model_file):
    s, window = loaded.session, loaded
    start_long_training(window)
    # before the first snapshot: no model, and the panels say they wait
    assert s.model is None and "untitled (training, starting)" in window.windowTitle()
    assert "new model is training" in window.scatter.empty.text() and window.grid.caption.text() == WAITING
    assert model_file.name not in window.statusBar().currentMessage()
    with qtbot.waitSignal(s.modelUpdated, timeout=TRAIN_TIMEOUT_MS):
        pass
    assert s.model is not None and s.model_name().startswith("untitled (training, epoch ")
    assert "untitled (training, epoch " in window.windowTitle()
    assert window.scatter.projection_box.count() >= 2 and window.scatter.projection_box.currentText()
    assert model_file.name not in window.statusBar().currentMessage()
    assert not window.files.save_action.isEnabled()  # the model in training is saved when it stops
    with qtbot.waitSignal(window.grid.updated, timeout=TRAIN_TIMEOUT_MS):
        pass  # the grid is decoded by the model in training (the old model is closed)
    stop(window, qtbot)
    assert window.windowTitle().endswith("untitled model") and window.files.save_action.isEnabled()


def test_a_zoom_and_a_selection_survive_each_epoch(window, digits, qtbot):
    s = window.session
    s.set_dataset(digits)
    start_long_training(window)
    with qtbot.waitSignal(s.modelUpdated, timeout=TRAIN_TIMEOUT_MS):
        pass
    s.select(5)
    fitted = np.ravel(window.scatter.view.viewRange())
    wheel(window)
    zoomed = np.ravel(window.scatter.view.viewRange())
    assert np.ptp(zoomed[:2]) < 0.9 * np.ptp(fitted[:2])  # the wheel zoomed in
    with qtbot.waitSignals([s.modelUpdated, s.reconstructionReady], timeout=TRAIN_TIMEOUT_MS):
        pass  # a later snapshot, and the selected image reconstructed by it
    assert s.selected == 5 and s.reconstruction is not None and s.reconstruction.index == 5
    assert window.inspector.right.array is not None  # not "…"
    np.testing.assert_allclose(np.ravel(window.scatter.view.viewRange()), zoomed)  # the zoom stays
    stop(window, qtbot)
    assert s.selected == 5  # and the trained model keeps it selected
    np.testing.assert_allclose(np.ravel(window.scatter.view.viewRange()), zoomed)


def test_a_click_with_nothing_to_decode_leaves_no_crosshair(window, digits):
    s = window.session
    s.set_dataset(digits)  # no model: nothing decodes
    messages = []
    s.status.connect(messages.append)
    window.scatter.act_at(-1, 0.5, 0.5)
    assert not any(line.isVisible() for line in window.scatter.cross)
    assert s.decoded is None and messages and "Nothing to decode" in messages[-1]


def test_a_snapshot_draws_its_codes_first_and_the_tools_follow_in_the_next_turn(loaded, qtbot):
    """One snapshot in two turns of the event loop: the codes (``codesChanged``) now, the newer weights for
    the tools (``modelUpdated``) next, and not at all when a newer snapshot has replaced that model."""
    from explorer.session_training import TrainingModel

    s, events = loaded.session, []
    s.codesChanged.connect(lambda: events.append("codes"))
    s.modelUpdated.connect(lambda: events.append("weights"))
    s.training = "untitled (training, epoch 1/5)"
    lane = s._lanes["snapshot"]
    first = TrainingModel(s.model, s.codes * 1.01)
    s._on_training_model(lane._number, first)
    assert events == ["codes"]  # the tools have not run yet: the scatter paints first
    qtbot.waitUntil(lambda: events == ["codes", "weights"], timeout=5000)
    events.clear()
    s._on_training_model(lane._number, first)
    s._on_training_model(lane._number, TrainingModel(copy.deepcopy(s.model), s.codes))  # a newer one at once
    qtbot.waitUntil(lambda: "weights" in events, timeout=5000)
    qtbot.wait(50)
    assert events == ["codes", "codes", "weights"]  # the tools follow the newest weights, once
    s.training = ""


def test_the_gui_thread_gets_the_gil_back_within_a_millisecond_once_a_model_is_shown(window, model_file,
                                                                                     qtbot):
    """Python's default 5 ms switch interval held the GUI thread 65-80 ms at a training's start (see
    workers.share_the_gil); from the first ``ready`` on it is 1 ms, but not during start-up (slower there)."""
    import sys

    from explorer.workers import GIL_SWITCH_S

    sys.setswitchinterval(0.005)
    try:
        from explorer.state import Session

        Session().shutdown()
        assert sys.getswitchinterval() == pytest.approx(0.005)  # a new session alone: the default
        with qtbot.waitSignal(window.session.ready, timeout=LOAD_TIMEOUT_MS):
            window.session.open_model(model_file)
        assert GIL_SWITCH_S <= 0.001 and sys.getswitchinterval() == pytest.approx(GIL_SWITCH_S)
    finally:
        sys.setswitchinterval(0.005)
