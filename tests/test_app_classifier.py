"""Studies > Latent classifier: trains on the digits model, fills its tables, cancels, leaves no thread."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import Qt
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from explorer.studies.classifier import TITLE, ClassifierWindow, open_study

TIMEOUT_MS = 60_000


def train(qtbot, study: ClassifierWindow) -> None:
    qtbot.mouseClick(study.train_button, Qt.MouseButton.LeftButton)
    assert study.study.busy
    qtbot.waitUntil(lambda: study.study.result is not None and not study.study.busy, timeout=TIMEOUT_MS)


def test_study_trains_and_fills_its_tables(qtbot, loaded):
    actions = [a.text() for a in loaded.studies.menu.actions()]
    assert TITLE in actions
    study = loaded.studies.open("classifier")
    qtbot.addWidget(study)
    study.head.setCurrentIndex(study.head.findData("mlp"))
    study.epochs.setValue(3)
    assert (study.study.head, study.study.epochs) == ("mlp", 3)
    train(qtbot, study)

    r = study.study.result.report
    ds = loaded.session.dataset
    np.testing.assert_array_equal(r.labels, ds.labels[ds.n_train:])
    prec, rec, f1, support = precision_recall_fscore_support(r.labels, r.predictions, labels=range(10),
                                                             zero_division=0)
    table = study.scores
    assert table.rowCount() == 10
    shown = {table.item(i, 0).text(): [float(table.item(i, j).text()) for j in range(1, 5)]
             for i in range(10)}
    for k in range(10):
        np.testing.assert_allclose(shown[str(k)], [prec[k], rec[k], f1[k], support[k]], atol=5e-4)
    assert f"{np.mean(r.labels == r.predictions):.1%}" in study.accuracy.text()

    table.sortItems(3, Qt.SortOrder.DescendingOrder)  # by F1, as a header click does
    f1_shown = [float(table.item(i, 3).text()) for i in range(10)]
    assert f1_shown == sorted(f1_shown, reverse=True)

    conf = confusion_matrix(r.labels, r.predictions, labels=range(10))
    cells = [[int(study.confusion.item(i, j).text()) for j in range(10)] for i in range(10)]
    np.testing.assert_array_equal(cells, conf)

    i, j = np.unravel_index(np.argmax(conf), conf.shape)
    study.confusion.cellClicked.emit(int(i), int(j))
    row = loaded.session.selected
    assert row >= ds.n_train and ds.labels[row] == i and r.predictions[row - ds.n_train] == j


def test_cancel_stops_the_run_and_a_new_one_finishes(qtbot, scene):
    study = open_study(SimpleNamespace(session=scene.session))
    qtbot.addWidget(study)
    study.mode.setCurrentIndex(study.mode.findData("finetune"))
    study.epochs.setValue(500)
    qtbot.mouseClick(study.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: study.status.text().startswith("Epoch"), timeout=TIMEOUT_MS)
    assert not study.train_button.isEnabled() and study.cancel_button.isEnabled()
    qtbot.mouseClick(study.cancel_button, Qt.MouseButton.LeftButton)
    assert not study.study.busy and study.train_button.isEnabled()
    assert study.status.text() == "Cancelled."

    study.epochs.setValue(1)  # the lane runs one job at a time: this one ends only after the cancelled one
    train(qtbot, study)
    result = study.study.result
    assert result.epochs_done == 1 and result.config.mode == "finetune" and not result.stopped
    study.close()


def test_a_new_model_clears_the_result(qtbot, scene, model_file_3d):
    study = open_study(SimpleNamespace(session=scene.session))
    qtbot.addWidget(study)
    study.epochs.setValue(1)
    train(qtbot, study)
    assert study.scores.rowCount() == 10
    with qtbot.waitSignal(scene.session.ready, timeout=TIMEOUT_MS):
        scene.session.open_model(model_file_3d)
    assert study.study.result is None and study.scores.rowCount() == 0 and study.confusion.rowCount() == 0


def test_the_reports_recipe_sets_the_fine_tuning_settings(qtbot, scene):
    from explorer.studies.classifier import RECIPE

    study = open_study(SimpleNamespace(session=scene.session))
    qtbot.addWidget(study)
    assert (study.study.mode, study.study.head) == ("frozen", "linear")  # the defaults: a quick first look
    with qtbot.waitSignal(study.study.settingsChanged):
        qtbot.mouseClick(study.recipe_button, Qt.MouseButton.LeftButton)
    assert {k: getattr(study.study, k) for k in RECIPE} == RECIPE == {"mode": "finetune", "head": "mlp",
                                                                      "epochs": 15}
    shown = (study.mode.currentData(), study.head.currentData(), study.epochs.value())
    assert shown == ("finetune", "mlp", 15)
    assert "90 % goal" in study.recipe_button.toolTip()
    study.epochs.setValue(1)  # the recipe's settings are the study's: Train uses them
    train(qtbot, study)
    cfg = study.study.result.config
    assert (cfg.mode, cfg.head, cfg.lr_schedule) == ("finetune", "mlp", "cosine")
    study.close()
