"""Screen readers and the keyboard: every control gets the name its visible label shows, every plot a name and
a description, and Tab follows the visual layout — for the whole window, new controls included.

``name_controls(root)`` walks the layouts under ``root`` and pairs each label with the control it labels: a
``QFormLayout`` row, a ``QGridLayout`` cell and the cell to its right, a label followed by a control in a box
layout. The control gets the label as its buddy (Qt then exposes the label as "labelled by") and the label's
text as its accessible name. Controls that are still nameless fall back to their tool tip's first sentence or
placeholder text. A control named in code (``setAccessibleName``) keeps its name, so a row that holds several
controls names its second one by hand (the Training dock's input-noise level).

``describe_plots(root)`` names and describes each pyqtgraph plot from its title and axis labels unless it has
a description already (the scatter keeps its own, updated as the data changes).

``order_tabs(root)`` chains the focus of the controls in layout order — top to bottom, left to right, a
panel's "What am I looking at?" button before its controls — and, for the main window, the docks in the order
they appear on screen: the left docks, the scatter, then the right docks top to bottom.

``install(window)`` applies all three to the main window once it has painted, to a dock whenever it is
shown, and to every other window when it first gets the keyboard focus (studies are prepared when made).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QBoxLayout,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QGraphicsView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QScrollBar,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

PREPARED = "accessibilityPrepared"  # a dynamic property set on each window once it is prepared
MAX_LABEL_CHARS = 48  # longer texts are explanations, not labels
CONTROLS = (QAbstractButton, QAbstractSpinBox, QAbstractSlider, QComboBox, QLineEdit, QTextEdit,
            QAbstractItemView, QGraphicsView)


def is_control(widget: QWidget) -> bool:
    """A widget a person operates (reached with Tab): buttons, fields, boxes, sliders, lists, plots, and any
    custom widget that takes keyboard focus. Scroll bars and the parts inside a spin box or combo box are
    parts of their control."""
    known = isinstance(widget, CONTROLS)
    if not known and (isinstance(widget, (QAbstractScrollArea, QLabel, QGroupBox, QStackedWidget, QTabWidget))
                      or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or type(widget) is QWidget):
        return False  # most widgets: quick
    parent = widget.parentWidget()
    if isinstance(widget, (QScrollBar, QTabBar, QHeaderView)) or widget.objectName().startswith("qt_"):
        return False  # parts of a scroll area, named by their tabs, by their columns; Qt's own helpers
    if isinstance(parent, (QAbstractSpinBox, QComboBox, QTabBar, QAbstractItemView)):
        return False  # the line edit of a spin box, a tab bar's scroll arrows, a table's corner button
    if widget.metaObject().className() == "QDockWidgetTitleButton" or (
            parent is not None and parent.metaObject().className() == "QComboBoxPrivateContainer"):
        return False  # a dock's float/close buttons, a combo box's drop-down list
    return True


def label_text(label: QWidget | str) -> str:
    """The words a label (or a text) shows: no HTML, no mnemonic "&", no trailing colon."""
    text = label if isinstance(label, str) else label.text() if hasattr(label, "text") else ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return " ".join(text.split()).rstrip(":").strip()


def _usable_label(widget: QWidget | None) -> bool:
    if not isinstance(widget, QLabel) or widget.wordWrap():
        return False
    text = label_text(widget)
    return bool(text) and len(text) <= MAX_LABEL_CHARS and not re.fullmatch(r"[\d\s.,:%×+\-−–—…]*", text)


def own_name(widget: QWidget) -> str:
    """The name a screen reader gets without our help: the accessible name, or a button's text."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton):
        return label_text(widget)
    return ""


def _name(widget: QWidget, label: QWidget) -> None:
    if not is_control(widget) or own_name(widget):
        return
    if isinstance(label, QLabel) and label.buddy() is None:
        label.setBuddy(widget)
    widget.setAccessibleName(label_text(label))


# ---- walking layouts --------------------------------------------------------------------------------------

def _layouts(root: QWidget) -> Iterator[QLayout]:
    if root.layout() is not None:
        yield root.layout()
    yield from root.findChildren(QLayout)


def _sublayout(item) -> QLayout | None:
    """The layout a layout item holds, if any (PySide may hand a spacer back as its own "layout")."""
    if item.spacerItem() is not None:
        return None
    inner = item.layout()
    return inner if isinstance(inner, QLayout) else None


def _item_widgets(item) -> list[QWidget]:
    """The controls an item of a layout holds: its widget, or those of its nested layout, in order."""
    if item is None:
        return []
    if item.widget() is not None:
        return [item.widget()]
    if (inner := _sublayout(item)) is not None:
        return [w for k in range(inner.count()) for w in _item_widgets(inner.itemAt(k))]
    return []


def _pair_form(form: QFormLayout) -> None:
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is None or label.widget() is None or field is None:
            continue
        controls = [w for w in _item_widgets(field) if is_control(w)]
        if controls:
            _name(controls[0], label.widget())


