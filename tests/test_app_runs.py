"""The Runs study: lists a sweep folder (made here), overlays the selected runs' curves, follows the folder
as a sweep adds runs, remembers the folder, and opens a run's model in the session."""

import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt

from trainer import sweep
from trainer.models import ModelConfig
from trainer.train import TrainConfig

GRID = "lr=1e-3,3e-3 batch_size=32,64"
MODEL = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2, hidden=(16,))
TRAIN = TrainConfig(epochs=2, limit_train=200, threads=1, device="cpu")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    from trainer.data import load_dataset

    folder = tmp_path_factory.mktemp("sweep")
    sweep.run_sweep(MODEL, load_dataset("digits"), GRID, folder, train=TRAIN)
    return folder


@pytest.fixture
def runs(qtbot):
    from explorer.state import Session
    from explorer.studies.runs import RunsWindow

    session = Session()
    view = RunsWindow(session)
    qtbot.addWidget(view)
    view.show()
    yield view
    session.shutdown()


def table_ids(view) -> list[str]:
    return [view.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(view.table.rowCount())]


def column(view, name: str) -> int:
    return [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())].index(name)


def test_the_table_lists_the_sweep_best_first_and_sorts_numbers(runs, sweep_dir):
    runs.tool.set_folder(sweep_dir)
    rows = sweep.read_results(sweep_dir)
    assert table_ids(runs) == [r["id"] for r in rows] and len(rows) == 4
    assert runs.table.item(0, 0).text() == rows[0]["label"]
    runs.table.sortByColumn(column(runs, "batch_size"), Qt.SortOrder.DescendingOrder)
    sizes = [float(runs.table.item(r, column(runs, "batch_size")).text()) for r in range(4)]
    assert sizes == [64, 64, 32, 32]


def test_selected_runs_overlay_their_curves(runs, sweep_dir, qtbot):
    runs.tool.set_folder(sweep_dir)
    ids = table_ids(runs)
    runs.table.selectRow(0)
    qtbot.mouseClick(runs.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     runs.table.visualRect(runs.table.model().index(2, 0)).center())
    assert runs.tool.selected == [ids[0], ids[2]]
    assert len(runs.curves) == 4  # training and validation per run
    for k, run_id in enumerate(runs.tool.selected):
        columns = sweep.curves(sweep.read_run(sweep_dir / run_id))
        train, val = runs.curves[2 * k].getData(), runs.curves[2 * k + 1].getData()
        assert list(train[0]) == [1, 2] and list(train[1]) == pytest.approx(columns["train_loss"])
        assert list(val[1]) == pytest.approx(columns["val_loss"])
        assert runs.curves[2 * k].opts["pen"].color() == runs.curves[2 * k + 1].opts["pen"].color()
        assert runs.curves[2 * k + 1].opts["pen"].style() == Qt.PenStyle.DashLine
    labels = [label.text for _, label in runs.legend.items]
    assert labels == [runs.tool.label(i) for i in runs.tool.selected]
    assert runs.curves[0].opts["pen"].color() != runs.curves[2].opts["pen"].color()


def test_the_table_follows_the_folder_and_the_folder_is_remembered(runs, sweep_dir, qtbot, tmp_path):
    from explorer.studies.runs import RunsWindow
    from trainer.data import load_dataset

    folder = tmp_path / "live"
    runs.tool.set_folder(folder)  # not there yet: an empty table
    assert runs.table.rowCount() == 0
    folder.mkdir()
    runs.tool.set_folder(folder)
    sweep.run_sweep(MODEL, load_dataset("digits"), "lr=1e-3,3e-3", folder, train=TRAIN.with_(epochs=1))
    qtbot.waitUntil(lambda: runs.table.rowCount() == 2, timeout=10_000)
    again = RunsWindow(runs.tool.session)
    qtbot.addWidget(again)
    assert again.tool.folder == folder and again.table.rowCount() == 2


def test_load_model_opens_the_run_in_the_session(runs, sweep_dir, qtbot):
    runs.tool.set_folder(sweep_dir)
    assert not runs.load_button.isEnabled()
    best = table_ids(runs)[0]
    runs.select_runs([best])
    assert runs.load_button.isEnabled()
    with qtbot.waitSignal(runs.tool.session.ready, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(runs.load_button, Qt.MouseButton.LeftButton)
    session = runs.tool.session
    assert session.model_path == sweep_dir / best / "model.safetensors"
    assert session.dataset.spec == "digits" and session.info.train_config["batch_size"] in (32, 64)


def test_the_studies_menu_opens_the_runs_window(window):
    from explorer.studies.runs import TITLE, RunsWindow

    assert TITLE in [a.text() for a in window.studies.menu.actions()]
    assert isinstance(window.studies.open("runs"), RunsWindow)
