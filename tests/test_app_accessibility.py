"""Screen reader and keyboard (issue 16): every control carries the name its visible label shows, every plot a
name and a description, and Tab follows the visual layout, the "What am I looking at?" buttons first in their
panels."""

import pyqtgraph as pg
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtWidgets import QApplication, QGroupBox, QRadioButton, QWidget

from explorer import accessibility, studies
from explorer.accessibility import is_control, own_name, prepare, tab_chain

LOAD_MS = 60_000


def prepared(window, qtbot):
    """The main window once it is prepared (right after its first paint)."""
    qtbot.waitUntil(lambda: bool(window.property(accessibility.PREPARED)))
    return window


def controls(root: QWidget) -> list[QWidget]:
    """The controls a person can reach: not hidden inside ``root`` (a hidden dock tab counts as reachable)."""
    return [w for w in root.findChildren(QWidget) if is_control(w) and w.isVisibleTo(root)]


def nameless(root: QWidget) -> list[str]:
    """Controls with no name, or with only the title of a group box around them (what Qt falls back to)."""
    bad = []
    for widget in controls(root):
        name = own_name(widget)
        box = widget.parentWidget()
        while box is not None and not isinstance(box, QGroupBox):
            box = box.parentWidget()
        if not name or (box is not None and name == box.title()):
            bad.append(f"{type(widget).__name__} in {type(widget.window()).__name__}: {name!r} "
                       f"(tip {widget.toolTip()[:40]!r})")
    return bad


def other_windows(window):
    """Every study window, the lessons, and the dialogs a person opens from the menus."""
    from explorer.dialogs import DataSetDialog
    from explorer.export_menu import PanelDialog

    found = [window.studies.open(name) for name in studies.STUDIES]
    found += [window.help.open_lessons(), window.shortcuts.show_dialog(), DataSetDialog(window),
              PanelDialog(window.exports.panels(), window)]
    return found


def test_every_control_of_every_window_has_a_name(loaded, qtbot):
    prepared(loaded, qtbot)
    window = loaded
    bad = nameless(window)
    for dock in window.docks.values():  # the tabs behind the one in front, as they are when brought forward
        bad += nameless(dock)
    for other in other_windows(window):
        prepare(other)  # a study is prepared when made; other windows when they first get the focus
        bad += nameless(other)
        other.close()
    assert not bad, "\n".join(bad)


def test_names_are_the_visible_labels(window, qtbot):
    prepared(window, qtbot)
    dock = window.training_dock
    assert dock.beta.accessibleName() == "β (KL weight)"
    assert dock.lr.accessibleName() == "Learning rate"
    assert dock.noise_level.accessibleName() == "Input noise level"  # it read as "Model" (its group box)
    form_label = dock.epochs.parentWidget().layout().labelForField(dock.epochs)
    assert form_label.buddy() is dock.epochs  # the label is the field's buddy: "labelled by" for Qt
    panels = {name: d.panel for name, d in window.tool_docks.items()}
    assert panels["Denoise"].level_slider.accessibleName() == "Level"
    sample = panels["Sample"]
    assert sample.temperature_slider.accessibleName() == "Temperature"
    assert sample.seed_box.accessibleName() == "Seed"
    assert sample.rows_box.accessibleName() == "Grid rows"
    assert sample.cols_box.accessibleName() == "Grid columns"
    assert panels["Interpolate"].steps_box.accessibleName() == "Steps"
    assert panels["Draw"].brush_box.accessibleName() == "Brush"
    assert window.grid.size_box.accessibleName() == "Grid"
    assert window.scatter.projection_box.accessibleName() == "View"
    for box in window.help.boxes.values():
        assert box.button.accessibleName().startswith("What am I looking at? (")


def test_every_plot_has_a_name_and_a_description(loaded, qtbot):
    prepared(loaded, qtbot)
    window = loaded
    roots = [window, *[window.studies.open(name) for name in studies.STUDIES]]
    plots = [p for root in roots for p in root.findChildren(pg.GraphicsView)]
    assert len(plots) >= 8
    missing = [f"{type(p).__name__} in {type(p.window()).__name__}" for p in plots
               if not p.accessibleName() or len(p.accessibleDescription()) < 20]
    assert not missing
    assert "Latent scatter" in window.scatter.plot.accessibleName()
    for study in window.studies.windows.values():
        study.close()


def test_a_window_is_prepared_when_it_first_gets_the_focus(window, qtbot):
    prepared(window, qtbot)
    from explorer.dialogs import DataSetDialog

    dialog = DataSetDialog(window)
    assert not dialog.property(accessibility.PREPARED)
    dialog.show()
    qtbot.waitExposed(dialog)
    window.accessibility._on_focus(None, dialog.kinds)  # what QApplication.focusChanged sends
    assert dialog.property(accessibility.PREPARED)
    assert dialog.options.accessibleName() == "Settings (optional)"
    assert dialog.path.accessibleName() == "Folder or file"
    dialog.close()


def reading_order_breaks(chain: list[QWidget], root: QWidget) -> list[str]:
    """Pairs in ``chain`` (visible ones) where the second is above the first, or on the same line but left
    of it: Tab should read like a page."""
    shown = [w for w in chain if w.isVisibleTo(root) and w.isEnabled()]
    breaks = []
    for a, b in zip(shown, shown[1:], strict=False):
        ra, rb = (w.rect().translated(w.mapTo(root, w.rect().topLeft())) for w in (a, b))
        same_line = abs(ra.center().y() - rb.center().y()) < max(ra.height(), rb.height()) / 2
        if (same_line and rb.center().x() < ra.center().x()) or (not same_line and rb.top() < ra.top()):
            breaks.append(f"{own_name(a)!r} -> {own_name(b)!r}")
    return breaks


PANELS = ["training", "denoise", "attributes", "interpolate", "sample", "draw", "grid"]


@pytest.mark.parametrize("name", PANELS)
def test_tab_follows_the_layout_in_each_panel(window, qtbot, name):
    prepared(window, qtbot)
    dock = window.docks[name]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    chain = [w for w in tab_chain(window) if dock.isAncestorOf(w) and w.isVisibleTo(dock)]
    assert chain[0] is window.help.boxes[name].button  # the explanation first, not at the end of the window
    assert not reading_order_breaks(chain, dock)
    visited = tab_through(window, qtbot, chain[0], len(chain))
    expected = [w for w in chain if w.isEnabled() and w.isVisible()
                and not (isinstance(w, QRadioButton) and not w.isChecked())]  # Tab reaches a group's choice
    assert visited[:len(expected)] == expected


def tab_through(window, qtbot, first: QWidget, n: int) -> list[QWidget]:
    """Focus ``first`` and press Tab ``n - 1`` times: the widgets that had the focus."""
    from PySide6.QtCore import Qt

    first.setFocus(Qt.FocusReason.TabFocusReason)
    visited = [window.focusWidget()]
    for _ in range(n - 1):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        visited.append(window.focusWidget())
    return visited


def test_the_window_reads_left_docks_then_the_scatter_then_the_right_docks(loaded, qtbot):
    prepared(loaded, qtbot)
    window = loaded
    chain = tab_chain(window)
    names = ("training", "denoise", "draw", "scatter", "grid", "inspector")
    order = [chain.index(window.help.boxes[n].button) for n in names]
    assert order == sorted(order)
    assert chain.index(window.scatter.projection_box) < chain.index(window.scatter.plot) < \
        chain.index(window.grid.size_box)
    for study in window.studies.windows.values():
        study.close()
    QApplication.processEvents()