def _pair_grid(grid: QGridLayout) -> None:
    cells = {}
    for k in range(grid.count()):
        row, col, _rows, cols = grid.getItemPosition(k)
        cells[row, col] = (grid.itemAt(k), cols)
    for (row, col), (item, cols) in cells.items():
        if not _usable_label(item.widget()):
            continue
        right = cells.get((row, col + cols))
        below = cells.get((row + 1, col))
        for neighbour in (right, below):
            controls = [w for w in _item_widgets(neighbour[0]) if is_control(w)] if neighbour else []
            if controls:
                _name(controls[0], item.widget())
                break


def _pair_box(box: QBoxLayout) -> None:
    items = [box.itemAt(k) for k in range(box.count())]
    for item, following in zip(items, items[1:], strict=False):
        if _usable_label(item.widget()):
            controls = [w for w in _item_widgets(following) if is_control(w)]
            if controls:
                _name(controls[0], item.widget())


def _fallback(widget: QWidget) -> None:
    """A name from the tool tip's first sentence or the placeholder, for a control with no label."""
    if own_name(widget):
        return
    tip = re.split(r"(?<=[.!?])\s|\n|:\s", label_text(widget.toolTip()), maxsplit=1)[0]
    hint = widget.placeholderText() if isinstance(widget, QLineEdit) else ""
    if tip or hint:
        widget.setAccessibleName(tip.rstrip(".") or hint.rstrip("…."))


def name_controls(root: QWidget) -> list[QWidget]:
    """Name every control under ``root`` from its label (see the module docstring); returns the controls
    still without a name (for tests)."""
    for label in root.findChildren(QLabel):
        if label.buddy() is not None and _usable_label(label):
            _name(label.buddy(), label)
    for layout in _layouts(root):
        if isinstance(layout, QFormLayout):
            _pair_form(layout)
        elif isinstance(layout, QGridLayout):
            _pair_grid(layout)
        elif isinstance(layout, QBoxLayout):
            _pair_box(layout)
    controls = [w for w in root.findChildren(QWidget) if is_control(w)]
    for widget in controls:
        _fallback(widget)
    describe_plots(root)
    return [w for w in controls if not own_name(w)]


# ---- plots ------------------------------------------------------------------------------------------------

def describe_plot(widget: QWidget, name: str, description: str) -> None:
    """Set a plot's accessible name and description (call again when what it shows changes)."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)


def describe_plots(root: QWidget) -> None:
    """A name and description for each pyqtgraph plot under ``root`` that has none: its title, or "Plot of Y
    against X" from the axis labels."""
    import pyqtgraph as pg

    views = [w for w in root.findChildren(QGraphicsView) if isinstance(w, pg.GraphicsView)]
    for view in views:
        if view.accessibleDescription():
            continue
        title, axes = _plot_words(view)
        empty = view.findChild(QLabel, "emptyState")
        if empty is not None and not empty.isHidden():  # explorer.widgets.empty_state
            name = view.accessibleName() or title or "Plot"
            describe_plot(view, name, f"Empty. {label_text(empty.text())}")
            continue
        name = view.accessibleName() or title or (f"Plot of {axes[1]} against {axes[0]}" if all(axes)
                                                   else "Plot")
        what = f"{axes[1] or 'values'} (vertical) against {axes[0] or 'position'} (horizontal)"
        describe_plot(view, name, f"{name}: a plot of {what}." if any(axes) else f"{name}: a picture.")


def _plot_words(view) -> tuple[str, tuple[str, str]]:
    import pyqtgraph as pg

    items = [view.plotItem] if hasattr(view, "plotItem") else [
        i for i in view.scene().items() if isinstance(i, pg.PlotItem)]
    for item in items:
        title = label_text(item.titleLabel.text) if item.titleLabel.isVisible() else ""
        axes = tuple(label_text(item.getAxis(s).labelText) if item.getAxis(s).isVisible() else ""
                     for s in ("bottom", "left"))
        return title, axes  # type: ignore[return-value]
    return "", ("", "")


# ---- tab order ------------------------------------------------------------------------------------------

