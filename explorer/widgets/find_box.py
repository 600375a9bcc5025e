"""The scatter's Find box: type a class, an attribute value or a row number (``trainer.find``) and press
Enter. A class or attribute value marks every matching point (and says how many): the other points fade,
the matches are drawn over them in the ink colour, and a few hundred or fewer get a ring too, so that a
rare one stands out. Enter again steps through the matches, selecting each and bringing it into view. A
number selects that row. Emptying the box (its clear button) brings the scatter back. View → Find…
(Ctrl+F) puts the cursor in the box.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from trainer.errors import ConfigError
from trainer.find import find, vocabulary

DOT_SIZE, RING_SIZE = 6, 14
MAX_RINGS = 300  # more rings merge into one dark blob: the dots alone show where the matches are
FADED = 0.2  # opacity of the other points while matches are marked
Z_MATCHES = 5  # above the class points (0), under the tools' marks (20)


class FindBox(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.found = None  # trainer.find.Found of the last search
        self.query, self.step = "", -1
        self.edit = QLineEdit(placeholderText="class, attribute or #row", clearButtonEnabled=True)
        self.edit.setMinimumWidth(64)
        self.edit.setToolTip("Find: a class (Coat), an attribute value (Smiling, not Smiling) or a row "
                             "(#123). Enter finds; Enter again steps through the matches.")
        self.edit.setAccessibleName("Find in the scatter")
        self.completer = QCompleter([], self.edit)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(self.completer)
        self.result = QLabel()
        self.result.setMaximumWidth(70)  # "12/7,000" fits; the row must not widen the scatter
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.result)
        self.dots = pg.ScatterPlotItem(pen=None, brush=pg.mkBrush("k"), size=DOT_SIZE)
        self.rings = pg.ScatterPlotItem(pen=pg.mkPen("k", width=1.5), brush=None, size=RING_SIZE)
        for item in (self.dots, self.rings):
            item.setZValue(Z_MATCHES)
            scatter.plot.addItem(item, ignoreBounds=True)
        scatter.overlays["find"] = self  # styled with the tools' marks: set_look(scale, ink)
        self.set_look(scatter.scale, scatter._ink)
        self.edit.returnPressed.connect(lambda: self.search(self.edit.text()))
        self.edit.textChanged.connect(self._on_text)
        session.datasetChanged.connect(self._on_dataset)
        session.codesChanged.connect(self._draw)
        session.projectionChanged.connect(self._draw)
        self._on_dataset()

    # ---- searching -----------------------------------------------------------------------------------------

    def search(self, text: str) -> None:
        """Find ``text``; the same query again (Enter again) selects the next match."""
        s = self.session
        if s.dataset is None:
            return
        if not text.strip():
            self.clear()
            return
        if text == self.query and self.found is not None and self.found.jump is None and len(self.found.rows):
            self.next_match()
            return
        try:
            found = find(text, s.dataset.labels, s.class_names, s.dataset.attributes,
                         list(s.dataset.attribute_names))
        except ConfigError as e:
            self._show(None, text)
            self.result.setText("none")
            self.result.setToolTip(str(e))
            s.status.emit(f"Find: {e}")
            return
        self._show(found, text)
        if found.jump is not None:
            s.select(found.jump)
            self.bring_into_view(found.jump)

    def next_match(self) -> None:
        """Select the next matching row (after the last one, the first again) and bring it into view."""
        rows = self.found.rows
        self.step = (self.step + 1) % len(rows)
        row = int(rows[self.step])
        self.session.select(row)
        self.bring_into_view(row)
        self.result.setText(f"{self.step + 1:,}/{len(rows):,}")
        self.session.status.emit(f"Find: {self.found.text}: {self.step + 1:,} of {len(rows):,} (#{row})")

    def clear(self) -> None:
        self._show(None, "")
        self.result.setText("")

    def _show(self, found, text: str) -> None:
        self.found, self.query, self.step = found, text, -1
        self._draw()
        if found is None:
            return
        n = len(found.rows)
        total = len(self.session.dataset.images)
        self.result.setText("" if found.jump is not None else f"{n:,}")
        self.result.setToolTip(found.text if found.jump is not None else f"{found.text}: {n:,} of {total:,} "
                               "points")
        self.session.status.emit(f"Find: {found.text}: {n:,} of {total:,} points"
                                 + (" (Enter again: the next one)" if found.jump is None and n else ""))

    def rows_shown(self) -> np.ndarray:
        """The rows ringed now (those encoded so far)."""
        if self.found is None or self.found.jump is not None or self.session.xy is None:
            return np.zeros(0, np.int64)
        return self.found.rows[self.found.rows < len(self.session.xy)]

    def _draw(self) -> None:
        rows = self.rows_shown()
        for layer in self.scatter.layers:
            layer.setOpacity(FADED if len(rows) else 1.0)
        xy = self.session.xy[rows] if len(rows) else np.zeros((0, 2), np.float32)
        self.dots.setData(x=xy[:, 0], y=xy[:, 1])
        ringed = xy if len(xy) <= MAX_RINGS else xy[:0]
        self.rings.setData(x=ringed[:, 0], y=ringed[:, 1])

    def bring_into_view(self, row: int) -> None:
        """Centre the view on ``row`` when it lies outside the region shown (the zoom stays)."""
        xy = self.session.xy
        if xy is None or row >= len(xy):
            return
        (x0, x1), (y0, y1) = self.scatter.view.viewRange()
        x, y = (float(v) for v in xy[row])
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            w, h = x1 - x0, y1 - y0
            self.scatter.view.setRange(xRange=(x - w / 2, x + w / 2), yRange=(y - h / 2, y + h / 2),
                                       padding=0)

    # ---- look ----------------------------------------------------------------------------------------------

    def set_look(self, scale: float, ink) -> None:
        self.rings.setPen(pg.mkPen(ink, width=1.5 * scale))
        self.rings.setSize(RING_SIZE * scale)
        self.dots.setBrush(pg.mkBrush(ink))
        self.dots.setSize(DOT_SIZE * scale)

    def _on_text(self, text: str) -> None:
        if not text:
            self.clear()

    def _on_dataset(self) -> None:
        s = self.session
        names = list(s.dataset.attribute_names) if s.dataset is not None else []
        self.completer.model().setStringList(vocabulary(s.class_names, names))
        self.clear()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
