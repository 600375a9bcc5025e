"""Studies > Reconstruction quality and anomalies, the scatter's colour-by-value and its point labels."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, open_scene, tiny_model_file
from PySide6.QtCore import Qt

from explorer.studies.quality import by_class
from explorer.widgets.scatter import MAX_LABELS, PALETTE
from trainer.quality import reconstruction_errors, worst


def open_quality(window, qtbot):
    study = window.studies.open("quality")
    qtbot.addWidget(study)
    qtbot.waitUntil(lambda: study.tool.complete, timeout=LOAD_TIMEOUT_MS)
    return study


def layer_points(scatter) -> list[np.ndarray]:
    return [np.c_[layer.getData()].reshape(-1, 2) for layer in scatter.layers]


def test_histogram_and_worst_gallery(loaded, qtbot):
    s = loaded.session
    study = open_quality(loaded, qtbot)
    test = s.dataset.test
    direct = reconstruction_errors(s.model, test.images)
    np.testing.assert_allclose(study.tool.psnr[s.dataset.n_train:], direct.psnr_db, rtol=1e-5)
    assert np.isfinite(study.tool.psnr).all()
    assert study.bars.opts["height"].sum() == s.dataset.n_test == len(test.images)
    assert study.marks["mean"].value() == pytest.approx(direct.psnr_db.mean(), rel=1e-5)
    assert study.marks["median"].value() == pytest.approx(np.median(direct.psnr_db), rel=1e-5)
    gallery = study.tool.gallery
    assert np.all(np.diff(gallery.psnr) >= 0)
    np.testing.assert_array_equal(gallery.rows, s.dataset.n_train + worst(direct, len(gallery.rows)))
    np.testing.assert_allclose(gallery.psnr, direct.psnr_db[gallery.rows - s.dataset.n_train], rtol=1e-5)
    cells = study.cells_shown()
    assert len(cells) == len(gallery.rows) == 24
    row = int(gallery.rows[3])
    assert cells[3].text().startswith(f"#{row} · {s.class_names[s.dataset.labels[row]]}")
    qtbot.mouseClick(cells[3], Qt.MouseButton.LeftButton)
    assert s.selected == row
    study.close()


def test_colour_by_error_and_back(loaded, qtbot):
    s, scatter = loaded.session, loaded.scatter
    study = open_quality(loaded, qtbot)
    assert study.colour_box.isEnabled()
    study.colour_box.setChecked(True)
    values, xy, n = study.tool.psnr, s.xy, len(scatter.layers)
    lo, hi = np.percentile(values, [1, 99])
    edges = np.linspace(lo, hi, n + 1)
    np.testing.assert_allclose(scatter.value_edges, edges)
    for k, points in enumerate(layer_points(scatter)):
        inside = ((values >= edges[k]) | (k == 0)) & ((values < edges[k + 1]) | (k == n - 1))
        np.testing.assert_array_equal(points, xy[inside])
    bar = scatter.colour_bar  # a colour bar beside the plot instead of the class legend
    assert bar.visible and bar.label == "PSNR (dB)" and not scatter.legend.isVisible()
    np.testing.assert_allclose(bar.edges, edges)
    lut = bar.item._colorMap.getLookupTable(nPts=n * 10, alpha=False)
    drawn = [layer.opts["brush"].color().getRgb()[:3] for layer in scatter.layers]
    assert [tuple(lut[10 * k + 5]) for k in range(n)] == drawn  # the bar's steps are the points' colours
    study.colour_box.setChecked(False)
    assert scatter.values is None
    for k, (layer, points) in enumerate(zip(scatter.layers, layer_points(scatter), strict=True)):
        np.testing.assert_array_equal(points, xy[s.dataset.labels % len(PALETTE) == k])
        assert layer.opts["brush"].color().name() == PALETTE[k].lower()
    assert [label.text for _, label in scatter.legend.items] == s.class_names
    assert scatter.legend.isVisible() and not scatter.colour_bar.visible
    study.colour_box.setChecked(True)
    study.close()  # closing the study brings the classes back
    assert scatter.values is None and not study.colour_box.isChecked()


def test_new_model_clears_the_study(loaded, model_file, qtbot):
    study = open_quality(loaded, qtbot)
    study.colour_box.setChecked(True)
    with qtbot.waitSignal(loaded.session.ready, timeout=LOAD_TIMEOUT_MS):
        loaded.session.open_model(model_file)
    assert loaded.scatter.values is None and not study.colour_box.isChecked()
    qtbot.waitUntil(lambda: study.tool.complete, timeout=LOAD_TIMEOUT_MS)  # measured again while open
    assert study.colour_box.isEnabled()
    study.close()


@pytest.fixture(scope="module")
def glyph_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("glyphs") / "glyphs-2d.safetensors"
    return tiny_model_file(path, "glyphs", hidden=(8,), seed=0)


def test_glyphs_are_labelled(qtbot, glyph_model):
    scene = open_scene(qtbot, glyph_model)
    try:
        scatter, s = scene.scatter, scene.session
        assert scatter.labels_box.isVisibleTo(scatter) and scatter.labels_box.isChecked()
        texts = [item.toPlainText() for item in scatter.label_items]
        assert texts == s.class_names == [s.class_names[k] for k in s.dataset.labels]  # one dot each
        positions = np.array([[item.pos().x(), item.pos().y()] for item in scatter.label_items])
        np.testing.assert_allclose(positions, s.xy, rtol=1e-6)
        assert not scatter.legend.isVisible()
        scatter.labels_box.setChecked(False)
        assert scatter.label_items == [] and scatter.legend.isVisible()
        scatter.labels_box.setChecked(True)
        assert len(scatter.label_items) == 95
        assert not scatter.set_point_labels(["x"] * (MAX_LABELS + 1)) and scatter.label_items == []
    finally:
        scene.session.shutdown()


def test_no_labels_for_a_large_data_set(scene):
    assert len(scene.session.dataset.images) > MAX_LABELS
    assert not scene.scatter.labels_box.isVisibleTo(scene.scatter) and scene.scatter.label_items == []


def test_glyph_lesson_turns_labels_and_manifold_on(window, qtbot):
    from explorer.lessons import SETUPS, LessonRunner

    runner = LessonRunner(window)
    with qtbot.waitSignal(runner.staged, timeout=LOAD_TIMEOUT_MS):
        runner.show_me("glyphs-morph")
    assert window.scatter.labels_box.isChecked() and len(window.scatter.label_items) == 95
    assert window.scatter.manifold_box.isChecked()
    tool = window.tool_docks["Interpolate"].panel.tool
    names = window.session.class_names
    ends = [names[window.session.dataset.labels[end.row]] for end in (tool.a, tool.b)]
    assert tuple(ends) == SETUPS["glyphs-morph"].ends
    qtbot.waitUntil(lambda: not tool.jobs.busy, timeout=LOAD_TIMEOUT_MS)


def test_worst_by_class_text():
    names = ["a", "b", "c"]
    assert by_class(np.array([1, 4, 0]), names) == ": 4 b, 1 a"
    assert by_class(np.array([1, 1, 1]), names) == ""  # one image per class says nothing
    assert by_class(np.array([3, 2, 2]), names, most=2) == ": 3 a, 2 b, …"