def _in_layout_order(widget: QWidget, seen: set[int]) -> Iterator[QWidget]:
    """The controls of ``widget``'s tree, following its layouts (a widget outside every layout comes after
    the laid-out ones)."""
    if id(widget) in seen:
        return
    seen.add(id(widget))
    if is_control(widget):
        yield widget
        if not isinstance(widget, QGraphicsView):
            return
    children: list[QWidget] = []
    if isinstance(widget, QScrollArea) and widget.widget() is not None:
        children.append(widget.widget())
    elif isinstance(widget, (QStackedWidget, QTabWidget)):
        children += [widget.widget(k) for k in range(widget.count())]
    elif isinstance(widget, QDockWidget) and widget.widget() is not None:
        children.append(widget.widget())
    if widget.layout() is not None:
        children += _layout_widgets(widget.layout())
    children += [c for c in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                 if not c.isWindow()]
    for child in children:
        yield from _in_layout_order(child, seen)


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    """The widgets of ``layout`` in reading order (grids and forms row by row)."""
    if isinstance(layout, QGridLayout):
        order = sorted(range(layout.count()), key=lambda k: layout.getItemPosition(k)[:2])
        items = [layout.itemAt(k) for k in order]
    elif isinstance(layout, QFormLayout):
        items = [layout.itemAt(r, role) for r in range(layout.rowCount())
                 for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole,
                              QFormLayout.ItemRole.SpanningRole)]
    else:
        items = [layout.itemAt(k) for k in range(layout.count())]
        if isinstance(layout, QBoxLayout) and layout.direction() in (QBoxLayout.Direction.RightToLeft,
                                                                       QBoxLayout.Direction.BottomToTop):
            items.reverse()
    out: list[QWidget] = []
    for item in items:
        if item is None:
            continue
        if item.widget() is not None:
            out.append(item.widget())
        elif (inner := _sublayout(item)) is not None:
            out += _layout_widgets(inner)
    return out


def tab_chain(root: QWidget) -> list[QWidget]:
    """The controls of ``root`` in the order Tab should visit them."""
    if isinstance(root, QMainWindow):
        seen: set[int] = set()
        return [w for region in _regions(root) for w in _in_layout_order(region, seen) if _takes_tab(w)]
    return [w for w in _in_layout_order(root, set()) if _takes_tab(w)]


def _takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def _regions(window: QMainWindow) -> list[QWidget]:
    """The main window's parts as a person reads them: left docks, the central widget, right, bottom."""
    rank = {Qt.DockWidgetArea.TopDockWidgetArea: 0, Qt.DockWidgetArea.LeftDockWidgetArea: 1,
            Qt.DockWidgetArea.RightDockWidgetArea: 3, Qt.DockWidgetArea.BottomDockWidgetArea: 4}
    docks = window.findChildren(QDockWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    tabs = {bar.tabText(k): k for bar in bars for k in range(bar.count())}
    placed = []
    for k, dock in enumerate(docks):  # tabbed docks: where the tab in front is, then in the tabs' order
        group = [dock, *window.tabifiedDockWidgets(dock)]
        # a dock behind another's tab still says isVisible(), placed off screen: only the one in front is seen
        shown = [d for d in group if d.isVisible() and not d.visibleRegion().isEmpty()] or group
        y, x = min(d.y() for d in shown), min(d.x() for d in shown)
        area = rank.get(window.dockWidgetArea(dock), 5)
        placed.append((area, y, x, tabs.get(dock.windowTitle(), 0), k, dock))
    if window.centralWidget() is not None:
        placed.append((2, 0, 0, 0, -1, window.centralWidget()))
    regions = [entry[-1] for entry in sorted(placed, key=lambda e: e[:5])]
    if window.statusBar() is not None:
        regions.append(window.statusBar())
    return regions


def order_tabs(root: QWidget) -> list[QWidget]:
    """Chain Tab through ``root``'s controls in visual order (see ``tab_chain``); returns the chain."""
    chain = tab_chain(root)
    for first, second in zip(chain, chain[1:], strict=False):
        QWidget.setTabOrder(first, second)
    return chain


# ---- applying it ------------------------------------------------------------------------------------------

def prepare(root: QWidget) -> list[QWidget]:
    """Name the controls and plots of ``root`` and order its Tab chain; returns the controls left unnamed."""
    root.setProperty(PREPARED, True)
    unnamed = name_controls(root)
    order_tabs(root)
    return unnamed


class Accessibility(QObject):
    """Keeps the app prepared: the main window right after its first paint (the walk costs 10-30 ms, not
    worth delaying the first window for), a dock again when it is shown (its contents may have grown), and
    any window (a dialog, a study, the lessons, the main window if sooner) when it first gets the focus."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        boxes = getattr(getattr(window, "help", None), "boxes", {})
        for name, box in boxes.items():  # ten buttons of one text: say which panel each explains
            title = window.docks[name].windowTitle() if name in getattr(window, "docks", {}) else "Scatter"
            box.button.setAccessibleName(f"{box.button.text()} ({title})")
        after_paint = getattr(window, "after_first_paint", None)
        if after_paint is not None:
            after_paint(lambda: window.property(PREPARED) or prepare(window))
        else:
            prepare(window)
        for dock in window.findChildren(QDockWidget):
            dock.visibilityChanged.connect(lambda shown, d=dock: shown and name_controls(d))
        QApplication.instance().focusChanged.connect(self._on_focus)

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        top = new.window() if new is not None else None
        if top is not None and not top.property(PREPARED):
            prepare(top)


def install(window) -> Accessibility:
    return Accessibility(window)
