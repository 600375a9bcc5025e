"""Attribute arithmetic: directions from attributes, classes and the person's own group (box, lasso), the
morph strip along a direction, analogies A − B + C picked on the scatter, and saved vectors."""

import shutil

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, empty_spot, open_scene, tiny_model_file, view_to_widget
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPolygonF

from explorer.widgets.attributes_panel import NO_FILE_TIP, PICK_HINTS, AttributesPanel
from explorer.widgets.lasso import points_in_polygon
from trainer.latent import decode
from trainer.vectors import load_vectors, vectors_path


@pytest.fixture(scope="module")
def shapes_file(tmp_path_factory):
    """An untrained 2-D MLP VAE for 400 shapes (they have six binary attributes)."""
    path = tmp_path_factory.mktemp("shapes") / "shapes-tiny.safetensors"
    return tiny_model_file(path, "shapes?n=400", seed=0)


@pytest.fixture
def shapes(qtbot, shapes_file, tmp_path):
    """A scene with the shapes model, opened from a copy of its own (vectors get written beside it)."""
    path = shutil.copy(shapes_file, tmp_path / shapes_file.name)
    scene = open_scene(qtbot, path)
    yield scene
    scene.session.shutdown()


def _panel(qtbot, scene) -> AttributesPanel:
    panel = AttributesPanel(scene.session, scene.scatter)
    qtbot.addWidget(panel)
    return panel


def _choose(combo, row: int) -> None:
    """What a person's choice in a combo box does."""
    combo.setCurrentIndex(row)
    combo.activated.emit(row)


def _wait_for_morph(qtbot, tool, alpha: float) -> None:
    qtbot.waitUntil(lambda: tool.morph is not None and tool.morph.alphas[-1] == pytest.approx(alpha)
                    and not tool.morph_jobs.busy, timeout=LOAD_TIMEOUT_MS)


