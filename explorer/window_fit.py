"""The window fits the screen, and nothing a person does hides a panel's contents.

``first_size(area)`` is the size of a new window: DEFAULT_SIZE, or less where the screen's available area
(``available(window)``, without panels and task bars) is smaller, leaving room for the window manager's frame
(FRAME). ``fits(size, area)`` says whether a window of that size fits (settings restores no layout that does
not). ``WholeTabs(window)`` keeps the titles of the dock tabs whole and every tab in view: no "Tra…", no
scroll arrows (a tab bar then asks for the width of all its tabs, and its docks get at least that). The
checks the tests and the settings use: ``scrolled_docks(window)`` names the docks whose contents need a
horizontal scroll bar, ``cut_tabs(window)`` the tab titles that do not show whole.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabBar

DEFAULT_SIZE = QSize(1400, 900)
FRAME = QSize(16, 48)  # a title bar and borders around the window (openbox, GNOME, KDE: 22–40 px high)
SMALLEST = QSize(400, 300)
SIDE_SHARES = (0.34, 0.28)  # of the window's width: the tools (left), the grid and inspector (right)
GRID_SHARE = 0.6  # of the right side's height: the decoded grid (the inspector below has the rest)


def available(window) -> QSize:
    """The size of the available area (less panels and task bars) of the window's screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry().size()


def first_size(area: QSize, wanted: QSize = DEFAULT_SIZE) -> QSize:
    """``wanted``, made smaller where the window with its frame (FRAME) would not fit in ``area``."""
    return wanted.boundedTo(area - FRAME).expandedTo(SMALLEST)


def keep_on_screen(widget) -> None:
    """Make a window of its own (the lessons, a study, a dialog) no larger than its screen's available area
    less the frame: the size it asked for with ``resize``, or less. Call it after that ``resize``."""
    widget.resize(first_size(available(widget), widget.size()))


def fits(size: QSize, area: QSize) -> bool:
    """Whether a window of ``size`` with its frame fits in ``area``."""
    room = area - FRAME
    return size.width() <= room.width() and size.height() <= room.height()


def share_room(window, left: QDockWidget, right: QDockWidget, below: QDockWidget,
               widths: tuple[float, float] = SIDE_SHARES) -> None:
    """The side docks' widths as shares of the window's width (``left``, ``right``; a dock never gets less
    than its contents need) and the right side's height split between ``right`` and ``below``."""
    w, h = window.width(), window.height()
    window.resizeDocks([left, right], [round(widths[0] * w), round(widths[1] * w)], Qt.Orientation.Horizontal)
    window.resizeDocks([right, below], [round(GRID_SHARE * h), round((1 - GRID_SHARE) * h)],
                       Qt.Orientation.Vertical)


def scrolled_docks(window) -> list[str]:
    """The titles of the docks in view whose contents are wider than the dock (a horizontal scroll bar, or
    contents cut at the right edge)."""
    found = []
    for dock in window.findChildren(QDockWidget):
        inner = dock.widget()
        if inner is None or not dock.isVisible() or dock.visibleRegion().isEmpty():
            continue
        if isinstance(inner, QScrollArea) and inner.widget() is not None:
            need, have = inner.widget().minimumSizeHint().width(), inner.viewport().width()
        else:
            need, have = inner.minimumSizeHint().width(), inner.width()
        if need > have:
            found.append(dock.windowTitle())
    return found


def cut_tabs(window) -> list[str]:
    """The dock tab titles that do not show whole: elided, or out of view behind scroll arrows."""
    cut = []
    for bar in _tab_bars(window):
        if not bar.isVisible() or window.childAt(bar.geometry().center()) is not bar:
            continue  # (the main window keeps tab bars it no longer uses, at times under the one in use)
        for k in range(bar.count()):
            rect, text = bar.tabRect(k), bar.tabText(k)
            needed = bar.fontMetrics().horizontalAdvance(text)
            if rect.right() > bar.width() or rect.left() < 0 or rect.width() < needed:
                cut.append(text)
    return cut


def _tab_bars(window) -> list[QTabBar]:
    return window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)


class WholeTabs(QObject):
    """Every dock tab bar of ``window`` shows its titles in full and never scrolls. The main window makes
    a tab bar whenever docks are tabbed together (also when a layout is restored), with elided titles and
    scroll arrows: each layout pass sets them right again."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.apply()
        window.installEventFilter(self)

    def apply(self) -> None:
        for bar in _tab_bars(self.window):
            if bar.elideMode() != Qt.TextElideMode.ElideNone:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
            if bar.usesScrollButtons():
                bar.setUsesScrollButtons(False)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.ChildPolished):
            self.apply()
        return False


def install(window) -> WholeTabs:
    """Size a new window to fit its screen and keep its tab titles whole."""
    window.resize(first_size(available(window)))
    return WholeTabs(window)
