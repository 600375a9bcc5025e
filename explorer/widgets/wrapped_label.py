"""A word-wrapped label that asks for the height its text takes at its width.

Qt's layouts ask a word-wrapped label for its height at a given width (``heightForWidth``), but a dock's
minimum size (what the main window gives it at least) does not: the Inspector's lines under its images (two
lines of latent code for an 8- or 32-dimensional model) were squeezed at 1280×720, and the images, which keep
their minimum size, covered half of them. ``WrappedLabel``'s minimum size hint is the height its text needs
at its current width, so that the dock (and the window) reserve it; it sets no minimum size of its own (a
font or a width that changes back brings the same hint back).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel


class WrappedLabel(QLabel):
    """A ``QLabel`` with word wrap whose minimum size hint's height follows its text and width (pixels)."""

    def __init__(self, text: str = "", parent=None, **kwargs):
        super().__init__(text, parent, wordWrap=True, **kwargs)
        self._asked = -1  # the height the last hint asked for

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.width() > 0 and self.isVisible():  # (before the layout has given it a width: no guess)
            self._asked = self.heightForWidth(self.width())
            hint.setHeight(max(hint.height(), self._asked))
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.isVisible() and self.heightForWidth(self.width()) != self._asked:
            self.updateGeometry()  # the layouts ask again
