"""The File menu: save and open models, open data sets (with progress and Cancel), recent files."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton

from explorer import training
from explorer.dialogs import DataSetDialog
from explorer.file_menu import RecentFiles, data_entry
from explorer.settings import store
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS
from trainer.errors import DataError


@pytest.fixture(autouse=True)
def no_training_threads_left():
    yield
    assert training.running_threads() == [], "a saving or loading thread is still running"


def test_recent_files_keep_eight_newest_first_and_prune_missing_ones(tmp_path, settings_dir):
    files = [tmp_path / f"m{i}.safetensors" for i in range(10)]
    for f in files:
        f.write_bytes(b"x")
        RecentFiles().add(f"model:{f}")
    RecentFiles().add(f"model:{tmp_path / 'gone.safetensors'}")
    assert RecentFiles().entries() == [f"model:{f}" for f in files[::-1][:8]]  # a new QSettings reads them
    files[9].unlink()
    assert RecentFiles().entries()[0] == f"model:{files[8]}"
    assert len(store().value("recent/files", [], type=list)) == 7
    assert any(settings_dir.rglob("*")), "settings were written under the test's folder"


def test_recent_data_sets_are_path_specs_only(tmp_path):
    assert data_entry("shapes?n=300") is None and data_entry("digits") is None
    assert data_entry(f"npz:{tmp_path}/x.npz?n=1") == f"data:npz:{tmp_path}/x.npz?n=1"
    (tmp_path / "x.npz").write_bytes(b"x")
    RecentFiles().add(data_entry(f"npz:{tmp_path}/x.npz"))
    RecentFiles().add(data_entry(f"npz:{tmp_path}/missing.npz"))  # not added: no such file
    assert RecentFiles().entries() == [f"data:npz:{tmp_path}/x.npz"]


def test_save_model_as_writes_a_checkpoint_that_loads_back(loaded, tmp_path, qtbot):
    from trainer.checkpoint import load_checkpoint

    s, files = loaded.session, loaded.files
    path = tmp_path / "models" / "saved.safetensors"
    path.parent.mkdir()
    with qtbot.waitSignal(s.status, timeout=LOAD_TIMEOUT_MS, check_params_cb=lambda m: m.startswith("Saved")):
        assert files.save_to(path) is not None
    model, info = load_checkpoint(path)
    assert info.model_config == s.model.config and info.dataset_spec == "digits"
    for name, value in s.model.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name].numpy(), value.cpu().numpy())
    assert sorted(p.name for p in path.parent.iterdir()) == ["saved.safetensors"]  # no temp file left
    assert files.recent.entries()[0] == f"model:{path.resolve()}"
    assert s.model_path == path and loaded.windowTitle().endswith("saved.safetensors")  # it is now the file


def test_a_trained_model_saves_its_training_settings(window, digits, tmp_path, qtbot):
    from trainer.checkpoint import load_checkpoint

    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    dock.epochs.setValue(1)
    dock.device.setCurrentIndex(0)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        dock.start()
    assert window.files.save_action.isEnabled()
    with qtbot.waitSignal(s.status, timeout=LOAD_TIMEOUT_MS, check_params_cb=lambda m: m.startswith("Saved")):
        window.files.save_to(tmp_path / "trained.safetensors")
    _, info = load_checkpoint(tmp_path / "trained.safetensors")
    assert info.train_config["epochs"] == 1 and info.model_config.preset == "mlp-512"
    assert s.model_path == tmp_path / "trained.safetensors"  # an untitled model gets its name


def test_a_save_that_ends_after_another_model_opened_does_not_rename_it(loaded, tmp_path):
    s = loaded.session
    before = s.model_path
    loaded.files._on_saved(tmp_path / "old.safetensors", model=object())  # the saved model is not current
    assert s.model_path == before
    assert s.model_name() == before.name


def test_a_recent_model_opens_from_the_menu(window, model_file, qtbot):
    files = window.files
    files.recent.add(f"model:{model_file}")
    files._fill_recent()
    action = files.recent_menu.actions()[0]
    assert action.text() == model_file.name
    with qtbot.waitSignal(window.session.ready, timeout=LOAD_TIMEOUT_MS):
        action.trigger()
    assert window.session.model_path == model_file


def test_a_bad_data_spec_shows_one_error_and_keeps_the_data(window, digits, qtbot, tmp_path):
    s = window.session
    s.set_dataset(digits)
    errors = []
    s.error.connect(errors.append)
    for spec in ("no-such-kind?x=1", f"npz:{tmp_path}/missing.npz"):
        with qtbot.waitSignal(s.error, timeout=LOAD_TIMEOUT_MS):
            window.files.open_dataset(spec)
    QApplication.processEvents()
    assert len(errors) == 2 and "no-such-kind" in errors[0] and "missing.npz" in errors[1]
    assert s.dataset is digits


def test_open_data_set_loads_it_into_the_session(window, qtbot):
    s = window.session
    with qtbot.waitSignal(s.datasetChanged, timeout=LOAD_TIMEOUT_MS):
        window.files.open_dataset("shapes?n=300")
    assert s.dataset.spec.startswith("shapes") and len(s.dataset.images) == 300
    assert "shapes" in window.training_dock.data_label.text()


def endless_download(spec, progress=None, **kwargs):
    """A stand-in for load_dataset that reports until it is cancelled (or 60 s pass: then the test fails)."""
    deadline = time.monotonic() + 60
    for i in itertools.count():
        progress("downloading train-images-idx3-ubyte.gz", i, 10**9)
        if time.monotonic() > deadline:
            raise DataError("the load was never cancelled")


def test_cancelling_a_load_drops_it_without_an_error(window, qtbot, monkeypatch):
    import trainer.data

    monkeypatch.setattr(trainer.data, "load_dataset", endless_download)
    s, errors = window.session, []
    s.error.connect(errors.append)
    load = window.files.open_dataset("mnist")
    task = load.task
    # wait for the dialog, not on ``progressed``: it is emitted in the load's thread, and a waitSignal
    # blocker connected to it runs there too, racing its own teardown (a segfault, seen in the suite)
    qtbot.waitUntil(lambda: "downloading" in load.dialog.labelText(), timeout=LOAD_TIMEOUT_MS)
    assert "downloading" in load.dialog.labelText()
    load.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    qtbot.waitUntil(lambda: not task.isRunning(), timeout=LOAD_TIMEOUT_MS)
    QApplication.processEvents()
    assert errors == [] and s.dataset is None


def test_closing_the_window_cancels_a_load(window, qtbot, monkeypatch):
    import trainer.data

    monkeypatch.setattr(trainer.data, "load_dataset", endless_download)
    load = window.files.open_dataset("mnist")
    task = load.task
    # wait for the dialog, not on ``progressed``: it is emitted in the load's thread, and a waitSignal
    # blocker connected to it runs there too, racing its own teardown (a segfault, seen in the suite)
    qtbot.waitUntil(lambda: "downloading" in load.dialog.labelText(), timeout=LOAD_TIMEOUT_MS)
    window.close()
    assert not task.isRunning() and window.session.dataset is None


def test_the_data_set_dialog_offers_every_kind_and_builds_specs(qtbot, tmp_path):
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    kinds = [dialog.infos[i].spec.split(":")[0] for i in range(dialog.kinds.count())]
    expected = {"shapes", "glyphs", "digits", "mnist", "fashion-mnist", "idx", "celeba", "folder", "npz"}
    assert expected <= set(kinds)
    dialog.kinds.setCurrentRow(kinds.index("shapes"))
    dialog.options.setText("n=300")
    assert dialog.spec() == "shapes?n=300" and not dialog.path.isEnabled()
    dialog.kinds.setCurrentRow(kinds.index("folder"))
    dialog.path.setText(str(tmp_path))
    dialog.options.setText("size=32")
    assert dialog.spec() == f"folder:{tmp_path}?size=32" and dialog.browse.isEnabled()


def test_the_data_set_dialog_starts_on_the_open_data_sets_kind(qtbot):
    """It opened with "shapes" (the first row) highlighted above "Opens: fashion-mnist": what looked chosen
    was not what Open would open. The row of the open data set's kind is the one highlighted."""
    for current, kind in (("fashion-mnist", "fashion-mnist"), ("fashion-mnist-test", "fashion-mnist-test"),
                          ("digits", "digits"), ("shapes?n=300", "shapes"), ("glyphs", "glyphs")):
        dialog = DataSetDialog(current=current)
        qtbot.addWidget(dialog)
        assert dialog.kind() == kind and dialog.spec() == current


def test_the_file_menu_has_its_actions_and_shortcuts(window):
    files = window.files
    assert files.open_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert files.save_action.shortcut() == QKeySequence("Ctrl+S")
    assert not files.save_action.isEnabled()  # no model yet
    texts = [a.text() for a in window.file_menu.actions()]
    assert texts.index("&Open model…") < texts.index("Recent &files") < texts.index("&Quit")
