"""What practitioners look up around the scatter, each in a module of its own, installed here with one call
from the main window: a second toolbar row under the scatter's with "Colour:" (``widgets/colour_by.py``) and
"Find:" (``widgets/find_box.py``), View → Find… (Ctrl+F), and the Neighbours dock, a tab beside the
Inspector (``widgets/neighbours_panel.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from explorer.widgets import neighbours_panel
from explorer.widgets.colour_by import ColourByBox
from explorer.widgets.find_box import FindBox


@dataclass
class Extras:
    bar: QWidget  # the row under the View row
    colour: ColourByBox
    find: FindBox
    neighbours: object  # the Neighbours QDockWidget (its ``panel``)
    find_action: QAction


def install(window) -> Extras:
    scatter, session = window.scatter, window.session
    colour, find = ColourByBox(session, scatter), FindBox(session, scatter)
    bar = QWidget()
    # its minimum width never widens the scatter (that would squeeze the docks): at worst it is cut off
    bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    row = QHBoxLayout(bar)
    row.setContentsMargins(6, 2, 6, 0)
    row.addWidget(colour)
    row.addStretch(1)
    row.addWidget(find, 1)
    scatter.layout().insertWidget(1, bar)  # under the View row, above the plot
    action = QAction("&Find…", window)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
    action.triggered.connect(find.focus)
    window.view_menu.addAction(action)
    return Extras(bar, colour, find, neighbours_panel.install(window), action)
