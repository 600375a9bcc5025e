"""Help for students: a "(i) What am I looking at?" toggle at the top of every panel, and the Help menu.

Each dock's widget is wrapped in a container with an ``ExplainBox`` above it (``dock.panel`` and the dock's
own attributes are untouched); the scatter gets its box at the top of its layout. The texts live in
``explorer.help_texts``. Help → What am I looking at? (F1) opens the explanation of the panel under the mouse
(else the one with the keyboard focus, else the scatter's); Shift+F1 is Qt's What's This mode, which shows the
same text for whatever is clicked; Help → Lessons opens ``explorer.lessons``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QCursor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QLabel,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWhatsThis,
    QWidget,
)

from explorer import about, lessons, window_fit
from explorer.help_texts import PANELS

BUTTON = "What am I looking at?"  # beside the standard information icon (fonts may lack ⓘ)


class ExplainBox(QWidget):
    """A small toggle button; when on, the panel's explanation shows below it, in place."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.button = QToolButton(text=BUTTON, checkable=True, autoRaise=True)
        self.button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation))
        self.button.setIconSize(QSize(16, 16))
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setToolTip("Show or hide a short explanation of this panel (F1)")
        self.text = QLabel(text, wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.text.setStyleSheet("QLabel { background: palette(alternate-base); border-radius: 4px;"
                                " border: 1px solid palette(mid); padding: 6px; }")
        self.text.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.text)
        self.button.toggled.connect(self.text.setVisible)

    def is_open(self) -> bool:
        return self.button.isChecked()

    def set_open(self, on: bool) -> None:
        self.button.setChecked(on)


class Help(QObject):
    """The help feature of one main window: ``boxes`` by panel name, ``targets`` (the dock, or the scatter,
    each box explains), the Help menu actions and the Lessons window (``lessons``, made on first use)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.targets: dict[str, QWidget] = {"scatter": window.scatter, **window.docks}
        self.boxes: dict[str, ExplainBox] = {}
        for name, dock in window.docks.items():
            self.boxes[name] = _wrap_dock(dock, PANELS[name])
        self.boxes["scatter"] = ExplainBox(PANELS["scatter"])
        window.scatter.layout().insertWidget(0, self.boxes["scatter"])
        for name, target in self.targets.items():
            target.setWhatsThis(PANELS[name])
        self.lessons: lessons.LessonsWindow | None = None
        self.runner = lessons.LessonRunner(window, self)
        self._menu(window.help_menu)

    def _menu(self, menu) -> None:
        self.explain_action = menu.addAction("&What am I looking at?", self.explain_here)
        self.explain_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.lessons_action = menu.addAction("&Lessons", self.open_lessons)
        whats_this = QWhatsThis.createAction(self.window)  # Shift+F1, then click any panel
        whats_this.setText("What's &This? (click a panel)")
        menu.addAction(whats_this)
        self.whats_this_action = whats_this
        menu.addSeparator()
        self.about_action = menu.addAction("&About Latent Explorer", lambda: about.show(self.window))

    def panel_of(self, widget: QWidget | None) -> str | None:
        """The panel ``widget`` belongs to (itself or an ancestor is a dock or the scatter), or None."""
        while widget is not None:
            for name, target in self.targets.items():
                if widget is target:
                    return name
            widget = widget.parentWidget()
        return None

    def explain_here(self) -> str:
        """Open the explanation of the panel under the mouse, else the one with focus, else the scatter's."""
        name = (self.panel_of(self._widget_under_mouse())
                or self.panel_of(QApplication.focusWidget()) or "scatter")
        self.explain(name)
        return name

    def _widget_under_mouse(self) -> QWidget | None:
        """The widget under the pointer: Qt's answer, or the main window's child there (some platforms, such
        as offscreen, cannot say which window is at a position)."""
        pos = QCursor.pos()
        found = QApplication.widgetAt(pos)
        local = self.window.mapFromGlobal(pos)
        if found is None and self.window.rect().contains(local):
            found = self.window.childAt(local)
        return found

    def explain(self, name: str) -> None:
        """Bring the panel forward and open its explanation."""
        target = self.targets[name]
        if target is not self.window.scatter:
            target.show()
            target.raise_()
        self.boxes[name].set_open(True)

    def open_lessons(self) -> lessons.LessonsWindow:
        if self.lessons is None:
            self.lessons = lessons.LessonsWindow(self.window)
            window_fit.keep_on_screen(self.lessons)  # 780×900 asked: less on a 1280×720 screen
            self.lessons.lessonClicked.connect(self.runner.show_me)
        self.lessons.show()
        self.lessons.raise_()
        self.lessons.activateWindow()
        return self.lessons


def _wrap_dock(dock, text: str) -> ExplainBox:
    """Put an ExplainBox at the top of the dock's panel: into the panel's own box layout when it has one
    (a new widget in place: moving a built panel into a wrapper re-polishes its whole tree, ~25 ms a dock at
    start-up), else above the dock's widget in a new container."""
    inner = dock.widget()
    host = inner.widget() if isinstance(inner, QScrollArea) and inner.widget() is not None else inner
    if isinstance(host.layout(), QBoxLayout):
        box = ExplainBox(text)
        host.layout().insertWidget(0, box)
        return box
    container = QWidget()
    layout = QVBoxLayout(container)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    box = ExplainBox(text)
    layout.addWidget(box)
    layout.addWidget(inner, 1)
    dock.setWidget(container)
    inner.show()  # QDockWidget.setWidget hides the widget it replaces
    return box


def install(window) -> Help:
    """Add the explanations to every panel and the Help menu entries."""
    return Help(window)
