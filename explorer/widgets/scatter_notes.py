"""The scatter's words: what a view being computed does (``Banner``: progress and Cancel, over the plotting
area's corner, wrapped to its width), what the next click does (``HintLabel``: a line under the toolbar) and
what kind of view is shown (``NoteLabel``: a line under the plot). Only the banner lies over the plot, and
only while a view is computed; none of them asks the window for width.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

BANNER_MARGIN = 8  # pixels between the banner and the plotting area's edges
BANNER_CHARS = 46  # the banner's width where the plotting area has room (average characters)


class Banner(QFrame):
    """While a view is computed: what it does, a progress bar and Cancel, in the plotting area's top-left
    corner (over the view being replaced, for those seconds only). A child of the plot placed by hand: it
    never changes the size of any layout. ``fit_to(width)`` makes it at most ``width`` pixels wide (the
    plotting area's): its text wraps, and Cancel keeps its whole word."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAutoFillBackground(True)
        # its own light background in every theme, so its own dark text (a dark theme's light text vanished)
        self.setStyleSheet("#banner { background: #fffbea; border: 1px solid #c9b458; border-radius: 3px; }"
                           "#banner QLabel { color: #5a4a00; }")
        self.progress_text = QLabel(wordWrap=True)
        self.progress = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.progress.setMinimumWidth(40)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop computing this view and keep the one shown")
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # never cut
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.progress_text)
        layout.addLayout(row)
        self.width_limit = BANNER_CHARS * self.fontMetrics().averageCharWidth()
        self.hide()

    def set_computing(self, text: str | None) -> None:
        self.progress.setValue(0)
        self.progress_text.setText(text or "")
        self.setVisible(text is not None)
        self.fit_to(self.width_limit)

    def set_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(100 * fraction))
        if text != self.progress_text.text():
            self.progress_text.setText(text)
            self.fit_to(self.width_limit)  # one more or one less line

    def fit_to(self, width: int) -> None:
        """At most ``width`` pixels wide (BANNER_CHARS average characters where there is room), as high as
        its wrapped text needs."""
        self.width_limit = int(width)
        w = max(1, min(int(width), BANNER_CHARS * self.fontMetrics().averageCharWidth()))
        layout = self.layout()
        layout.activate()
        h = layout.totalHeightForWidth(w) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        self.setFixedSize(w, h)


class NoteLabel(QLabel):
    """What kind of view is shown, when it matters for a click (not invertible): a line under the plot, left
    of the point count, wrapped to the scatter's width, in the theme's colours. It asks for no width and
    shows only while it has something to say."""

    def __init__(self):
        super().__init__(wordWrap=True)
        self.setContentsMargins(6, 0, 6, 2)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hide()

    def setText(self, text: str) -> None:  # shows only with a text
        super().setText(text)
        self.setVisible(bool(text))


class HintLabel(NoteLabel):
    """What the next click on the plot does (``claim_clicks``, the lasso): a line of its own under the
    toolbar, wrapped to the scatter's width. It asks for no width (a long hint in the toolbar widened the
    scatter and squeezed both docks)."""

    def __init__(self):
        super().__init__()
        self.setStyleSheet("color: #b34700; font-weight: bold;")
        self.setContentsMargins(6, 0, 6, 0)
