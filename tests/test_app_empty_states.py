"""Each empty state says in one sentence what will appear there and how to make it appear: no plot shows
pyqtgraph's made-up 0–1 axes (ticks at 0.2…0.8) before it has data, the studies explain their empty space, and
the Inspector labels what it shows for a decoded point."""

import numpy as np
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS

from explorer.widgets.empty_state import EmptyState


def axes_shown(plot) -> bool:
    item = plot.getPlotItem()
    return any(item.getAxis(name).isVisible() for name in ("left", "bottom"))


def says_what_and_how(empty: EmptyState, how: str) -> bool:
    """A visible sentence over the plot that names the action that fills it."""
    return empty.empty and empty.label.isVisibleTo(empty.plot) and how in empty.text and len(empty.text) > 40


def test_the_loss_plot_explains_itself_until_training_starts(qtbot):
    from explorer.widgets.loss_plot import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    assert says_what_and_how(plot.empty, "Start") and not axes_shown(plot.plot)
    progress = type("P", (), {"kind": "step", "steps_per_epoch": 10, "epoch": 1, "step": 5, "loss": 80.0,
                              "recon": 70.0, "kl": 10.0, "val": None})()
    plot.add(progress)
    assert not plot.empty.empty and axes_shown(plot.plot) and not plot.empty.label.isVisibleTo(plot.plot)
    plot.clear_curves()
    assert says_what_and_how(plot.empty, "Start") and not axes_shown(plot.plot)


def test_the_noise_sweep_explains_itself_until_it_runs(loaded, qtbot):
    panel = loaded.tool_docks["Denoise"].panel
    assert says_what_and_how(panel.empty, "Noise sweep") and not axes_shown(panel.plot)
    panel.tool.run_sweep()
    qtbot.waitUntil(lambda: panel.tool.noisy_curve is not None, timeout=LOAD_TIMEOUT_MS)
    assert not panel.empty.empty and axes_shown(panel.plot)
    qtbot.waitUntil(lambda: not panel.tool.sweep_jobs.busy, timeout=LOAD_TIMEOUT_MS)


def test_the_runs_study_explains_a_sweep_and_its_empty_plot(window, qtbot, monkeypatch):
    from explorer.studies import runs

    monkeypatch.setattr(runs, "last_folder", lambda: None)
    study = runs.RunsWindow(window.session, window)
    qtbot.addWidget(study)
    assert says_what_and_how(study.empty, "table") and not axes_shown(study.plot)
    words = study.folder_label.text()
    assert "Choose folder" in words and "sweep trains several models" in words
    assert not words.startswith("Choose the folder of a sweep (python")  # not only a terminal command
    study.close()


def test_the_classifier_study_explains_what_training_shows(loaded, qtbot):
    from explorer.studies.classifier import ClassifierWindow

    study = ClassifierWindow(loaded.session, loaded)
    qtbot.addWidget(study)
    study.show()
    qtbot.waitExposed(study)
    assert study.empty_note.isVisible() and not study.tables.isVisible()
    assert "press Train" in study.empty_note.text() and "confusion matrix" in study.empty_note.text()
    study.close()


def test_the_inspector_labels_a_decoded_point_and_writes_its_code_once(loaded, qtbot):
    window, session = loaded, loaded.session
    x, y = empty_spot(window)  # noqa: F405
    with qtbot.waitSignal(session.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        session.decode_at(x, y)
    qtbot.waitUntil(lambda: session.decoded is not None, timeout=LOAD_TIMEOUT_MS)
    inspector = window.inspector
    assert inspector.right_title.text() and inspector.right.text()  # the empty box says why it is empty
    details = inspector.details.text()
    assert details.count(f"{session.decoded.xy[0]:.3f}") == 1  # the 2-D code is the axes: written once
    assert np.allclose(session.decoded.z, session.decoded.xy)


def test_the_compare_window_has_no_large_empty_strip(qtbot):
    """Before a point is clicked and without loss curves, the bottom row is the one-line hint, not 250 empty
    pixels; the curves (or a selection) give it its full height."""
    from explorer.studies.compare import BOTTOM_HEIGHT, CompareWindow

    study = CompareWindow(start=None)
    qtbot.addWidget(study)
    study.resize(1200, 800)
    study.show()
    qtbot.waitExposed(study)
    assert study.strip.hint.isVisible() and "Click a point" in study.strip.hint.text()
    assert study.bottom.height() < 100
    study.curves_box.setChecked(True)
    assert study.bottom.height() == BOTTOM_HEIGHT
    study.curves_box.setChecked(False)
    assert study.bottom.height() < 100
    study.close()


def test_the_training_panels_empty_plot_names_its_start_button(window):
    """The empty loss plot said "press Train" beside a button labelled Start: the hint names the panel's
    button as it reads."""
    dock = window.training_dock
    button = dock.start_button.text().replace("&", "")
    assert f"press {button}" in dock.plot.empty.text
