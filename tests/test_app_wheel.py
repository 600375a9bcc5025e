"""The scroll wheel scrolls the panels and changes no setting by accident (issue 10: rolling the wheel over
the Training panel turned the optimizer from adam to sgd): a combo box, spin box or slider in a scrolled dock
changes with the wheel only when it has the keyboard focus; the wheel over one without it scrolls the dock."""

from __future__ import annotations

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QSlider, QSpinBox

from explorer import wheel_guard


def _value(control):
    return control.currentIndex() if isinstance(control, QComboBox) else control.value()


def _turn(control, notches: int, inner: bool = True) -> None:
    """``notches`` of the wheel (negative: toward the person, which scrolls down) over ``control``'s middle,
    sent to the widget under the pointer there (a spin box's text field, as a real wheel does), or with
    ``inner=False`` to ``control`` itself (Qt hands a wheel event sent by a program to no parent)."""
    centre = control.rect().center()
    target = (control.childAt(centre) if inner else None) or control
    pos = target.mapFrom(control, centre)
    event = QWheelEvent(QPointF(pos), QPointF(target.mapToGlobal(pos)), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(target, event)


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _scroll_area(control) -> QScrollArea:
    parent = control.parentWidget()
    while not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def _controls(window) -> dict:
    """A combo box, a spin box and a slider in the scrolled docks, each with its dock."""
    training, denoise = window.docks["training"], window.docks["denoise"]
    return {"optimizer": (training, training.optimizer), "epochs": (training, training.epochs),
            "noise level": (denoise, denoise.panel.level_slider)}


@pytest.mark.parametrize("name", ["optimizer", "epochs", "noise level"])
def test_the_wheel_scrolls_the_dock_and_leaves_an_unfocused_control_alone(window, qtbot, name):
    window.resize(900, 420)  # low enough that the docks scroll
    dock, control = _controls(window)[name]
    dock.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    scroll = _scroll_area(control)
    bar = scroll.verticalScrollBar()
    _settle()
    scroll.ensureWidgetVisible(control)
    can_scroll = bar.maximum() > 0
    assert can_scroll or name != "optimizer"  # the Training panel is taller than the dock: it scrolls
    window.scatter.plot.setFocus()
    assert not control.hasFocus()
    before, at = _value(control), bar.value()
    notches = -1 if at < bar.maximum() else 1  # the way the dock can scroll
    _turn(control, notches)
    assert _value(control) == before, name
    assert bar.value() != at or not can_scroll, name  # the dock scrolled instead
    assert not control.hasFocus()  # nor did the wheel take the focus (Qt's WheelFocus)
    assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus
    control.setFocus()  # clicked or reached with Tab: the wheel changes it
    qtbot.waitUntil(control.hasFocus)
    scroll.ensureWidgetVisible(control)
    _turn(control, -1 if isinstance(control, QComboBox) else 1, inner=False)  # the next item; a step up
    assert _value(control) != before, name


def test_controls_made_later_and_outside_a_scroll_area(window, qtbot):
    """A control added to a panel after the window was built is guarded too; one in no scrolled area (a
    window of its own) keeps the wheel: nothing would scroll instead."""
    panel = window.docks["denoise"].panel
    later = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=10, value=5)
    panel.layout().addWidget(later)
    window.docks["denoise"].raise_()
    qtbot.waitUntil(later.isVisible)
    assert later.focusPolicy() == Qt.FocusPolicy.StrongFocus
    _turn(later, 1)
    assert later.value() == 5
    alone = QSpinBox(value=3)
    qtbot.addWidget(alone)
    alone.show()
    qtbot.waitExposed(alone)
    assert not wheel_guard.in_scrolled_area(alone)
    _turn(alone, 1, inner=False)
    assert alone.value() == 4
    assert wheel_guard.install() is window.wheel_guard  # one filter for the application
