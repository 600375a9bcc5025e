"""The scroll wheel scrolls a panel; it changes a setting only in the control a person has chosen.

Rolling the wheel over the Training panel changed the optimizer from adam to sgd when the pointer happened to
pass over its combo box: Qt gives every combo box, spin box and slider the wheel (and the keyboard focus with
it). ``WheelGuard``, one event filter on the application, covers every such control, now and later: each
takes the keyboard focus by a click or Tab only (``Qt.StrongFocus``), and inside a scrolled area (a dock's
panel, a study's list) a wheel turned over it while it has no focus goes on to the area, which scrolls. A
control with the focus (clicked, or reached with Tab) still changes with the wheel; a control outside any
scrolled area keeps Qt's behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QSlider,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)  # the controls whose value a wheel turn changes


def guarded(widget) -> bool:
    """Whether ``widget`` is a control whose value the wheel changes (not a scroll bar)."""
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


def scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    """The scroll area ``widget`` lies in (a dock's panel, a list), which the wheel would scroll; None."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def in_scrolled_area(widget: QWidget) -> bool:
    return scroll_area(widget) is not None


def pass_on(event: QWheelEvent, area: QAbstractScrollArea) -> None:
    """``event`` given to ``area``'s viewport, which scrolls it."""
    viewport = area.viewport()
    pos = viewport.mapFromGlobal(event.globalPosition())
    copy = QWheelEvent(pos, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
                       event.modifiers(), event.phase(), event.inverted(), event.source())
    QApplication.sendEvent(viewport, copy)


def wheel_focus_off(widget: QWidget) -> None:
    """``widget`` takes the focus by click and Tab, not by the wheel (Qt's WheelFocus gave it the focus on
    the first wheel turn, and the value changed)."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    """The application's event filter: each control in ``GUARDED`` loses the wheel focus when it is polished
    (made ready to show), and a wheel event over one without the focus inside a scroll area goes to the
    scroll area instead, which scrolls."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        for widget in app.allWidgets():  # the controls made (and polished) before
            if guarded(widget):
                wheel_focus_off(widget)
        app.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            control = _control(watched)
            if control is not None and not control.hasFocus() and (area := scroll_area(control)) is not None:
                pass_on(event, area)  # (Qt hands a wheel event sent by a program to no parent)
                return True
        elif kind == QEvent.Type.Polish and guarded(watched):
            wheel_focus_off(watched)
        return False


def _control(widget: QWidget) -> QWidget | None:
    """The guarded control ``widget`` is, or is the text field of (a spin box's, an editable combo box's)."""
    if guarded(widget):
        return widget
    parent = widget.parentWidget()
    return parent if parent is not None and guarded(parent) else None


def install(_window=None) -> WheelGuard:
    """The application's one ``WheelGuard`` (made on the first call; the main window calls this)."""
    app = QApplication.instance()
    found = app.findChild(WheelGuard)
    return found if found is not None else WheelGuard(app)
