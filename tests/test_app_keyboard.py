"""The scatter from the keyboard (issue 16): arrow keys walk the points, Shift+arrows walk the latent plane
and decode, Enter acts like a click, and the keys are listed in Help → Keyboard shortcuts."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import Qt

from explorer.widgets.scatter_keys import KEYS, nearest_in_direction

LOAD_MS = 60_000
RIGHT, LEFT, UP, DOWN = (1.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (0.0, 1.0)


def test_nearest_in_direction_prefers_straight_ahead():
    pixels = np.array([[0, 0], [10, 0], [6, 5], [0, -20], [-3, 0], [30, 1]], dtype=float)
    assert nearest_in_direction(pixels, pixels[0], RIGHT) == 1
    assert nearest_in_direction(pixels, pixels[0], UP) == 3  # screen y grows downwards
    assert nearest_in_direction(pixels, pixels[0], LEFT) == 4
    assert nearest_in_direction(pixels, pixels[0], DOWN) == 2  # 6 px aside, 5 down: within 60°
    assert nearest_in_direction(pixels, pixels[1], RIGHT) == 5
    assert nearest_in_direction(pixels, pixels[5], RIGHT) == -1  # nothing further: stays


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.scatter.plot, key, modifier)


def screen(window, row):
    return window.scatter.keys._pixels(window.session.xy[row:row + 1])[0]


def test_arrow_keys_walk_the_points_and_enter_selects(loaded, qtbot):
    window = loaded
    window.scatter.plot.setFocus()
    keys = window.scatter.keys
    press(qtbot, window, Qt.Key.Key_Right)  # the first press: the point nearest the middle
    first = keys.index
    assert first >= 0 and keys.ring.isVisible()
    (x0, x1), (y0, y1) = window.scatter.view.viewRange()
    middle = keys._pixels(np.array([[(x0 + x1) / 2, (y0 + y1) / 2]]))[0]
    distances = np.linalg.norm(keys._pixels() - middle, axis=1)
    assert distances[first] == pytest.approx(distances.min())
    press(qtbot, window, Qt.Key.Key_Right)
    second = keys.index
    assert second != first and screen(window, second)[0] > screen(window, first)[0]
    press(qtbot, window, Qt.Key.Key_Down)
    third = keys.index
    assert screen(window, third)[1] > screen(window, second)[1]  # lower on screen
    assert f"#{third}" in window.statusBar().currentMessage()
    assert window.session.selected != third
    with qtbot.waitSignal(window.session.selectionChanged):
        press(qtbot, window, Qt.Key.Key_Return)
    assert window.session.selected == third
    assert f"Selected: #{third}" in window.scatter.plot.accessibleDescription()
    tip = window.scatter.tip
    assert tip.isVisible() and tip.index == third  # the thumbnail of the point at the cursor


def test_the_walk_starts_at_the_selection(loaded, qtbot):
    window = loaded
    row = isolated_point(window)  # noqa: F405
    window.session.select(row)
    press(qtbot, window, Qt.Key.Key_Left)
    assert window.scatter.keys.index == row


def test_shift_arrows_move_through_the_latent_plane_and_decode(loaded, qtbot):
    window = loaded
    keys = window.scatter.keys
    press(qtbot, window, Qt.Key.Key_Up)
    x, y = keys.position
    with qtbot.waitSignal(window.session.decodedChanged, timeout=LOAD_MS):
        press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert keys.index == -1
    px, _ = window.scatter.view.viewPixelSize()
    assert keys.position[0] == pytest.approx(x + 24 * px) and keys.position[1] == pytest.approx(y)
    qtbot.waitUntil(lambda: window.session.decoded is not None)
    assert window.session.decoded.xy == pytest.approx(keys.position)
    assert all(line.isVisible() for line in window.scatter.cross)


def test_enter_goes_to_a_tool_that_waits_for_clicks_and_shift_enter_shift_clicks(loaded, qtbot):
    window = loaded
    got = []
    window.scatter.claim_clicks(lambda i, x, y: got.append(i), "pick")
    press(qtbot, window, Qt.Key.Key_Right)
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [window.scatter.keys.index]
    window.scatter.release_clicks()
    with qtbot.waitSignal(window.scatter.shiftClicked) as blocker:
        press(qtbot, window, Qt.Key.Key_Enter, Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args[0] == window.scatter.keys.index


def test_plus_and_minus_zoom_about_the_cursor(loaded, qtbot):
    window = loaded
    press(qtbot, window, Qt.Key.Key_Right)
    (x0, x1), _ = window.scatter.view.viewRange()
    press(qtbot, window, Qt.Key.Key_Plus)
    (a0, a1), _ = window.scatter.view.viewRange()
    assert (a1 - a0) == pytest.approx((x1 - x0) / 1.25, rel=0.02)
    cx = window.scatter.keys.position[0]
    assert a0 <= cx <= a1
    press(qtbot, window, Qt.Key.Key_Minus)
    (b0, b1), _ = window.scatter.view.viewRange()
    assert (b1 - b0) == pytest.approx(x1 - x0, rel=0.02)


def test_keys_are_listed_in_the_shortcuts_dialog(window):
    dialog = window.shortcuts.show_dialog()
    listed = dict(dialog.listed())
    for what, how in KEYS:
        assert listed.get(what) == how
    dialog.close()


def test_the_scatter_has_a_description_that_follows_the_data(window, model_file, qtbot):
    assert "no model" in window.scatter.plot.accessibleDescription()
    assert window.scatter.plot.accessibleName() == "Latent scatter"
    with qtbot.waitSignal(window.settled, timeout=LOAD_MS):
        window.session.open_model(model_file)
    text = window.scatter.plot.accessibleDescription()
    assert "1,797 images" in text and "10 classes" in text and "Arrow keys" in text


def test_reaching_the_scatter_by_keyboard_shows_where_the_keys_start(loaded, qtbot):
    window = loaded
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.extras.find.edit.setFocus()
    window.focusNextChild()  # Tab from the last box above the plot (the Find box): the plot is next
    assert window.focusWidget() is window.scatter.plot
    assert window.scatter.keys.index == window.scatter.keys.start() and window.scatter.keys.ring.isVisible()
