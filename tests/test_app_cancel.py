"""The status bar's Cancel: loading a model and encoding stop at once; the window never waits for them.

The jobs are slowed down with a gate (a threading.Event the test opens) so that Cancel comes mid-way."""

import threading

import numpy as np
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import QObject, Qt, Slot

from explorer import workers
from trainer.latent import encode as encode_all

GATE_S = 30  # a safety net only: the test opens the gate


class Finished(QObject):
    """Counts a lane's results on the GUI thread (a queued connection: the lane emits in its thread)."""

    def __init__(self, lane):
        super().__init__()
        self.count = 0
        lane.done.connect(self.on_done)

    @Slot(int, object)
    def on_done(self, _number, _result):
        self.count += 1


def test_cancel_loading_a_model_keeps_the_open_one(loaded, model_file_3d, monkeypatch, qtbot):
    s = loaded.session
    before, model = s.model_path, s.model
    started, gate = threading.Event(), threading.Event()
    real_load = workers.load_model

    def slow_load(*args):
        started.set()
        gate.wait(GATE_S)
        return real_load(*args)

    monkeypatch.setattr(workers, "load_model", slow_load)
    finished = Finished(s._lanes["model"])
    errors = []
    s.error.connect(errors.append)
    s.open_model(model_file_3d)
    qtbot.waitUntil(started.is_set)
    assert loaded.cancel_button.isVisible() and loaded.progress.isVisible()
    qtbot.mouseClick(loaded.cancel_button, Qt.MouseButton.LeftButton)
    assert s.busy == "" and not loaded.cancel_button.isVisible() and not loaded.progress.isVisible()
    message = loaded.statusBar().currentMessage()
    assert message.startswith("Cancelled loading the model") and before.name in message
    gate.set()
    qtbot.waitUntil(lambda: finished.count == 1, timeout=LOAD_TIMEOUT_MS)  # the stale result came: dropped
    assert s.model is model and s.model_path == before and s.latent_dim == 2 and s.is_ready
    assert not errors and loaded.windowTitle().endswith(before.name)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):  # the lane still works
        s.open_model(model_file_3d)
    assert s.latent_dim == 3


def test_cancel_encoding_keeps_the_images_encoded_so_far(window, model_file, monkeypatch, qtbot):
    s = window.session
    gate, first = threading.Event(), 500

    def slow_encode(model, images, _cache):
        """The first 500 images, then (once the gate opens) the rest, as two chunks."""
        for start, stop in ((0, first), (first, len(images))):
            if start:
                gate.wait(GATE_S)
            mu, _ = encode_all(model, images[start:stop])
            yield workers.EncodedChunk(start, np.array(mu, dtype=np.float32, copy=True), len(images))

    monkeypatch.setattr(workers, "encode", slow_encode)
    finished = Finished(s._lanes["encode"])
    s.open_model(model_file)
    qtbot.waitUntil(lambda: s.n_encoded == first, timeout=LOAD_TIMEOUT_MS)
    total = len(s.dataset.images)
    bar = window.progress
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, total, first) and bar.isVisible()
    assert window.cancel_button.isVisible() and s.encoding
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert s.busy == "" and not s.encoding and not window.cancel_button.isVisible()
    assert f"{first:,} of {total:,} images shown" in window.statusBar().currentMessage()
    codes = s.codes[:first].copy()
    gate.set()
    qtbot.waitUntil(lambda: finished.count == 1, timeout=LOAD_TIMEOUT_MS)  # the job saw it is stale
    assert s.n_encoded == first and not s.is_ready and len(s.xy) == first
    expected, _ = encode_all(s.model, s.dataset.images[:first])
    np.testing.assert_allclose(codes, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(s.codes[:first], codes)
    assert s.model_path == model_file  # the model stays open

    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):  # encoding again (the gate is open) does all
        s.reencode()
    assert s.n_encoded == total and s.is_ready and bar.maximum() == 0 and not bar.isVisible()


def test_cancel_with_nothing_running_does_nothing(loaded):
    s = loaded.session
    messages = []
    s.status.connect(messages.append)
    s.cancel_work()
    assert not messages and s.is_ready and not loaded.cancel_button.isVisible()
