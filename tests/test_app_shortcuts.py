"""Keyboard shortcuts: each key does its action in the loaded window, bare keys give way, and Help → Keyboard
shortcuts lists every action with a key."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest

from explorer import export_menu
from explorer.shortcuts import PANEL_KEYS, keys, typed

CTRL = Qt.KeyboardModifier.ControlModifier


def press(window, sequence: str | QKeySequence) -> None:
    QTest.keySequence(window, QKeySequence(sequence))


def in_front(dock) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def width(window) -> float:
    (x0, x1), _ = window.scatter.view.viewRange()
    return x1 - x0


DOCK_KEYS = [(k, name) for k, (name, _) in enumerate(PANEL_KEYS, start=1) if name != "scatter"]


@pytest.mark.parametrize("k, name", DOCK_KEYS)
def test_ctrl_number_brings_that_panel_forward(loaded, qtbot, k, name):
    dock = loaded.docks[name]
    if name != "training":
        assert not in_front(dock) or name in ("grid", "inspector")
    qtbot.keyClick(loaded, getattr(Qt.Key, f"Key_{k}"), CTRL)
    qtbot.waitUntil(lambda: in_front(dock))
    tabs = [d for d in loaded.tabifiedDockWidgets(dock)]
    assert not any(in_front(d) for d in tabs)


def test_ctrl_7_focuses_the_scatter(loaded, qtbot):
    loaded.grid.size_box.setFocus()
    qtbot.keyClick(loaded, Qt.Key.Key_7, CTRL)
    assert loaded.focusWidget() is loaded.scatter.plot


def test_zoom_in_out_and_show_all_points(loaded, qtbot):
    before = width(loaded)
    qtbot.keyClick(loaded, Qt.Key.Key_Plus, CTRL)
    assert width(loaded) == pytest.approx(before / 1.25, rel=1e-3)
    qtbot.keyClick(loaded, Qt.Key.Key_Equal, CTRL)  # + without Shift on most keyboards
    assert width(loaded) == pytest.approx(before / 1.25 ** 2, rel=1e-3)
    qtbot.keyClick(loaded, Qt.Key.Key_Minus, CTRL)
    assert width(loaded) == pytest.approx(before / 1.25, rel=1e-3)
    for key, modifier in ((Qt.Key.Key_0, CTRL), (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(loaded, Qt.Key.Key_Plus, CTRL)
        qtbot.keyClick(loaded, key, modifier)
        (x0, x1), (y0, y1) = loaded.scatter.view.viewRange()
        xy = loaded.session.xy
        assert x0 <= xy[:, 0].min() and x1 >= xy[:, 0].max() and y0 <= xy[:, 1].min() and y1 >= xy[:, 1].max()
        assert x1 - x0 < 1.2 * np.ptp(xy[:, 0])  # all the points, not far more


def test_home_in_a_text_field_stays_in_the_field(loaded, qtbot):
    box = loaded.grid.size_box
    box.setFocus()
    qtbot.keyClick(loaded, Qt.Key.Key_Plus, CTRL)
    zoomed = width(loaded)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Home)
    assert width(loaded) == zoomed


def test_escape_clears_the_selection(loaded, qtbot):
    loaded.session.select(7)
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)
    assert loaded.session.selected == -1


def test_escape_clears_a_decoded_point_too(loaded, qtbot):
    s = loaded.session
    s.decode_at(0.0, 0.0)
    qtbot.waitUntil(lambda: s.decoded is not None, timeout=LOAD_TIMEOUT_MS)
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)
    assert s.decoded is None and loaded.inspector.decoded is None


def test_escape_gives_way_to_a_tool_drawing_a_lasso(loaded, qtbot):
    panel = loaded.docks["attributes"].panel
    qtbot.keyClick(loaded, Qt.Key.Key_3, CTRL)
    loaded.session.select(7)
    panel.lasso_button.click()
    assert panel.lasso.active and panel.escape.isEnabled()
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)
    assert not panel.lasso.active  # the tool's own Escape ran (no ambiguous key: neither would have)
    assert loaded.session.selected == 7
    qtbot.waitUntil(lambda: loaded.shortcuts.actions["clear_selection"].isEnabled())
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)  # the tool has let go of it: Escape clears the selection
    assert loaded.session.selected == -1


def test_escape_ignores_a_shortcut_that_would_not_run_here(loaded, qtbot):
    from PySide6.QtGui import QShortcut

    other = QShortcut(QKeySequence("Escape"), loaded.grid.size_box, context=Qt.ShortcutContext.WidgetShortcut)
    hits = []
    other.activated.connect(lambda: hits.append(1))
    loaded.scatter.plot.setFocus()  # not the box: the box's Escape is out of context
    loaded.session.select(7)
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)
    assert loaded.session.selected == -1 and not hits
    other.setParent(None)


def test_space_plays_and_pauses_the_interpolation_only_in_front(loaded, qtbot):
    tool = loaded.docks["interpolate"].panel.tool
    codes = loaded.session.codes
    tool.set_end("a", codes[0], "#0")
    tool.set_end("b", codes[1], "#1")
    qtbot.waitUntil(lambda: tool.strip is not None)
    qtbot.keyClick(loaded, Qt.Key.Key_1, CTRL)  # Training in front: Space does nothing
    loaded.scatter.plot.setFocus()
    qtbot.keyClick(loaded, Qt.Key.Key_Space)
    assert not tool.playing
    qtbot.keyClick(loaded, Qt.Key.Key_4, CTRL)
    qtbot.waitUntil(lambda: loaded.shortcuts.actions["play"].isEnabled())
    qtbot.keyClick(loaded, Qt.Key.Key_Space)
    assert tool.playing
    qtbot.keyClick(loaded, Qt.Key.Key_Space)
    assert not tool.playing


def test_space_on_a_focused_checkbox_ticks_it(loaded, qtbot):
    tool = loaded.docks["interpolate"].panel.tool
    tool.set_end("a", loaded.session.codes[0], "#0")
    tool.set_end("b", loaded.session.codes[1], "#1")
    qtbot.waitUntil(lambda: tool.strip is not None)
    qtbot.keyClick(loaded, Qt.Key.Key_4, CTRL)
    box = loaded.scatter.manifold_box
    box.setFocus()
    ticked = box.isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() != ticked and not tool.playing


def test_ctrl_r_rerolls_the_samples(loaded, qtbot):
    tool = loaded.docks["sample"].panel.tool
    seed = tool.seed
    qtbot.keyClick(loaded, Qt.Key.Key_R, CTRL)
    assert tool.seed == seed + 1 and in_front(loaded.docks["sample"])
    qtbot.waitUntil(lambda: tool.samples is not None and tool.samples.seed == seed + 1, timeout=30_000)


def test_training_keys_press_start_and_stop(loaded, qtbot, monkeypatch):
    dock = loaded.training_dock
    started = []
    monkeypatch.setattr(dock.controller, "start", lambda *args: started.append(args) or False)
    qtbot.keyClick(loaded, Qt.Key.Key_T, CTRL)
    assert len(started) == 1
    dock.stop_button.setEnabled(True)
    with qtbot.waitSignal(dock.stop_button.clicked, timeout=1000):
        qtbot.keyClick(loaded, Qt.Key.Key_T, CTRL | Qt.KeyboardModifier.ShiftModifier)


def test_full_screen_key_toggles(loaded, qtbot):
    action = loaded.shortcuts.actions["full_screen"]
    key = keys(QKeySequence.StandardKey.FullScreen)[0]
    assert key in action.shortcuts()
    press(loaded, key)
    qtbot.waitUntil(loaded.isFullScreen)
    assert action.isChecked()
    press(loaded, key)
    qtbot.waitUntil(lambda: not loaded.isFullScreen())
    assert not action.isChecked()


def test_open_and_save_use_the_platform_keys(loaded, qtbot, monkeypatch):
    from explorer import file_menu

    asked = []
    monkeypatch.setattr(file_menu.QFileDialog, "getOpenFileName", lambda *a: asked.append("open") or ("", ""))
    monkeypatch.setattr(file_menu.QFileDialog, "getSaveFileName", lambda *a: asked.append("save") or ("", ""))
    press(loaded, QKeySequence.keyBindings(QKeySequence.StandardKey.Open)[0])
    press(loaded, QKeySequence.keyBindings(QKeySequence.StandardKey.Save)[0])
    assert asked == ["open", "save"]


def test_export_keys(loaded, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(export_menu.PanelDialog, "exec", lambda self: 1)
    paths = iter([tmp_path / "panel.png", tmp_path / "codes.csv"])
    monkeypatch.setattr(export_menu, "ask_path", lambda *a: str(next(paths)))
    qtbot.keyClick(loaded, Qt.Key.Key_E, CTRL)
    qtbot.keyClick(loaded, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert (tmp_path / "panel.png").stat().st_size > 0 and (tmp_path / "codes.csv").stat().st_size > 0


def test_quit_key_closes_the_window(loaded, qtbot):
    action = loaded.quit_action
    assert action.shortcuts() and not action.shortcuts()[0].isEmpty()
    press(loaded, action.shortcuts()[0])
    qtbot.waitUntil(lambda: not loaded.isVisible())


def test_no_key_is_given_twice(loaded):
    seen = {}
    for action in loaded.findChildren(QAction):
        for key in action.shortcuts():
            assert key not in seen or seen[key] is action, f"{key.toString()}: {action.text()}, {seen[key]}"
            seen[key] = action


def test_the_dialog_lists_every_action_with_a_key(loaded, qtbot):
    late = loaded.view_menu.addAction("Late arrival")  # another module's action, made after install
    late.setShortcut(QKeySequence("Ctrl+Alt+K"))
    qtbot.keyClick(loaded, Qt.Key.Key_Slash, CTRL)
    dialog = loaded.shortcuts.dialog
    qtbot.waitUntil(dialog.isVisible)
    native = QKeySequence.SequenceFormat.NativeText
    listed = dict(dialog.listed())
    assert listed["Open model"].startswith(QKeySequence.keyBindings(QKeySequence.StandardKey.Open)[0]
                                           .toString(native))
    assert listed["Full screen"].startswith(keys(QKeySequence.StandardKey.FullScreen)[0].toString(native))
    assert listed["Quit"] == loaded.quit_action.shortcuts()[0].toString(native)
    assert listed["Late arrival"] == QKeySequence("Ctrl+Alt+K").toString(native)
    assert listed["Play / pause the interpolation"] == QKeySequence("Space").toString(native)
    groups = [dialog.tree.topLevelItem(k).text(0) for k in range(dialog.tree.topLevelItemCount())]
    assert groups[:2] == ["File", "File › Export"] and "View › Bring forward" in groups
    with_keys = {a for a in loaded.findChildren(QAction) if any(typed(k) for k in a.shortcuts())}
    assert len(dialog.rows) == len(with_keys)
    dialog.filter.setText("zoom")
    assert [name for name, _ in dialog.listed()] == ["Zoom in", "Zoom out", "Zoom · pan",  # the mouse, and
                                                     "Zoom in · out about the cursor"]  # the scatter's keys
    dialog.close()
