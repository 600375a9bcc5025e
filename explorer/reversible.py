"""Changes to a window that record how to undo themselves (presentation mode makes them, and undoes them in
reverse order on leave): each function appends its undo to ``undo``, a list of callables.

``hide_advanced`` hides every widget a panel marks with the Qt property ``advanced``
(``widget.setProperty("advanced", True)``), the QFormLayout rows such widgets fill (label and all), and the
labels of a row of widgets that are otherwise all advanced ("Pixel scale:" beside its box and buttons).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QBoxLayout, QFormLayout, QLabel, QLayout, QWidget

Undo = list[Callable[[], None]]
QWIDGETSIZE_MAX = (1 << 24) - 1


def hide_advanced(root: QWidget, undo: Undo) -> None:
    """Every ``advanced`` widget under ``root``, the form rows they fill and the labels of rows they fill."""
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            if _all_advanced(_field(form, row)) and form.isRowVisible(row):
                undo.append(_row_undo(form, row))
                form.setRowVisible(row, False)
    for layout in root.findChildren(QBoxLayout):
        widgets = _widgets(layout, deep=False)
        others = [x for x in widgets if not isinstance(x, QLabel)]
        if others and all(x.property("advanced") for x in others):
            hide([x for x in widgets if isinstance(x, QLabel)], undo)
    hide([x for x in root.findChildren(QWidget) if x.property("advanced")], undo)


def hide(widgets: list[QWidget], undo: Undo) -> None:
    for widget in widgets:
        if not widget.isHidden():
            widget.hide()
            undo.append(widget.show)


def set_font(root: QWidget, font: QFont, undo: Undo | None = None) -> None:
    """The application's font. A widget with a style sheet keeps the font it had when its sheet was applied,
    so the sheets under ``root`` are applied again once every widget has had the change (Qt posts it)."""
    if undo is not None:
        undo.append(partial(set_font, root, QFont(QApplication.font())))
    QApplication.setFont(font)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
    for widget in root.findChildren(QWidget):
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


def scale_size(widget: QWidget, f: float, undo: Undo) -> None:
    """Minimum size (and a fixed maximum size) times ``f``."""
    low, high = widget.minimumSize(), widget.maximumSize()

    def back() -> None:
        widget.setMinimumSize(low)
        widget.setMaximumSize(high)
    undo.append(back)
    widget.setMinimumSize(low * f)
    if high.width() < QWIDGETSIZE_MAX:
        widget.setMaximumSize(high * f)


def set_title_bar(dock, widget: QWidget, undo: Undo) -> None:
    old = dock.titleBarWidget()
    dock.setTitleBarWidget(widget)

    def back() -> None:
        dock.setTitleBarWidget(old)
        widget.deleteLater()
    undo.append(back)


def _row_undo(form: QFormLayout, row: int) -> Callable[[], None]:
    """Show the row again, and hide again what was hidden in it before."""
    items = [form.itemAt(row, role) for role in QFormLayout.ItemRole]
    widgets = [w for item in items if item is not None for w in _widgets_of(item)]
    hidden = [w.isHidden() for w in widgets]

    def back() -> None:
        form.setRowVisible(row, True)
        for widget, was in zip(widgets, hidden, strict=True):
            widget.setHidden(was)
    return back


def _field(form: QFormLayout, row: int):
    item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
    return item if item is not None else form.itemAt(row, QFormLayout.ItemRole.SpanningRole)


def _widgets(layout: QLayout, deep: bool = True) -> list[QWidget]:
    found = []
    for k in range(layout.count()):
        item = layout.itemAt(k)
        if item.widget() is not None:
            found.append(item.widget())
        elif deep and item.layout() is not None:
            found.extend(_widgets(item.layout()))
    return found


def _widgets_of(item) -> list[QWidget]:
    """The widgets of a layout item: itself, or those of its layout (nested ones too)."""
    if item.widget() is not None:
        return [item.widget()]
    return _widgets(item.layout()) if item.layout() is not None else []


def _all_advanced(item) -> bool:
    """Whether a form row's field (a widget or a layout of widgets) is all advanced."""
    widgets = [] if item is None else _widgets_of(item)
    return bool(widgets) and all(w.property("advanced") for w in widgets)
