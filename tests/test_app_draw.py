"""Draw your own: the canvas's bitmap is encoded like any image (same code as ``encode`` of that bitmap), its
reconstruction is ``decode`` of the code, a star marks it on the scatter; undo, clear, erasing, sizes."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence

from explorer.widgets.canvas import DrawingCanvas, Surface
from explorer.widgets.draw_panel import HINT, DrawPanel
from trainer.latent import decode, encode

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


@pytest.fixture
def panel(scene, qtbot):
    panel = DrawPanel(scene.session, scene.scatter)
    qtbot.addWidget(panel)
    panel.resize(420, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def at(canvas, x: float, y: float) -> QPoint:
    """Widget pixel of the point (x, y) of the unit square over the image."""
    rect = canvas.image_rect()
    return QPointF(rect.x() + x * rect.width(), rect.y() + y * rect.height()).toPoint()


def stroke(qtbot, canvas, points, button=LEFT) -> None:
    """Press, move through the points, release: a stroke with the mouse."""
    qtbot.mousePress(canvas, button, pos=at(canvas, *points[0]))
    for point in points[1:]:
        qtbot.mouseMove(canvas, at(canvas, *point))
    qtbot.mouseRelease(canvas, button, pos=at(canvas, *points[-1]))


def wait_encoded(qtbot, tool):
    qtbot.waitUntil(lambda: tool.up_to_date and not tool.jobs.busy, timeout=LOAD_TIMEOUT_MS)
    return tool.result


def test_the_drawing_has_the_code_of_its_bitmap(panel, qtbot):
    s, tool, canvas = panel.session, panel.tool, panel.canvas
    assert canvas.shape == (1, 8, 8) and tool.result is None
    stroke(qtbot, canvas, [(0.3, 0.2), (0.7, 0.2), (0.7, 0.5), (0.35, 0.8)])  # a "7"
    bitmap = canvas.bitmap()
    assert bitmap.dtype == np.uint8 and bitmap.shape == (1, 8, 8) and bitmap.any()
    result = wait_encoded(qtbot, tool)
    np.testing.assert_array_equal(result.bitmap, bitmap)
    mu, logvar = encode(s.model, bitmap[None])
    np.testing.assert_allclose(tool.code, mu[0], atol=1e-6)
    np.testing.assert_allclose(result.logvar, logvar[0], atol=1e-6)
    np.testing.assert_allclose(tool.reconstruction, decode(s.model, mu)[0], atol=1e-6)
    np.testing.assert_array_equal(panel.sees.array, bitmap)
    np.testing.assert_array_equal(panel.recon.array, tool.reconstruction)


def test_star_at_the_code_and_nearest_data_images(panel, qtbot):
    s, tool, canvas = panel.session, panel.tool, panel.canvas
    stroke(qtbot, canvas, [(0.5, 0.15), (0.5, 0.85)])  # a "1"
    result = wait_encoded(qtbot, tool)
    mark = panel.overlay.marks["drawing"]
    np.testing.assert_allclose(panel.overlay.view_xy("drawing"), s.to_view(tool.code), atol=1e-6)
    star = mark.items[0]
    qtbot.waitUntil(lambda: star.getData()[0].size == 1 and star.isVisible())  # a move is drawn throttled
    np.testing.assert_allclose(np.column_stack(star.getData()), s.to_view(tool.code), atol=1e-5)
    assert star.opts["symbol"] == "star" and mark.labels == ["your drawing"]
    distances = np.linalg.norm(s.codes - tool.code, axis=1)
    np.testing.assert_array_equal(result.rows, np.argsort(distances, kind="stable")[:5])
    np.testing.assert_allclose(result.distances, np.sort(distances)[:5], rtol=1e-5)
    shown = [b for b in panel.neighbour_buttons if b.isVisibleTo(panel)]
    assert [b.property("row") for b in shown] == list(result.rows)
    assert shown[0].text() == s.class_names[int(s.dataset.labels[result.rows[0]])]
    shown[2].click()
    assert s.selected == result.rows[2]


def test_a_stroke_leaves_a_trail_of_codes(panel, qtbot):
    tool, canvas = panel.tool, panel.canvas
    points = [(0.2 + 0.06 * k, 0.3 + 0.04 * k) for k in range(11)]
    qtbot.mousePress(canvas, LEFT, pos=at(canvas, *points[0]))
    for point in points[1:]:
        qtbot.mouseMove(canvas, at(canvas, *point))
        wait_encoded(qtbot, tool)  # a slow hand: every step gets its code
    qtbot.mouseRelease(canvas, LEFT, pos=at(canvas, *points[-1]))
    assert len(tool.trail) == len(points)
    np.testing.assert_array_equal(tool.trail[-1], tool.code)
    np.testing.assert_allclose(panel.overlay.marks["trail"].codes, np.stack(tool.trail))
    canvas.undo()  # a change outside a stroke: the trail goes
    assert tool.trail == [] and "trail" not in panel.overlay.marks


def test_undo_restores_the_previous_bitmap_and_clear_blanks_it(panel, qtbot):
    tool, canvas = panel.tool, panel.canvas
    stroke(qtbot, canvas, [(0.2, 0.3), (0.8, 0.3)])
    first = canvas.bitmap()
    stroke(qtbot, canvas, [(0.5, 0.1), (0.55, 0.5), (0.45, 0.9)])
    assert len(canvas.strokes) == 2 and not np.array_equal(canvas.bitmap(), first)
    panel.undo_button.click()
    np.testing.assert_array_equal(canvas.bitmap(), first)
    np.testing.assert_array_equal(tool.bitmap, first)
    np.testing.assert_array_equal(wait_encoded(qtbot, tool).bitmap, first)
    stroke(qtbot, canvas, [(0.1, 0.9), (0.9, 0.9)])
    window_undo = QAction("Undo", panel, shortcut=QKeySequence(QKeySequence.StandardKey.Undo))
    panel.addAction(window_undo)  # a window-wide Ctrl+Z must not take the canvas's keys
    stolen = []
    window_undo.triggered.connect(lambda: stolen.append(True))
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(canvas.bitmap(), first)
    assert not stolen
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert canvas.strokes == [] and not canvas.bitmap().any()
    assert tool.result is None and "drawing" not in panel.overlay.marks
    assert panel.sees.array is None and not panel.undo_button.isEnabled()


def test_right_button_erases(panel, qtbot):
    canvas = panel.canvas
    stroke(qtbot, canvas, [(0.1, 0.5), (0.9, 0.5)])
    drawn = canvas.bitmap()
    stroke(qtbot, canvas, [(0.5, 0.2), (0.5, 0.8)], button=RIGHT)
    erased = canvas.bitmap()
    assert canvas.strokes[-1].erase and erased.sum() < drawn.sum()
    assert erased[0, 4, 4] < drawn[0, 4, 4] // 2 and erased[0, 4, 1] == drawn[0, 4, 1]


def test_a_model_change_clears_and_ready_encodes_again(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    assert HINT in [label.text() for label in panel.findChildren(type(panel.code_label))]
    stroke(qtbot, panel.canvas, [(0.3, 0.3), (0.7, 0.7)])
    first = wait_encoded(qtbot, tool)
    model = s.model
    s.show_codes(s.codes.copy())  # a training run takes the model away
    assert tool.result is None and "drawing" not in panel.overlay.marks
    assert panel.recon.array is None and "Load a model" in panel.code_label.text()
    np.testing.assert_array_equal(tool.bitmap, first.bitmap)  # the drawing stays
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.set_model(model)
    again = wait_encoded(qtbot, tool)
    np.testing.assert_allclose(again.code, first.code, atol=1e-6)
    assert "drawing" in panel.overlay.marks


def test_another_image_size_redraws_the_strokes(qtbot):
    canvas = DrawingCanvas((1, 8, 8))
    qtbot.addWidget(canvas)
    canvas.add_stroke([(0.2, 0.2), (0.8, 0.8)])
    canvas.add_stroke([(0.8, 0.2), (0.2, 0.8)])
    for shape in ((1, 28, 28), (1, 7, 5), (3, 64, 64)):
        canvas.set_shape(shape)
        bitmap = canvas.bitmap()
        assert bitmap.shape == shape and bitmap.dtype == np.uint8
        np.testing.assert_array_equal(bitmap, np.broadcast_to(bitmap[:1], shape))  # grey in every channel
        again = Surface(shape)
        for s in canvas.strokes:
            again.draw(s)
        np.testing.assert_array_equal(bitmap, again.bitmap())
        assert bitmap[0, shape[1] // 2, shape[2] // 2] > 200  # the strokes cross in the middle


def test_the_bitmap_is_the_area_average_of_an_antialiased_brush(qtbot):
    canvas = DrawingCanvas((1, 8, 8))
    qtbot.addWidget(canvas)
    canvas.set_brush(2.0)
    canvas.add_stroke([(0.5, 0.5)])  # one dot: a disc 2 model pixels across, centred where 4 pixels meet
    fine = canvas.surface.pixels
    f = canvas.surface.factor
    assert fine.shape == (8 * f, 8 * f) and ((fine > 0) & (fine < 1)).any()  # grey at the edge
    expected = np.rint(fine.reshape(8, f, 8, f).mean(axis=(1, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(canvas.bitmap()[0], expected)
    middle = canvas.bitmap()[0, 3:5, 3:5]
    assert (middle == middle[0, 0]).all() and 180 < middle[0, 0] < 215  # π/4 of each pixel is inked
    assert abs(canvas.bitmap().sum() / 255 - np.pi) < 0.05  # the disc's area, π model pixels


def test_the_example_draws_a_zero_in_the_window(loaded, qtbot):
    from explorer import demo

    demo.stage(loaded, "draw")
    panel = loaded.tool_docks["Draw"].panel
    qtbot.waitUntil(lambda: demo.idle(loaded) and panel.tool.up_to_date, timeout=LOAD_TIMEOUT_MS)
    assert panel.isVisible() and len(panel.canvas.strokes) == 1
    bitmap = panel.canvas.bitmap()
    assert bitmap[0, 4, 4] < 64 and bitmap[0, 1:7, 1].max() > 128  # a ring: dark middle, ink at the sides
    np.testing.assert_allclose(panel.tool.code, encode(loaded.session.model, bitmap[None])[0][0], atol=1e-6)
    assert panel.overlay.visible and "drawing" in panel.overlay.marks