def test_attribute_direction_is_the_difference_of_group_means(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    j = s.dataset.attribute_names.index("filled")
    _choose(panel.source_box, 0)
    _choose(panel.attribute_box, j)
    d = panel.tool.direction
    has = s.dataset.attributes[:, j].astype(bool)
    with_mean, without_mean = s.codes[has].mean(axis=0), s.codes[~has].mean(axis=0)
    np.testing.assert_allclose(d.vector, with_mean - without_mean, atol=1e-6)
    np.testing.assert_allclose(np.stack([d.start, d.end]), [without_mean, with_mean], atol=1e-6)
    arrow = panel.overlay.marks["direction"]
    np.testing.assert_allclose(arrow.codes, [without_mean, with_mean], atol=1e-6)
    ends = np.stack([without_mean, with_mean])
    np.testing.assert_allclose(panel.overlay.view_xy("direction"), s.to_view(ends), atol=1e-6)
    assert arrow.items[0].isVisible()
    text = panel.info.text()
    assert f"{np.linalg.norm(with_mean - without_mean):.2f}" in text
    assert f"{int(has.sum()):,} images “filled”" in text
    assert f"{int((~has).sum()):,} images “not filled”" in text


def test_class_direction_goes_from_class_a_to_class_b(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    _choose(panel.source_box, 1)
    a, b = s.class_names.index("circle"), s.class_names.index("star")
    _choose(panel.from_box, a)
    _choose(panel.to_box, b)
    labels = s.dataset.labels
    expected = s.codes[labels == b].mean(axis=0) - s.codes[labels == a].mean(axis=0)
    np.testing.assert_allclose(panel.tool.direction.vector, expected, atol=1e-6)
    np.testing.assert_allclose(panel.tool.direction.start, s.codes[labels == a].mean(axis=0), atol=1e-6)
    _choose(panel.to_box, a)  # from a class to itself: no direction, and the panel says why
    assert panel.tool.direction is None and "direction" not in panel.overlay.marks
    assert "two different classes" in panel.info.text()


def test_alpha_zero_reproduces_the_plain_reconstruction(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    tool = panel.tool
    i = 7
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        s.select(i)
    assert "#7" in panel.base_label.text()
    panel.alpha_slider.setValue(0)
    _wait_for_morph(qtbot, tool, 0.0)
    assert len(tool.morph.images) == 9 == panel.k_spin.value()
    for image in tool.morph.images:
        np.testing.assert_allclose(image, s.reconstruction.image, atol=1e-6)
    np.testing.assert_array_equal(panel.strip.images, tool.morph.images)

    panel.alpha_slider.setValue(-25)  # α = −2.5: the first tile is still the reconstruction
    _wait_for_morph(qtbot, tool, -2.5)
    assert panel.alpha_label.text() == "α = -2.5"
    codes = s.codes[i] + np.linspace(0, -2.5, 9)[:, None] * tool.direction.vector
    np.testing.assert_allclose(tool.morph.images, decode(s.model, codes), atol=1e-6)
    np.testing.assert_allclose(tool.morph.images[0], s.reconstruction.image, atol=1e-6)
    qtbot.waitUntil(lambda: "morph" in panel.overlay.marks)  # once the drag pauses
    np.testing.assert_allclose(panel.overlay.marks["morph"].codes, codes, atol=1e-6)

    panel.k_spin.setValue(4)
    _wait_for_morph(qtbot, tool, -2.5)
    qtbot.waitUntil(lambda: len(panel.strip.images) == 4)


def test_a_decoded_point_can_be_morphed_and_no_base_gives_a_hint(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    assert panel.tool.base is None and panel.strip.images is None
    assert "Click a point" in panel.strip.text() and "no image" in panel.base_label.text()
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        s.decode_at(0.5, -0.25)
    panel.tool.set_alpha(1.0)
    _wait_for_morph(qtbot, panel.tool, 1.0)
    np.testing.assert_allclose(panel.tool.morph.images[0], s.decoded.image, atol=1e-6)


def _drag(qtbot, scene, points) -> None:
    """Press at the first view point, move through the others, release at the last."""
    viewport = scene.scatter.plot.viewport()
    pixels = [view_to_widget(scene, x, y) for x, y in points]
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=pixels[0])
    for p in pixels[1:]:
        qtbot.mouseMove(viewport, p)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=pixels[-1])


def _spread(xy) -> tuple[np.ndarray, np.ndarray]:
    return np.percentile(xy, 15, axis=0), np.percentile(xy, 60, axis=0)


def test_box_selection_makes_a_group_direction(shapes, qtbot):
    s, scatter = shapes.session, shapes.scatter
    panel = _panel(qtbot, shapes)
    view_range = scatter.view.viewRange()
    _choose(panel.source_box, 2)
    panel.box_button.click()
    assert panel.lasso.mode == "box" and "box" in scatter.hint.text()
    lo, hi = _spread(s.xy)
    _drag(qtbot, shapes, [(lo[0], lo[1]), ((lo[0] + hi[0]) / 2, hi[1]), (hi[0], hi[1])])
    tool = panel.tool
    assert tool.mask is not None and not panel.box_button.isChecked() and scatter.hint.text() == ""
    corners = np.array([view_to_widget(shapes, *lo).toPointF().toTuple(), view_to_widget(shapes, *hi)
                        .toPointF().toTuple()])
    px = np.array([view_to_widget(shapes, x, y).toPointF().toTuple() for x, y in s.xy])
    (x0, y1), (x1, y0) = corners  # widget y grows downwards
    inside = (px[:, 0] >= x0) & (px[:, 0] <= x1) & (px[:, 1] >= y0) & (px[:, 1] <= y1)
    near_edge = np.minimum.reduce([abs(px[:, 0] - x0), abs(px[:, 0] - x1), abs(px[:, 1] - y0),
                                   abs(px[:, 1] - y1)]) < 1.5
    assert np.array_equal(tool.mask[~near_edge], inside[~near_edge])  # up to a pixel of rounding
    assert 0 < tool.mask.sum() < len(tool.mask)
    expected = s.codes[tool.mask].mean(axis=0) - s.codes[~tool.mask].mean(axis=0)
    np.testing.assert_allclose(tool.direction.vector, expected, atol=1e-6)
    assert panel.count_label.text() == f"{int(tool.mask.sum()):,} points selected"
    np.testing.assert_allclose(panel.group.shown(), s.xy[tool.mask])
    assert scatter.view.viewRange() == view_range  # the drag did not pan
    assert scatter.view.state["mouseEnabled"] == [True, True] and s.selected == -1


def test_lasso_selection_is_the_drawn_polygon(shapes, qtbot):
    s, scatter = shapes.session, shapes.scatter
    panel = _panel(qtbot, shapes)
    panel.lasso_button.click()
    lo, hi = _spread(s.xy)
    mid = (lo + hi) / 2
    drawn = [(lo[0], lo[1]), (hi[0], lo[1]), (mid[0], mid[1]), (hi[0], hi[1]), (lo[0], hi[1])]
    _drag(qtbot, shapes, drawn)
    polygon = panel.lasso.last_polygon
    assert len(polygon) == len(drawn)
    np.testing.assert_allclose(polygon, drawn, atol=2 * max(scatter.view.viewPixelSize()))
    assert panel.tool.source == "selection"
    np.testing.assert_array_equal(panel.tool.mask, points_in_polygon(s.xy, polygon))
    assert not panel.lasso.active and not panel.lasso.outline.isVisible()


def test_a_click_in_lasso_mode_selects_nothing_and_esc_leaves_the_mode(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    panel.lasso_button.click()
    click_view(qtbot, shapes, *s.xy[3])
    assert panel.lasso.active and panel.tool.mask is None and s.selected == -1
    panel.cancel()
    assert not panel.lasso.active and not panel.lasso_button.isChecked()
    assert shapes.scatter.hint.text() == ""


def test_points_in_polygon_agrees_with_qt():
    rng = np.random.default_rng(1)
    angles = np.linspace(0, 2 * np.pi, 11)[:-1]
    radius = np.where(np.arange(10) % 2, 0.4, 1.0)  # a five-pointed star: concave
    star = np.c_[radius * np.cos(angles), radius * np.sin(angles)]
    bowtie = np.array([(-1, -1), (1, 1), (1, -1), (-1, 1)], float)  # self-crossing: even-odd
    points = rng.uniform(-1.2, 1.2, (3000, 2))
    for polygon in (star, bowtie):
        qt = QPolygonF([QPointF(*p) for p in polygon])
        expected = [qt.containsPoint(QPointF(*p), Qt.FillRule.OddEvenFill) for p in points]
        np.testing.assert_array_equal(points_in_polygon(points, polygon), expected)
    assert not points_in_polygon(points, star[:2]).any()
    assert points_in_polygon(np.zeros((0, 2)), star).shape == (0,)



def test_analogy_picks_three_points_and_decodes_a_minus_b_plus_c(shapes, qtbot):
    s, scatter = shapes.session, shapes.scatter
    panel = _panel(qtbot, shapes)
    tool = panel.tool
    panel.pick_button.click()
    assert tool.picking and scatter.hint.text() == PICK_HINTS[0]
    targets = [s.xy[10], s.xy[20], empty_spot(shapes)]  # two points, then empty space
    rows = [scatter.pick(*xy) for xy in targets]
    for k, xy in enumerate(targets):
        click_view(qtbot, shapes, *xy)
        if k < 2:
            assert scatter.hint.text() == PICK_HINTS[k + 1]
    assert not tool.picking and scatter.hint.text() == "" and s.selected == -1
    assert [p.index for p in tool.picks] == rows and rows[2] == -1
    np.testing.assert_allclose(tool.picks[0].z, s.codes[rows[0]])
    qtbot.waitUntil(lambda: tool.analogy is not None, timeout=LOAD_TIMEOUT_MS)
    a, b, c = (p.z for p in tool.picks)
    np.testing.assert_allclose(tool.picks[2].z, s.plane.to_latent(np.array([tool.picks[2].z]))[0], atol=1e-5)
    codes = np.stack([a, b, c, a - b + c])
    np.testing.assert_allclose(panel.analogy_strip.images, decode(s.model, codes), atol=1e-6)
    np.testing.assert_allclose(panel.overlay.marks["analogy"].codes, codes[:3])
    np.testing.assert_allclose(panel.overlay.marks["analogy-result"].codes, codes[3:], atol=1e-6)
    assert panel.overlay.marks["analogy"].labels == ["A", "B", "C"]
    assert "A: #10" in panel.analogy_label.text()
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):  # clicks select again
        click_view(qtbot, shapes, *s.xy[10])


def test_picking_can_be_cancelled(shapes, qtbot):
    s, scatter = shapes.session, shapes.scatter
    panel = _panel(qtbot, shapes)
    panel.pick_button.click()
    click_view(qtbot, shapes, *s.xy[10])
    assert len(panel.tool.picks) == 1 and panel.pick_button.text() == "Cancel picking"
    assert panel.escape.isEnabled()
    panel.pick_button.click()
    assert not panel.tool.picking and scatter.hint.text() == "" and not panel.escape.isEnabled()
    with qtbot.waitSignal(s.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
        click_view(qtbot, shapes, *s.xy[10])


def test_saved_vectors_are_written_beside_the_model_and_loaded_with_it(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    tool = panel.tool
    assert panel.save_button.isEnabled()
    _choose(panel.attribute_box, s.dataset.attribute_names.index("large"))
    vector = tool.direction.vector.copy()
    panel.save_vector("  bigger ")
    path = vectors_path(s.model_path)
    saved = load_vectors(path, 2)
    np.testing.assert_array_equal(saved["bigger"].vector, vector)
    assert "attribute 'large'" in saved["bigger"].source and "shapes?n=400" in saved["bigger"].source
    assert [panel.saved_box.itemText(i) for i in range(panel.saved_box.count())] == ["bigger"]

    fresh = open_scene(qtbot, s.model_path)  # another session opening the model finds the file again
    try:
        other = _panel(qtbot, fresh)
        assert list(other.tool.vectors) == ["bigger"] and other.saved_box.count() == 1
        _choose(other.source_box, 3)
        _choose(other.saved_box, 0)
        np.testing.assert_array_equal(other.tool.direction.vector, vector)
        assert "saved" in other.info.text()
        np.testing.assert_allclose(other.tool.direction.end - other.tool.direction.start, vector, atol=1e-6)
    finally:
        fresh.session.shutdown()


def test_saving_needs_a_model_file(shapes, qtbot):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.set_model(s.model, info=None, path=None)  # as if trained in the app and not saved
    assert panel.tool.direction is not None
    assert not panel.save_button.isEnabled() and panel.save_button.toolTip() == NO_FILE_TIP
    errors = []
    s.error.connect(errors.append)
    panel.save_vector("x")
    assert errors and "Save the model to a file first" in errors[0]


def test_a_corrupt_vectors_file_gives_one_clear_message(shapes, qtbot):
    s = shapes.session
    vectors_path(s.model_path).write_text("{oops", encoding="utf-8")
    errors = []
    s.error.connect(errors.append)
    panel = _panel(qtbot, shapes)
    assert len(errors) == 1 and "could not be read" in errors[0] and "not a valid vectors file" in errors[0]
    assert panel.tool.vectors == {} and panel.saved_box.count() == 0
    assert panel.tool.direction is not None  # the rest of the tool works


def test_a_new_model_clears_the_direction_and_marks(shapes, qtbot, model_file):
    s = shapes.session
    panel = _panel(qtbot, shapes)
    tool = panel.tool
    tool.set_mask(np.arange(len(s.codes)) < 100)
    tool.set_picks(s.codes[:3])
    qtbot.waitUntil(lambda: tool.analogy is not None, timeout=LOAD_TIMEOUT_MS)
    assert {"direction", "analogy", "analogy-result"} <= set(panel.overlay.marks)
    assert len(panel.group.shown()) == 100
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.open_model(model_file)  # digits: other images, no attributes
    assert tool.direction is None and tool.mask is None and tool.analogy is None and not tool.picks
    assert not set(panel.overlay.marks) & {"direction", "analogy", "analogy-result", "morph"}
    assert len(panel.group.shown()) == 0
    assert "Draw a lasso" in panel.info.text()
    assert not panel.source_box.model().item(0).isEnabled()  # digits have no attributes to choose
    _choose(panel.source_box, 1)
    assert tool.direction is not None  # classes 0 → 1 of the digits


def test_a_data_set_without_attributes_opens_on_two_classes(scene, qtbot):
    """Fashion-MNIST and the digits name no attributes: the tool opens on a choice that works (two classes,
    with its arrow), not on "Attribute" with a disabled list and the same apology twice."""
    panel = _panel(qtbot, scene)
    tool = panel.tool
    assert tool.source == "classes" and tool.direction is not None and tool.direction.norm > 0
    assert panel.source_box.currentText() == "From class → to class"
    assert panel.pages.currentIndex() == 1 and "no attributes" not in panel.info.text()
    assert not panel.source_box.model().item(0).isEnabled()  # "Attribute" greyed out
    assert not panel.source_box.model().item(3).isEnabled()  # no saved vectors for this model
    assert panel.source_box.model().item(2).isEnabled()


def test_a_tool_made_before_the_model_opens_on_a_working_choice(qtbot, model_file):
    from explorer.state import Session
    from explorer.widgets.scatter import ScatterView

    session = Session()
    scatter = ScatterView(session)
    qtbot.addWidget(scatter)
    panel = _panel(qtbot, type("Scene", (), {"session": session, "scatter": scatter})())
    assert panel.tool.source == "attribute"  # nothing open yet: the first choice
    with qtbot.waitSignal(session.ready, timeout=LOAD_TIMEOUT_MS):
        session.open_model(model_file)
    assert panel.tool.source == "classes" and panel.tool.direction is not None
    session.shutdown()
