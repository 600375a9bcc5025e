"""The Training dock: live progress, curves and scatter; stop; divergence; closing mid-training."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from explorer import training, workers
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS

TRAIN_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def no_training_threads_left():
    yield
    assert training.running_threads() == [], "a training, saving or loading thread is still running"


def configure(dock, epochs: int, batch: int = 256, lr: float = 1e-3, optimizer: str = "adam") -> None:
    dock.arch.setCurrentText("mlp-512")
    dock.epochs.setValue(epochs)
    dock.batch.setValue(batch)
    dock.lr.setValue(lr)
    dock.optimizer.setCurrentText(optimizer)
    dock.device.setCurrentIndex(0)  # CPU


def finite(model) -> bool:
    return all(bool(np.isfinite(v.detach().cpu().numpy()).all()) for v in model.state_dict().values())


def test_training_moves_the_scatter_and_the_new_model_becomes_current(window, digits, qtbot):
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=3)
    kinds, epoch_codes, shown_codes, scatter_x, ended = [], [], [], [], []

    def on_snapshot(snap):
        kinds.append(snap.kind)
        if snap.kind == "epoch":
            epoch_codes.append(snap.codes.copy())

    def on_update():  # the scatter shows a snapshot's codes (a snapshot overtaken at once skips modelUpdated)
        if s.training and s.codes is not None:
            shown_codes.append(s.codes.copy())
            scatter_x.append(window.scatter.shown_points()[:, 0].copy())

    dock.controller.snapshot.connect(on_snapshot)
    s.codesChanged.connect(on_update)
    dock.controller.ended.connect(ended.append)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        assert dock.start()
        assert not dock.start_button.isEnabled() and dock.stop_button.isEnabled()
    assert ended == ["done"] and kinds.count("epoch") == 3 and kinds[-1] == "done"
    assert dock.plot.points("val", "loss") == 3 and dock.plot.points("val", "kl") == 3
    assert dock.plot.points("train", "loss") >= 3 and dock.plot.points("train", "recon") >= 3
    assert len(shown_codes) >= 2 and not np.allclose(shown_codes[0], shown_codes[-1])
    assert not np.allclose(scatter_x[0], scatter_x[-1])  # the points moved
    assert s.model is not None and s.info is None and s.model.config.latent_dim == 2
    # the session's model is the trained one: re-encoding it gives the last epoch's codes
    np.testing.assert_allclose(s.codes, epoch_codes[-1], atol=1e-4)
    assert dock.progress.value() == 1000
    assert dock.start_button.isEnabled() and not dock.stop_button.isEnabled()


def test_stop_after_the_first_record_ends_early_and_keeps_the_model(window, digits, qtbot):
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=500)
    records, ended = [], []

    def stop_once(snap):
        records.append(snap.progress)
        if len(records) == 1:
            dock.stop_button.click()

    dock.controller.snapshot.connect(stop_once)
    dock.controller.ended.connect(ended.append)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    assert ended == ["stopped"]
    assert dock.rate.text().startswith("Stopped after")  # the stopped model, adopted, keeps its run's status
    assert records[-1].kind == "stopped" and records[-1].epoch < 500
    assert s.model is not None and finite(s.model)
    assert not dock.controller.is_running()


def test_a_diverging_run_shows_the_message_and_keeps_finite_weights(window, digits, qtbot, monkeypatch):
    from trainer.models import base

    real, calls = base.Autoencoder.loss, itertools.count()

    def nan_from_the_third_step(self, x, out):
        losses = real(self, x, out)
        if self.training and next(calls) >= 2:
            return losses._replace(total=losses.total * float("nan"))
        return losses

    monkeypatch.setattr(base.Autoencoder, "loss", nan_from_the_third_step)
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=3)
    errors, ended = [], []
    s.error.connect(errors.append)
    dock.controller.ended.connect(ended.append)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    assert ended == ["diverged"]
    assert len(errors) == 1 and "diverged" in errors[0] and "NaN" in errors[0]
    assert s.model is not None and finite(s.model)
    assert dock.progress.format().startswith("Diverged")


def test_a_huge_learning_rate_diverges_cleanly(window, digits, qtbot):
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=5, lr=1e6, optimizer="sgd")
    errors, ended = [], []
    s.error.connect(errors.append)
    dock.controller.ended.connect(ended.append)
    with qtbot.waitSignal(dock.controller.ended, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    assert ended == ["diverged"] and len(errors) == 1 and "learning rate" in errors[0]
    qtbot.waitUntil(lambda: s.model is not None, timeout=LOAD_TIMEOUT_MS)
    assert finite(s.model)


def test_training_replaces_an_open_model_of_another_latent_size(loaded, qtbot):
    s, dock = loaded.session, loaded.training_dock
    before = s.model
    configure(dock, epochs=2)
    dock.latent.setValue(3)
    errors = []
    s.error.connect(errors.append)

    def click_a_point(snap):
        assert s.model is not before  # the open model is closed while the new one trains
        if s.model is not None:  # the model in training, with its own codes
            assert s.model.config.latent_dim == 3 and s.codes.shape[1] == 3
            s.select(0)  # decoded by the model in training, never by the old one

    dock.controller.snapshot.connect(click_a_point)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    assert errors == [] and s.model is not before and s.model.config.latent_dim == 3


@pytest.mark.skipif(sys.platform == "darwin", reason="mps exists on macOS")
def test_a_failing_start_reports_once_and_keeps_the_open_model(loaded, qtbot):
    s, dock = loaded.session, loaded.training_dock
    before = s.model
    configure(dock, epochs=2)
    dock.device.addItem("GPU: none here", "mps")
    dock.device.setCurrentIndex(dock.device.count() - 1)
    errors = []
    s.error.connect(errors.append)
    with qtbot.waitSignal(dock.controller.ended, timeout=TRAIN_TIMEOUT_MS) as ended:
        dock.start()
    assert ended.args == ["failed"] and len(errors) == 1 and "mps" in errors[0]
    assert s.model is before and dock.start_button.isEnabled()


def test_closing_the_window_during_training_stops_the_thread(window, digits, qtbot):
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=100_000)
    with qtbot.waitSignal(dock.controller.snapshot, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    thread = dock.controller.thread
    assert thread.isRunning()
    window.close()
    assert not thread.isRunning() and not dock.controller.is_running()
    assert training.running_threads() == [] and workers.running_lanes() == []
    QApplication.processEvents()  # what the thread sent last is ignored: nothing is adopted after closing
    assert s.model is None


def test_settings_build_the_configs_the_engine_accepts(window, digits):
    from trainer.train import TrainConfig

    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    dock.family.setCurrentIndex(dock.family.findData("denoising"))
    assert dock.noise.currentText() == "gaussian" and not dock.beta.isEnabled()
    dock.optimizer.setCurrentText("sgd")
    assert dock.momentum.isEnabled()
    cfg = dock.model_config()
    assert cfg.family == "ae" and cfg.image_shape == (1, 8, 8) and cfg.preset == "mlp-512"
    train = TrainConfig.from_dict(dock.train_settings())
    assert train.noise == "gaussian:0.3" and train.optimizer == "sgd" and train.device == "cpu"


def test_the_device_probe_offers_the_cpu_and_chooses_a_gpu(window, qtbot):
    dock = window.training_dock
    qtbot.waitUntil(lambda: dock.device.toolTip() != "Looking for a GPU…", timeout=LOAD_TIMEOUT_MS)
    assert dock.device.itemData(0) == "cpu" and dock.device.currentIndex() == dock.device.count() - 1
    dock._on_devices([("CPU", "cpu"), ("GPU: Test", "cuda")])
    assert dock.device.currentData() == "cuda" and dock.train_settings()["device"] == "cuda"


def test_opening_a_model_after_training_clears_the_runs_status(window, digits, model_file, qtbot):
    """The panel said "Finished after 0:59 · loss 21.1" under every model opened after a training (a lesson's
    glyph model, a bundled VAE): the status of a run belongs to the model it trained."""
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    configure(dock, epochs=1)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        dock.start()
    assert dock.progress.format().startswith("Finished") and dock.rate.text().startswith("Finished after")
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.open_model(model_file)
    assert "Finished" not in dock.progress.format() and "Finished" not in dock.rate.text()
    assert dock.progress.value() == 0
