"""Bad files show one clear message and keep the previous model; closing during work stops workers cleanly."""

import threading

import numpy as np
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from explorer import workers
from trainer.errors import DataError


class Relay(QObject):
    """Receives a lane's signals on the GUI thread (as the Session does) and re-emits them there; test
    helpers like waitSignal must never be called from the worker thread itself."""

    done = Signal(int, object)
    failed = Signal(int, str)
    yielded = Signal(int, object)

    def __init__(self, lane):
        super().__init__()
        self.threads = set()
        lane.done.connect(self._done)
        lane.failed.connect(self._failed)
        lane.yielded.connect(self._yielded)

    def _done(self, number, result):
        self.threads.add(QThread.currentThread() is QCoreApplication.instance().thread())
        self.done.emit(number, result)

    def _failed(self, number, message):
        self.threads.add(QThread.currentThread() is QCoreApplication.instance().thread())
        self.failed.emit(number, message)

    def _yielded(self, number, item):
        self.threads.add(QThread.currentThread() is QCoreApplication.instance().thread())
        self.yielded.emit(number, item)


def _open_and_wait_for_error(window, qtbot, path):
    messages = []
    window.session.error.connect(messages.append)
    with qtbot.waitSignal(window.session.error, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(path)
    qtbot.waitUntil(lambda: window.session.busy == "")
    return messages


def test_corrupt_model_keeps_the_old_one(loaded, qtbot, tmp_path):
    s = loaded.session
    model, path, codes = s.model, s.model_path, s.codes.copy()
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"\x00" * 7 + b"not a checkpoint at all")
    messages = _open_and_wait_for_error(loaded, qtbot, bad)
    assert len(messages) == 1 and "broken.safetensors" in messages[0]
    assert s.model is model and s.model_path == path and s.is_ready
    np.testing.assert_array_equal(s.codes, codes)
    assert loaded._message is not None and not loaded._message.isModal()
    assert loaded._message.isVisible() and loaded._message.text() == messages[0]


def test_foreign_model_file_says_so(loaded, qtbot, tmp_path):
    pickle_file = tmp_path / "model.pt"
    pickle_file.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    messages = _open_and_wait_for_error(loaded, qtbot, pickle_file)
    assert len(messages) == 1 and "model.pt" in messages[0] and "pickle" in messages[0]


def test_data_set_that_does_not_fit_is_refused(loaded, qtbot):
    s = loaded.session
    dataset, model = s.dataset, s.model
    with qtbot.waitSignal(s.error, timeout=LOAD_TIMEOUT_MS) as blocker:
        s.open_dataset("glyphs")
    assert "8×8" in blocker.args[0] and s.dataset is dataset and s.model is model and s.is_ready
    # what happened, and what to do: no dead end
    assert "To train a new model on glyphs, choose File → New model…, pick glyphs and press Start" \
        in blocker.args[0]
    assert loaded.files.new_action.text().replace("&", "") == "New model…"  # the menu item it names


def test_a_model_for_other_images_says_which_data_set_to_open_first(loaded, qtbot, tmp_path):
    s = loaded.session
    path = tiny_model_file(tmp_path / "tiny-4x4.safetensors", None, family="ae", hidden=(8,), seed=0,  # noqa: F405
                           image_shape=(1, 4, 4))  # names no data set of its own
    messages = _open_and_wait_for_error(loaded, qtbot, path)
    assert len(messages) == 1 and "tiny-4x4.safetensors expects 1×4×4 images" in messages[0]
    assert "Open a data set of 1×4×4 images first (File → Open data set…)" in messages[0]
    assert s.model_path is not None and s.model_path.name != "tiny-4x4.safetensors" and s.is_ready


def test_closing_while_encoding_stops_the_workers(window, model_file, qtbot):
    s = window.session
    with qtbot.waitSignal(s.codesChanged, timeout=LOAD_TIMEOUT_MS, check_params_cb=lambda: s.n_encoded > 0):
        s.open_model(model_file)
    window.close()
    assert not workers.running_lanes()


def test_closing_during_a_long_job_stops_it(window, qtbot):
    """A generator job that would run for minutes ends at its next yield when the window closes."""
    lane, steps, started = window.session._lanes["grid"], [], threading.Event()

    def endless():
        for k in range(100_000):
            steps.append(k)
            started.set()
            threading.Event().wait(0.002)
            yield k

    lane.submit(endless)
    assert started.wait(10) and lane.isRunning()
    window.close()
    assert not workers.running_lanes() and len(steps) < 100_000


def test_lane_runs_only_the_latest_pending_job(qtbot):
    lane = workers.Lane("test")
    relay = Relay(lane)
    started, gate, ran = threading.Event(), threading.Event(), []

    def job(name):
        if name == "first":
            started.set()
            gate.wait(10)
        ran.append(name)
        return name

    try:
        with qtbot.waitSignal(relay.done, timeout=10_000, check_params_cb=lambda n, r: r == "last") as done:
            lane.submit(job, "first")
            assert started.wait(10)
            lane.submit(job, "second")
            last = lane.submit(job, "last")
            gate.set()
        assert ran == ["first", "last"] and done.args[0] == last and lane.is_current(last)
        assert relay.threads == {True}
    finally:
        lane.stop()


def test_lane_reports_errors_and_torch_runtime_errors(qtbot):
    lane = workers.Lane("test")
    relay = Relay(lane)

    def data_error():
        raise DataError("x.npz: no images")

    def torch_failure():
        with workers.torch_errors("Decoding"):
            raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    try:
        with qtbot.waitSignal(relay.failed, timeout=10_000) as failed:
            lane.submit(data_error)
        assert failed.args[1] == "x.npz: no images"
        with qtbot.waitSignal(relay.failed, timeout=10_000) as failed:
            lane.submit(torch_failure)
        assert failed.args[1] == "Decoding failed: mat1 and mat2 shapes cannot be multiplied"
    finally:
        lane.stop()


def test_generator_job_stops_when_superseded(qtbot):
    lane = workers.Lane("test")
    relay = Relay(lane)
    gate, seen = threading.Event(), []

    def slow():
        for k in range(1000):
            seen.append(k)
            yield k
            gate.wait(10)

    try:
        with qtbot.waitSignal(relay.yielded, timeout=10_000):
            first = lane.submit(slow)
        with qtbot.waitSignal(relay.done, timeout=10_000, check_params_cb=lambda n, r: r == "next"):
            lane.submit(lambda: "next")
            gate.set()
        assert not lane.is_current(first) and len(seen) < 1000
    finally:
        lane.stop()
