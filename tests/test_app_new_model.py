"""The Training panel trains a new model on any data set, and shows the open model's settings and history."""

from __future__ import annotations

import pytest

from explorer import training
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS

TRAIN_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def no_training_threads_left():
    yield
    assert training.running_threads() == [], "a training, saving or loading thread is still running"


@pytest.fixture(scope="module")
def small_shapes():
    from trainer.data import load_dataset

    return load_dataset("shapes?n=120&size=16")  # 1×16×16: not what the 8×8 digits model expects


def test_a_data_set_of_another_shape_trains_a_new_model(loaded, small_shapes, qtbot):
    from trainer.defaults import BUILTIN

    s, dock = loaded.session, loaded.training_dock
    before, digits = s.model, s.dataset
    errors = []
    s.error.connect(errors.append)
    dock.set_train_data(small_shapes)
    # nothing changed yet: the open model and its data stay usable
    assert s.model is before and s.dataset is digits and errors == []
    assert "shapes" in dock.data_label.text() and "stays open" in dock.data_label.text()
    shapes = BUILTIN["shapes"]
    assert dock.arch.currentText() == shapes.preset and dock.epochs.value() == shapes.epochs
    s.select(3)
    qtbot.waitUntil(lambda: s.reconstruction is not None, timeout=LOAD_TIMEOUT_MS)  # the old model works
    dock.epochs.setValue(1)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        assert dock.start()
    assert errors == [] and s.dataset is small_shapes and s.model is not before
    assert s.model.config.image_shape == (1, 16, 16) and s.codes.shape == (120, 2)
    assert dock.train_data is None and "stays open" not in dock.data_label.text()


def test_picking_a_data_set_loads_it_for_the_panel_only(loaded, qtbot):
    s, dock = loaded.session, loaded.training_dock
    before = s.model
    with qtbot.waitSignal(dock.pick_data("glyphs").loaded, timeout=LOAD_TIMEOUT_MS):
        pass
    assert dock.train_data is not None and dock.train_data.image_shape == (1, 7, 5)
    assert s.model is before and s.dataset.spec == "digits"
    assert dock.model_config().image_shape == (1, 7, 5)


def test_file_new_model_shows_the_panel_and_its_data_choice(window, monkeypatch):
    chosen = []
    monkeypatch.setattr(window.training_dock, "choose_data", lambda: chosen.append(True))
    assert window.files.new_action.shortcut().toString() == "Ctrl+N"
    window.files.new_action.trigger()
    assert chosen == [True] and window.training_dock.isVisible()


def conv_model_file(path, epochs: int, history: list | None):
    import torch

    from trainer.checkpoint import save_checkpoint
    from trainer.data import load_dataset
    from trainer.models import ModelConfig, build_model

    torch.manual_seed(0)
    cfg = ModelConfig(family="vae", arch="conv", image_shape=(1, 8, 8), latent_dim=2, conv_channels=(4, 8),
                      dense=8, beta=2.5)
    metrics = {"history": history} if history is not None else {}
    return save_checkpoint(path, build_model(cfg).eval(), dataset=load_dataset("digits"), metrics=metrics,
                           train_config={"epochs": epochs, "batch_size": 32, "lr": 5e-4, "optimizer": "adam"})


def record(epoch: int, loss: float) -> dict:
    return {"epoch": epoch, "train": {"loss": loss, "recon": loss - 1, "kl": 1.0},
            "val": {"loss": loss + 1, "recon": loss, "kl": 1.0}}


def test_the_panel_shows_the_open_models_settings_and_stored_history(window, model_file, qtbot, tmp_path):
    s, dock = window.session, window.training_dock
    history = [record(1, 30.0), record(2, 25.0), record(3, 22.0)]
    conv = conv_model_file(tmp_path / "conv.safetensors", 7, history)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.open_model(conv)
    assert dock.arch.currentText() == "custom: conv 4,8 · dense 8"
    assert dock.epochs.value() == 7 and dock.batch.value() == 32 and dock.lr.value() == pytest.approx(5e-4)
    assert dock.beta.value() == pytest.approx(2.5) and dock.family.currentData() == "vae"
    assert dock.plot.points("train", "loss") == 3 and dock.plot.points("val", "loss") == 3
    assert dock.rate.text() == "Trained 3 epochs · loss 22.0 · validation 23.0"  # the last stored epoch
    cfg = dock.model_config()  # Start trains the same architecture again
    assert cfg.arch == "conv" and cfg.conv_channels == (4, 8) and cfg.dense == 8
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.open_model(model_file)  # an MLP (one hidden layer of 16) with no stored history: the old curves go
    assert dock.plot.points("train", "loss") == 0 and dock.plot.points("val", "loss") == 0
    assert dock.rate.text() == ""  # nor the other model's last losses
    assert dock.arch.currentText() == "custom: MLP 16"
    assert dock.arch.findText("custom: conv 4,8 · dense 8") < 0  # one custom item: the open model's
    assert dock.model_config().hidden == (16,)


def test_an_opened_model_brings_its_data_set_with_its_settings(window, model_file, small_shapes, qtbot):
    from trainer.defaults import BUILTIN

    s, dock = window.session, window.training_dock
    dock.set_train_data(small_shapes)  # the person chose a data set for a new model, then opens a model
    assert dock.data is small_shapes
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.open_model(model_file)  # a model of the 8×8 digits
    # one set-up: the opened model's data set with its settings (Start would train them together)
    assert dock.train_data is None and dock.data is s.dataset and s.dataset.spec == "digits"
    assert "digits" in dock.data_label.text() and "shapes" not in dock.data_label.text()
    assert dock.arch.currentText() == "custom: MLP 16" and dock.model_config().image_shape == (1, 8, 8)
    dock.set_train_data(small_shapes)  # a data set picked afterwards: that data set's settings
    assert dock.data is small_shapes and "stays open" in dock.data_label.text()
    shapes = BUILTIN["shapes"]
    assert dock.arch.currentText() == shapes.preset and dock.epochs.value() == shapes.epochs
