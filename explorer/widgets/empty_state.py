"""An empty plot that says what will appear there and how to make it appear, instead of pyqtgraph's default
0–1 axes with ticks at 0.2…0.8 that look like a result.

``EmptyState(plot, text, name)`` puts a centred, word-wrapped sentence over a ``pg.PlotWidget``;
``set_empty(True)`` shows it and hides the plot's axes and grid; ``set_empty(False)`` brings them back. A
screen reader hears the plot's name and, while it is empty, the sentence as its description. The sentence
follows the plot's size (an event filter), so it scales with presentation mode and never widens the dock.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

AXES = ("left", "bottom")
MARGIN = 16  # pixels between the sentence and the plot's edge


class EmptyState(QObject):
    def __init__(self, plot, text: str, name: str):
        super().__init__(plot)
        self.plot = plot
        plot.setAccessibleName(name)
        self.label = QLabel(text, plot)
        self.label.setObjectName("emptyState")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setStyleSheet("color: #555; background: transparent;")  # themes.ON_DARK in dark themes
        self.empty = False
        plot.installEventFilter(self)
        self.set_empty(True)

    @property
    def text(self) -> str:
        return self.label.text()

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self._describe()

    def set_empty(self, empty: bool) -> None:
        """Show the sentence and hide the axes (True), or the plot as it is (False)."""
        if empty == self.empty:
            return
        self.empty = empty
        item = self.plot.getPlotItem()
        for axis in AXES:
            item.showAxis(axis, not empty)
        item.showGrid(x=not empty, y=not empty, alpha=0.2)
        self.label.setVisible(empty)
        self._place()
        self._describe()

    def _describe(self) -> None:
        """The plot's accessible description: the sentence while empty, else its axes
        (explorer.accessibility)."""
        from explorer.accessibility import describe_plots

        self.plot.setAccessibleDescription("")
        describe_plots(self.plot.parentWidget() or self.plot)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.plot and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._place()
        return False

    def _place(self) -> None:
        rect = self.plot.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        self.label.setGeometry(rect)
        self.label.raise_()
